/* validate — `warroom validate PATH...`: loads each program folder or lone
 * plan file and reports every problem at once, the way a compiler does, so a
 * plan is fixed in one pass before anyone runs it. */
#include <stdio.h>
#include <string.h>

#include "warroom/cli.h"
#include "warroom/plan.h"

static size_t count_steps(const struct plan *pl)
{
	size_t n = 0;
	for (size_t i = 0; i < pl->n_phases; i++)
		n += pl->phases[i].n_steps;
	return n;
}

static int validate_one(const char *path)
{
	struct diags d = {0};
	struct program *p = program_load(path, &d);
	diags_print(&d, stderr);
	if (p)
		printf("%s: ok: %zu phases, %zu steps, %zu accounts, %zu roles; plan sha256 %s\n",
		       path, p->plan->n_phases, count_steps(p->plan), p->n_accounts,
		       p->roster.n_roles, p->plan_hash);
	int rc = p && d.errors == 0 ? EXIT_OK : EXIT_FAIL;
	program_free(p);
	diags_free(&d);
	return rc;
}

int cmd_validate(int argc, char **argv)
{
	if (argc < 2)
		return cli_usage("validate");
	for (int i = 1; i < argc; i++)
		if (argv[i][0] == '-' && strcmp(argv[i], "-") != 0) {
			fprintf(stderr, "warroom validate: unknown option '%s'\n", argv[i]);
			return cli_usage("validate");
		}
	int rc = EXIT_OK;
	for (int i = 1; i < argc; i++)
		if (validate_one(argv[i]) != EXIT_OK)
			rc = EXIT_FAIL;
	return rc;
}
