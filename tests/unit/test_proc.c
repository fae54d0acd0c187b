/* Unit tests for proc with real processes: output through the pipes, exit
 * codes, a shell only when asked, a missing executable (127), the timeout
 * that kills the whole process group, and many processes at once. */
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "warroom/proc.h"

struct run {
	struct strbuf out, err;
	struct proc_result res;
	int done;
};

static void on_out(void *ctx, const char *stream, const char *data, size_t n)
{
	struct run *r = ctx;
	sb_add(strcmp(stream, "stdout") == 0 ? &r->out : &r->err, data, n);
}

static void on_done(void *ctx, const struct proc_result *res)
{
	struct run *r = ctx;
	r->res = *res;
	r->done++;
}

/* Polls until nothing runs, at most limit_ms. */
static void wait_all(struct proc_set *s, int64_t limit_ms)
{
	int64_t end = util_mono_ms() + limit_ms;
	while (proc_running(s) && util_mono_ms() < end) {
		struct pollfd fds[64];
		size_t n = proc_fds(s, fds, 64);
		int hint = proc_wait_hint_ms(s);
		poll(fds, n, hint < 0 || hint > 50 ? 50 : hint);
		proc_work(s, fds, n);
	}
}

static void run_one(const struct proc_spec *spec, struct run *r)
{
	struct proc_set *s = proc_set_new();
	struct err e = {{0}};
	memset(r, 0, sizeof(*r));
	assert_true(proc_spawn(s, spec, on_out, on_done, r, &e) > 0);
	wait_all(s, 10000);
	assert_int_equal(r->done, 1);
	proc_set_free(s);
}

static void release(struct run *r)
{
	sb_release(&r->out);
	sb_release(&r->err);
}

static void test_argv_output_and_exit(void **state)
{
	(void)state;
	const char *argv[] = {"sh", "-c", "echo out; echo err >&2; exit 3", NULL};
	struct proc_spec spec = {.argv = argv};
	struct run r;
	run_one(&spec, &r);
	assert_string_equal(sb_str(&r.out), "out\n");
	assert_string_equal(sb_str(&r.err), "err\n");
	assert_int_equal(r.res.exit_code, 3);
	assert_int_equal(r.res.signal, 0);
	assert_false(r.res.timed_out);
	release(&r);
}

static void test_argv_is_not_a_shell(void **state)
{
	(void)state;
	/* A ; in an argument is text, not a command separator. */
	const char *argv[] = {"echo", "a; echo injected", NULL};
	struct proc_spec spec = {.argv = argv};
	struct run r;
	run_one(&spec, &r);
	assert_string_equal(sb_str(&r.out), "a; echo injected\n");
	release(&r);
	struct proc_spec sh = {.shell = "echo a; echo b"};
	run_one(&sh, &r);
	assert_string_equal(sb_str(&r.out), "a\nb\n");
	assert_int_equal(r.res.exit_code, 0);
	release(&r);
}

static void test_missing_executable(void **state)
{
	(void)state;
	const char *argv[] = {"/nonexistent/warroom-no-such-tool", NULL};
	struct proc_spec spec = {.argv = argv};
	struct run r;
	run_one(&spec, &r);
	assert_int_equal(r.res.exit_code, 127);
	assert_non_null(strstr(r.res.error, "warroom-no-such-tool"));
	release(&r);
	struct proc_set *s = proc_set_new();
	struct err e = {{0}};
	struct proc_spec none = {0};
	assert_int_equal(proc_spawn(s, &none, on_out, on_done, &r, &e), -1);
	assert_true(e.msg[0] != 0);
	proc_set_free(s);
}

static void test_timeout_kills_the_group(void **state)
{
	(void)state;
	/* The shell's child sleeps too: the whole group must go, quickly. */
	struct proc_spec spec = {.shell = "sleep 20 & sleep 20; echo never", .timeout_ms = 200};
	struct run r;
	int64_t t0 = util_mono_ms();
	run_one(&spec, &r);
	assert_true(util_mono_ms() - t0 < 5000);
	assert_true(r.res.timed_out);
	assert_int_equal(r.res.exit_code, -1);
	assert_true(r.res.signal != 0);
	assert_null(strstr(sb_str(&r.out), "never"));
	release(&r);
}

static void test_many_at_once(void **state)
{
	(void)state;
	struct proc_set *s = proc_set_new();
	struct run r[8];
	struct err e = {{0}};
	char lines[8][32];
	for (int i = 0; i < 8; i++) {
		memset(&r[i], 0, sizeof(r[i]));
		snprintf(lines[i], sizeof(lines[i]), "sleep 0.2; echo %d", i);
		struct proc_spec spec = {.shell = lines[i]};
		assert_true(proc_spawn(s, &spec, on_out, on_done, &r[i], &e) > 0);
	}
	assert_int_equal(proc_running(s), 8);
	int64_t t0 = util_mono_ms();
	wait_all(s, 10000);
	assert_true(util_mono_ms() - t0 < 3000); /* concurrently, not 8 x 0.2 s in a row */
	for (int i = 0; i < 8; i++) {
		char want[16];
		snprintf(want, sizeof(want), "%d\n", i);
		assert_int_equal(r[i].done, 1);
		assert_string_equal(sb_str(&r[i].out), want);
		release(&r[i]);
	}
	proc_set_free(s);
}

static void test_describe(void **state)
{
	(void)state;
	const char *argv[] = {"echo", "a b", "it's", NULL};
	struct proc_spec spec = {.argv = argv};
	char *d = proc_describe(&spec);
	assert_non_null(strstr(d, "echo"));
	assert_non_null(strstr(d, "'a b'"));
	free(d);
	struct proc_spec sh = {.shell = "echo hi"};
	d = proc_describe(&sh);
	assert_non_null(strstr(d, "sh -c"));
	free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_argv_output_and_exit),
		cmocka_unit_test(test_argv_is_not_a_shell),
		cmocka_unit_test(test_missing_executable),
		cmocka_unit_test(test_timeout_kills_the_group),
		cmocka_unit_test(test_many_at_once),
		cmocka_unit_test(test_describe),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
