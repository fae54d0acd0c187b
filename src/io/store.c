/* store — the program's SQLite database: one file shared by every console,
 * in WAL mode so observers read while an operator writes. The schema is an
 * ordered table of migrations; PRAGMA user_version says how far a file got. */
#include "warroom/store.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define STORE_BUSY_MS 10000

/* Times are ms since the epoch (INTEGER) except in audit, whose ISO text is
 * part of the hashed record. Enumerations the product fixes are CHECKed;
 * run states belong to the engine and are left open. */
static const char MIGRATION_AUDIT[] =
	"CREATE TABLE meta (\n"
	"  key   TEXT PRIMARY KEY,\n"
	"  value TEXT NOT NULL\n"
	") WITHOUT ROWID;\n"
	"CREATE TABLE audit (\n"
	"  seq        INTEGER PRIMARY KEY,\n"
	"  ts         TEXT NOT NULL,\n"
	"  actor      TEXT NOT NULL,\n"
	"  host       TEXT NOT NULL,\n"
	"  ssh_client TEXT NOT NULL DEFAULT '',\n"
	"  role       TEXT NOT NULL,\n"
	"  action     TEXT NOT NULL,\n"
	"  account    TEXT NOT NULL DEFAULT '',\n"
	"  subject    TEXT NOT NULL DEFAULT '',\n"
	"  detail     TEXT NOT NULL DEFAULT '{}',\n"
	"  plan_hash  TEXT NOT NULL DEFAULT '',\n"
	"  prev_hash  TEXT NOT NULL,\n"
	"  hash       TEXT NOT NULL\n"
	");\n"
	"CREATE INDEX audit_by_account ON audit(account, seq);\n"
	"CREATE INDEX audit_by_action ON audit(action, seq);\n";

