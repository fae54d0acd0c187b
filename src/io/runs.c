/* runs — SQL for the run-state tables. Statements are cached by the store;
 * each function binds, steps and copies rows out, so no caller holds a
 * statement. Writes join the caller's transaction when one is open. */
#include "warroom/runs.h"

#include <errno.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "warroom/ident.h"
#include "warroom/store.h"

static void col_copy(sqlite3_stmt *q, int i, char *buf, size_t size)
{
	const unsigned char *t = sqlite3_column_text(q, i);
	snprintf(buf, size, "%s", t ? (const char *)t : "");
}

static void bind_text(sqlite3_stmt *q, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(q, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(q, i);
}

/* Steps a row-returning statement: 1 row, 0 done, -1 error (statement reset). */
static int step_row(struct store *st, sqlite3_stmt *q, struct err *e, const char *doing)
{
	int rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		return 1;
	sqlite3_reset(q);
	if (rc == SQLITE_DONE)
		return 0;
	return store_error(st, e, doing);
}

int runs_bump(struct store *st, const char *account, int64_t now_ms, struct err *e)
{
	sqlite3_stmt *q = store_stmt(st,
		"UPDATE runs SET state_serial = state_serial + 1, updated_ms = ?2 WHERE account = ?1", e);
	if (!q)
		return -1;
	bind_text(q, 1, account);
	sqlite3_bind_int64(q, 2, now_ms);
	return store_step_done(st, q, e);
}

static int bump(struct store *st, const char *account, struct err *e)
{
	return runs_bump(st, account, util_now_ms(), e);
}

/* ---- runs ---------------------------------------------------------------------------- */

void runs_summary_free(struct runs_summary *s)
{
	free(s->account);
	free(s->wave);
	free(s->phase_id);
	free(s->step_id);
	free(s->halted_reason);
	memset(s, 0, sizeof(*s));
}

void runs_summary_list_free(struct runs_summary *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		runs_summary_free(&v[i]);
	free(v);
}

#define RUNS_COLS "account, wave, state, phase_id, step_id, halted_reason, state_serial, " \
		  "COALESCE(started_ms, 0), updated_ms"

static void summary_read(sqlite3_stmt *q, struct runs_summary *s)
{
	s->account = store_col_dup(q, 0);
	s->wave = store_col_dup(q, 1);
	const char *state = (const char *)sqlite3_column_text(q, 2);
	int v = engine_run_state_parse(state);
	s->state = v < 0 ? ENGINE_RUN_IDLE : (enum engine_run_state)v;
	s->phase_id = store_col_dup(q, 3);
	s->step_id = store_col_dup(q, 4);
	s->halted_reason = store_col_dup(q, 5);
	s->state_serial = sqlite3_column_int64(q, 6);
	s->started_ms = sqlite3_column_int64(q, 7);
	s->updated_ms = sqlite3_column_int64(q, 8);
}

int runs_list(struct store *st, struct runs_summary **out, size_t *n, struct err *e)
{
	*out = NULL;
	*n = 0;
	sqlite3_stmt *q = store_stmt(st, "SELECT " RUNS_COLS " FROM runs ORDER BY account", e);
	if (!q)
		return -1;
	size_t cap = 0;
	int r;
	while ((r = step_row(st, q, e, "reading runs")) == 1) {
		struct runs_summary s = {0};
		summary_read(q, &s);
		VEC_PUSH(*out, *n, cap, s);
	}
	if (r < 0) {
		runs_summary_list_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	return r;
}

int runs_get(struct store *st, const char *account, struct runs_summary *out, struct err *e)
{
	memset(out, 0, sizeof(*out));
	sqlite3_stmt *q = store_stmt(st, "SELECT " RUNS_COLS " FROM runs WHERE account = ?1", e);
	if (!q)
		return -1;
	bind_text(q, 1, account);
	int r = step_row(st, q, e, "reading a run");
	if (r == 1) {
		summary_read(q, out);
		sqlite3_reset(q);
	}
	return r;
}

int64_t runs_serial(struct store *st, const char *account, struct err *e)
{
	sqlite3_stmt *q = store_stmt(st, "SELECT state_serial FROM runs WHERE account = ?1", e);
	if (!q)
		return -1;
	bind_text(q, 1, account);
	int r = step_row(st, q, e, "reading a state serial");
	if (r <= 0)
		return r;
	int64_t v = sqlite3_column_int64(q, 0);
	sqlite3_reset(q);
	return v;
}

int runs_ensure(struct store *st, const char *account, const char *wave, struct err *e)
{
	sqlite3_stmt *q = store_stmt(st,
		"INSERT INTO runs (account, wave, state, updated_ms) VALUES (?1, ?2, 'idle', ?3) "
		"ON CONFLICT(account) DO NOTHING", e);
	if (!q)
		return -1;
	bind_text(q, 1, account);
	bind_text(q, 2, wave ? wave : "");
	sqlite3_bind_int64(q, 3, util_now_ms());
	return store_step_done(st, q, e);
}

static int cmp_id(const void *a, const void *b)
{
	return strcmp(**(const char *const *const *)a, **(const char *const *const *)b);
}

int runs_ensure_all(struct store *st, const char *const *accounts, const char *const *waves,
		    size_t n, struct err *e)
{
	/* the accounts in the order of the table's unique index, merged with it */
	const char *const **want = xmalloc((n ? n : 1) * sizeof(*want));
	for (size_t i = 0; i < n; i++)
		want[i] = &accounts[i];
	qsort(want, n, sizeof(*want), cmp_id);
	size_t *missing = NULL, n_missing = 0, cap = 0, k = 0;
	int rc = 0;
	sqlite3_stmt *q = store_stmt(st, "SELECT account FROM runs ORDER BY account", e);
	if (!q)
		rc = -1;
	while (rc == 0 && (rc = step_row(st, q, e, "reading runs")) == 1) {
		const char *have = (const char *)sqlite3_column_text(q, 0);
		int c = 0;
		while (k < n && have && (c = strcmp(*want[k], have)) < 0) {
			size_t i = (size_t)(want[k++] - accounts);
			VEC_PUSH(missing, n_missing, cap, i);
		}
		if (k < n && c == 0)
			k++;
		rc = 0;
	}
	if (q && rc == 0)
		sqlite3_reset(q);
	for (; rc == 0 && k < n; k++) {
		size_t i = (size_t)(want[k] - accounts);
		VEC_PUSH(missing, n_missing, cap, i);
	}
	free(want);
	if (rc == 0 && n_missing) {
		int own = !store_in_tx(st);
		if (own && store_begin(st, e) < 0)
			rc = -1;
		for (size_t m = 0; rc == 0 && m < n_missing; m++)
			rc = runs_ensure(st, accounts[missing[m]], waves[missing[m]], e);
		if (own && rc == 0)
			rc = store_commit(st, e);
		else if (own)
			store_rollback(st);
	}
	free(missing);
	return rc < 0 ? -1 : 0;
}

int runs_set_state(struct store *st, const char *account, enum engine_run_state state,
		   const char *phase_id, const char *step_id, struct err *e)
{
	sqlite3_stmt *q = store_stmt(st,
		"UPDATE runs SET state = ?2, phase_id = COALESCE(?3, phase_id), "
		"step_id = COALESCE(?4, step_id), started_ms = COALESCE(started_ms, ?5), "
		"state_serial = state_serial + 1, updated_ms = ?5 WHERE account = ?1", e);
	if (!q)
		return -1;
	bind_text(q, 1, account);
	bind_text(q, 2, engine_run_state_name(state));
	bind_text(q, 3, phase_id);
	bind_text(q, 4, step_id);
	sqlite3_bind_int64(q, 5, util_now_ms());
	return store_step_done(st, q, e);
}

int runs_set_halted(struct store *st, const char *account, const char *reason, struct err *e)
{
	sqlite3_stmt *q = store_stmt(st,
		"UPDATE runs SET state = ?2, halted_reason = ?3, state_serial = state_serial + 1, "
		"updated_ms = ?4 WHERE account = ?1", e);
	if (!q)
		return -1;
	bind_text(q, 1, account);
	bind_text(q, 2, engine_run_state_name(reason ? ENGINE_RUN_HALTED : ENGINE_RUN_WAITING));
	bind_text(q, 3, reason);
	sqlite3_bind_int64(q, 4, util_now_ms());
	return store_step_done(st, q, e);
}

/* ---- step_runs ------------------------------------------------------------------------ */

void runs_step_free(struct runs_step *s)
{
	free(s->phase_id);
	free(s->step_id);
	free(s->waiting);
	free(s->error);
	free(s->actor);
	memset(s, 0, sizeof(*s));
}

void runs_step_list_free(struct runs_step *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		runs_step_free(&v[i]);
	free(v);
}

int runs_steps(struct store *st, const char *account, struct runs_step **out, size_t *n,
	       struct err *e)
{
	*out = NULL;
	*n = 0;
	sqlite3_stmt *q = store_stmt(st,
		"SELECT s.id, s.phase_id, s.step_id, s.attempt, s.state, s.waiting, s.error, s.actor, "
		"COALESCE(s.started_ms, 0), COALESCE(s.finished_ms, 0) FROM step_runs s "
		"WHERE s.account = ?1 AND s.attempt = (SELECT MAX(attempt) FROM step_runs t "
		"WHERE t.account = s.account AND t.step_id = s.step_id)", e);
	if (!q)
		return -1;
	bind_text(q, 1, account);
	size_t cap = 0;
	int r;
	while ((r = step_row(st, q, e, "reading step runs")) == 1) {
		struct runs_step s = {0};
		s.id = sqlite3_column_int64(q, 0);
		s.phase_id = store_col_dup(q, 1);
		s.step_id = store_col_dup(q, 2);
		s.attempt = sqlite3_column_int64(q, 3);
		int v = engine_step_state_parse((const char *)sqlite3_column_text(q, 4));
		s.state = v < 0 ? ENGINE_STEP_UNKNOWN : (enum engine_step_state)v;
		s.waiting = store_col_dup(q, 5);
		s.error = store_col_dup(q, 6);
		s.actor = store_col_dup(q, 7);
		s.started_ms = sqlite3_column_int64(q, 8);
		s.finished_ms = sqlite3_column_int64(q, 9);
		if (s.state == ENGINE_STEP_RUNNING && s.waiting)
			s.state = ENGINE_STEP_WAITING;
		VEC_PUSH(*out, *n, cap, s);
	}
	if (r < 0) {
		runs_step_list_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	return r;
}

int runs_running_steps(struct store *st, char ***accounts, char ***steps, int64_t **ids,
		       size_t *n, struct err *e)
{
	*accounts = *steps = NULL;
	*ids = NULL;
	*n = 0;
	sqlite3_stmt *q = store_stmt(st,
		"SELECT account, step_id, id FROM step_runs WHERE state IN ('running','rolling_back') "
		"AND waiting IS NULL ORDER BY id", e);
	if (!q)
		return -1;
	size_t ca = 0, cs = 0, ci = 0, na = 0, ns = 0;
	int r;
	while ((r = step_row(st, q, e, "reading running steps")) == 1) {
		VEC_PUSH(*accounts, na, ca, store_col_dup(q, 0));
		VEC_PUSH(*steps, ns, cs, store_col_dup(q, 1));
		VEC_PUSH(*ids, *n, ci, sqlite3_column_int64(q, 2));
	}
	return r;
}

int runs_step_begin(struct store *st, const char *account, const char *phase_id,
		    const char *step_id, const char *actor, int64_t *id, int64_t *attempt,
		    struct err *e)
{
	sqlite3_stmt *q = store_stmt(st,
		"SELECT id, attempt, state FROM step_runs WHERE account = ?1 AND step_id = ?2 "
		"ORDER BY attempt DESC LIMIT 1", e);
	if (!q)
		return -1;
	bind_text(q, 1, account);
	bind_text(q, 2, step_id);
	int r = step_row(st, q, e, "reading a step run");
	if (r < 0)
		return -1;
	int64_t row = 0, att = 0;
	int reuse = 0;
	if (r == 1) {
		row = sqlite3_column_int64(q, 0);
		att = sqlite3_column_int64(q, 1);
		reuse = util_streq((const char *)sqlite3_column_text(q, 2), "pending");
		sqlite3_reset(q);
	}
	int64_t now = util_now_ms();
	if (reuse) {
		q = store_stmt(st, "UPDATE step_runs SET state = 'running', started_ms = ?2, "
				   "finished_ms = NULL, actor = ?3, error = NULL, waiting = NULL "
				   "WHERE id = ?1", e);
		if (!q)
			return -1;
		sqlite3_bind_int64(q, 1, row);
	} else {
		att++;
		q = store_stmt(st, "INSERT INTO step_runs (account, phase_id, step_id, attempt, state, "
				   "started_ms, actor) VALUES (?4, ?5, ?6, ?7, 'running', ?2, ?3)", e);
		if (!q)
			return -1;
		bind_text(q, 4, account);
		bind_text(q, 5, phase_id);
		bind_text(q, 6, step_id);
		sqlite3_bind_int64(q, 7, att);
	}
	sqlite3_bind_int64(q, 2, now);
	bind_text(q, 3, actor);
	if (store_step_done(st, q, e) < 0)
		return -1;
	*id = reuse ? row : sqlite3_last_insert_rowid(store_db(st));
	*attempt = att;
	return bump(st, account, e);
}

int runs_step_set(struct store *st, int64_t id, enum engine_step_state state,
		  const char *waiting, const char *error, struct err *e)
{
	/* WAITING is stored as running + a reason; see the store's migration 3. */
	int finished = state != ENGINE_STEP_RUNNING && state != ENGINE_STEP_WAITING &&
		       state != ENGINE_STEP_ROLLING_BACK && state != ENGINE_STEP_PENDING;
	enum engine_step_state stored = state == ENGINE_STEP_WAITING ? ENGINE_STEP_RUNNING : state;
	sqlite3_stmt *q = store_stmt(st,
		"UPDATE step_runs SET state = ?2, waiting = ?3, error = COALESCE(?4, error), "
		"finished_ms = CASE WHEN ?5 THEN ?6 ELSE finished_ms END WHERE id = ?1", e);
	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, id);
	bind_text(q, 2, engine_step_state_name(stored));
	bind_text(q, 3, state == ENGINE_STEP_WAITING ? (waiting ? waiting : "a person") : NULL);
	bind_text(q, 4, error);
	sqlite3_bind_int(q, 5, finished);
	sqlite3_bind_int64(q, 6, util_now_ms());
	if (store_step_done(st, q, e) < 0)
		return -1;
	q = store_stmt(st, "UPDATE runs SET state_serial = state_serial + 1, updated_ms = ?2 "
			   "WHERE account = (SELECT account FROM step_runs WHERE id = ?1)", e);
	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, id);
	sqlite3_bind_int64(q, 2, util_now_ms());
	return store_step_done(st, q, e);
}

int runs_step_reset(struct store *st, const char *account, const char *phase_id,
		    const char *step_id, struct err *e)
{
	sqlite3_stmt *q = store_stmt(st,
		"INSERT INTO step_runs (account, phase_id, step_id, attempt, state) "
		"SELECT ?1, ?2, ?3, COALESCE(MAX(attempt), 0) + 1, 'pending' FROM step_runs "
		"WHERE account = ?1 AND step_id = ?3", e);
	if (!q)
		return -1;
	bind_text(q, 1, account);
	bind_text(q, 2, phase_id);
	bind_text(q, 3, step_id);
	if (store_step_done(st, q, e) < 0)
		return -1;
	return bump(st, account, e);
}

/* ---- step_output ----------------------------------------------------------------------- */

void runs_output_list_free(struct runs_output *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].stream);
		free(v[i].chunk);
	}
	free(v);
}

