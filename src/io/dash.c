/* dash — read-only queries for the console, each one statement cached by
 * the store, so a redraw after another console's commit costs a few index
 * lookups. The only writes are this console's own heartbeat row. */
#include "warroom/dash.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

#include "warroom/ident.h"
#include "warroom/store.h"

/* Steps a row-returning statement; 1 row, 0 done, -1 error (reset). */
static int step_row(struct store *s, sqlite3_stmt *st, struct err *e, const char *doing)
{
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc != SQLITE_DONE) {
		store_error(s, e, doing);
		sqlite3_reset(st);
		return -1;
	}
	sqlite3_reset(st);
	return 0;
}

int64_t dash_console_register(struct store *s, const char *role, struct err *e)
{
	const struct ident *id = ident_get();
	sqlite3_stmt *st = store_stmt(s,
				      "INSERT INTO consoles(login, host, pid, role, started_ms, "
				      "heartbeat_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?5)", e);
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, id->login, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, id->host, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, id->pid);
	sqlite3_bind_text(st, 4, role, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, util_now_ms());
	if (store_step_done(s, st, e) < 0)
		return -1;
	return sqlite3_last_insert_rowid(store_db(s));
}

int dash_console_heartbeat(struct store *s, int64_t id, struct err *e)
{
	sqlite3_stmt *st = store_stmt(s, "UPDATE consoles SET heartbeat_ms = ?1 WHERE id = ?2", e);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, util_now_ms());
	sqlite3_bind_int64(st, 2, id);
	return store_step_done(s, st, e);
}

void dash_console_unregister(struct store *s, int64_t id, struct err *e)
{
	sqlite3_stmt *st = store_stmt(s, "DELETE FROM consoles WHERE id = ?1", e);
	if (!st)
		return;
	sqlite3_bind_int64(st, 1, id);
	(void)store_step_done(s, st, e);
}

long dash_consoles_count(struct store *s, int64_t since_ms, struct err *e)
{
	sqlite3_stmt *st = store_stmt(s,
				      "SELECT count(*) FROM consoles WHERE role = 'operator' "
				      "AND heartbeat_ms >= ?1", e);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, since_ms);
	long n = -1;
	if (step_row(s, st, e, "counting consoles") == 1)
		n = (long)sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return n;
}

int dash_runs_load(struct store *s, struct dash_runs *out, struct err *e)
{
	memset(out, 0, sizeof(*out));
	sqlite3_stmt *st = store_stmt(
		s,
		"SELECT r.account, r.wave, r.state, r.phase_id, r.step_id, r.halted_reason, "
		"r.state_serial, r.started_ms, r.updated_ms, "
		/* the phase too, so the unique key answers it: without it every
		 * run sorted its attempts in a temporary b-tree */
		"(SELECT sr.state FROM step_runs sr WHERE sr.account = r.account "
		" AND sr.phase_id = r.phase_id AND sr.step_id = r.step_id "
		" ORDER BY sr.attempt DESC LIMIT 1) "
		"FROM runs r ORDER BY r.account",
		e);
	if (!st)
		return -1;
	int rc;
	while ((rc = step_row(s, st, e, "reading runs")) == 1) {
		struct dash_run r = {
			.account = store_col_dup(st, 0), .wave = store_col_dup(st, 1), .state = store_col_dup(st, 2),
			.phase_id = store_col_dup(st, 3), .step_id = store_col_dup(st, 4),
			.halted_reason = store_col_dup(st, 5), .state_serial = sqlite3_column_int64(st, 6),
			.started_ms = sqlite3_column_int64(st, 7),
			.updated_ms = sqlite3_column_int64(st, 8), .step_state = store_col_dup(st, 9),
		};
		VEC_PUSH(out->v, out->n, out->cap, r);
	}
	if (rc < 0) {
		dash_runs_free(out);
		return -1;
	}
	return 0;
}

