/* samples — parity measurements over time in the store's samples table, and
 * the newest of each series in samples_latest (kept by the store's triggers).
 * An append and the account's state-serial bump commit together, so a
 * console that sees the serial move always finds the sample behind it. */
#include "warroom/samples.h"

#include <stdlib.h>
#include <string.h>

#include "warroom/entity.h"
#include "warroom/parity.h"
#include "warroom/runs.h"
#include "warroom/store.h"

void sample_free(struct sample *s)
{
	if (!s)
		return;
	free(s->account);
	free(s->kind);
	free(s->name);
	memset(s, 0, sizeof(*s));
}

void sample_list_free(struct sample_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		sample_free(&l->items[i]);
	free(l->items);
	memset(l, 0, sizeof(*l));
}

int samples_append(struct store *st, struct sample *s, struct err *e)
{
	if (!s->account || !*s->account || !s->kind)
		return err_set(e, "sample without an account or kind");
	if (!s->at_ms)
		s->at_ms = util_now_ms();
	int own = !store_in_tx(st);
	if (own && store_begin(st, e))
		return -1;
	sqlite3_stmt *q = store_stmt(st,
		"INSERT INTO samples(account, kind, name, value, passed, evaluated, ts_ms) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", e);
	if (!q)
		goto fail;
	sqlite3_bind_text(q, 1, s->account, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(q, 2, s->kind, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(q, 3, s->name ? s->name : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_double(q, 4, s->value);
	sqlite3_bind_int64(q, 5, s->passed);
	sqlite3_bind_int64(q, 6, s->evaluated);
	sqlite3_bind_int64(q, 7, s->at_ms);
	if (store_step_done(st, q, e)) {
		err_wrap(e, "storing sample %s/%s of %s", s->kind, s->name ? s->name : "", s->account);
		goto fail;
	}
	s->id = sqlite3_last_insert_rowid(store_db(st));
	if (runs_bump(st, s->account, s->at_ms, e))
		goto fail;
	if (own && store_commit(st, e))
		goto fail;
	return 0;
fail:
	if (own)
		store_rollback(st);
	return -1;
}

static char *col_text(sqlite3_stmt *q, int i)
{
	const unsigned char *t = sqlite3_column_text(q, i);
	return xstrdup(t ? (const char *)t : "");
}

/* Columns: id, account, kind, name, value, passed, evaluated, ts_ms. */
#define SAMPLE_COLS "id, account, kind, name, value, passed, evaluated, ts_ms"
static void row_to_sample(sqlite3_stmt *q, struct sample *s)
{
	s->id = sqlite3_column_int64(q, 0);
	s->account = col_text(q, 1);
	s->kind = col_text(q, 2);
	s->name = col_text(q, 3);
	s->value = sqlite3_column_double(q, 4);
	s->passed = sqlite3_column_int64(q, 5);
	s->evaluated = sqlite3_column_int64(q, 6);
	s->at_ms = sqlite3_column_int64(q, 7);
}

/* Migration 6 of store.c made samples_latest. An observer may not migrate,
 * so on an older file its reads of the newest samples are refused with what
 * to do rather than SQLite's "no such table". */
#define LATEST_SINCE 6

static sqlite3_stmt *latest_stmt(struct store *st, const char *sql, struct err *e)
{
	sqlite3_stmt *q = store_stmt(st, sql, e);
	int have;
	if (!q && (have = store_user_version(st)) >= 0 && have < LATEST_SINCE)
		err_set(e, "%s: the newest samples are kept from schema version %d and this file "
			"is at version %d: an operator's warroom opening it read-write upgrades it",
			store_path(st), LATEST_SINCE, have);
	return q;
}

int samples_latest(struct store *st, const char *account, const char *kind, const char *name,
		   struct sample *out, struct err *e)
{
	sqlite3_stmt *q = latest_stmt(st,
		"SELECT " SAMPLE_COLS " FROM samples_latest WHERE account = ?1 AND kind = ?2 "
		"AND name = ?3", e);
	if (!q)
		return -1;
	sqlite3_bind_text(q, 1, account, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(q, 2, kind, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(q, 3, name ? name : "", -1, SQLITE_TRANSIENT);
	int rc = sqlite3_step(q);
	int found = 0;
	if (rc == SQLITE_ROW) {
		memset(out, 0, sizeof(*out));
		row_to_sample(q, out);
		found = 1;
	} else if (rc != SQLITE_DONE) {
		store_error(st, e, "reading the latest sample");
		found = -1;
	}
	sqlite3_reset(q);
	return found;
}

int samples_series(struct store *st, const char *account, const char *kind, const char *name,
		   size_t max, double **values, size_t *n, struct err *e)
{
	*values = NULL;
	*n = 0;
	sqlite3_stmt *q = store_stmt(st,
		"SELECT value FROM (SELECT value, ts_ms, id FROM samples WHERE account = ?1 AND "
		"kind = ?2 AND name = ?3 ORDER BY ts_ms DESC, id DESC LIMIT ?4) ORDER BY ts_ms, id", e);
	if (!q)
		return -1;
	sqlite3_bind_text(q, 1, account, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(q, 2, kind, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(q, 3, name ? name : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(q, 4, (sqlite3_int64)max);
	size_t cap = 0;
	int rc;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW)
		VEC_PUSH(*values, *n, cap, sqlite3_column_double(q, 0));
	sqlite3_reset(q);
	if (rc != SQLITE_DONE) {
		free(*values);
		*values = NULL;
		*n = 0;
		return store_error(st, e, "reading a sample series");
	}
	return 0;
}

/* The newest row of each series comes from samples_latest, which the store's
 * triggers keep with every write to the history: one row per series read in
 * its key's order, however long the history grows. */
int samples_latest_all(struct store *st, const char *account, struct sample_list *out,
		       struct err *e)
{
	memset(out, 0, sizeof(*out));
	sqlite3_stmt *q = latest_stmt(st, account
		? "SELECT " SAMPLE_COLS " FROM samples_latest WHERE account = ?1 ORDER BY kind, name"
		: "SELECT " SAMPLE_COLS " FROM samples_latest ORDER BY account, kind, name", e);
	if (!q)
		return -1;
	if (account)
		sqlite3_bind_text(q, 1, account, -1, SQLITE_TRANSIENT);
	int rc;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct sample s = {0};
		row_to_sample(q, &s);
		VEC_PUSH(out->items, out->n, out->cap, s);
	}
	sqlite3_reset(q);
	if (rc != SQLITE_DONE) {
		sample_list_free(out);
		return store_error(st, e, "reading the latest samples");
	}
	return 0;
}

void sample_list_pass_rate(const struct sample_list *l, double *rate, int64_t *passed,
			   int64_t *evaluated)
{
	int64_t p = 0, n = 0;
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->items[i].kind, SAMPLE_PARITY) &&
		    !strcmp(l->items[i].name, SAMPLE_PASS_RATE)) {
			p += l->items[i].passed;
			n += l->items[i].evaluated;
		}
	if (passed)
		*passed = p;
	if (evaluated)
		*evaluated = n;
	*rate = n > 0 ? (double)p / (double)n : 1.0;
}

int samples_program_pass_rate(struct store *st, double *rate, int64_t *passed,
			      int64_t *evaluated, struct err *e)
{
	struct sample_list l;
	if (samples_latest_all(st, NULL, &l, e) < 0)
		return -1;
	sample_list_pass_rate(&l, rate, passed, evaluated);
	sample_list_free(&l);
	return 0;
}

const struct sample *sample_list_account(const struct sample_list *l, const char *account,
					 size_t *n)
{
	size_t lo = 0, hi = l->n; /* the first item not before account */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(l->items[mid].account, account) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	size_t end = lo;
	while (end < l->n && !strcmp(l->items[end].account, account))
		end++;
	*n = end - lo;
	return *n ? &l->items[lo] : NULL;
}

static int append_one(struct store *st, const char *account, const char *kind, const char *name,
		      double value, int64_t passed, int64_t evaluated, int64_t at_ms, struct err *e)
{
	struct sample s = {.account = (char *)account, .kind = (char *)kind, .name = (char *)name,
			   .value = value, .passed = passed, .evaluated = evaluated, .at_ms = at_ms};
	return samples_append(st, &s, e);
}

int samples_append_parity(struct store *st, const struct parity_result *r, int aa, struct err *e)
{
	int own = !store_in_tx(st);
	if (own && store_begin(st, e))
		return -1;
	int rc = 0;
	int64_t at = r->at_ms ? r->at_ms : util_now_ms();
	for (int t = 0; t < ENTITY_TYPE_COUNT && !rc && !aa; t++) {
		const struct parity_type_result *tr = &r->types[t];
		if (!tr->source_count && !tr->target_count)
			continue;
		const char *ty = entity_type_name((enum entity_type)t);
		char name[64];
		size_t all = tr->matched + tr->changed + tr->missing + tr->extra;
		snprintf(name, sizeof(name), "count/%s", ty);
		rc = append_one(st, r->account, SAMPLE_PARITY, name, (double)tr->target_count,
				tr->source_count == tr->target_count, 1, at, e);
		snprintf(name, sizeof(name), "hash/%s", ty);
		if (!rc)
			rc = append_one(st, r->account, SAMPLE_PARITY, name,
					all ? (double)(tr->matched + tr->explained) / (double)all : 1.0,
					(int64_t)(tr->matched + tr->explained), (int64_t)all, at, e);
		snprintf(name, sizeof(name), "sampled/%s", ty);
		if (!rc)
			rc = append_one(st, r->account, SAMPLE_PARITY, name,
					tr->sampled ? (double)tr->sampled_ok / (double)tr->sampled : 1.0,
					(int64_t)tr->sampled_ok, (int64_t)tr->sampled, at, e);
	}
	if (!rc && aa)
		rc = append_one(st, r->account, SAMPLE_PARITY, SAMPLE_NOISE, r->error_rate, r->passed,
				r->evaluated, at, e);
	if (!rc && !aa)
		rc = append_one(st, r->account, SAMPLE_PARITY, SAMPLE_DUAL_RUN, r->error_rate, r->passed,
				r->evaluated, at, e);
	if (!rc && !aa)
		rc = append_one(st, r->account, SAMPLE_PARITY, SAMPLE_PASS_RATE, r->pass_rate, r->passed,
				r->evaluated, at, e);
	if (own && rc)
		store_rollback(st);
	else if (own && store_commit(st, e))
		rc = -1;
	return rc;
}
