/* audit — the hash-chained log. Each record hashes a canonical,
 * length-prefixed serialization of its fields, including the previous
 * record's hash, so changing any byte of history breaks every link after it;
 * the chain head is read under the write lock so concurrent writers still
 * form one chain. A head mark in meta catches the one thing a chain cannot:
 * records cut off its end. */
#include "warroom/audit.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>

#include "warroom/ident.h"
#include "warroom/redact.h"

#define GENESIS "0000000000000000000000000000000000000000000000000000000000000000"
#define HEAD_KEY "audit.head" /* "SEQ HASH" of the newest record */

static const char SQL_HEAD[] = "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1";
static const char SQL_INSERT[] =
	"INSERT INTO audit(seq, ts, actor, host, ssh_client, role, action, account, subject, "
	"detail, plan_hash, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
	"?11, ?12, ?13)";
static const char SQL_SCAN[] =
	"SELECT seq, ts, actor, host, ssh_client, role, action, account, subject, detail, "
	"plan_hash, prev_hash, hash FROM audit WHERE seq > ?1 ORDER BY seq LIMIT ?2";

/* Decimal digits by hand: verify serializes every record, and printf was
 * most of its time. */
static void add_decimal(struct strbuf *sb, uint64_t v)
{
	char digits[24];
	size_t n = sizeof(digits);
	do {
		digits[--n] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	sb_add(sb, digits + n, sizeof(digits) - n);
}

/* The serialization order is the format: changing it breaks every chain. */
static void canonical(const struct audit_record *r, struct strbuf *sb)
{
	const struct {
		const char *name, *value;
	} fields[] = {
		{"ts", r->ts},           {"actor", r->actor},     {"host", r->host},
		{"ssh_client", r->ssh_client}, {"role", r->role}, {"action", r->action},
		{"account", r->account}, {"subject", r->subject}, {"detail", r->detail},
		{"plan_hash", r->plan_hash}, {"prev_hash", r->prev_hash},
	};
	sb_adds(sb, "warroom-audit-1\nseq=");
	if (r->seq < 0) {
		sb_addc(sb, '-');
		add_decimal(sb, 0 - (uint64_t)r->seq);
	} else {
		add_decimal(sb, (uint64_t)r->seq);
	}
	sb_addc(sb, '\n');
	for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
		const char *v = fields[i].value ? fields[i].value : "";
		size_t n = strlen(v);
		sb_adds(sb, fields[i].name);
		sb_addc(sb, '=');
		add_decimal(sb, n);
		sb_addc(sb, ':');
		sb_add(sb, v, n);
		sb_addc(sb, '\n');
	}
}

/* What hashing many records reuses: the serialization buffer, and a digest
 * fetched once (EVP_sha256() alone is looked up again on every use). */
struct hasher {
	struct strbuf sb;
	EVP_MD *md;
	EVP_MD_CTX *ctx;
};

static void no_sha256(void)
{
	fprintf(stderr, "warroom: SHA-256 is unavailable in libcrypto\n");
	abort();
}

static void hasher_init(struct hasher *h)
{
	memset(h, 0, sizeof(*h));
	h->md = EVP_MD_fetch(NULL, "SHA2-256", NULL);
	h->ctx = EVP_MD_CTX_new();
	if (!h->md || !h->ctx)
		no_sha256();
}

static void hasher_release(struct hasher *h)
{
	EVP_MD_CTX_free(h->ctx);
	EVP_MD_free(h->md);
	sb_release(&h->sb);
}

static void hash_with(const struct audit_record *r, struct hasher *h, char hex[AUDIT_HASH_HEX])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	sb_reset(&h->sb);
	canonical(r, &h->sb);
	if (!EVP_DigestInit_ex2(h->ctx, h->md, NULL) ||
	    !EVP_DigestUpdate(h->ctx, h->sb.buf, h->sb.len) ||
	    !EVP_DigestFinal_ex(h->ctx, md, &len) || len != 32)
		no_sha256();
	util_hex(md, 32, hex);
}

void audit_record_hash(const struct audit_record *r, char hex[AUDIT_HASH_HEX])
{
	struct hasher h;
	hasher_init(&h);
	hash_with(r, &h, hex);
	hasher_release(&h);
}