static const char MIGRATION_RUNS[] =
	"CREATE TABLE runs (\n"
	"  account       TEXT PRIMARY KEY,\n"
	"  wave          TEXT NOT NULL DEFAULT '',\n"
	"  state         TEXT NOT NULL DEFAULT 'pending',\n"
	"  phase_id      TEXT,\n"
	"  step_id       TEXT,\n"
	"  state_serial  INTEGER NOT NULL DEFAULT 0,\n"
	"  halted_reason TEXT,\n"
	"  started_ms    INTEGER,\n"
	"  updated_ms    INTEGER NOT NULL\n"
	");\n"
	"CREATE INDEX runs_by_wave ON runs(wave, state);\n"
	"CREATE TABLE step_runs (\n"
	"  id          INTEGER PRIMARY KEY,\n"
	"  account     TEXT NOT NULL REFERENCES runs(account) ON DELETE CASCADE,\n"
	"  phase_id    TEXT NOT NULL,\n"
	"  step_id     TEXT NOT NULL,\n"
	"  attempt     INTEGER NOT NULL DEFAULT 1,\n"
	"  state       TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending','running',\n"
	"              'succeeded','failed','rolling_back','rolled_back','skipped','unknown')),\n"
	"  started_ms  INTEGER,\n"
	"  finished_ms INTEGER,\n"
	"  actor       TEXT,\n"
	"  error       TEXT,\n"
	"  UNIQUE (account, phase_id, step_id, attempt)\n"
	");\n"
	"CREATE INDEX step_runs_by_state ON step_runs(state);\n"
	"CREATE TABLE step_output (\n"
	"  step_run INTEGER NOT NULL REFERENCES step_runs(id) ON DELETE CASCADE,\n"
	"  seq      INTEGER NOT NULL,\n"
	"  account  TEXT NOT NULL,\n"
	"  step_id  TEXT NOT NULL,\n"
	"  stream   TEXT NOT NULL CHECK (stream IN ('stdout','stderr','http','info')),\n"
	"  chunk    TEXT NOT NULL,\n"
	"  ts_ms    INTEGER NOT NULL,\n"
	"  PRIMARY KEY (step_run, seq)\n"
	");\n"
	"CREATE INDEX step_output_by_account ON step_output(account, step_id, seq);\n"
	"CREATE TABLE check_results (\n"
	"  id         INTEGER PRIMARY KEY,\n"
	"  account    TEXT NOT NULL,\n"
	"  scope      TEXT NOT NULL CHECK (scope IN ('step','gate')),\n"
	"  scope_id   TEXT NOT NULL,\n"
	"  check_name TEXT NOT NULL,\n"
	"  verdict    TEXT NOT NULL CHECK (verdict IN ('successful','failed','inconclusive')),\n"
	"  value      REAL,\n"
	"  detail     TEXT,\n"
	"  ts_ms      INTEGER NOT NULL\n"
	");\n"
	"CREATE INDEX check_results_by_scope ON check_results(account, scope, scope_id, ts_ms);\n"
	"CREATE TABLE ticks (\n"
	"  account  TEXT NOT NULL,\n"
	"  scope    TEXT NOT NULL CHECK (scope IN ('step','gate')),\n"
	"  scope_id TEXT NOT NULL,\n"
	"  item     TEXT NOT NULL,\n"
	"  login    TEXT NOT NULL,\n"
	"  ts_ms    INTEGER NOT NULL,\n"
	"  PRIMARY KEY (account, scope, scope_id, item)\n"
	");\n"
	"CREATE TABLE signoffs (\n"
	"  id           INTEGER PRIMARY KEY,\n"
	"  account      TEXT NOT NULL,\n"
	"  gate_id      TEXT NOT NULL,\n"
	"  role         TEXT NOT NULL,\n"
	"  login        TEXT NOT NULL,\n"
	"  decision     TEXT NOT NULL CHECK (decision IN ('sign','reject')),\n"
	"  reason       TEXT,\n"
	"  plan_hash    TEXT NOT NULL,\n"
	"  state_serial INTEGER NOT NULL,\n"
	"  checklist    TEXT NOT NULL DEFAULT '[]',\n"
	"  ts_ms        INTEGER NOT NULL\n"
	");\n"
	"CREATE INDEX signoffs_by_gate ON signoffs(account, gate_id, ts_ms);\n"
	"CREATE TABLE exceptions (\n"
	"  id         INTEGER PRIMARY KEY,\n"
	"  scope      TEXT NOT NULL,\n"
	"  owner      TEXT NOT NULL,\n"
	"  expires_ms INTEGER NOT NULL,\n"
	"  controls   TEXT NOT NULL,\n"
	"  reason     TEXT NOT NULL,\n"
	"  opened_by  TEXT NOT NULL,\n"
	"  opened_ms  INTEGER NOT NULL,\n"
	"  closed_by  TEXT,\n"
	"  closed_ms  INTEGER\n"
	");\n"
	"CREATE INDEX exceptions_open ON exceptions(closed_ms, expires_ms);\n"
	"CREATE INDEX exceptions_by_scope ON exceptions(scope);\n"
	"CREATE TABLE samples (\n"
	"  id        INTEGER PRIMARY KEY,\n"
	"  account   TEXT NOT NULL,\n"
	"  kind      TEXT NOT NULL CHECK (kind IN ('invariant','parity','drift','metric')),\n"
	"  name      TEXT NOT NULL,\n"
	"  value     REAL,\n"
	"  passed    INTEGER,\n"
	"  evaluated INTEGER,\n"
	"  ts_ms     INTEGER NOT NULL\n"
	");\n"
	"CREATE INDEX samples_by_name ON samples(account, kind, name, ts_ms);\n"
	"CREATE INDEX samples_by_time ON samples(kind, ts_ms);\n"
	"CREATE TABLE leases (\n"
	"  id           INTEGER PRIMARY KEY,\n"
	"  key          TEXT NOT NULL UNIQUE,\n"
	"  holder       TEXT NOT NULL,\n"
	"  pid          INTEGER NOT NULL,\n"
	"  host         TEXT NOT NULL,\n"
	"  operation    TEXT NOT NULL,\n"
	"  acquired_ms  INTEGER NOT NULL,\n"
	"  heartbeat_ms INTEGER NOT NULL\n"
	");\n"
	"CREATE INDEX leases_by_heartbeat ON leases(heartbeat_ms);\n"
	"CREATE TABLE consoles (\n"
	"  id           INTEGER PRIMARY KEY,\n"
	"  login        TEXT NOT NULL,\n"
	"  host         TEXT NOT NULL,\n"
	"  pid          INTEGER NOT NULL,\n"
	"  role         TEXT NOT NULL CHECK (role IN ('operator','observer')),\n"
	"  started_ms   INTEGER NOT NULL,\n"
	"  heartbeat_ms INTEGER NOT NULL\n"
	");\n"
	"CREATE INDEX consoles_by_heartbeat ON consoles(heartbeat_ms);\n"
	"CREATE TABLE waves (\n"
	"  name       TEXT PRIMARY KEY,\n"
	"  state      TEXT NOT NULL DEFAULT 'idle' CHECK (state IN ('idle','running',\n"
	"             'paused','postponed','halted')),\n"
	"  throttle   INTEGER,\n"
	"  updated_by TEXT,\n"
	"  updated_ms INTEGER NOT NULL\n"
	");\n"
	"CREATE TABLE snapshots (\n"
	"  id          INTEGER PRIMARY KEY,\n"
	"  account     TEXT NOT NULL,\n"
	"  entity_type TEXT NOT NULL,\n"
	"  entity_id   TEXT NOT NULL,\n"
	"  json        TEXT NOT NULL,\n"
	"  reason      TEXT NOT NULL,\n"
	"  taken_ms    INTEGER NOT NULL\n"
	");\n"
	"CREATE INDEX snapshots_by_entity ON snapshots(account, entity_type, entity_id, taken_ms);\n"
	"CREATE TABLE import_checkpoints (\n"
	"  account     TEXT NOT NULL,\n"
	"  entity_type TEXT NOT NULL,\n"
	"  cursor      TEXT NOT NULL,\n"
	"  updated_ms  INTEGER NOT NULL,\n"
	"  PRIMARY KEY (account, entity_type)\n"
	");\n";

