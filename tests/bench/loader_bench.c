/* loader_bench — times warroom's whole load of a plan: read, parse into the
 * node tree, walk the schema tables into the typed model, cross-check,
 * hash. Prints one line per run, "WALL-SECONDS CPU-SECONDS", then "maxrss KB". */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "warroom/plan.h"
#include "warroom/util.h"

/* User and system time: on a shared machine, steadier than the wall clock. */
static int64_t cpu_us(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (int64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000 + ru.ru_utime.tv_usec +
	       ru.ru_stime.tv_usec;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: loader_bench PLAN-FILE|PROGRAM-DIR RUNS\n");
		return 2;
	}
	int runs = atoi(argv[2]);
	for (int i = 0; i < runs; i++) {
		int64_t t0 = util_mono_us(), c0 = cpu_us();
		struct diags d = {0};
		struct program *p = program_load(argv[1], &d);
		if (!p || d.errors) {
			diags_print(&d, stderr);
			return 1;
		}
		program_free(p);
		diags_free(&d);
		printf("%.6f %.6f\n", (double)(util_mono_us() - t0) / 1e6,
		       (double)(cpu_us() - c0) / 1e6);
	}
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	printf("maxrss %ld\n", ru.ru_maxrss);
	return 0;
}