static const char *col(sqlite3_stmt *st, int i)
{
	const char *v = (const char *)sqlite3_column_text(st, i);
	return v ? v : "";
}

/* The newest record's seq and hash (0 and GENESIS when empty). */
static int read_head(struct store *s, int64_t *seq, char hash[AUDIT_HASH_HEX], struct err *e)
{
	sqlite3_stmt *st = store_stmt(s, SQL_HEAD, e);
	if (!st)
		return -1;
	int rc = sqlite3_step(st);
	*seq = 0;
	snprintf(hash, AUDIT_HASH_HEX, "%s", GENESIS);
	if (rc == SQLITE_ROW) {
		*seq = sqlite3_column_int64(st, 0);
		snprintf(hash, AUDIT_HASH_HEX, "%s", col(st, 1));
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_error(s, e, "reading the audit head");
	return 0;
}

int64_t audit_head(struct store *s, struct err *e)
{
	int64_t seq;
	char hash[AUDIT_HASH_HEX];
	return read_head(s, &seq, hash, e) < 0 ? -1 : seq;
}

/* The stored detail: a redacted copy, compact, "{}" when none. */
static char *detail_text(const cJSON *detail)
{
	cJSON *copy = detail ? cJSON_Duplicate(detail, 1) : cJSON_CreateObject();
	if (!copy) {
		fprintf(stderr, "warroom: out of memory copying audit detail\n");
		abort();
	}
	redact_json(copy);
	char *printed = cJSON_PrintUnformatted(copy);
	cJSON_Delete(copy);
	if (!printed) {
		fprintf(stderr, "warroom: out of memory printing audit detail\n");
		abort();
	}
	char *out = xstrdup(printed);
	cJSON_free(printed);
	return out;
}

/* Writes one record under the write lock the caller holds. */
static int append_locked(struct store *s, const struct audit_entry *en, struct hasher *h,
			 int64_t *seq_out, struct err *e)
{
	const struct ident *id = ident_get();
	int64_t head;
	char prev[AUDIT_HASH_HEX], hash[AUDIT_HASH_HEX], ts[32];
	if (read_head(s, &head, prev, e) < 0)
		return -1;
	util_iso8601(util_now_ms(), ts, sizeof(ts));
	char *detail = detail_text(en->detail);
	struct audit_record r = {
		.seq = head + 1,
		.ts = ts,
		.actor = id->login,
		.host = id->host,
		.ssh_client = id->ssh_client,
		.role = en->role && *en->role ? en->role : "operator",
		.action = en->action,
		.account = en->account ? en->account : "",
		.subject = en->subject ? en->subject : "",
		.detail = detail,
		.plan_hash = en->plan_hash ? en->plan_hash : "",
		.prev_hash = prev,
	};
	hash_with(&r, h, hash);
	r.hash = hash;
	int rc = -1;
	sqlite3_stmt *st = store_stmt(s, SQL_INSERT, e);
	if (st) {
		const char *text[] = {r.ts,      r.actor,   r.host,      r.ssh_client, r.role,
				      r.action,  r.account, r.subject,   r.detail,     r.plan_hash,
				      r.prev_hash, r.hash};
		sqlite3_bind_int64(st, 1, r.seq);
		for (size_t i = 0; i < ARRAY_SIZE(text); i++)
			sqlite3_bind_text(st, (int)i + 2, text[i], -1, SQLITE_STATIC);
		rc = store_step_done(s, st, e);
	}
	if (rc == 0) {
		char mark[96];
		snprintf(mark, sizeof(mark), "%" PRId64 " %s", r.seq, hash);
		rc = store_meta_set(s, HEAD_KEY, mark, e);
	}
	free(detail);
	if (rc == 0 && seq_out)
		*seq_out = r.seq;
	return rc;
}

/* Outside a transaction the records commit before this returns; inside the
 * caller's they commit with it. */
static int append(struct store *s, const struct audit_entry *en, size_t n, int64_t *seq_out,
		  struct err *e)
{
	if (store_is_readonly(s))
		return err_set(e, "%s: cannot write the audit log: the database is open read-only",
			       store_path(s));
	for (size_t i = 0; i < n; i++)
		if (!en[i].action || !*en[i].action)
			return err_set(e, "an audit record needs an action");
	int own = !store_in_tx(s);
	if (own && store_begin(s, e) < 0)
		return err_wrap(e, "appending to the audit log");
	struct hasher h;
	hasher_init(&h);
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = append_locked(s, &en[i], &h, seq_out, e);
	hasher_release(&h);
	if (!own)
		return rc;
	if (rc < 0) {
		store_rollback(s);
		return -1;
	}
	return store_commit(s, e);
}

int audit_append(struct store *s, const struct audit_entry *en, int64_t *seq_out, struct err *e)
{
	return append(s, en, 1, seq_out, e);
}

int audit_append_many(struct store *s, const struct audit_entry *en, size_t n, struct err *e)
{
	return append(s, en, n, NULL, e);
}

int audit_scan(struct store *s, int64_t after, int64_t limit, audit_visit_fn fn, void *ctx,
	       struct err *e)
{
	sqlite3_stmt *st = NULL;
	/* Not the cached statement: a visitor may itself read the log. */
	if (sqlite3_prepare_v2(store_db(s), SQL_SCAN, -1, &st, NULL) != SQLITE_OK)
		return store_error(s, e, "reading the audit log");
	sqlite3_bind_int64(st, 1, after);
	sqlite3_bind_int64(st, 2, limit > 0 ? limit : -1);
	int rc, stop = 0;
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct audit_record r = {
			.seq = sqlite3_column_int64(st, 0),
			.ts = col(st, 1),         .actor = col(st, 2),     .host = col(st, 3),
			.ssh_client = col(st, 4), .role = col(st, 5),      .action = col(st, 6),
			.account = col(st, 7),    .subject = col(st, 8),   .detail = col(st, 9),
			.plan_hash = col(st, 10), .prev_hash = col(st, 11), .hash = col(st, 12),
		};
		stop = fn(&r, ctx);
	}
	if (!stop && rc != SQLITE_DONE) {
		store_error(s, e, "reading the audit log");
		sqlite3_finalize(st);
		return -1;
	}
	sqlite3_finalize(st);
	return stop;
}