/* The engine's: a step waiting for a person keeps state 'running' with the
 * reason in `waiting` (the state CHECK cannot be widened in place), and each
 * account's gates have a state of their own. */
static const char MIGRATION_ENGINE[] =
	"ALTER TABLE step_runs ADD COLUMN waiting TEXT;\n"
	"CREATE TABLE gate_runs (\n"
	"  account    TEXT NOT NULL,\n"
	"  phase_id   TEXT NOT NULL,\n"
	"  gate_id    TEXT NOT NULL,\n"
	"  state      TEXT NOT NULL CHECK (state IN ('pending','waiting','inconclusive',\n"
	"             'passed','failed','rejected')),\n"
	"  detail     TEXT,\n"
	"  updated_ms INTEGER NOT NULL,\n"
	"  PRIMARY KEY (account, gate_id)\n"
	");\n";

/* The importer's verdict on each item of an account's newest run (dry run
 * or not): the report lists what will not import and what changes, why. */
static const char MIGRATION_IMPORT_ITEMS[] =
	"CREATE TABLE import_items (\n"
	"  id          INTEGER PRIMARY KEY,\n"
	"  account     TEXT NOT NULL,\n"
	"  entity_type TEXT NOT NULL,\n"
	"  source_id   TEXT NOT NULL,\n"
	"  name        TEXT,\n"
	"  verdict     TEXT NOT NULL CHECK (verdict IN ('create','update','unchanged','refused')),\n"
	"  reason      TEXT,\n"
	"  changes     TEXT,\n"
	"  dry_run     INTEGER NOT NULL CHECK (dry_run IN (0,1)),\n"
	"  run_ms      INTEGER NOT NULL\n"
	");\n"
	"CREATE INDEX import_items_by_account ON import_items(account, verdict, id);\n";

/* Integration health joins the sample kinds. SQLite cannot widen a CHECK in
 * place, so the table is rebuilt beside the old one, rows copied with their
 * ids, the old one dropped and its indexes made again under the same names. */
static const char MIGRATION_INTEGRATION_SAMPLES[] =
	"CREATE TABLE samples_v5 (\n"
	"  id        INTEGER PRIMARY KEY,\n"
	"  account   TEXT NOT NULL,\n"
	"  kind      TEXT NOT NULL CHECK (kind IN ('invariant','parity','drift','metric',\n"
	"            'integration')),\n"
	"  name      TEXT NOT NULL,\n"
	"  value     REAL,\n"
	"  passed    INTEGER,\n"
	"  evaluated INTEGER,\n"
	"  ts_ms     INTEGER NOT NULL\n"
	");\n"
	"INSERT INTO samples_v5(id, account, kind, name, value, passed, evaluated, ts_ms)\n"
	"  SELECT id, account, kind, name, value, passed, evaluated, ts_ms FROM samples;\n"
	"DROP TABLE samples;\n"
	"ALTER TABLE samples_v5 RENAME TO samples;\n"
	"CREATE INDEX samples_by_name ON samples(account, kind, name, ts_ms);\n"
	"CREATE INDEX samples_by_time ON samples(kind, ts_ms);\n";