int runs_output_append(struct store *st, int64_t step_run, const char *account,
		       const char *step_id, const char *stream, const char *chunk, size_t len,
		       struct err *e)
{
	sqlite3_stmt *q = store_stmt(st,
		"INSERT INTO step_output (step_run, seq, account, step_id, stream, chunk, ts_ms) "
		"SELECT ?1, COALESCE(MAX(seq), 0) + 1, ?2, ?3, ?4, ?5, ?6 FROM step_output "
		"WHERE step_run = ?1", e);
	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, step_run);
	bind_text(q, 2, account);
	bind_text(q, 3, step_id);
	bind_text(q, 4, stream);
	sqlite3_bind_text(q, 5, chunk, (int)len, SQLITE_TRANSIENT);
	sqlite3_bind_int64(q, 6, util_now_ms());
	return store_step_done(st, q, e);
}

int runs_output_since(struct store *st, int64_t step_run, int64_t after, size_t max,
		      struct runs_output **out, size_t *n, struct err *e)
{
	*out = NULL;
	*n = 0;
	sqlite3_stmt *q = store_stmt(st,
		"SELECT seq, stream, chunk, ts_ms FROM step_output WHERE step_run = ?1 AND seq > ?2 "
		"ORDER BY seq LIMIT ?3", e);
	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, step_run);
	sqlite3_bind_int64(q, 2, after);
	sqlite3_bind_int64(q, 3, max ? (int64_t)max : -1);
	size_t cap = 0;
	int r;
	while ((r = step_row(st, q, e, "reading step output")) == 1) {
		struct runs_output o = {sqlite3_column_int64(q, 0), store_col_dup(q, 1), store_col_dup(q, 2),
					sqlite3_column_int64(q, 3)};
		VEC_PUSH(*out, *n, cap, o);
	}
	return r;
}

