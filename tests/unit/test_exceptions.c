/* Unit tests for the exception registry over a real SQLite file: scopes,
 * expiry, close, and the audit records every change leaves. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "warroom/audit.h"
#include "warroom/exceptions.h"
#include "warroom/store.h"

static char dir[64], path[96];

static int setup(void **state)
{
	strcpy(dir, "/tmp/wr-exc-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/w.db", dir);
	struct err e = {{0}};
	struct store *st = store_open(path, STORE_READWRITE, &e);
	*state = st;
	return st ? 0 : -1;
}

static int teardown(void **state)
{
	store_close(*state);
	char p[128];
	unlink(path);
	snprintf(p, sizeof(p), "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	unlink(p);
	rmdir(dir);
	return 0;
}

static void test_scopes(void **state)
{
	(void)state;
	assert_true(exception_scope_covers("*", "acme", "user", "U1", "name"));
	assert_true(exception_scope_covers("acme", "acme", "user", "U1", NULL));
	assert_false(exception_scope_covers("acme", "globex", "user", "U1", NULL));
	assert_true(exception_scope_covers("acme/user", "acme", "user", "U1", NULL));
	assert_false(exception_scope_covers("acme/user", "acme", "team", "U1", NULL));
	assert_true(exception_scope_covers("acme/user/U1", "acme", "user", "U1", NULL));
	assert_false(exception_scope_covers("acme/user/U1", "acme", "user", "U2", NULL));
	assert_true(exception_scope_covers("*/user/*#time_zone", "x", "user", "U9", "time_zone"));
	/* a field-level exception does not explain the whole entity */
	assert_false(exception_scope_covers("acme/user/U1#email", "acme", "user", "U1", NULL));
	/* malformed scopes cover nothing */
	assert_false(exception_scope_covers("", "acme", NULL, NULL, NULL));
	assert_false(exception_scope_covers("a/b/c/d", "a", "b", "c", NULL));
	assert_false(exception_scope_covers("a//c", "a", "", "c", NULL));
	struct exception bad = {.scope = "a/b/c/d", .owner = "o", .reason = "r", .expires_ms = 10};
	struct err e = {{0}};
	assert_int_equal(exception_check(&bad, &e), -1);
	assert_non_null(strstr(e.msg, "ACCOUNT[/ENTITY[/ID[#FIELD]]]"));
}

static int count_actions(const struct audit_record *r, void *ctx)
{
	int *n = ctx;
	if (!strncmp(r->action, "exception.", 10))
		(*n)++;
	return 0;
}

static void test_registry(void **state)
{
	struct store *st = *state;
	struct err e = {{0}};
	int64_t now = util_now_ms();
	struct exception a = {.scope = xstrdup("acme/service/PS1"), .owner = xstrdup("cs-lead"),
			      .reason = xstrdup("retired on purpose"), .expires_ms = now + 3600000};
	assert_int_equal(exceptions_add(st, &a, &e), 0);
	assert_true(a.id > 0);
	struct exception b = {.scope = xstrdup("*/user/*#time_zone"), .owner = xstrdup("data"),
			      .reason = xstrdup("normalised"), .controls = xstrdup("weekly review"),
			      .opened_ms = now - 7200000, .expires_ms = now - 60000};
	assert_int_equal(exceptions_add(st, &b, &e), 0);
	/* refused: expiry before opening */
	struct exception c = {.scope = xstrdup("acme"), .owner = xstrdup("x"), .reason = xstrdup("y"),
			      .opened_ms = now, .expires_ms = now - 1};
	assert_int_equal(exceptions_add(st, &c, &e), -1);
	assert_non_null(strstr(e.msg, "expire before it opens"));

	struct exception_list l;
	assert_int_equal(exceptions_list(st, EXC_OPEN, now, &l, &e), 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.items[0].scope, "acme/service/PS1");
	assert_non_null(exceptions_match(&l, now, "acme", "service", "PS1", NULL));
	assert_null(exceptions_match(&l, now, "acme", "service", "PS2", NULL));
	/* after its expiry it explains nothing */
	assert_null(exceptions_match(&l, now + 3600001, "acme", "service", "PS1", NULL));
	exception_list_free(&l);
	assert_int_equal(exceptions_list(st, EXC_EXPIRED, now, &l, &e), 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.items[0].controls, "weekly review");
	exception_list_free(&l);

	assert_int_equal(exceptions_close(st, a.id, "cs-lead", "service restored", &e), 0);
	assert_int_equal(exceptions_close(st, a.id, "cs-lead", NULL, &e), -1);
	assert_non_null(strstr(e.msg, "already closed"));
	assert_int_equal(exceptions_close(st, 999, NULL, NULL, &e), -1);
	assert_non_null(strstr(e.msg, "no exception 999"));
	assert_int_equal(exceptions_list(st, EXC_CLOSED, now, &l, &e), 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.items[0].closed_by, "cs-lead");
	exception_list_free(&l);
	assert_int_equal(exceptions_list(st, EXC_ALL, now, &l, &e), 0);
	assert_int_equal(l.n, 2);
	exception_list_free(&l);

	int n = 0;
	assert_int_equal(audit_scan(st, 0, 0, count_actions, &n, &e), 0);
	assert_int_equal(n, 3); /* two adds, one close; the refused add left nothing */
	struct audit_verdict v;
	assert_int_equal(audit_verify(st, &v, &e), 0);
	assert_int_equal(v.broken_seq, 0);
	exception_free(&a);
	exception_free(&b);
	exception_free(&c);
}

static void test_explain(void **state)
{
	(void)state;
	struct exception items[2] = {
		{.id = 4, .scope = "acme/user/U1", .owner = "alice", .reason = "renamed", .expires_ms = 5000},
		{.id = 5, .scope = "acme/service", .owner = "bob", .reason = "old", .expires_ms = 5000,
		 .closed_ms = 3000},
	};
	struct exception_list l = {items, 2, 2};
	struct exceptions_explainer x = {&l, 4000};
	char why[256] = "";
	assert_int_equal(exceptions_explain(&x, "acme", "user", "U1", NULL, why, sizeof(why)), 1);
	assert_non_null(strstr(why, "exception #4 (alice, until 1970-01-01T00:00:05"));
	assert_non_null(strstr(why, "renamed"));
	/* a closed one explains nothing, nor does an open one after its expiry */
	assert_int_equal(exceptions_explain(&x, "acme", "service", "S1", NULL, why, sizeof(why)), 0);
	x.now_ms = 6000;
	assert_int_equal(exceptions_explain(&x, "acme", "user", "U1", NULL, why, sizeof(why)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scopes),
		cmocka_unit_test(test_explain),
		cmocka_unit_test_setup_teardown(test_registry, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
