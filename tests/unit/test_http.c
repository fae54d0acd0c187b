/* Unit tests for http against a real HTTP server on loopback (libmicrohttpd
 * in this process): answers, retries on 503 with Retry-After, no retry of a
 * failed POST, Idempotency-Key, timeouts, the response cap, backoff bounds,
 * and a drain interrupted from another thread. */
#include <microhttpd.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "warroom/http.h"

static struct MHD_Daemon *daemon_;
static int port;
static int flaky_hits, post_hits;

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *body,
			     const char *hname, const char *hvalue)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(body), (void *)body,
								 MHD_RESPMEM_MUST_COPY);
	if (hname)
		MHD_add_response_header(r, hname, hvalue);
	enum MHD_Result ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url,
			       const char *method, const char *version, const char *upload,
			       size_t *upload_size, void **req)
{
	(void)cls, (void)version, (void)upload;
	if (!*req) { /* first call: headers only */
		*req = (void *)1;
		return MHD_YES;
	}
	if (*upload_size) {
		*upload_size = 0;
		return MHD_YES;
	}
	if (!strcmp(url, "/ok"))
		return reply(c, 200, "{\"state\":\"active\"}", NULL, NULL);
	if (!strcmp(url, "/flaky"))
		return ++flaky_hits < 3 ? reply(c, 503, "busy", "Retry-After", "0")
					: reply(c, 200, "fine", NULL, NULL);
	if (!strcmp(url, "/post500")) {
		post_hits++;
		return reply(c, 500, "boom", NULL, NULL);
	}
	if (!strcmp(url, "/key")) {
		const char *k = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Idempotency-Key");
		char body[256];
		snprintf(body, sizeof(body), "%s %s", method, k ? k : "-");
		return reply(c, 200, body, NULL, NULL);
	}
	if (!strcmp(url, "/slow")) {
		usleep(1500 * 1000);
		return reply(c, 200, "late", NULL, NULL);
	}
	if (!strcmp(url, "/big")) {
		char *big = malloc(100000);
		memset(big, 'x', 99999);
		big[99999] = '\0';
		enum MHD_Result r = reply(c, 200, big, NULL, NULL);
		free(big);
		return r;
	}
	return reply(c, 404, "not found", NULL, NULL);
}

static int setup(void **state)
{
	(void)state;
	daemon_ = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD,
				   0, NULL, NULL, handler, NULL, MHD_OPTION_END);
	if (!daemon_)
		return -1;
	port = MHD_get_daemon_info(daemon_, MHD_DAEMON_INFO_BIND_PORT)->port;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	MHD_stop_daemon(daemon_);
	return 0;
}

struct outcome {
	int done, attempts;
	long status;
	char body[256];
	char error[256];
};

static void on_attempt(void *ctx, const struct http_request *rq, const struct http_result *r)
{
	(void)rq, (void)r;
	((struct outcome *)ctx)->attempts++;
}

static void on_done(void *ctx, const struct http_result *r)
{
	struct outcome *o = ctx;
	o->done = 1;
	o->status = r->status;
	snprintf(o->body, sizeof(o->body), "%.200s", r->body);
	snprintf(o->error, sizeof(o->error), "%.200s", r->error);
}

static struct outcome run(struct http_request rq, const char *path)
{
	char url[128];
	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port, path);
	rq.url = url;
	struct outcome o = {0};
	struct err e = {{0}};
	struct http *h = http_new(&e);
	assert_non_null(h);
	if (http_submit(h, &rq, on_attempt, on_done, &o, &e) < 0)
		fail_msg("submit: %s", e.msg);
	assert_int_equal(http_drain(h, &e), 0);
	http_free(h);
	assert_true(o.done);
	return o;
}

static void test_get(void **state)
{
	(void)state;
	struct outcome o = run((struct http_request){.method = "GET"}, "/ok");
	assert_int_equal(o.status, 200);
	assert_string_equal(o.body, "{\"state\":\"active\"}");
	assert_int_equal(o.attempts, 1);
	o = run((struct http_request){.method = "GET"}, "/nope");
	assert_int_equal(o.status, 404);
}

static void test_retry_503(void **state)
{
	(void)state;
	flaky_hits = 0;
	/* A POST is retried on 503: the server said it did not do it. */
	struct outcome o = run((struct http_request){.method = "POST", .body = "{}", .retries = 3},
			       "/flaky");
	assert_int_equal(o.status, 200);
	assert_int_equal(o.attempts, 3);
	flaky_hits = 0;
	o = run((struct http_request){.method = "GET", .retries = 1}, "/flaky");
	assert_int_equal(o.status, 503);
	assert_int_equal(o.attempts, 2);
}

static void test_no_retry_post_500(void **state)
{
	(void)state;
	post_hits = 0;
	struct outcome o = run((struct http_request){.method = "POST", .retries = 3}, "/post500");
	assert_int_equal(o.status, 500);
	assert_int_equal(post_hits, 1);
	post_hits = 0;
	o = run((struct http_request){.method = "PUT", .idempotent = 1, .retries = 2}, "/post500");
	assert_int_equal(post_hits, 3);
}