/* The newest sample of each series (account, kind, name), the greatest
 * (ts_ms, id), kept beside the history so "the newest of every series" costs
 * the number of series, not the rows of history. Kept by triggers rather than
 * in samples_append: every write to samples (the append, a delete, an
 * operator's repair or a test's aging of rows in the sqlite3 shell) updates it
 * inside the same statement, so no path can forget it and no kill -9 can
 * leave one without the other. A delete or update that touches a series'
 * newest row finds the next newest through samples_by_name. A later migration
 * that rebuilds samples (DROP TABLE) drops these triggers: it must make them
 * again. Backfilled from the history: the distinct series from the index,
 * one seek each. */
#define LATEST_COLS "account, kind, name, id, value, passed, evaluated, ts_ms"
#define LATEST_REFILL(who)                                                             \
	"  DELETE FROM samples_latest WHERE account = " who ".account AND kind = " who  \
	".kind\n    AND name = " who ".name;\n"                                         \
	"  INSERT INTO samples_latest(" LATEST_COLS ")\n"                              \
	"    SELECT " LATEST_COLS " FROM samples WHERE account = " who ".account\n"     \
	"    AND kind = " who ".kind AND name = " who ".name\n"                         \
	"    ORDER BY ts_ms DESC, id DESC LIMIT 1;\n"
static const char MIGRATION_SAMPLES_LATEST[] =
	"CREATE TABLE samples_latest (\n"
	"  account   TEXT NOT NULL,\n"
	"  kind      TEXT NOT NULL,\n"
	"  name      TEXT NOT NULL,\n"
	"  id        INTEGER NOT NULL,\n"
	"  value     REAL,\n"
	"  passed    INTEGER,\n"
	"  evaluated INTEGER,\n"
	"  ts_ms     INTEGER NOT NULL,\n"
	"  PRIMARY KEY (account, kind, name)\n"
	") WITHOUT ROWID;\n"
	"INSERT INTO samples_latest(" LATEST_COLS ")\n"
	"  SELECT s.account, s.kind, s.name, s.id, s.value, s.passed, s.evaluated, s.ts_ms\n"
	"  FROM (SELECT DISTINCT account, kind, name FROM samples) g\n"
	"  JOIN samples s ON s.id = (SELECT id FROM samples t WHERE t.account = g.account\n"
	"    AND t.kind = g.kind AND t.name = g.name ORDER BY t.ts_ms DESC, t.id DESC LIMIT 1);\n"
	"CREATE TRIGGER samples_latest_insert AFTER INSERT ON samples BEGIN\n"
	"  INSERT INTO samples_latest(" LATEST_COLS ")\n"
	"    VALUES (NEW.account, NEW.kind, NEW.name, NEW.id, NEW.value, NEW.passed,\n"
	"            NEW.evaluated, NEW.ts_ms)\n"
	"    ON CONFLICT (account, kind, name) DO UPDATE SET id = excluded.id,\n"
	"      value = excluded.value, passed = excluded.passed,\n"
	"      evaluated = excluded.evaluated, ts_ms = excluded.ts_ms\n"
	"    WHERE excluded.ts_ms > samples_latest.ts_ms\n"
	"       OR (excluded.ts_ms = samples_latest.ts_ms AND excluded.id > samples_latest.id);\n"
	"END;\n"
	"CREATE TRIGGER samples_latest_delete AFTER DELETE ON samples\n"
	"WHEN OLD.id = (SELECT id FROM samples_latest WHERE account = OLD.account\n"
	"  AND kind = OLD.kind AND name = OLD.name) BEGIN\n"
	LATEST_REFILL("OLD")
	"END;\n"
	"CREATE TRIGGER samples_latest_update AFTER UPDATE ON samples BEGIN\n"
	LATEST_REFILL("OLD")
	LATEST_REFILL("NEW")
	"END;\n";
#undef LATEST_REFILL
#undef LATEST_COLS

/* Append only: a released version's script never changes. */
static const struct store_migration migrations[] = {
	{1, "audit log and program facts", MIGRATION_AUDIT},
	{2, "run state, checks, sign-offs, exceptions, samples, coordination", MIGRATION_RUNS},
	{3, "engine: waiting steps, gate states", MIGRATION_ENGINE},
	{4, "import verdicts item by item", MIGRATION_IMPORT_ITEMS},
	{5, "integration health samples", MIGRATION_INTEGRATION_SAMPLES},
	{6, "the newest sample of each series", MIGRATION_SAMPLES_LATEST},
};