const struct dash_run *dash_runs_find(const struct dash_runs *r, const char *account)
{
	size_t lo = 0, hi = r->n; /* rows are ordered by account */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(r->v[mid].account ? r->v[mid].account : "", account);
		if (c == 0)
			return &r->v[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

void dash_runs_free(struct dash_runs *r)
{
	for (size_t i = 0; i < r->n; i++) {
		struct dash_run *x = &r->v[i];
		free(x->account);
		free(x->wave);
		free(x->state);
		free(x->phase_id);
		free(x->step_id);
		free(x->halted_reason);
		free(x->step_state);
	}
	free(r->v);
	memset(r, 0, sizeof(*r));
}

int dash_steps_load(struct store *s, const char *account, struct dash_steps *out,
		    struct err *e)
{
	memset(out, 0, sizeof(*out));
	sqlite3_stmt *st = store_stmt(
		s,
		"SELECT phase_id, step_id, state, actor, error, attempt, started_ms, finished_ms, "
		"waiting "
		"FROM step_runs sr WHERE account = ?1 AND attempt = (SELECT max(attempt) "
		"FROM step_runs x WHERE x.account = sr.account AND x.step_id = sr.step_id) "
		"ORDER BY id",
		e);
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, account, -1, SQLITE_TRANSIENT);
	int rc;
	while ((rc = step_row(s, st, e, "reading step runs")) == 1) {
		struct dash_step x = {
			.phase_id = store_col_dup(st, 0), .step_id = store_col_dup(st, 1), .state = store_col_dup(st, 2),
			.actor = store_col_dup(st, 3), .error = store_col_dup(st, 4),
			.attempt = sqlite3_column_int64(st, 5),
			.started_ms = sqlite3_column_int64(st, 6),
			.finished_ms = sqlite3_column_int64(st, 7), .waiting = store_col_dup(st, 8),
		};
		/* a running step with a waiting reason waits for a person */
		if (x.waiting && util_streq(x.state, "running")) {
			free(x.state);
			x.state = xstrdup("waiting");
		}
		VEC_PUSH(out->v, out->n, out->cap, x);
	}
	if (rc < 0) {
		dash_steps_free(out);
		return -1;
	}
	return 0;
}

const struct dash_step *dash_steps_find(const struct dash_steps *st, const char *step_id)
{
	for (size_t i = 0; i < st->n; i++)
		if (util_streq(st->v[i].step_id, step_id))
			return &st->v[i];
	return NULL;
}

void dash_steps_free(struct dash_steps *st)
{
	for (size_t i = 0; i < st->n; i++) {
		free(st->v[i].phase_id);
		free(st->v[i].step_id);
		free(st->v[i].state);
		free(st->v[i].actor);
		free(st->v[i].error);
		free(st->v[i].waiting);
	}
	free(st->v);
	memset(st, 0, sizeof(*st));
}

char *dash_step_output(struct store *s, const char *account, const char *step_id,
		       size_t max_lines, struct err *e)
{
	sqlite3_stmt *st = store_stmt(s,
				      "SELECT chunk FROM (SELECT chunk, step_run, seq FROM step_output "
				      "WHERE account = ?1 AND step_id = ?2 ORDER BY step_run DESC, "
				      "seq DESC LIMIT ?3) ORDER BY step_run, seq", e);
	if (!st)
		return NULL;
	sqlite3_bind_text(st, 1, account, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, step_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)max_lines);
	struct strbuf sb = {0};
	int rc;
	while ((rc = step_row(s, st, e, "reading step output")) == 1) {
		const unsigned char *c = sqlite3_column_text(st, 0);
		sb_adds(&sb, c ? (const char *)c : "");
		if (sb.len && sb.buf[sb.len - 1] != '\n')
			sb_addc(&sb, '\n');
	}
	if (rc < 0) {
		sb_release(&sb);
		return NULL;
	}
	return sb_detach(&sb);
}