/* One slice of a walk: the cursor it advances and the hasher it reuses. */
struct verify_walk {
	struct audit_cursor *c;
	struct hasher h;
};

static int verify_one(const struct audit_record *r, void *ctx)
{
	struct verify_walk *w = ctx;
	struct audit_cursor *c = w->c;
	struct audit_verdict *v = &c->v;
	char hash[AUDIT_HASH_HEX];
	v->records++;
	if (r->seq != c->next) {
		v->broken_seq = c->next;
		snprintf(v->why, sizeof(v->why),
			 "record %" PRId64 " is missing: the record after %" PRId64 " is %" PRId64
			 " (deleted)", c->next, c->next - 1, r->seq);
		return 1;
	}
	if (strcmp(r->prev_hash, c->prev) != 0) {
		v->broken_seq = r->seq;
		snprintf(v->why, sizeof(v->why),
			 "record %" PRId64 " does not follow record %" PRId64
			 ": its previous hash is %.12s..., the chain says %.12s... (inserted or "
			 "reordered)", r->seq, r->seq - 1, r->prev_hash, c->prev);
		return 1;
	}
	hash_with(r, &w->h, hash);
	if (strcmp(hash, r->hash) != 0) {
		v->broken_seq = r->seq;
		snprintf(v->why, sizeof(v->why),
			 "record %" PRId64 " was changed: its contents hash to %.12s..., it says "
			 "%.12s... (edited)", r->seq, hash, r->hash);
		return 1;
	}
	memcpy(c->prev, hash, AUDIT_HASH_HEX);
	c->next++;
	return 0;
}

/* The head mark written with every append must agree with where the walk
 * ended: a log that ends early lost its tail, one that runs on was extended
 * by something other than audit_append. Read in the walk's snapshot, so a
 * record appended meanwhile is not taken for a cut tail. */