struct cached_stmt {
	char *sql; /* owned copy: the caller's text may not outlive the store */
	sqlite3_stmt *st;
};

struct store {
	sqlite3 *db;
	char *path;
	int readonly, snapshot;
	struct cached_stmt *stmts;
	size_t nstmts, capstmts;
};

const struct store_migration *store_migrations(size_t *count)
{
	*count = ARRAY_SIZE(migrations);
	return migrations;
}

int store_schema_version(void)
{
	return migrations[ARRAY_SIZE(migrations) - 1].version;
}

char *store_default_path(const char *db_flag, const char *program)
{
	if (db_flag && *db_flag)
		return xstrdup(db_flag);
	const char *env = getenv("WARROOM_DB");
	if (env && *env)
		return xstrdup(env);
	if (program && *program) {
		struct stat st;
		if (stat(program, &st) == 0 && !S_ISDIR(st.st_mode)) {
			const char *slash = strrchr(program, '/');
			if (!slash)
				return xstrdup("warroom.db");
			return xasprintf("%.*s/warroom.db", (int)(slash - program), program);
		}
		return xasprintf("%s/warroom.db", program);
	}
	return xstrdup("./warroom.db");
}

sqlite3 *store_db(struct store *s)
{
	return s->db;
}

const char *store_path(const struct store *s)
{
	return s->path;
}

int store_is_readonly(const struct store *s)
{
	return s->readonly;
}

int store_is_snapshot(const struct store *s)
{
	return s->snapshot;
}

int store_error(struct store *s, struct err *e, const char *doing)
{
	int rc = sqlite3_extended_errcode(s->db);
	if ((rc & 0xff) == SQLITE_READONLY || (s->readonly && (rc & 0xff) == SQLITE_AUTH))
		return err_set(e, "%s: %s: the database is open read-only", s->path, doing);
	if ((rc & 0xff) == SQLITE_BUSY)
		return err_set(e, "%s: %s: another process held the database for over %d s",
			       s->path, doing, STORE_BUSY_MS / 1000);
	return err_set(e, "%s: %s: %s", s->path, doing, sqlite3_errmsg(s->db));
}

int store_exec(struct store *s, const char *sql, struct err *e)
{
	if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return store_error(s, e, "running SQL");
	return 0;
}

static int refuse_readonly(struct store *s, struct err *e, const char *doing)
{
	return err_set(e, "%s: %s: the database is open read-only", s->path, doing);
}

int store_begin(struct store *s, struct err *e)
{
	if (s->readonly)
		return refuse_readonly(s, e, "starting a write");
	if (!sqlite3_get_autocommit(s->db))
		return err_set(e, "%s: a transaction is already open", s->path);
	if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return store_error(s, e, "starting a write");
	return 0;
}

int store_commit(struct store *s, struct err *e)
{
	if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		store_error(s, e, "committing");
		store_rollback(s);
		return -1;
	}
	return 0;
}

void store_rollback(struct store *s)
{
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

int store_in_tx(struct store *s)
{
	return !sqlite3_get_autocommit(s->db);
}

sqlite3_stmt *store_stmt(struct store *s, const char *sql, struct err *e)
{
	for (size_t i = 0; i < s->nstmts; i++) {
		struct cached_stmt *c = &s->stmts[i];
		if (strcmp(c->sql, sql) == 0) {
			sqlite3_reset(c->st);
			sqlite3_clear_bindings(c->st);
			return c->st;
		}
	}
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
		store_error(s, e, "preparing a statement");
		return NULL;
	}
	struct cached_stmt c = {xstrdup(sql), st};
	VEC_PUSH(s->stmts, s->nstmts, s->capstmts, c);
	return st;
}

int store_step_done(struct store *s, sqlite3_stmt *st, struct err *e)
{
	int rc = sqlite3_step(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		store_error(s, e, "writing");
		sqlite3_reset(st);
		return -1;
	}
	sqlite3_reset(st);
	return 0;
}

/* One integer from a one-row query (a PRAGMA); -1 on error. */
static int64_t query_int(struct store *s, const char *sql)
{
	sqlite3_stmt *st = store_stmt(s, sql, NULL);
	if (!st)
		return -1;
	int64_t v = -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return v;
}

int store_user_version(struct store *s)
{
	return (int)query_int(s, "PRAGMA user_version");
}