int dash_gate_load(struct store *s, const char *account, const char *gate_id,
		   struct dash_gate *out, struct err *e)
{
	memset(out, 0, sizeof(*out));
	sqlite3_stmt *st = store_stmt(s,
				      "SELECT role, login, decision, reason, plan_hash, state_serial, "
				      "ts_ms FROM signoffs WHERE account = ?1 AND gate_id = ?2 "
				      "ORDER BY ts_ms, id", e);
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, account, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, gate_id, -1, SQLITE_TRANSIENT);
	int rc;
	while ((rc = step_row(s, st, e, "reading sign-offs")) == 1) {
		struct dash_signoff x = {
			.role = store_col_dup(st, 0), .login = store_col_dup(st, 1), .decision = store_col_dup(st, 2),
			.reason = store_col_dup(st, 3), .plan_hash = store_col_dup(st, 4),
			.state_serial = sqlite3_column_int64(st, 5), .ts_ms = sqlite3_column_int64(st, 6),
		};
		VEC_PUSH(out->sig, out->n_sig, out->cap_sig, x);
	}
	if (rc < 0)
		goto fail;
	st = store_stmt(s,
			"SELECT item, login, ts_ms FROM ticks WHERE account = ?1 AND scope = 'gate' "
			"AND scope_id = ?2", e);
	if (!st)
		goto fail;
	sqlite3_bind_text(st, 1, account, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, gate_id, -1, SQLITE_TRANSIENT);
	while ((rc = step_row(s, st, e, "reading ticks")) == 1) {
		struct dash_tick x = {store_col_dup(st, 0), store_col_dup(st, 1), sqlite3_column_int64(st, 2)};
		VEC_PUSH(out->tick, out->n_tick, out->cap_tick, x);
	}
	if (rc < 0)
		goto fail;
	st = store_stmt(s,
			"SELECT check_name, verdict, value, max(ts_ms) FROM check_results "
			"WHERE account = ?1 AND scope = 'gate' AND scope_id = ?2 GROUP BY check_name",
			e);
	if (!st)
		goto fail;
	sqlite3_bind_text(st, 1, account, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, gate_id, -1, SQLITE_TRANSIENT);
	while ((rc = step_row(s, st, e, "reading check results")) == 1) {
		struct dash_check x = {
			.name = store_col_dup(st, 0), .verdict = store_col_dup(st, 1),
			.value = sqlite3_column_double(st, 2),
			.has_value = sqlite3_column_type(st, 2) != SQLITE_NULL,
			.ts_ms = sqlite3_column_int64(st, 3),
		};
		VEC_PUSH(out->check, out->n_check, out->cap_check, x);
	}
	if (rc < 0)
		goto fail;
	return 0;
fail:
	dash_gate_free(out);
	return -1;
}

void dash_gate_free(struct dash_gate *g)
{
	for (size_t i = 0; i < g->n_sig; i++) {
		free(g->sig[i].role);
		free(g->sig[i].login);
		free(g->sig[i].decision);
		free(g->sig[i].reason);
		free(g->sig[i].plan_hash);
	}
	for (size_t i = 0; i < g->n_tick; i++) {
		free(g->tick[i].item);
		free(g->tick[i].login);
	}
	for (size_t i = 0; i < g->n_check; i++) {
		free(g->check[i].name);
		free(g->check[i].verdict);
	}
	free(g->sig);
	free(g->tick);
	free(g->check);
	memset(g, 0, sizeof(*g));
}

int dash_series(struct store *s, const char *account, const char *kind, const char *name,
		size_t max, double **values, size_t *n, struct err *e)
{
	*values = NULL;
	*n = 0;
	int all = !account || !*account;
	sqlite3_stmt *st = store_stmt(
		s,
		all ? "SELECT v FROM (SELECT avg(value) AS v, ts_ms FROM samples WHERE kind = ?2 "
		      "AND name = ?3 GROUP BY ts_ms ORDER BY ts_ms DESC LIMIT ?4) ORDER BY ts_ms"
		    : "SELECT value FROM (SELECT value, ts_ms, id FROM samples WHERE account = ?1 "
		      "AND kind = ?2 AND name = ?3 ORDER BY ts_ms DESC, id DESC LIMIT ?4) "
		      "ORDER BY ts_ms, id",
		e);
	if (!st)
		return -1;
	if (!all)
		sqlite3_bind_text(st, 1, account, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)max);
	size_t cap = 0;
	int rc;
	while ((rc = step_row(s, st, e, "reading samples")) == 1) {
		double v = sqlite3_column_type(st, 0) == SQLITE_NULL ? NAN
								      : sqlite3_column_double(st, 0);
		VEC_PUSH(*values, *n, cap, v);
	}
	if (rc < 0) {
		free(*values);
		*values = NULL;
		*n = 0;
		return -1;
	}
	return 0;
}
