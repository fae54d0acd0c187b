/* Unit tests for audit: the chain on a real file, tampering done with raw SQL
 * (edit, delete, reorder, insert, tail cut, forged append) found at the exact
 * seq, batched appends, concurrent writers, export forms, identity, and the
 * proof that secrets never reach the database's bytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <pwd.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "warroom/audit.h"
#include "warroom/ident.h"
#include "warroom/util.h"
#include "data/scratch_db.h"

struct fixture {
	char dir[64];
	char *path;
};

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "%s/wr-audit-XXXXXX", P_tmpdir);
	if (!mkdtemp(f->dir))
		return -1;
	f->path = xasprintf("%s/warroom.db", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	scratch_db_remove(f->path);
	char *out = xasprintf("%s.out", f->path); /* an export some tests write */
	unlink(out);
	free(out);
	rmdir(f->dir);
	free(f->path);
	free(f);
	return 0;
}

static struct store *open_rw(const char *path)
{
	struct err e = {{0}};
	struct store *s = store_open(path, STORE_READWRITE, &e);
	if (!s)
		fail_msg("%s", e.msg);
	return s;
}

/* n records with varied fields, appended one durable record at a time. */
static void fill(const char *path, int n)
{
	struct store *s = open_rw(path);
	struct err e = {{0}};
	for (int i = 1; i <= n; i++) {
		cJSON *d = cJSON_CreateObject();
		cJSON_AddNumberToObject(d, "i", i);
		cJSON_AddStringToObject(d, "note", i % 2 ? "odd, \"quoted\"" : "even\nline");
		char acct[16];
		snprintf(acct, sizeof(acct), "acct-%03d", i % 3);
		struct audit_entry en = {.action = i % 2 ? "step.start" : "step.finish",
					 .account = acct, .subject = "s1", .detail = d,
					 .plan_hash = "ph1"};
		int64_t seq = 0;
		if (audit_append(s, &en, &seq, &e) < 0)
			fail_msg("%s", e.msg);
		assert_int_equal(seq, i);
		cJSON_Delete(d);
	}
	store_close(s);
}

/* Tampering as someone with the sqlite3 shell would do it. */
static void raw_exec(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	char *msg = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg);
	sqlite3_close(db);
}

static struct audit_verdict verify(const char *path)
{
	struct err e = {{0}};
	struct store *s = store_open(path, STORE_READONLY, &e);
	if (!s)
		fail_msg("%s", e.msg);
	struct audit_verdict v;
	if (audit_verify(s, &v, &e) < 0)
		fail_msg("%s", e.msg);
	store_close(s);
	return v;
}

static void expect_broken(const char *path, int64_t seq, const char *why)
{
	struct audit_verdict v = verify(path);
	if (v.broken_seq != seq || !strstr(v.why, why))
		fail_msg("want record %lld (%s), got %lld: %s", (long long)seq, why,
			 (long long)v.broken_seq, v.why);
}

static void test_chain_intact(void **state)
{
	struct fixture *f = *state;
	fill(f->path, 12);
	struct audit_verdict v = verify(f->path);
	assert_int_equal(v.broken_seq, 0);
	assert_int_equal(v.records, 12);
	/* The reported head is the last record's own hash. */
	struct store *s = open_rw(f->path);
	sqlite3_stmt *st = store_stmt(s, "SELECT hash, prev_hash FROM audit WHERE seq = 12", NULL);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), v.head);
	sqlite3_reset(st);
	st = store_stmt(s, "SELECT prev_hash FROM audit WHERE seq = 1", NULL);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0),
			    "0000000000000000000000000000000000000000000000000000000000000000");
	sqlite3_reset(st);
	assert_int_equal(audit_head(s, NULL), 12);
	store_close(s);
}

static void test_edit_detected(void **state)
{
	struct fixture *f = *state;
	fill(f->path, 10);
	raw_exec(f->path, "UPDATE audit SET detail = '{\"i\":4,\"note\":\"nothing happened\"}' WHERE seq = 4");
	expect_broken(f->path, 4, "edited");
}

