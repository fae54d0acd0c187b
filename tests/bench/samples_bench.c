/* samples_bench — the program pass rate as a console reload reads it: the
 * newest sample of every series through samples_latest (the table), against
 * the query it replaced (distinct series of the history's index, one seek
 * each), kept here alone as the peer. Both answer the same, or it fails.
 * usage: samples_bench fill|fill-bare DB ACCOUNTS SERIES DEPTH
 *        samples_bench read DB table|history RUNS
 *        samples_bench once DB table|history   (one read, for callgrind) */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "warroom/samples.h"
#include "warroom/store.h"
#include "warroom/util.h"

/* The series of an account, as parity, drift, integrations and metrics
 * write them. */
static const struct {
	const char *kind, *name;
} series[] = {
	{SAMPLE_PARITY, SAMPLE_PASS_RATE}, {SAMPLE_PARITY, SAMPLE_DUAL_RUN},
	{SAMPLE_PARITY, "hash/service"},   {SAMPLE_PARITY, "hash/user"},
	{SAMPLE_PARITY, "count/service"},  {SAMPLE_DRIFT, "entities"},
	{SAMPLE_INTEGRATION, SAMPLE_INTEG_HEALTH}, {SAMPLE_METRIC, "error_rate"},
	{SAMPLE_INVARIANT, "mig-1"},
};

static void usage(void)
{
	fprintf(stderr, "usage: samples_bench fill|fill-bare DB ACCOUNTS SERIES DEPTH\n"
			"       samples_bench read DB table|history RUNS\n"
			"       samples_bench once DB table|history\n");
	exit(2);
}

static long count_arg(const char *s, const char *what, long max)
{
	char *end = NULL;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 1 || v > max) {
		fprintf(stderr, "samples_bench: %s wants a count from 1 to %ld, got '%s'\n", what, max, s);
		exit(2);
	}
	return v;
}

static int die(struct store *st, const struct err *e)
{
	if (st)
		store_rollback(st);
	fprintf(stderr, "samples_bench: %s\n", e->msg);
	return 1;
}

/* DEPTH rounds, one sample of every series each, a minute apart, appended
 * through samples_append in large batches: with the triggers that keep
 * samples_latest, or bare (dropped first: the append as it was before them).
 * Not synced: the appends' CPU is measured, not the disk. */
__attribute__((noinline)) static int fill(struct store *st, int bare, long accounts, long nseries,
					  long depth)
{
	struct err e = {{0}};
	if (store_exec(st, "PRAGMA synchronous = OFF", &e) < 0 ||
	    (bare && store_exec(st, "DROP TRIGGER samples_latest_insert", &e) < 0))
		return die(NULL, &e);
	char account[32], name[48];
	int64_t t0 = util_mono_us(), base = 1760000000000;
	long n = 0;
	for (long d = 0; d < depth; d++)
		for (long a = 0; a < accounts; a++)
			for (long k = 0; k < nseries; k++) {
				if (n % 10000 == 0 && store_begin(st, &e) < 0)
					return die(st, &e);
				size_t i = (size_t)k % ARRAY_SIZE(series);
				snprintf(account, sizeof(account), "acct-%05ld", a);
				if (k < (long)ARRAY_SIZE(series))
					snprintf(name, sizeof(name), "%s", series[i].name);
				else
					snprintf(name, sizeof(name), "%s/%ld", series[i].name, k);
				struct sample s = {.account = account, .kind = (char *)series[i].kind,
						   .name = name, .value = (double)((d + a + k) % 100) / 100,
						   .passed = (d + a) % 10, .evaluated = 10,
						   .at_ms = base + d * 60000 + k};
				if (samples_append(st, &s, &e) < 0)
					return die(st, &e);
				if (++n % 10000 == 0 && store_commit(st, &e) < 0)
					return die(NULL, &e);
			}
	if (n % 10000 && store_commit(st, &e) < 0)
		return die(NULL, &e);
	printf("%ld %ld %.3f\n", n, accounts * nseries, (double)(util_mono_us() - t0) / 1e6);
	return 0;
}

/* The peer: how samples_latest_all found the newest rows before the table. */
#define HISTORY_ROWS                                                                    \
	"SELECT s.id, s.account, s.kind, s.name, s.value, s.passed, s.evaluated, s.ts_ms "  \
	"FROM (SELECT DISTINCT account, kind, name FROM samples) g "                        \
	"JOIN samples s ON s.id = (SELECT id FROM samples t WHERE t.account = g.account "   \
	"AND t.kind = g.kind AND t.name = g.name ORDER BY t.ts_ms DESC, t.id DESC LIMIT 1) " \
	"ORDER BY s.account, s.kind, s.name"

static char *text(sqlite3_stmt *q, int i)
{
	const unsigned char *t = sqlite3_column_text(q, i);
	return xstrdup(t ? (const char *)t : "");
}