static void verify_head_mark(struct store *s, struct audit_cursor *c, struct err *e)
{
	struct audit_verdict *v = &c->v;
	char *mark = store_meta_get(s, HEAD_KEY, e);
	int64_t last = c->next - 1;
	if (!mark) {
		if (last > 0) {
			v->broken_seq = 1;
			snprintf(v->why, sizeof(v->why),
				 "the log's head mark is missing though %" PRId64 " records exist",
				 last);
		}
		return;
	}
	int64_t mseq = 0;
	char mhash[AUDIT_HASH_HEX] = "";
	if (sscanf(mark, "%" SCNd64 " %64s", &mseq, mhash) != 2) {
		v->broken_seq = last + 1;
		snprintf(v->why, sizeof(v->why), "the log's head mark is unreadable");
	} else if (mseq > last) {
		v->broken_seq = last + 1;
		snprintf(v->why, sizeof(v->why),
			 "record %" PRId64 " is missing: the log ends at %" PRId64
			 " but reached %" PRId64 " (records deleted from the end)",
			 last + 1, last, mseq);
	} else if (mseq < last) {
		v->broken_seq = mseq + 1;
		snprintf(v->why, sizeof(v->why),
			 "record %" PRId64 " was not written by warroom: the log's head mark "
			 "says it ends at %" PRId64 " (appended by hand)", mseq + 1, mseq);
	} else if (strcmp(mhash, c->prev) != 0) {
		v->broken_seq = last;
		snprintf(v->why, sizeof(v->why),
			 "record %" PRId64 " is not the record the head mark names (replaced)",
			 last);
	}
	free(mark);
}

void audit_cursor_init(struct audit_cursor *c)
{
	memset(c, 0, sizeof(*c));
	c->next = 1;
	memcpy(c->prev, GENESIS, AUDIT_HASH_HEX);
	memcpy(c->v.head, GENESIS, AUDIT_HASH_HEX);
}

/* The slice and the head mark are read in one read transaction (unless the
 * caller holds one): the mark then describes exactly the records walked. */
static int verify_slice(struct store *s, struct audit_cursor *c, int64_t max, struct err *e)
{
	int64_t before = c->v.records;
	char head_hash[AUDIT_HASH_HEX];
	if (read_head(s, &c->total, head_hash, e) < 0)
		return -1;
	struct verify_walk w = {.c = c};
	hasher_init(&w.h);
	int rc = audit_scan(s, c->next - 1, max, verify_one, &w, e);
	hasher_release(&w.h);
	if (rc < 0)
		return -1;
	memcpy(c->v.head, c->prev, AUDIT_HASH_HEX);
	if (c->v.broken_seq)
		return 0;
	if (max > 0 && c->v.records - before == max)
		return 1;
	struct err me = {{0}};
	verify_head_mark(s, c, &me);
	if (me.msg[0])
		return err_set(e, "%s", me.msg);
	return 0;
}