static void test_edit_actor_detected(void **state)
{
	struct fixture *f = *state;
	fill(f->path, 10);
	raw_exec(f->path, "UPDATE audit SET actor = 'somebody-else' WHERE seq = 9");
	expect_broken(f->path, 9, "edited");
}

static void test_delete_detected(void **state)
{
	struct fixture *f = *state;
	fill(f->path, 10);
	raw_exec(f->path, "DELETE FROM audit WHERE seq = 5");
	expect_broken(f->path, 5, "missing");
}

static void test_delete_first_detected(void **state)
{
	struct fixture *f = *state;
	fill(f->path, 10);
	raw_exec(f->path, "DELETE FROM audit WHERE seq = 1");
	expect_broken(f->path, 1, "missing");
}

static void test_delete_tail_detected(void **state)
{
	struct fixture *f = *state;
	fill(f->path, 10);
	raw_exec(f->path, "DELETE FROM audit WHERE seq >= 9");
	expect_broken(f->path, 9, "deleted from the end");
}

static void test_reorder_detected(void **state)
{
	struct fixture *f = *state;
	fill(f->path, 10);
	/* Swap records 3 and 6 by renumbering them. */
	raw_exec(f->path, "UPDATE audit SET seq = -3 WHERE seq = 3;"
			  "UPDATE audit SET seq = 3 WHERE seq = 6;"
			  "UPDATE audit SET seq = 6 WHERE seq = -3;");
	expect_broken(f->path, 3, "reordered");
}

static void test_insert_detected(void **state)
{
	struct fixture *f = *state;
	fill(f->path, 10);
	/* Make room after 6 and slip a record in, linked to 6's real hash. */
	raw_exec(f->path,
		 "UPDATE audit SET seq = seq + 1000 WHERE seq > 6;"
		 "UPDATE audit SET seq = seq - 999 WHERE seq > 1000;"
		 "INSERT INTO audit(seq, ts, actor, host, role, action, prev_hash, hash) "
		 "SELECT 7, ts, actor, host, role, 'gate.sign', hash, "
		 "'ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff' "
		 "FROM audit WHERE seq = 6;");
	expect_broken(f->path, 7, "edited");
}

/* Someone who knows the format forges a correctly hashed record at the end:
 * the chain is whole, but the head mark written by audit_append is not. */