/* ---- checks, ticks, gates, sign-offs ------------------------------------------------------ */

int runs_check_result(struct store *st, const char *account, const char *scope,
		      const char *scope_id, const char *name, const char *verdict,
		      const double *value, const char *detail, struct err *e)
{
	sqlite3_stmt *q = store_stmt(st,
		"INSERT INTO check_results (account, scope, scope_id, check_name, verdict, value, "
		"detail, ts_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", e);
	if (!q)
		return -1;
	bind_text(q, 1, account);
	bind_text(q, 2, scope);
	bind_text(q, 3, scope_id);
	bind_text(q, 4, name);
	bind_text(q, 5, verdict);
	if (value)
		sqlite3_bind_double(q, 6, *value);
	else
		sqlite3_bind_null(q, 6);
	bind_text(q, 7, detail);
	sqlite3_bind_int64(q, 8, util_now_ms());
	if (store_step_done(st, q, e) < 0)
		return -1;
	return bump(st, account, e);
}

int runs_tick(struct store *st, const char *account, const char *scope, const char *scope_id,
	      const char *item, const char *login, struct err *e)
{
	sqlite3_stmt *q = store_stmt(st,
		"INSERT INTO ticks (account, scope, scope_id, item, login, ts_ms) VALUES "
		"(?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO NOTHING", e);
	if (!q)
		return -1;
	bind_text(q, 1, account);
	bind_text(q, 2, scope);
	bind_text(q, 3, scope_id);
	bind_text(q, 4, item);
	bind_text(q, 5, login);
	sqlite3_bind_int64(q, 6, util_now_ms());
	if (store_step_done(st, q, e) < 0)
		return -1;
	return bump(st, account, e);
}

