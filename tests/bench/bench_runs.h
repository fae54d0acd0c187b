/* bench_runs — the driver shared by the loader benchmark's two programs:
 * run one load RUNS times over a file, print "WALL-SECONDS CPU-SECONDS" per
 * run, then "maxrss KB", so bench_loader.sh compares like with like. */
#ifndef WARROOM_BENCH_RUNS_H
#define WARROOM_BENCH_RUNS_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "warroom/util.h"

/* User and system time: on a shared machine, steadier than the wall clock. */
static inline int64_t bench_cpu_us(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (int64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000 + ru.ru_utime.tv_usec +
	       ru.ru_stime.tv_usec;
}

/* argv: NAME PATH RUNS. one() loads path once; nonzero stops with status 1. */
static inline int bench_runs(int argc, char **argv, int (*one)(const char *path))
{
	if (argc != 3 || atoi(argv[2]) < 1) {
		fprintf(stderr, "usage: %s FILE RUNS\n", argv[0]);
		return 2;
	}
	for (int i = 0, runs = atoi(argv[2]); i < runs; i++) {
		int64_t t0 = util_mono_us(), c0 = bench_cpu_us();
		if (one(argv[1]) != 0)
			return 1;
		printf("%.6f %.6f\n", (double)(util_mono_us() - t0) / 1e6,
		       (double)(bench_cpu_us() - c0) / 1e6);
	}
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	printf("maxrss %ld\n", ru.ru_maxrss);
	return 0;
}

#endif