static void test_forged_append_detected(void **state)
{
	struct fixture *f = *state;
	fill(f->path, 5);
	struct store *s = open_rw(f->path);
	sqlite3_stmt *st = store_stmt(s, "SELECT hash FROM audit WHERE seq = 5", NULL);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	char prev[AUDIT_HASH_HEX];
	snprintf(prev, sizeof(prev), "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	store_close(s);
	struct audit_record r = {
		.seq = 6, .ts = "2026-01-01T00:00:00.000Z", .actor = "mallory", .host = "h",
		.ssh_client = "", .role = "operator", .action = "gate.sign", .account = "",
		.subject = "", .detail = "{}", .plan_hash = "", .prev_hash = prev,
	};
	char hash[AUDIT_HASH_HEX];
	audit_record_hash(&r, hash);
	char *sql = xasprintf("INSERT INTO audit(seq, ts, actor, host, role, action, prev_hash, hash) "
			      "VALUES (6, '%s', 'mallory', 'h', 'operator', 'gate.sign', '%s', '%s')",
			      r.ts, prev, hash);
	raw_exec(f->path, sql);
	free(sql);
	expect_broken(f->path, 6, "by hand");
}

static void test_batched(void **state)
{
	struct fixture *f = *state;
	struct store *s = open_rw(f->path);
	struct err e = {{0}};
	/* A batch that is abandoned leaves nothing behind. */
	assert_int_equal(store_begin(s, &e), 0);
	for (int i = 0; i < 50; i++) {
		struct audit_entry en = {.action = "import.page", .account = "acct-001"};
		assert_int_equal(audit_append(s, &en, NULL, &e), 0);
	}
	store_rollback(s);
	assert_int_equal(audit_head(s, &e), 0);
	/* One transaction for 1,000 records. */
	int64_t dv = store_data_version(s);
	assert_int_equal(store_begin(s, &e), 0);
	for (int i = 0; i < 1000; i++) {
		cJSON *d = cJSON_CreateObject();
		cJSON_AddNumberToObject(d, "page", i);
		struct audit_entry en = {.action = "import.page", .account = "acct-001", .detail = d};
		int64_t seq = 0;
		assert_int_equal(audit_append(s, &en, &seq, &e), 0);
		assert_int_equal(seq, i + 1);
		cJSON_Delete(d);
	}
	assert_int_equal(store_commit(s, &e), 0);
	assert_int_equal(store_data_version(s), dv);
	struct audit_entry many[3] = {
		{.action = "a"}, {.action = "b", .role = "cli"}, {.action = "c"},
	};
	assert_int_equal(audit_append_many(s, many, 3, &e), 0);
	assert_int_equal(audit_head(s, &e), 1003);
	/* An entry without an action is refused before anything is written. */
	many[1].action = "";
	assert_int_equal(audit_append_many(s, many, 3, &e), -1);
	assert_non_null(strstr(e.msg, "action"));
	assert_int_equal(audit_head(s, &e), 1003);
	store_close(s);
	struct audit_verdict v = verify(f->path);
	assert_int_equal(v.broken_seq, 0);
	assert_int_equal(v.records, 1003);
}

static void test_readonly_refused(void **state)
{
	struct fixture *f = *state;
	fill(f->path, 1);
	struct err e = {{0}};
	struct store *s = store_open(f->path, STORE_READONLY, &e);
	assert_non_null(s);
	struct audit_entry en = {.action = "note"};
	assert_int_equal(audit_append(s, &en, NULL, &e), -1);
	assert_non_null(strstr(e.msg, "read-only"));
	store_close(s);
}

/* Two processes appending at once still form one chain. */
static void test_concurrent_writers(void **state)
{
	struct fixture *f = *state;
	store_close(open_rw(f->path));
	enum { WRITERS = 3, EACH = 150 };
	pid_t pids[WRITERS];
	for (int w = 0; w < WRITERS; w++) {
		pids[w] = fork();
		assert_true(pids[w] >= 0);
		if (pids[w] == 0) {
			struct err e = {{0}};
			struct store *s = store_open(f->path, STORE_READWRITE, &e);
			if (!s)
				_exit(10);
			for (int i = 0; i < EACH; i++) {
				struct audit_entry en = {.action = "writer", .subject = w ? "b" : "a"};
				if (audit_append(s, &en, NULL, &e) < 0) {
					fprintf(stderr, "%s\n", e.msg);
					_exit(11);
				}
			}
			store_close(s);
			_exit(0);
		}
	}
	for (int w = 0; w < WRITERS; w++) {
		int status = 0;
		assert_int_equal(waitpid(pids[w], &status, 0), pids[w]);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	struct audit_verdict v = verify(f->path);
	assert_int_equal(v.broken_seq, 0);
	assert_int_equal(v.records, WRITERS * EACH);
}

static void test_identity(void **state)
{
	struct fixture *f = *state;
	setenv("USER", "mallory", 1);
	setenv("LOGNAME", "mallory", 1);
	fill(f->path, 1);
	struct passwd *pw = getpwuid(geteuid());
	assert_non_null(pw);
	struct store *s = open_rw(f->path);
	sqlite3_stmt *st = store_stmt(s, "SELECT actor, host, ts FROM audit WHERE seq = 1", NULL);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), pw->pw_name);
	assert_string_equal((const char *)sqlite3_column_text(st, 1), ident_get()->host);
	const char *ts = (const char *)sqlite3_column_text(st, 2);
	assert_int_equal(strlen(ts), 24);
	assert_int_equal(ts[23], 'Z');
	sqlite3_reset(st);
	store_close(s);
	char out[64];
	ident_parse_ssh("203.0.113.9 52144 10.0.0.5 22", out, sizeof(out));
	assert_string_equal(out, "203.0.113.9:52144");
	ident_parse_ssh("203.0.113.9 52144 22", out, sizeof(out));
	assert_string_equal(out, "203.0.113.9:52144");
	ident_parse_ssh("garbage", out, sizeof(out));
	assert_string_equal(out, "");
	ident_parse_ssh(NULL, out, sizeof(out));
	assert_string_equal(out, "");
}

