/* main — the `warroom` binary: git-style dispatch over the COMMANDS table.
 * Commands do their own option parsing; this file only routes and helps. */
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "warroom/cli.h"
#include "warroom/util.h"

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *args;
	const char *help;
};

#define CLI_ROW(name, fn, args, help) {name, fn, args, help},
static const struct command commands[] = {COMMANDS(CLI_ROW)};
#undef CLI_ROW

static const struct command *command_find(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

/* The closest command name within two edits, for "did you mean". */
static const char *command_nearest(const char *name)
{
	const char *best = NULL;
	size_t best_d = 3;
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
		size_t d = util_edit_distance(name, commands[i].name, best_d);
		if (d < best_d) {
			best_d = d;
			best = commands[i].name;
		}
	}
	return best;
}

static void usage(FILE *out)
{
	fprintf(out, "usage: warroom [--version] [--help] COMMAND [ARGS]\n\ncommands:\n");
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].help);
	fprintf(out, "\n'warroom help COMMAND' shows a command's arguments.\n"
		     "exit codes: 0 ok, 1 problems found or failed, 2 usage, 3 waiting for a person\n");
}

int cli_usage(const char *name)
{
	const struct command *c = command_find(name);
	if (c)
		fprintf(stderr, "usage: warroom %s %s\n", c->name, c->args);
	return EXIT_USAGE;
}

int cli_usage_error(const char *name, const char *what, const char *arg)
{
	fprintf(stderr, "warroom %s: %s%s%s\n", name, what, arg ? " " : "", arg ? arg : "");
	return cli_usage(name);
}

static int help(const char *name)
{
	const struct command *c = command_find(name);
	if (!c) {
		fprintf(stderr, "warroom: no such command '%s'\n", name);
		return EXIT_USAGE;
	}
	printf("usage: warroom %s %s\n\n%s\n", c->name, c->args, c->help);
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	setlocale(LC_ALL, "");
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	const char *name = argv[1];
	if (!strcmp(name, "--help") || !strcmp(name, "-h")) {
		usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(name, "--version")) {
		printf("warroom %s\n", WARROOM_VERSION);
		return EXIT_OK;
	}
	if (!strcmp(name, "help")) {
		if (argc < 3) {
			usage(stdout);
			return EXIT_OK;
		}
		return help(argv[2]);
	}
	const struct command *c = command_find(name);
	if (!c) {
		const char *near = command_nearest(name);
		if (near)
			fprintf(stderr, "warroom: '%s' is not a command; did you mean '%s'?\n", name, near);
		else
			fprintf(stderr, "warroom: '%s' is not a command; see 'warroom --help'\n", name);
		return EXIT_USAGE;
	}
	/* Every command answers --help the same way, before its own parsing. */
	if (argc == 3 && (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h")))
		return help(name);
	return c->fn(argc - 1, argv + 1);
}

int cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("warroom %s\n", WARROOM_VERSION);
	return EXIT_OK;
}
