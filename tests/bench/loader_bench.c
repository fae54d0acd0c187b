/* loader_bench — times warroom's whole load of a plan: read, parse into the
 * node tree, walk the schema tables into the typed model, cross-check,
 * hash. Prints one line per run, "SECONDS", then "maxrss KB". */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "warroom/plan.h"
#include "warroom/util.h"

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: loader_bench PLAN-FILE|PROGRAM-DIR RUNS\n");
		return 2;
	}
	int runs = atoi(argv[2]);
	for (int i = 0; i < runs; i++) {
		int64_t t0 = util_mono_us();
		struct diags d = {0};
		struct program *p = program_load(argv[1], &d);
		if (!p || d.errors) {
			diags_print(&d, stderr);
			return 1;
		}
		program_free(p);
		diags_free(&d);
		printf("%.6f\n", (double)(util_mono_us() - t0) / 1e6);
	}
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	printf("maxrss %ld\n", ru.ru_maxrss);
	return 0;
}