static char *export_to_string(const char *path, enum audit_format fmt)
{
	struct err e = {{0}};
	struct store *s = store_open(path, STORE_READONLY, &e);
	assert_non_null(s);
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	assert_non_null(out);
	assert_int_equal(audit_export(s, out, fmt, 0, &e), 0);
	fclose(out);
	store_close(s);
	return buf;
}

static void test_export_jsonl(void **state)
{
	struct fixture *f = *state;
	fill(f->path, 7);
	char *text = export_to_string(f->path, AUDIT_JSONL);
	int lines = 0;
	char *save = NULL;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		lines++;
		cJSON *o = cJSON_Parse(line);
		assert_non_null(o);
		assert_int_equal(cJSON_GetObjectItem(o, "seq")->valuedouble, lines);
		const char *want = lines % 2 ? "step.start" : "step.finish";
		assert_string_equal(cJSON_GetObjectItem(o, "action")->valuestring, want);
		cJSON *d = cJSON_GetObjectItem(o, "detail");
		assert_true(cJSON_IsObject(d));
		assert_int_equal(cJSON_GetObjectItem(d, "i")->valueint, lines);
		assert_int_equal(strlen(cJSON_GetObjectItem(o, "hash")->valuestring), 64);
		cJSON_Delete(o);
	}
	assert_int_equal(lines, 7);
	free(text);
}

/* A small RFC 4180 reader: the export must round-trip through one. */
static int csv_row(const char **p, char fields[][256], int max)
{
	int n = 0;
	const char *s = *p;
	if (!*s)
		return 0;
	for (;;) {
		size_t k = 0;
		if (*s == '"') {
			s++;
			while (*s && !(*s == '"' && s[1] != '"')) {
				if (*s == '"')
					s++;
				if (k < 255)
					fields[n][k++] = *s;
				s++;
			}
			if (*s == '"')
				s++;
		} else {
			while (*s && *s != ',' && *s != '\n')
				if (k < 255)
					fields[n][k++] = *s++;
		}
		fields[n][k] = '\0';
		if (n < max - 1)
			n++;
		if (*s == ',') {
			s++;
			continue;
		}
		if (*s == '\n')
			s++;
		break;
	}
	*p = s;
	return n;
}

static void test_export_csv(void **state)
{
	struct fixture *f = *state;
	fill(f->path, 4);
	char *text = export_to_string(f->path, AUDIT_CSV);
	const char *p = text;
	char fields[16][256];
	assert_int_equal(csv_row(&p, fields, 16), 13);
	assert_string_equal(fields[0], "seq");
	assert_string_equal(fields[9], "detail");
	int rows = 0;
	while (csv_row(&p, fields, 16) == 13) {
		rows++;
		assert_int_equal(atoi(fields[0]), rows);
		cJSON *d = cJSON_Parse(fields[9]);
		assert_non_null(d);
		assert_int_equal(cJSON_GetObjectItem(d, "i")->valueint, rows);
		assert_string_equal(cJSON_GetObjectItem(d, "note")->valuestring,
				    rows % 2 ? "odd, \"quoted\"" : "even\nline");
		cJSON_Delete(d);
	}
	assert_int_equal(rows, 4);
	free(text);
	enum audit_format fmt;
	assert_int_equal(audit_format_parse("csv", &fmt), 0);
	assert_int_equal(fmt, AUDIT_CSV);
	assert_int_equal(audit_format_parse("xml", &fmt), -1);
}

