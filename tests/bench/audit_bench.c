/* audit_bench — times the audit log's real paths on a real file: appending
 * records durably one by one or in batches, and verifying the whole chain.
 * Prints "RECORDS SECONDS" on one line; bench_audit.sh turns it into rates. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "warroom/audit.h"
#include "warroom/store.h"
#include "warroom/util.h"

static void usage(void)
{
	fprintf(stderr, "usage: audit_bench append DB RECORDS PER-TRANSACTION\n"
			"       audit_bench verify DB\n");
	exit(2);
}

static long count_arg(const char *s, const char *what)
{
	char *end = NULL;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 1) {
		fprintf(stderr, "audit_bench: %s wants a count from 1, got '%s'\n", what, s);
		exit(2);
	}
	return v;
}

/* What a step's HTTP call typically leaves in the log. */
static cJSON *sample_detail(long i)
{
	cJSON *d = cJSON_CreateObject();
	cJSON_AddNumberToObject(d, "attempt", (double)(i % 3 + 1));
	cJSON_AddStringToObject(d, "method", "POST");
	cJSON_AddStringToObject(d, "endpoint", "/api/v1/services");
	cJSON_AddNumberToObject(d, "status", 201);
	cJSON_AddNumberToObject(d, "elapsed_ms", (double)(i % 250));
	return d;
}

static int bench_append(struct store *s, long n, long batch)
{
	struct err e = {{0}};
	char account[32];
	int64_t t0 = util_mono_us();
	for (long i = 0; i < n;) {
		long end = i + batch < n ? i + batch : n;
		if (batch > 1 && store_begin(s, &e) < 0)
			goto fail;
		for (; i < end; i++) {
			snprintf(account, sizeof(account), "acct-%03ld", i % 500);
			cJSON *detail = sample_detail(i);
			struct audit_entry en = {
				.action = "http.request", .role = "operator", .account = account,
				.subject = "s1", .detail = detail, .plan_hash = "bench-plan",
			};
			int rc = audit_append(s, &en, NULL, &e);
			cJSON_Delete(detail);
			if (rc < 0)
				goto fail;
		}
		if (batch > 1 && store_commit(s, &e) < 0)
			goto fail;
	}
	printf("%ld %.6f\n", n, (double)(util_mono_us() - t0) / 1e6);
	return 0;
fail:
	store_rollback(s);
	fprintf(stderr, "audit_bench: %s\n", e.msg);
	return 1;
}

static int bench_verify(struct store *s)
{
	struct err e = {{0}};
	struct audit_verdict v;
	int64_t t0 = util_mono_us();
	if (audit_verify(s, &v, &e) < 0) {
		fprintf(stderr, "audit_bench: %s\n", e.msg);
		return 1;
	}
	double secs = (double)(util_mono_us() - t0) / 1e6;
	if (v.broken_seq) {
		fprintf(stderr, "audit_bench: chain broken at %lld: %s\n", (long long)v.broken_seq,
			v.why);
		return 1;
	}
	printf("%lld %.6f\n", (long long)v.records, secs);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 3)
		usage();
	int append = strcmp(argv[1], "append") == 0;
	if (append ? argc != 5 : (strcmp(argv[1], "verify") != 0 || argc != 3))
		usage();
	struct err e = {{0}};
	struct store *s = store_open(argv[2], append ? STORE_READWRITE : STORE_READONLY, &e);
	if (!s) {
		fprintf(stderr, "audit_bench: %s\n", e.msg);
		return 1;
	}
	int rc = append ? bench_append(s, count_arg(argv[3], "RECORDS"),
				       count_arg(argv[4], "PER-TRANSACTION"))
			: bench_verify(s);
	store_close(s);
	return rc;
}