int runs_ticked(struct store *st, const char *account, const char *scope, const char *scope_id,
		const char *item, struct err *e)
{
	sqlite3_stmt *q = store_stmt(st,
		"SELECT 1 FROM ticks WHERE account = ?1 AND scope = ?2 AND scope_id = ?3 AND item = ?4",
		e);
	if (!q)
		return -1;
	bind_text(q, 1, account);
	bind_text(q, 2, scope);
	bind_text(q, 3, scope_id);
	bind_text(q, 4, item);
	int r = step_row(st, q, e, "reading ticks");
	if (r == 1)
		sqlite3_reset(q);
	return r;
}

int runs_untick_all(struct store *st, const char *account, const char *scope,
		    const char *scope_id, struct err *e)
{
	sqlite3_stmt *q = store_stmt(st,
		"DELETE FROM ticks WHERE account = ?1 AND scope = ?2 AND scope_id = ?3", e);
	if (!q)
		return -1;
	bind_text(q, 1, account);
	bind_text(q, 2, scope);
	bind_text(q, 3, scope_id);
	return store_step_done(st, q, e);
}

void runs_gate_list_free(struct runs_gate *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].phase_id);
		free(v[i].gate_id);
		free(v[i].detail);
	}
	free(v);
}

int runs_gates(struct store *st, const char *account, struct runs_gate **out, size_t *n,
	       struct err *e)
{
	*out = NULL;
	*n = 0;
	sqlite3_stmt *q = store_stmt(st,
		"SELECT phase_id, gate_id, state, detail FROM gate_runs WHERE account = ?1", e);
	if (!q)
		return -1;
	bind_text(q, 1, account);
	size_t cap = 0;
	int r;
	while ((r = step_row(st, q, e, "reading gates")) == 1) {
		int v = engine_gate_state_parse((const char *)sqlite3_column_text(q, 2));
		struct runs_gate g = {store_col_dup(q, 0), store_col_dup(q, 1),
				      v < 0 ? ENGINE_GATE_PENDING : (enum engine_gate_state)v,
				      store_col_dup(q, 3)};
		VEC_PUSH(*out, *n, cap, g);
	}
	return r;
}