static void test_idempotency_key(void **state)
{
	(void)state;
	char key[65];
	http_idempotency_key("acme/s1/1/0", key);
	assert_int_equal(strlen(key), 32);
	char again[65];
	http_idempotency_key("acme/s1/1/0", again);
	assert_string_equal(key, again);
	http_idempotency_key("acme/s1/2/0", again);
	assert_string_not_equal(key, again);
	struct outcome o = run((struct http_request){.method = "POST", .idempotency_key = key}, "/key");
	char want[128];
	snprintf(want, sizeof(want), "POST %s", key);
	assert_string_equal(o.body, want);
	o = run((struct http_request){.method = "GET", .idempotency_key = key}, "/key");
	assert_string_equal(o.body, "GET -");
}

static void test_timeout_and_cap(void **state)
{
	(void)state;
	struct outcome o = run((struct http_request){.method = "GET", .timeout_ms = 300}, "/slow");
	assert_int_equal(o.status, 0);
	assert_non_null(strstr(o.error, "GET http://127.0.0.1"));
	o = run((struct http_request){.method = "GET", .max_response = 1000}, "/big");
	assert_int_equal(o.status, 0);
	assert_non_null(strstr(o.error, "larger than 1000 bytes"));
	o = run((struct http_request){.method = "GET", .retries = 2, .idempotent = 1}, "/big");
	assert_int_equal(o.status, 200);
	assert_int_equal(o.attempts, 1);
	/* Nothing listens on port 1: a transport error, retried when idempotent. */
	struct err e = {{0}};
	struct http *h = http_new(&e);
	struct outcome c = {0};
	struct http_request rq = {.method = "GET", .url = "http://127.0.0.1:1/", .idempotent = 1,
				  .retries = 1};
	assert_true(http_submit(h, &rq, on_attempt, on_done, &c, &e) > 0);
	assert_int_equal(http_drain(h, &e), 0);
	http_free(h);
	assert_int_equal(c.attempts, 2);
	assert_int_equal(c.status, 0);
	assert_true(c.error[0] != '\0');
	/* A scheme other than http(s) is refused. */
	o = run((struct http_request){.method = "GET"}, "");
	h = http_new(&e);
	rq = (struct http_request){.method = "GET", .url = "file:///etc/passwd"};
	struct outcome f = {0};
	assert_true(http_submit(h, &rq, NULL, on_done, &f, &e) > 0);
	assert_int_equal(http_drain(h, &e), 0);
	http_free(h);
	assert_int_equal(f.status, 0);
	assert_true(f.error[0] != '\0');
}

static void test_backoff(void **state)
{
	(void)state;
	unsigned seed = 7;
	for (int n = 1; n < 12; n++) {
		int64_t w = http_backoff_ms(n, -1, &seed);
		int64_t base = 250LL << (n - 1);
		if (base > 30000)
			base = 30000;
		assert_true(w >= base / 2 && w <= base);
	}
	assert_int_equal(http_backoff_ms(1, 5000, &seed), 5000);
	assert_int_equal(http_backoff_ms(1, 999999, &seed), 120000);
	assert_int_equal(http_retry_after_ms("7", 0), 7000);
	assert_int_equal(http_retry_after_ms(" 0\r\n", 0), 0);
	assert_int_equal(http_retry_after_ms("soon", 0), -1);
	/* Sun, 06 Nov 1994 08:49:37 GMT = 784111777 s since the epoch */
	assert_int_equal(http_retry_after_ms("Sun, 06 Nov 1994 08:49:37 GMT", 784111770000LL), 7000);
}

static void *interrupt_soon(void *arg)
{
	usleep(100 * 1000);
	http_interrupt(arg);
	return NULL;
}

/* Another thread ends a drain that waits on a slow answer at once, with no
 * callback; every later drain gives up too. */
static void test_interrupt(void **state)
{
	(void)state;
	char url[128];
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/slow", port);
	struct err e = {{0}};
	struct http *h = http_new(&e);
	assert_non_null(h);
	struct outcome o = {0};
	struct http_request rq = {.method = "GET", .url = url};
	assert_true(http_submit(h, &rq, on_attempt, on_done, &o, &e) > 0);
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, interrupt_soon, h), 0);
	int64_t t0 = util_mono_ms();
	assert_int_equal(http_drain(h, &e), -1);
	int64_t took = util_mono_ms() - t0;
	pthread_join(th, NULL);
	assert_string_equal(e.msg, "interrupted");
	assert_true(took < 1000); /* the answer takes 1.5 s */
	assert_false(o.done);
	assert_int_equal(http_pending(h), 1);
	assert_int_equal(http_drain(h, &e), -1);
	http_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_get),
		cmocka_unit_test(test_retry_503),
		cmocka_unit_test(test_no_retry_post_500),
		cmocka_unit_test(test_idempotency_key),
		cmocka_unit_test(test_timeout_and_cap),
		cmocka_unit_test(test_backoff),
		cmocka_unit_test(test_interrupt),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