/* ---- the cursor: verification in slices ---- */

static struct store *open_ro(const char *path)
{
	struct err e = {{0}};
	struct store *s = store_open(path, STORE_READONLY, &e);
	if (!s)
		fail_msg("%s", e.msg);
	return s;
}

static int step(struct store *s, struct audit_cursor *c, int64_t max)
{
	struct err e = {{0}};
	int rc = audit_verify_step(s, c, max, &e);
	if (rc < 0)
		fail_msg("%s", e.msg);
	return rc;
}

/* n more notes through a connection of their own, as another console would. */
static void append_notes(const char *path, int n)
{
	struct store *s = open_rw(path);
	struct err e = {{0}};
	for (int i = 0; i < n; i++) {
		struct audit_entry en = {.action = "note", .role = "cli"};
		if (audit_append(s, &en, NULL, &e) < 0)
			fail_msg("%s", e.msg);
	}
	store_close(s);
}

static void test_cursor_resumes(void **state)
{
	struct fixture *f = *state;
	fill(f->path, 25);
	struct audit_verdict whole = verify(f->path);
	struct store *s = open_ro(f->path);
	struct audit_cursor c;
	audit_cursor_init(&c);
	assert_int_equal(step(s, &c, 10), 1);
	assert_int_equal(c.v.records, 10);
	assert_int_equal(c.next, 11);
	assert_int_equal(c.total, 25);
	assert_int_equal(step(s, &c, 10), 1);
	assert_int_equal(c.v.records, 20);
	/* five left: the slice is short, the end and the head mark are checked */
	assert_int_equal(step(s, &c, 10), 0);
	assert_int_equal(c.v.records, 25);
	assert_int_equal(c.v.broken_seq, 0);
	/* the same head as one walk from the start */
	assert_string_equal(c.v.head, whole.head);
	assert_int_equal(whole.records, 25);
	store_close(s);
}

static void test_cursor_finds_tamper_in_the_middle(void **state)
{
	struct fixture *f = *state;
	fill(f->path, 30);
	raw_exec(f->path, "UPDATE audit SET actor = 'mallory' WHERE seq = 17");
	struct store *s = open_ro(f->path);
	struct audit_cursor c;
	audit_cursor_init(&c);
	int slices = 0;
	while (step(s, &c, 5) == 1)
		slices++;
	/* 1-5, 6-10, 11-15 pass; the fourth slice stops at 17 */
	assert_int_equal(slices, 3);
	assert_int_equal(c.v.broken_seq, 17);
	assert_non_null(strstr(c.v.why, "(edited)"));
	assert_int_equal(c.v.records, 17);
	/* a broken chain stays broken: further steps change nothing */
	assert_int_equal(step(s, &c, 5), 0);
	assert_int_equal(c.v.broken_seq, 17);
	assert_int_equal(c.v.records, 17);
	store_close(s);
}

static void test_cursor_walks_records_appended_meanwhile(void **state)
{
	struct fixture *f = *state;
	fill(f->path, 10);
	struct store *s = open_ro(f->path);
	struct audit_cursor c;
	audit_cursor_init(&c);
	assert_int_equal(step(s, &c, 6), 1);
	append_notes(f->path, 5);
	assert_int_equal(step(s, &c, 6), 1);
	assert_int_equal(c.total, 15); /* progress sees the grown log */
	assert_int_equal(step(s, &c, 6), 0);
	assert_int_equal(c.v.records, 15);
	assert_int_equal(c.v.broken_seq, 0);
	/* a full slice that ends exactly at the head, then one more appended:
	 * the next step walks it and the head mark agrees */
	audit_cursor_init(&c);
	assert_int_equal(step(s, &c, 15), 1);
	append_notes(f->path, 1);
	assert_int_equal(step(s, &c, 15), 0);
	assert_int_equal(c.v.records, 16);
	assert_int_equal(c.v.broken_seq, 0);
	/* after the verdict, a later step goes on with what came since */
	append_notes(f->path, 2);
	assert_int_equal(step(s, &c, 15), 0);
	assert_int_equal(c.v.records, 18);
	assert_int_equal(c.v.broken_seq, 0);
	assert_string_equal(c.v.head, verify(f->path).head);
	store_close(s);
	/* a record cut from the end after the walk passed it is still caught */
	raw_exec(f->path, "DELETE FROM audit WHERE seq = 18");
	s = open_ro(f->path);
	audit_cursor_init(&c);
	while (step(s, &c, 4) == 1)
		;
	assert_int_equal(c.v.broken_seq, 18);
	assert_non_null(strstr(c.v.why, "deleted from the end"));
	store_close(s);
}