int runs_gate_set(struct store *st, const char *account, const char *phase_id,
		  const char *gate_id, enum engine_gate_state state, const char *detail,
		  struct err *e)
{
	sqlite3_stmt *q = store_stmt(st,
		"INSERT INTO gate_runs (account, phase_id, gate_id, state, detail, updated_ms) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(account, gate_id) DO UPDATE SET "
		"state = excluded.state, detail = excluded.detail, updated_ms = excluded.updated_ms",
		e);
	if (!q)
		return -1;
	bind_text(q, 1, account);
	bind_text(q, 2, phase_id);
	bind_text(q, 3, gate_id);
	bind_text(q, 4, engine_gate_state_name(state));
	bind_text(q, 5, detail);
	sqlite3_bind_int64(q, 6, util_now_ms());
	if (store_step_done(st, q, e) < 0)
		return -1;
	return bump(st, account, e);
}

void runs_signoff_list_free(struct runs_signoff *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].role);
		free(v[i].login);
		free(v[i].decision);
		free(v[i].reason);
		free(v[i].plan_hash);
	}
	free(v);
}

int runs_signoffs(struct store *st, const char *account, const char *gate_id,
		  struct runs_signoff **out, size_t *n, struct err *e)
{
	*out = NULL;
	*n = 0;
	sqlite3_stmt *q = store_stmt(st,
		"SELECT role, login, decision, reason, plan_hash, state_serial, ts_ms FROM signoffs "
		"WHERE account = ?1 AND gate_id = ?2 ORDER BY ts_ms, id", e);
	if (!q)
		return -1;
	bind_text(q, 1, account);
	bind_text(q, 2, gate_id);
	size_t cap = 0;
	int r;
	while ((r = step_row(st, q, e, "reading sign-offs")) == 1) {
		struct runs_signoff s = {store_col_dup(q, 0), store_col_dup(q, 1), store_col_dup(q, 2), store_col_dup(q, 3),
					 store_col_dup(q, 4), sqlite3_column_int64(q, 5),
					 sqlite3_column_int64(q, 6)};
		VEC_PUSH(*out, *n, cap, s);
	}
	return r;
}

