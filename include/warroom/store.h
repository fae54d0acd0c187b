/* store — the one SQLite database of a program: opening (read-write or
 * read-only for observers), the versioned schema and its forward migrations,
 * transactions, cached statements, and the cheap "did anyone commit?" probe.
 * Modules that own tables (runs, signoffs, ...) build on store_db(). */
#ifndef WARROOM_STORE_H
#define WARROOM_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <sqlite3.h>

#include "warroom/util.h"

enum store_mode {
	STORE_READWRITE, /* creates the file, migrates the schema forward */
	STORE_READONLY,  /* observers: never writes, never migrates */
};

struct store;

/* One step of the schema: applied once, in order, in its own transaction;
 * the database's PRAGMA user_version is the last version applied. A new
 * table or column is a new row appended to the table in store.c. */
struct store_migration {
	int version;
	const char *name;
	const char *sql;
};
const struct store_migration *store_migrations(size_t *count);
int store_schema_version(void); /* the newest version this build knows */

/* Where the database lives: db_flag when given, else $WARROOM_DB, else
 * PROGRAM/warroom.db (the plan file's folder when PROGRAM is a file), else
 * ./warroom.db. Never NULL; caller frees. */
char *store_default_path(const char *db_flag, const char *program);

/* Opens (and for STORE_READWRITE creates and migrates) the database: WAL,
 * foreign keys on, a busy timeout, synchronous=FULL. A database written by
 * a newer warroom is refused. A read-only open works for an account that
 * can only read the files; when SQLite cannot share the WAL index it falls
 * back to a snapshot (store_is_snapshot), which never sees later commits. */
struct store *store_open(const char *path, enum store_mode mode, struct err *e);
void store_close(struct store *s); /* NULL-safe */

sqlite3 *store_db(struct store *s);
const char *store_path(const struct store *s);
int store_is_readonly(const struct store *s);
int store_is_snapshot(const struct store *s);
int store_user_version(struct store *s); /* -1 on error */

/* Transactions. store_begin takes the write lock at once (BEGIN IMMEDIATE),
 * so what is read inside it stays true until commit; it waits up to the busy
 * timeout for another writer. Transactions do not nest: store_in_tx tells a
 * helper whether to join the caller's. store_rollback is safe to call when
 * none is open. */
int store_begin(struct store *s, struct err *e);
int store_commit(struct store *s, struct err *e);
void store_rollback(struct store *s);
int store_in_tx(struct store *s);

/* Runs SQL with no results (one or many statements). */
int store_exec(struct store *s, const char *sql, struct err *e);

/* A statement prepared once per store and reused: returned reset with its
 * bindings cleared, owned by the store (do not finalize). The same SQL text
 * gives the same statement, so do not hold one while asking for it again. */
sqlite3_stmt *store_stmt(struct store *s, const char *sql, struct err *e);
/* Steps a statement that returns no rows; resets it; fills e on failure. */
int store_step_done(struct store *s, sqlite3_stmt *st, struct err *e);
/* Fills e from the connection's last error, naming what was being done;
 * a write through a read-only store reads "... is open read-only". */
int store_error(struct store *s, struct err *e, const char *doing);
/* A text column of the current row as a new string (caller frees); NULL
 * for SQL NULL. */
char *store_col_dup(sqlite3_stmt *st, int col);

/* PRAGMA data_version: changes whenever another connection commits. A
 * console polls it on a timer and re-reads only when it moved. -1 on error. */
int64_t store_data_version(struct store *s);

/* The meta table: program-wide key/value facts (program_dir, plan_hash).
 * store_meta_get returns NULL when the key is absent (e empty) or on error;
 * caller frees. */
char *store_meta_get(struct store *s, const char *key, struct err *e);
int store_meta_set(struct store *s, const char *key, const char *value, struct err *e);

#endif
