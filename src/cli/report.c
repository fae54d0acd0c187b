/* `warroom report` — the customer-safe parity report (Markdown, JSON or one
 * self-contained HTML page) on stdout or into a file, and `--evidence -o DIR`,
 * the audit-ready pack: the report in every format, the audit log, the chain
 * check and checksums. Reads the store only; measures nothing itself. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "warroom/cli.h"
#include "warroom/report.h"
#include "warroom/targetapi.h"

struct report_opts {
	const char *program, *account, *db, *output;
	enum report_format format;
	int evidence;
};

static int parse_opts(int argc, char **argv, struct report_opts *o)
{
	static const struct option longopts[] = {
		{"account", required_argument, NULL, 'a'}, {"db", required_argument, NULL, 'd'},
		{"format", required_argument, NULL, 'f'},  {"output", required_argument, NULL, 'o'},
		{"evidence", no_argument, NULL, 'E'},      {NULL, 0, NULL, 0},
	};
	opterr = 0;
	optind = 0;
	o->format = REPORT_MD;
	int c;
	while ((c = getopt_long(argc, argv, ":o:", longopts, NULL)) != -1) {
		switch (c) {
		case 'a': o->account = optarg; break;
		case 'd': o->db = optarg; break;
		case 'o': o->output = optarg; break;
		case 'E': o->evidence = 1; break;
		case 'f':
			if (report_format_parse(optarg, &o->format) < 0)
				return cli_usage_error("report", "--format is md, json or html, not", optarg);
			break;
		case ':': return cli_usage_error("report", "a value is missing after", argv[optind - 1]);
		default: return cli_usage_error("report", "unknown option", argv[optind - 1]);
		}
	}
	if (optind < argc)
		o->program = argv[optind++];
	if (!o->program)
		return cli_usage_error("report", "which program?", NULL);
	if (optind < argc)
		return cli_usage_error("report", "unexpected argument", argv[optind]);
	if (o->evidence && !o->output)
		return cli_usage_error("report", "--evidence needs -o DIR", NULL);
	return 0;
}

static int write_report(struct store *st, const struct program *p, const struct report_opts *o,
			struct err *e)
{
	cJSON *m = report_build(st, p, o->account, e);
	if (!m)
		return -1;
	FILE *out = stdout;
	char *tmp = NULL;
	if (o->output) {
		tmp = xasprintf("%s.tmp", o->output);
		out = fopen(tmp, "w");
		if (!out) {
			err_set(e, "cannot write %s", tmp);
			free(tmp);
			cJSON_Delete(m);
			return -1;
		}
	}
	int rc = report_render(m, o->format, out, e);
	if (out != stdout) {
		if (fclose(out) != 0 && !rc)
			rc = err_set(e, "cannot write %s", tmp);
		if (!rc && rename(tmp, o->output) != 0)
			rc = err_set(e, "cannot move the report to %s", o->output);
		if (rc)
			remove(tmp);
	}
	free(tmp);
	cJSON_Delete(m);
	return rc;
}

int cmd_report(int argc, char **argv)
{
	struct report_opts o = {0};
	if (parse_opts(argc, argv, &o))
		return EXIT_USAGE;
	struct err e = {{0}};
	struct targetapi_cmd c;
	int status = EXIT_OK;
	/* the account is checked by report_build, with the report's words */
	if (targetapi_cmd_open(&c, o.program, o.db, NULL, NULL, 0, &e)) {
		status = EXIT_FAIL;
	} else if (o.evidence) {
		int intact = 0;
		if (report_evidence(c.store, c.program, o.account, o.output, &intact, &e)) {
			status = EXIT_FAIL;
		} else if (!intact) {
			fprintf(stderr, "warroom report: the audit chain is broken; see %s/verify.txt\n", o.output);
			status = EXIT_FAIL;
		} else {
			printf("evidence pack written to %s\n", o.output);
		}
	} else if (write_report(c.store, c.program, &o, &e)) {
		status = EXIT_FAIL;
	}
	if (e.msg[0])
		fprintf(stderr, "warroom report: %s\n", e.msg);
	targetapi_cmd_close(&c);
	return status;
}