/* Secrets in every shape go in; the file's bytes are searched for them. */
static void test_secrets_never_stored(void **state)
{
	struct fixture *f = *state;
	static const char *const details[] = {
		"{\"token\":\"SEKRIT-A1\"}",
		"{\"headers\":{\"Authorization\":\"Bearer SEKRIT-A2\"}}",
		"{\"request\":{\"headers\":[\"Authorization: Token token=SEKRIT-A3\"]}}",
		"{\"nested\":[{\"client_secret\":\"SEKRIT-A4\"}]}",
		"{\"url\":\"https://api.example/v1?api_key=SEKRIT-A5&limit=1\"}",
		"{\"Cookie\":\"session=SEKRIT-A6; theme=dark\"}",
		"{\"stderr\":\"login failed: password=SEKRIT-A7 for bob\"}",
		"{\"X-Api-Key\":\"SEKRIT-A8\"}",
		"{\"note\":\"curl -H 'Authorization: Basic SEKRIT-A9'\"}",
		"{\"PRIVATE_KEY\":{\"pem\":\"SEKRIT-B1\"}}",
		"{\"body\":\"{\\\"access_token\\\": \\\"SEKRIT-B2\\\"}\"}",
		"{\"marker\":\"VISIBLE-CONTROL-STRING\"}",
	};
	struct store *s = open_rw(f->path);
	struct err e = {{0}};
	for (size_t i = 0; i < ARRAY_SIZE(details); i++) {
		cJSON *d = cJSON_Parse(details[i]);
		assert_non_null(d);
		struct audit_entry en = {.action = "http.request", .detail = d};
		if (audit_append(s, &en, NULL, &e) < 0)
			fail_msg("%s", e.msg);
		cJSON_Delete(d);
	}
	store_close(s);
	const char *suffix[] = {"", "-wal"};
	int seen_control = 0;
	for (size_t k = 0; k < ARRAY_SIZE(suffix); k++) {
		char *p = xasprintf("%s%s", f->path, suffix[k]);
		size_t len = 0;
		char *bytes = util_read_file(p, 64u << 20, &len, &e);
		free(p);
		if (!bytes)
			continue;
		if (memmem(bytes, len, "VISIBLE-CONTROL-STRING", 22))
			seen_control = 1;
		assert_null(memmem(bytes, len, "SEKRIT-", 7));
		free(bytes);
	}
	/* The search did look at the bytes where records live. */
	assert_true(seen_control);
	assert_int_equal(verify(f->path).broken_seq, 0);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_chain_intact),        T(test_edit_detected),     T(test_edit_actor_detected),
		T(test_delete_detected),     T(test_delete_first_detected),
		T(test_delete_tail_detected), T(test_reorder_detected), T(test_insert_detected),
		T(test_forged_append_detected), T(test_batched),        T(test_readonly_refused),
		T(test_concurrent_writers),  T(test_identity),          T(test_export_jsonl),
		T(test_export_csv),          T(test_secrets_never_stored),
		T(test_cursor_resumes),      T(test_cursor_finds_tamper_in_the_middle),
		T(test_cursor_walks_records_appended_meanwhile),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