int runs_signoff_add(struct store *st, const char *account, const char *gate_id,
		     const char *role, const char *login, int approve, const char *reason,
		     const char *plan_hash, int64_t state_serial, const char *checklist_json,
		     struct err *e)
{
	sqlite3_stmt *q = store_stmt(st,
		"INSERT INTO signoffs (account, gate_id, role, login, decision, reason, plan_hash, "
		"state_serial, checklist, ts_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)", e);
	if (!q)
		return -1;
	bind_text(q, 1, account);
	bind_text(q, 2, gate_id);
	bind_text(q, 3, role);
	bind_text(q, 4, login);
	bind_text(q, 5, approve ? "sign" : "reject");
	bind_text(q, 6, reason);
	bind_text(q, 7, plan_hash);
	sqlite3_bind_int64(q, 8, state_serial);
	bind_text(q, 9, checklist_json ? checklist_json : "[]");
	sqlite3_bind_int64(q, 10, util_now_ms());
	return store_step_done(st, q, e);
}

/* ---- leases ---------------------------------------------------------------------------------- */

#define LEASE_COLS "id, key, holder, pid, host, operation, acquired_ms, heartbeat_ms"

static void lease_read(sqlite3_stmt *q, struct runs_lease *l)
{
	l->id = sqlite3_column_int64(q, 0);
	col_copy(q, 1, l->key, sizeof(l->key));
	col_copy(q, 2, l->holder, sizeof(l->holder));
	l->pid = sqlite3_column_int64(q, 3);
	col_copy(q, 4, l->host, sizeof(l->host));
	col_copy(q, 5, l->operation, sizeof(l->operation));
	l->acquired_ms = sqlite3_column_int64(q, 6);
	l->heartbeat_ms = sqlite3_column_int64(q, 7);
}