int audit_verify_step(struct store *s, struct audit_cursor *c, int64_t max, struct err *e)
{
	if (c->v.broken_seq)
		return 0;
	int own = !store_in_tx(s);
	if (own && sqlite3_exec(store_db(s), "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return store_error(s, e, "reading the audit log");
	int rc = verify_slice(s, c, max, e);
	if (own && sqlite3_exec(store_db(s), "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		store_rollback(s);
		if (rc >= 0)
			rc = store_error(s, e, "reading the audit log");
	}
	return rc;
}

int audit_verify(struct store *s, struct audit_verdict *v, struct err *e)
{
	struct audit_cursor c;
	audit_cursor_init(&c);
	int rc;
	while ((rc = audit_verify_step(s, &c, 0, e)) > 0)
		;
	*v = c.v;
	return rc < 0 ? -1 : 0;
}

/* ---- output forms ---- */

static void write_text(FILE *out, const struct audit_record *r)
{
	fprintf(out, "%" PRId64 " %s %s@%s%s%s %s %s", r->seq, r->ts, r->actor, r->host,
		*r->ssh_client ? " from " : "", r->ssh_client, r->role, r->action);
	if (*r->account)
		fprintf(out, " %s%s%s", r->account, *r->subject ? "/" : "", r->subject);
	else if (*r->subject)
		fprintf(out, " %s", r->subject);
	if (strcmp(r->detail, "{}") != 0)
		fprintf(out, " %s", r->detail);
	fputc('\n', out);
}

static void write_jsonl(FILE *out, const struct audit_record *r)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "seq", (double)r->seq);
	const struct {
		const char *name, *value;
	} fields[] = {
		{"ts", r->ts}, {"actor", r->actor}, {"host", r->host},
		{"ssh_client", r->ssh_client}, {"role", r->role}, {"action", r->action},
		{"account", r->account}, {"subject", r->subject},
	};
	for (size_t i = 0; i < ARRAY_SIZE(fields); i++)
		cJSON_AddStringToObject(o, fields[i].name, fields[i].value);
	cJSON *detail = cJSON_Parse(r->detail);
	if (detail)
		cJSON_AddItemToObject(o, "detail", detail);
	else
		cJSON_AddStringToObject(o, "detail", r->detail);
	cJSON_AddStringToObject(o, "plan_hash", r->plan_hash);
	cJSON_AddStringToObject(o, "prev_hash", r->prev_hash);
	cJSON_AddStringToObject(o, "hash", r->hash);
	char *text = cJSON_PrintUnformatted(o);
	if (text) {
		fputs(text, out);
		fputc('\n', out);
		cJSON_free(text);
	}
	cJSON_Delete(o);
}

static void csv_field(FILE *out, const char *v, int last)
{
	if (strpbrk(v, ",\"\r\n")) {
		fputc('"', out);
		for (; *v; v++) {
			if (*v == '"')
				fputc('"', out);
			fputc(*v, out);
		}
		fputc('"', out);
	} else {
		fputs(v, out);
	}
	fputc(last ? '\n' : ',', out);
}

static void write_csv(FILE *out, const struct audit_record *r)
{
	const char *v[] = {r->ts,      r->actor,   r->host,   r->ssh_client, r->role,
			   r->action,  r->account, r->subject, r->detail,    r->plan_hash,
			   r->prev_hash, r->hash};
	fprintf(out, "%" PRId64 ",", r->seq);
	for (size_t i = 0; i < ARRAY_SIZE(v); i++)
		csv_field(out, v[i], i + 1 == ARRAY_SIZE(v));
}

static const struct {
	const char *name;
	enum audit_format fmt;
	void (*write)(FILE *out, const struct audit_record *r);
	const char *header;
} formats[] = {
	[AUDIT_TEXT] = {"text", AUDIT_TEXT, write_text, NULL},
	[AUDIT_JSONL] = {"jsonl", AUDIT_JSONL, write_jsonl, NULL},
	[AUDIT_CSV] = {"csv", AUDIT_CSV, write_csv,
	 "seq,ts,actor,host,ssh_client,role,action,account,subject,detail,plan_hash,"
	 "prev_hash,hash\n"},
};

int audit_format_parse(const char *name, enum audit_format *out)
{
	for (size_t i = 0; i < ARRAY_SIZE(formats); i++)
		if (util_streq(name, formats[i].name)) {
			*out = formats[i].fmt;
			return 0;
		}
	return -1;
}

void audit_write_header(FILE *out, enum audit_format fmt)
{
	if (formats[fmt].header)
		fputs(formats[fmt].header, out);
}

void audit_write_record(FILE *out, enum audit_format fmt, const struct audit_record *r)
{
	formats[fmt].write(out, r);
}

struct export_ctx {
	FILE *out;
	enum audit_format fmt;
};

static int export_one(const struct audit_record *r, void *ctx)
{
	struct export_ctx *x = ctx;
	audit_write_record(x->out, x->fmt, r);
	return 0;
}

int audit_export(struct store *s, FILE *out, enum audit_format fmt, int64_t after, struct err *e)
{
	struct export_ctx x = {out, fmt};
	audit_write_header(out, fmt);
	if (audit_scan(s, after, 0, export_one, &x, e) < 0)
		return -1;
	if (fflush(out) != 0 || ferror(out))
		return err_set(e, "writing the export failed");
	return 0;
}
