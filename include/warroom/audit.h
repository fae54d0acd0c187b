/* audit — the tamper-evident log of every action: one row per record in the
 * store's `audit` table, each carrying the SHA-256 of the record before it,
 * so that an edit, deletion, insertion or reordering is found by
 * audit_verify. Identity comes from ident; detail is redacted here, so no
 * caller can leak a secret into the log by forgetting to. */
#ifndef WARROOM_AUDIT_H
#define WARROOM_AUDIT_H

#include <stdint.h>
#include <stdio.h>
#include <cjson/cJSON.h>

#include "warroom/store.h"
#include "warroom/util.h"

#define AUDIT_HASH_HEX 65 /* 64 hex digits + NUL */

/* What a caller says about an action; who, where and when are filled in. */
struct audit_entry {
	const char *action;    /* required: "step.start", "http.request", "note", ... */
	const char *role;      /* "operator", "observer", "approver", "cli"; NULL: "operator" */
	const char *account;   /* NULL when not about one account */
	const char *subject;   /* step or gate id; NULL when none */
	const cJSON *detail;   /* borrowed; a redacted copy is stored; NULL: {} */
	const char *plan_hash; /* NULL when unknown */
};

/* Appends one record. Outside a transaction it takes the write lock, links
 * the record to the chain head, and commits durably (synchronous=FULL)
 * before returning, so the caller reports the action's effect only after.
 * Inside the caller's store_begin/store_commit it joins that transaction:
 * that is the batched mode (many records, one commit), and it also lets a
 * state change and its record commit together. seq_out may be NULL. */
int audit_append(struct store *s, const struct audit_entry *en, int64_t *seq_out,
		 struct err *e);
/* Batched convenience: n records in one transaction (or the caller's). */
int audit_append_many(struct store *s, const struct audit_entry *en, size_t n,
		      struct err *e);

/* One stored record as read back. Strings point into the statement's row and
 * live only for the duration of the visit callback. */
struct audit_record {
	int64_t seq;
	const char *ts;         /* ISO 8601 UTC, milliseconds */
	const char *actor;      /* Unix login */
	const char *host;
	const char *ssh_client; /* "" when local */
	const char *role;
	const char *action;
	const char *account;    /* "" when none */
	const char *subject;    /* "" when none */
	const char *detail;     /* JSON text, redacted */
	const char *plan_hash;  /* "" when unknown */
	const char *prev_hash;
	const char *hash;
};

/* The canonical serialization hashed into a record: every field but the
 * hash, length-prefixed, in a fixed order. hex gets AUDIT_HASH_HEX bytes. */
void audit_record_hash(const struct audit_record *r, char hex[AUDIT_HASH_HEX]);

/* Visits records with seq > after in order, at most limit (0: all). The
 * callback returns 0 to go on, anything else to stop (and that value is
 * returned). -1 and e on a database error. */
typedef int (*audit_visit_fn)(const struct audit_record *r, void *ctx);
int audit_scan(struct store *s, int64_t after, int64_t limit, audit_visit_fn fn,
	       void *ctx, struct err *e);

/* The newest seq (0 when the log is empty), -1 and e on error. */
int64_t audit_head(struct store *s, struct err *e);

/* audit_verify walks the whole chain. Returns 0 when the walk completed
 * (then v says whether the chain is intact), -1 and e on a database error. */
struct audit_verdict {
	int64_t records;    /* records read */
	int64_t broken_seq; /* 0 when intact; else the first record found wrong */
	char why[512];      /* what is wrong with it */
	char head[AUDIT_HASH_HEX]; /* hash of the last record; keep it elsewhere to
				      detect a rewrite of the whole chain */
};
int audit_verify(struct store *s, struct audit_verdict *v, struct err *e);

/* The same walk in slices, for a caller that must stay responsive (the
 * console): each audit_verify_step verifies up to max records (0: all) after
 * the last one verified, resuming from its seq and hash. Returns 1 while more
 * may be left, 0 when the walk is over: either a record is wrong
 * (v.broken_seq) or the end of the log was reached and agrees with the head
 * mark (intact up to v.records). Records appended between calls are walked
 * too; a step after 0 goes on with any appended since. -1 and e on a
 * database error (the cursor is unchanged enough to retry). */
struct audit_cursor {
	int64_t next;              /* the seq verified next; 1 at the start */
	char prev[AUDIT_HASH_HEX]; /* the hash that record must name as previous */
	int64_t total;             /* records in the log at the last step: progress */
	struct audit_verdict v;    /* what is known so far */
};
void audit_cursor_init(struct audit_cursor *c);
int audit_verify_step(struct store *s, struct audit_cursor *c, int64_t max, struct err *e);

/* Output forms for tail and export. */
enum audit_format { AUDIT_TEXT, AUDIT_JSONL, AUDIT_CSV };
int audit_format_parse(const char *name, enum audit_format *out); /* -1 if unknown */
/* CSV's header line (other formats have none). */
void audit_write_header(FILE *out, enum audit_format fmt);
void audit_write_record(FILE *out, enum audit_format fmt, const struct audit_record *r);
/* Every record with seq > after, in one format; -1 and e on error. */
int audit_export(struct store *s, FILE *out, enum audit_format fmt, int64_t after,
		 struct err *e);

#endif