static int lease_one(struct store *st, const char *sql, const char *key, int64_t id,
		     struct runs_lease *out, struct err *e)
{
	memset(out, 0, sizeof(*out));
	sqlite3_stmt *q = store_stmt(st, sql, e);
	if (!q)
		return -1;
	if (key)
		bind_text(q, 1, key);
	else
		sqlite3_bind_int64(q, 1, id);
	int r = step_row(st, q, e, "reading a lease");
	if (r == 1) {
		lease_read(q, out);
		sqlite3_reset(q);
	}
	return r;
}

int runs_lease_get(struct store *st, const char *key, struct runs_lease *out, struct err *e)
{
	return lease_one(st, "SELECT " LEASE_COLS " FROM leases WHERE key = ?1", key, 0, out, e);
}

int runs_lease_by_id(struct store *st, int64_t id, struct runs_lease *out, struct err *e)
{
	return lease_one(st, "SELECT " LEASE_COLS " FROM leases WHERE id = ?1", NULL, id, out, e);
}

int runs_lease_acquire(struct store *st, const char *key, const char *operation, int64_t *id,
		       struct runs_lease *held, struct err *e)
{
	int own_tx = !store_in_tx(st);
	if (own_tx && store_begin(st, e) < 0)
		return -1;
	int r = runs_lease_get(st, key, held, e);
	if (r == 0) {
		const struct ident *me = ident_get();
		sqlite3_stmt *q = store_stmt(st,
			"INSERT INTO leases (key, holder, pid, host, operation, acquired_ms, heartbeat_ms) "
			"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)", e);
		r = q ? 0 : -1;
		if (q) {
			bind_text(q, 1, key);
			bind_text(q, 2, me->login);
			sqlite3_bind_int64(q, 3, me->pid);
			bind_text(q, 4, me->host);
			bind_text(q, 5, operation);
			sqlite3_bind_int64(q, 6, util_now_ms());
			r = store_step_done(st, q, e);
			*id = sqlite3_last_insert_rowid(store_db(st));
		}
	}
	if (own_tx) {
		if (r == 0 && store_commit(st, e) < 0)
			r = -1;
		else if (r != 0)
			store_rollback(st);
	}
	return r;
}