int64_t store_data_version(struct store *s)
{
	return query_int(s, "PRAGMA data_version");
}

char *store_meta_get(struct store *s, const char *key, struct err *e)
{
	if (e)
		e->msg[0] = '\0';
	sqlite3_stmt *st = store_stmt(s, "SELECT value FROM meta WHERE key = ?1", e);
	if (!st)
		return NULL;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	char *v = NULL;
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		v = xstrdup((const char *)sqlite3_column_text(st, 0));
	else if (rc != SQLITE_DONE)
		store_error(s, e, "reading meta");
	sqlite3_reset(st);
	return v;
}

char *store_col_dup(sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);
	return t ? xstrdup((const char *)t) : NULL;
}

int store_meta_set(struct store *s, const char *key, const char *value, struct err *e)
{
	sqlite3_stmt *st = store_stmt(s,
		"INSERT INTO meta(key, value) VALUES (?1, ?2) "
		"ON CONFLICT(key) DO UPDATE SET value = excluded.value", e);
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	return store_step_done(s, st, e);
}

/* Each migration commits alone, and re-reads the version under the write
 * lock: two programs opening an old file at once migrate it once. */
static int migrate(struct store *s, struct err *e)
{
	int latest = store_schema_version();
	for (size_t i = 0; i < ARRAY_SIZE(migrations); i++) {
		const struct store_migration *m = &migrations[i];
		if (store_begin(s, e) < 0)
			return err_wrap(e, "migrating the schema");
		int have = store_user_version(s);
		if (have < 0) {
			store_error(s, e, "reading the schema version");
			store_rollback(s);
			return -1;
		}
		if (have > latest) {
			store_rollback(s);
			return err_set(e, "%s was written by a newer warroom (schema version %d; "
				       "this one knows up to %d): upgrade warroom to open it",
				       s->path, have, latest);
		}
		if (have >= m->version) {
			store_rollback(s);
			continue;
		}
		char *bump = xasprintf("PRAGMA user_version = %d", m->version);
		int rc = sqlite3_exec(s->db, m->sql, NULL, NULL, NULL);
		if (rc == SQLITE_OK)
			rc = sqlite3_exec(s->db, bump, NULL, NULL, NULL);
		free(bump);
		if (rc != SQLITE_OK) {
			char doing[160];
			snprintf(doing, sizeof(doing), "schema migration %d (%s)", m->version, m->name);
			store_error(s, e, doing);
			store_rollback(s);
			return -1;
		}
		if (store_commit(s, e) < 0)
			return -1;
	}
	return 0;
}

static void drop_stmts(struct store *s);

/* A read-only open needs the WAL index (-shm) to exist, or a folder where it
 * may be created. When neither holds and there is no -wal file, nothing is
 * uncheckpointed, and the file alone is the whole truth: open it immutable. */
static int open_snapshot(struct store *s, struct err *e)
{
	char *wal = xasprintf("%s-wal", s->path);
	int has_wal = access(wal, F_OK) == 0;
	free(wal);
	if (has_wal || access(s->path, R_OK) != 0)
		return -1;
	struct strbuf uri = {0};
	sb_adds(&uri, "file:");
	for (const char *p = s->path; *p; p++) {
		if (*p == '%' || *p == '?' || *p == '#')
			sb_addf(&uri, "%%%02X", (unsigned char)*p);
		else
			sb_addc(&uri, *p);
	}
	sb_adds(&uri, "?immutable=1");
	drop_stmts(s);
	sqlite3_close(s->db);
	s->db = NULL;
	int rc = sqlite3_open_v2(sb_str(&uri), &s->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL);
	sb_release(&uri);
	if (rc != SQLITE_OK) {
		err_set(e, "%s: cannot open read-only: %s", s->path,
			s->db ? sqlite3_errmsg(s->db) : "out of memory");
		return -1;
	}
	s->snapshot = 1;
	return 0;
}

