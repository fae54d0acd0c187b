/* Unit tests for the HTTP status a failed target read carries, against the
 * simulator over loopback: callers such as the console's `:diff` tell "the
 * target has no such entity" (404) from an outage (5xx) or no answer at all
 * (0) by the number, never by searching the message for it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "data/sim_loopback.h"
#include "warroom/targetapi.h"

static int setup(void **state)
{
	(void)state;
	return sim_loopback_setup((struct sim_options){.seed = 5, .accounts = 2, .entities = 6});
}

/* The id of the first service of the reference dataset, read as a list. */
static char *first_service(struct targetapi *api)
{
	struct entity_set all = {0};
	struct err e = {{0}};
	assert_int_equal(targetapi_fetch_type(api, "acct-001", TARGETAPI_REFERENCE, ENTITY_SERVICE,
					      &all, &e), 0);
	assert_true(all.n > 0);
	char *id = xstrdup(all.items[0]->id);
	entity_set_free(&all);
	return id;
}

static void test_found_and_missing(void **state)
{
	(void)state;
	struct targetapi api;
	struct err e = {{0}};
	assert_int_equal(targetapi_open(&api, base, &e), 0);
	char *id = first_service(&api);
	struct entity_set got = {0};

	assert_int_equal(targetapi_fetch_one(&api, "acct-001", TARGETAPI_REFERENCE, ENTITY_SERVICE,
					     id, &got, &e), 0);
	assert_int_equal(api.status, 200);
	assert_int_equal(got.n, 1);

	/* an id the dataset does not have: the 404 is a number, whatever the message says */
	assert_int_equal(targetapi_fetch_one(&api, "acct-001", TARGETAPI_REFERENCE, ENTITY_SERVICE,
					     "no-such-service", &got, &e), -1);
	assert_int_equal(api.status, 404);
	assert_non_null(strstr(e.msg, "no-such-service"));
	assert_int_equal(got.n, 1);

	/* the target's side of a tenant never created is a 404 too */
	assert_int_equal(targetapi_fetch_one(&api, "acct-001", TARGETAPI_TARGET, ENTITY_SERVICE, id,
					     &got, &e), -1);
	assert_int_equal(api.status, 404);

	/* the next answer replaces the status: it is the last request's */
	assert_int_equal(targetapi_fetch_one(&api, "acct-001", TARGETAPI_REFERENCE, ENTITY_SERVICE,
					     id, &got, &e), 0);
	assert_int_equal(api.status, 200);
	entity_set_free(&got);
	free(id);
	targetapi_close(&api);
}

/* A target in trouble answers 5xx: an error with its status, not a 404. */
static void test_server_error(void **state)
{
	(void)state;
	struct sim_options so = {.seed = 5, .accounts = 1, .entities = 3};
	so.faults.error_rate = 1;
	char url[64];
	struct sim *failing = sim_loopback_start(&so, url, sizeof(url));
	assert_non_null(failing);
	struct err e = {{0}};
	struct targetapi api;
	assert_int_equal(targetapi_open(&api, url, &e), 0);
	api.timeout_ms = 2000; /* no retry starts past it */
	struct entity_set got = {0};
	assert_int_equal(targetapi_fetch_one(&api, "acct-001", TARGETAPI_REFERENCE, ENTITY_SERVICE,
					     "anything", &got, &e), -1);
	assert_true(api.status >= 500 && api.status <= 599);
	assert_int_equal(got.n, 0);
	targetapi_close(&api);
	sim_stop(failing);
}

/* Nobody listening: no answer, status 0. */
static void test_no_answer(void **state)
{
	(void)state;
	/* a port that was free a moment ago and has no listener now */
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(sa);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	close(fd);
	char url[64];
	snprintf(url, sizeof(url), "http://127.0.0.1:%d", ntohs(sa.sin_port));
	struct targetapi api;
	struct err e = {{0}};
	assert_int_equal(targetapi_open(&api, url, &e), 0);
	api.timeout_ms = 500;
	api.status = 404; /* whatever came before, a read with no answer says 0 */
	struct entity_set got = {0};
	assert_int_equal(targetapi_fetch_one(&api, "acct-001", TARGETAPI_TARGET, ENTITY_SERVICE, "x",
					     &got, &e), -1);
	assert_int_equal(api.status, 0);
	assert_true(strlen(e.msg) > 0);
	targetapi_close(&api);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_found_and_missing),
		cmocka_unit_test(test_server_error),
		cmocka_unit_test(test_no_answer),
	};
	return cmocka_run_group_tests(tests, setup, sim_loopback_teardown);
}