int runs_lease_heartbeat(struct store *st, int64_t id, struct err *e)
{
	sqlite3_stmt *q = store_stmt(st, "UPDATE leases SET heartbeat_ms = ?2 WHERE id = ?1", e);
	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, id);
	sqlite3_bind_int64(q, 2, util_now_ms());
	return store_step_done(st, q, e);
}

int runs_lease_delete(struct store *st, int64_t id, struct err *e)
{
	sqlite3_stmt *q = store_stmt(st, "DELETE FROM leases WHERE id = ?1", e);
	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, id);
	return store_step_done(st, q, e);
}

int runs_lease_release(struct store *st, int64_t id, struct err *e)
{
	return runs_lease_delete(st, id, e);
}

int runs_lease_dead(const struct runs_lease *l, int64_t now_ms, int64_t stale_ms)
{
	if (now_ms - l->heartbeat_ms > stale_ms)
		return 1;
	const struct ident *me = ident_get();
	if (strcmp(l->host, me->host) == 0 && l->pid > 0 && l->pid != me->pid &&
	    kill((pid_t)l->pid, 0) < 0 && errno == ESRCH)
		return 1;
	return 0;
}

void runs_lease_describe(const struct runs_lease *l, char *buf, size_t size)
{
	char when[32];
	util_iso8601(l->acquired_ms, when, sizeof(when));
	snprintf(buf, size, "running by %s@%s since %s (lease %lld, pid %lld: %s)", l->holder,
		 l->host, when, (long long)l->id, (long long)l->pid, l->operation);
}

/* ---- waves -------------------------------------------------------------------------------------- */

int runs_wave_get(struct store *st, const char *name, struct runs_wave *out, struct err *e)
{
	snprintf(out->state, sizeof(out->state), "idle");
	out->throttle = 0;
	sqlite3_stmt *q = store_stmt(st, "SELECT state, COALESCE(throttle, 0) FROM waves "
					 "WHERE name = ?1", e);
	if (!q)
		return -1;
	bind_text(q, 1, name);
	int r = step_row(st, q, e, "reading a wave");
	if (r == 1) {
		col_copy(q, 0, out->state, sizeof(out->state));
		out->throttle = sqlite3_column_int64(q, 1);
		sqlite3_reset(q);
	}
	return r;
}

int runs_wave_set(struct store *st, const char *name, const char *state, int64_t throttle,
		  const char *login, struct err *e)
{
	sqlite3_stmt *q = store_stmt(st,
		"INSERT INTO waves (name, state, throttle, updated_by, updated_ms) VALUES "
		"(?1, COALESCE(?2, 'idle'), CASE WHEN ?3 < 0 THEN NULL ELSE ?3 END, ?4, ?5) "
		"ON CONFLICT(name) DO UPDATE SET state = COALESCE(?2, state), "
		"throttle = CASE WHEN ?3 < 0 THEN throttle ELSE ?3 END, updated_by = ?4, "
		"updated_ms = ?5", e);
	if (!q)
		return -1;
	bind_text(q, 1, name);
	bind_text(q, 2, state);
	sqlite3_bind_int64(q, 3, throttle);
	bind_text(q, 4, login);
	sqlite3_bind_int64(q, 5, util_now_ms());
	return store_step_done(st, q, e);
}
