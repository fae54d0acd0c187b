/* console — `warroom console PROGRAM` (an operator's console) and `warroom
 * observe PROGRAM` (a read-only observer's, e.g. as an sshd ForceCommand):
 * option parsing only; the console itself is tui_run. */
#include <stdio.h>
#include <string.h>

#include "warroom/cli.h"
#include "warroom/tui.h"

/* Options taking a value, as data: the flag and where its value goes. */
struct opt_row {
	const char *flag;
	size_t offset; /* of a const char * in struct tui_opts */
};

static const struct opt_row value_opts[] = {
	{"--db", offsetof(struct tui_opts, db_path)},
	{"--theme", offsetof(struct tui_opts, theme)},
	{"--view", offsetof(struct tui_opts, start_view)},
};

static int parse(const char *name, int argc, char **argv, struct tui_opts *o)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		int done = 0;
		for (size_t k = 0; k < sizeof(value_opts) / sizeof(value_opts[0]); k++) {
			if (strcmp(a, value_opts[k].flag))
				continue;
			if (i + 1 >= argc) {
				fprintf(stderr, "warroom %s: %s needs a value\n", name, a);
				return cli_usage(name);
			}
			*(const char **)((char *)o + value_opts[k].offset) = argv[++i];
			done = 1;
		}
		if (done)
			continue;
		if (!strcmp(a, "--diff")) {
			if (i + 2 >= argc) {
				fprintf(stderr, "warroom %s: --diff needs two JSON files\n", name);
				return cli_usage(name);
			}
			o->diff_left = argv[++i];
			o->diff_right = argv[++i];
		} else if (!strcmp(a, "--bench-exit-after-first-frame")) {
			/* for tests/bench: draw one frame, print its time, leave */
			o->bench_first_frame = 1;
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "warroom %s: unknown option '%s'\n", name, a);
			return cli_usage(name);
		} else if (!o->program_path) {
			o->program_path = a;
		} else {
			fprintf(stderr, "warroom %s: one program at a time ('%s' is extra)\n", name, a);
			return cli_usage(name);
		}
	}
	if (!o->program_path && !o->diff_left) {
		fprintf(stderr, "warroom %s: which program? (a program folder or plan file)\n", name);
		return cli_usage(name);
	}
	return 0;
}

static int console_main(const char *name, int observer, int argc, char **argv)
{
	struct tui_opts o;
	memset(&o, 0, sizeof(o));
	o.observer = observer;
	int rc = parse(name, argc, argv, &o);
	if (rc)
		return rc;
	return tui_run(&o);
}

int cmd_console(int argc, char **argv)
{
	return console_main("console", 0, argc, argv);
}

int cmd_observe(int argc, char **argv)
{
	return console_main("observe", 1, argc, argv);
}
