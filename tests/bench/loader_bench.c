/* loader_bench — times warroom's whole load of a plan: read, parse into the
 * node tree, walk the schema tables into the typed model, cross-check,
 * hash. Prints one line per run, "WALL-SECONDS CPU-SECONDS", then
 * "maxrss KB". The path may be a plan file or a program folder. */
#include <stdio.h>

#include "bench_runs.h"
#include "warroom/plan.h"

static int one(const char *path)
{
	struct diags d = {0};
	struct program *p = program_load(path, &d);
	int rc = p && !d.errors ? 0 : -1;
	if (rc)
		diags_print(&d, stderr);
	program_free(p);
	diags_free(&d);
	return rc;
}

int main(int argc, char **argv)
{
	return bench_runs(argc, argv, one);
}