static int configure(struct store *s, struct err *e)
{
	sqlite3_busy_timeout(s->db, STORE_BUSY_MS);
	sqlite3_extended_result_codes(s->db, 1);
	if (store_exec(s, "PRAGMA foreign_keys = ON", e) < 0)
		return -1;
	if (s->readonly)
		return store_exec(s, "PRAGMA query_only = ON", e);
	/* Observers need -wal and -shm to outlive the last writer: without them a
	 * reader that may not create files cannot open the database at all. */
	int persist = 1;
	sqlite3_file_control(s->db, "main", SQLITE_FCNTL_PERSIST_WAL, &persist);
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(s->db, "PRAGMA journal_mode = WAL", -1, &st, NULL) != SQLITE_OK)
		return store_error(s, e, "switching to WAL");
	int rc = sqlite3_step(st);
	int wal = rc == SQLITE_ROW && !strcmp((const char *)sqlite3_column_text(st, 0), "wal");
	sqlite3_finalize(st);
	if (!wal)
		return store_error(s, e, "switching to WAL");
	return store_exec(s, "PRAGMA synchronous = FULL", e);
}

/* A file that is not ours, or is ours but from the future, is explained
 * rather than half-read. */
static int check_version(struct store *s, struct err *e)
{
	int have = store_user_version(s);
	if (have < 0)
		return store_error(s, e, "reading the schema version");
	if (have > store_schema_version())
		return err_set(e, "%s was written by a newer warroom (schema version %d; "
			       "this one knows up to %d): upgrade warroom to open it",
			       s->path, have, store_schema_version());
	if (s->readonly && have == 0)
		return err_set(e, "%s is not a warroom database (no schema)", s->path);
	return 0;
}

/* SQLite's own words for these ("disk I/O error", "unable to open database
 * file") do not say what to fix. */
static int check_place(const char *path, int creating, struct err *e)
{
	struct stat st;
	if (stat(path, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return err_set(e, "%s is a folder, not a database file", path);
		return 0;
	}
	const char *slash = strrchr(path, '/');
	if (!creating || !slash || slash == path)
		return 0;
	char *dir = xasprintf("%.*s", (int)(slash - path), path);
	int rc = 0;
	if (stat(dir, &st) != 0)
		rc = err_set(e, "%s: cannot create the database: folder %s: %s", path, dir,
			     strerror(errno));
	else if (!S_ISDIR(st.st_mode))
		rc = err_set(e, "%s: cannot create the database: %s is not a folder", path, dir);
	free(dir);
	return rc;
}

struct store *store_open(const char *path, enum store_mode mode, struct err *e)
{
	if (check_place(path, mode == STORE_READWRITE, e) < 0)
		return NULL;
	struct store *s = xcalloc(1, sizeof(*s));
	s->path = xstrdup(path);
	s->readonly = mode == STORE_READONLY;
	int flags = s->readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	if (s->readonly && access(path, F_OK) != 0) {
		err_set(e, "%s: no such database (%s)", path, strerror(errno));
		store_close(s);
		return NULL;
	}
	int rc = sqlite3_open_v2(path, &s->db, flags | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		err_set(e, "%s: cannot open: %s", path, s->db ? sqlite3_errmsg(s->db) : "out of memory");
		store_close(s);
		return NULL;
	}
	/* Before the first read: the version check below already takes a lock,
	 * and two processes opening one file at once must wait, not fail. */
	sqlite3_busy_timeout(s->db, STORE_BUSY_MS);
	/* SQLite quietly opens a file it may not write read-only; a writer must
	 * hear that now, not at its first action. */
	if (!s->readonly && sqlite3_db_readonly(s->db, "main") == 1) {
		err_set(e, "%s: this account may not write the database (open it read-only "
			"to observe)", path);
		store_close(s);
		return NULL;
	}
	/* SQLite opens lazily: the first read tells whether the WAL index could
	 * be reached, which for an observer decides the snapshot fallback. */
	int have = store_user_version(s);
	if (have < 0 && s->readonly && open_snapshot(s, NULL) == 0)
		have = store_user_version(s);
	if (have < 0) {
		store_error(s, e, "opening");
		store_close(s);
		return NULL;
	}
	if (check_version(s, e) < 0 || configure(s, e) < 0 || (!s->readonly && migrate(s, e) < 0)) {
		store_close(s);
		return NULL;
	}
	return s;
}

static void drop_stmts(struct store *s)
{
	for (size_t i = 0; i < s->nstmts; i++) {
		sqlite3_finalize(s->stmts[i].st);
		free(s->stmts[i].sql);
	}
	free(s->stmts);
	s->stmts = NULL;
	s->nstmts = s->capstmts = 0;
}

void store_close(struct store *s)
{
	if (!s)
		return;
	drop_stmts(s);
	if (s->db)
		sqlite3_close(s->db);
	free(s->path);
	free(s);
}