/* noinline: callgrind collects inside these by name. */
__attribute__((noinline)) int bench_read_history(struct store *st, struct sample_list *l,
						 struct err *e);
__attribute__((noinline)) int bench_read_history(struct store *st, struct sample_list *l,
						 struct err *e)
{
	memset(l, 0, sizeof(*l));
	sqlite3_stmt *q = store_stmt(st, HISTORY_ROWS, e);
	if (!q)
		return -1;
	int rc;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct sample s = {.id = sqlite3_column_int64(q, 0), .account = text(q, 1),
				   .kind = text(q, 2), .name = text(q, 3),
				   .value = sqlite3_column_double(q, 4),
				   .passed = sqlite3_column_int64(q, 5),
				   .evaluated = sqlite3_column_int64(q, 6),
				   .at_ms = sqlite3_column_int64(q, 7)};
		VEC_PUSH(l->items, l->n, l->cap, s);
	}
	sqlite3_reset(q);
	if (rc != SQLITE_DONE) {
		sample_list_free(l);
		return store_error(st, e, "reading the newest samples from the history");
	}
	return 0;
}

__attribute__((noinline)) int bench_read_table(struct store *st, struct sample_list *l,
					       struct err *e);
__attribute__((noinline)) int bench_read_table(struct store *st, struct sample_list *l,
					       struct err *e)
{
	return samples_latest_all(st, NULL, l, e);
}

/* SQLite's virtual machine steps since the last call, over every statement
 * of the connection: a count the machine's load does not change. */
static int64_t vm_steps(struct store *st)
{
	int64_t n = 0;
	for (sqlite3_stmt *q = sqlite3_next_stmt(store_db(st), NULL); q;
	     q = sqlite3_next_stmt(store_db(st), q))
		n += sqlite3_stmt_status(q, SQLITE_STMTSTATUS_VM_STEP, 1);
	return n;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* One line: median ms, VM steps of one read, series read, the pass rate and
 * its evaluated count (the script checks both reads agree). */
static int read_bench(struct store *st, const char *how, long runs)
{
	int (*rd)(struct store *, struct sample_list *, struct err *) =
		!strcmp(how, "table") ? bench_read_table : bench_read_history;
	struct err e = {{0}};
	struct sample_list l;
	if (rd(st, &l, &e) < 0) /* warm: the pages in the cache, the statement prepared */
		return die(NULL, &e);
	sample_list_free(&l);
	double *ms = xcalloc((size_t)runs, sizeof(*ms));
	double rate = 0;
	int64_t evaluated = 0, steps = 0;
	size_t n = 0;
	for (long r = 0; r < runs; r++) {
		vm_steps(st);
		int64_t t0 = util_mono_us();
		if (rd(st, &l, &e) < 0) {
			free(ms);
			return die(NULL, &e);
		}
		sample_list_pass_rate(&l, &rate, NULL, &evaluated);
		ms[r] = (double)(util_mono_us() - t0) / 1e3;
		steps = vm_steps(st);
		n = l.n;
		sample_list_free(&l);
	}
	qsort(ms, (size_t)runs, sizeof(*ms), cmp_double);
	double med = runs % 2 ? ms[runs / 2] : (ms[runs / 2 - 1] + ms[runs / 2]) / 2;
	printf("%.3f %lld %zu %.9f %lld\n", med, (long long)steps, n, rate, (long long)evaluated);
	free(ms);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 4)
		usage();
	const char *mode = argv[1];
	int bare = !strcmp(mode, "fill-bare"), is_fill = bare || !strcmp(mode, "fill");
	if (is_fill ? argc != 6 : (!strcmp(mode, "read") ? argc != 5 : argc != 4))
		usage();
	if (!is_fill && strcmp(argv[3], "table") && strcmp(argv[3], "history"))
		usage();
	if (!is_fill && strcmp(mode, "read") && strcmp(mode, "once"))
		usage();
	struct err e = {{0}};
	struct store *st = store_open(argv[2], is_fill ? STORE_READWRITE : STORE_READONLY, &e);
	if (!st)
		return die(NULL, &e);
	int rc;
	if (is_fill) {
		rc = fill(st, bare, count_arg(argv[3], "ACCOUNTS", 1000000), count_arg(argv[4], "SERIES", 1000),
			  count_arg(argv[5], "DEPTH", 1000000));
	} else if (!strcmp(mode, "read")) {
		rc = read_bench(st, argv[3], count_arg(argv[4], "RUNS", 1000));
	} else {
		struct sample_list l;
		rc = (!strcmp(argv[3], "table") ? bench_read_table : bench_read_history)(st, &l, &e);
		if (rc < 0)
			rc = die(NULL, &e);
		else
			sample_list_free(&l);
	}
	store_close(st);
	return rc;
}
