/* cmd_sim — `warroom sim`: parses the options, starts the simulator, prints
 * its URL alone on the first line of stdout (tests read it) and serves until
 * SIGINT or SIGTERM, then stops cleanly. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "warroom/cli.h"
#include "warroom/sim.h"
#include "warroom/units.h"

struct sim_args {
	struct sim_options o;
	char host[64];
};

typedef int (*opt_parse_fn)(const char *value, struct sim_args *a, void *field);

static int parse_uint(const char *v, struct sim_args *a, void *field)
{
	(void)a;
	char *end;
	errno = 0;
	unsigned long n = strtoul(v, &end, 10);
	if (!*v || *end || *v == '-' || errno || n > UINT_MAX)
		return -1;
	*(unsigned *)field = (unsigned)n;
	return 0;
}

static int parse_u64(const char *v, struct sim_args *a, void *field)
{
	(void)a;
	char *end;
	errno = 0;
	unsigned long long n = strtoull(v, &end, 10);
	if (!*v || *end || *v == '-' || errno)
		return -1;
	*(uint64_t *)field = n;
	return 0;
}

static int parse_ms(const char *v, struct sim_args *a, void *field)
{
	unsigned n;
	if (parse_uint(v, a, &n) < 0 || n > 3600000)
		return -1;
	*(int64_t *)field = n;
	return 0;
}

/* "0.2" or "20%". */
static int parse_rate(const char *v, struct sim_args *a, void *field)
{
	(void)a;
	double f;
	if (units_parse_percent(v, 1, &f) < 0 || f < 0 || f > 1)
		return -1;
	*(double *)field = f;
	return 0;
}

/* Seconds as a number ("30") or a duration ("30s", "2m"). */
static int parse_secs(const char *v, struct sim_args *a, void *field)
{
	(void)a;
	double s;
	int64_t ms;
	if (units_parse_number(v, &s) == 0 && s >= 0)
		*(double *)field = s;
	else if (units_parse_duration_ms(v, &ms) == 0)
		*(double *)field = (double)ms / 1000.0;
	else
		return -1;
	return 0;
}

static int parse_per_s(const char *v, struct sim_args *a, void *field)
{
	(void)a;
	return sim_faults_parse_rate(v, field);
}

static int parse_flag(const char *v, struct sim_args *a, void *field)
{
	(void)v, (void)a;
	*(int *)field = 1;
	return 0;
}

static int parse_paths(const char *v, struct sim_args *a, void *field)
{
	(void)field;
	if (*v != '/' || strlen(v) >= sizeof(a->o.faults.paths))
		return -1;
	strcpy(a->o.faults.paths, v);
	return 0;
}

/* HOST:PORT, HOST an IPv4 address. */
static int parse_listen(const char *v, struct sim_args *a, void *field)
{
	(void)field;
	const char *colon = strrchr(v, ':');
	unsigned port;
	if (!colon || colon == v || (size_t)(colon - v) >= sizeof(a->host) ||
	    parse_uint(colon + 1, a, &port) < 0 || port > 65535)
		return -1;
	memcpy(a->host, v, (size_t)(colon - v));
	a->host[colon - v] = '\0';
	a->o.port = (int)port;
	return 0;
}

#define OFF(member) offsetof(struct sim_args, member)
static const struct option_row {
	const char *name;
	int takes_value;
	opt_parse_fn parse;
	size_t offset;
	const char *expects;
} options[] = {
	{"--listen", 1, parse_listen, 0, "HOST:PORT, e.g. 127.0.0.1:8089 (port 0 picks a free one)"},
	{"--seed", 1, parse_u64, OFF(o.seed), "a whole number"},
	{"--accounts", 1, parse_uint, OFF(o.accounts), "a whole number of accounts"},
	{"--entities", 1, parse_uint, OFF(o.entities), "entities per account"},
	{"--backfill-ms", 1, parse_ms, OFF(o.backfill_ms), "milliseconds, at most 3600000"},
	{"--latency-ms", 1, parse_ms, OFF(o.faults.latency_ms), "milliseconds, at most 3600000"},
	{"--error-rate", 1, parse_rate, OFF(o.faults.error_rate), "a fraction (0.2) or a percentage (20%)"},
	{"--timeout-rate", 1, parse_rate, OFF(o.faults.timeout_rate), "a fraction (0.2) or a percentage (20%)"},
	{"--malformed-rate", 1, parse_rate, OFF(o.faults.malformed_rate), "a fraction (0.2) or a percentage (20%)"},
	{"--read-only", 0, parse_flag, OFF(o.faults.read_only), ""},
	{"--rate-limit", 1, parse_per_s, OFF(o.faults.rate_limit_per_s), "requests per second, e.g. 10/s"},
	{"--outage-after", 1, parse_secs, OFF(o.faults.outage_after_s), "seconds, e.g. 30 or 30s"},
	{"--outage-for", 1, parse_secs, OFF(o.faults.outage_for_s), "seconds, e.g. 30 or 30s"},
	{"--fault-paths", 1, parse_paths, 0, "a path prefix starting with '/'"},
};

static int parse_args(int argc, char **argv, struct sim_args *a)
{
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		if (!strcmp(arg, "--help") || !strcmp(arg, "-h"))
			return 1;
		const char *eq = strchr(arg, '=');
		size_t nlen = eq ? (size_t)(eq - arg) : strlen(arg);
		const struct option_row *row = NULL;
		for (size_t k = 0; k < ARRAY_SIZE(options) && !row; k++)
			if (strlen(options[k].name) == nlen && !strncmp(options[k].name, arg, nlen))
				row = &options[k];
		if (!row) {
			fprintf(stderr, "warroom sim: unknown option '%s'\n", arg);
			return -1;
		}
		const char *value = eq ? eq + 1 : NULL;
		if (row->takes_value && !value) {
			if (i + 1 >= argc) {
				fprintf(stderr, "warroom sim: %s needs a value: %s\n", row->name, row->expects);
				return -1;
			}
			value = argv[++i];
		} else if (!row->takes_value && value) {
			fprintf(stderr, "warroom sim: %s takes no value\n", row->name);
			return -1;
		}
		if (row->parse(value ? value : "", a, (char *)a + row->offset) < 0) {
			fprintf(stderr, "warroom sim: %s: '%s' is not %s\n", row->name, value, row->expects);
			return -1;
		}
	}
	return 0;
}

int cmd_sim(int argc, char **argv)
{
	struct sim_args a = {
		.o = {.port = 8089, .seed = 1, .accounts = 100, .backfill_ms = 3000},
		.host = "127.0.0.1",
	};
	int pr = parse_args(argc, argv, &a);
	if (pr != 0) {
		cli_usage("sim");
		if (pr > 0)
			fprintf(stderr, "options: --listen --seed --accounts --entities --backfill-ms; faults: "
					"--latency-ms --error-rate --timeout-rate --malformed-rate --read-only "
					"--rate-limit --outage-after --outage-for --fault-paths\n");
		return pr > 0 ? EXIT_OK : EXIT_USAGE;
	}
	a.o.host = a.host;

	/* Threads started below inherit the mask, so only sigwait sees these. */
	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	signal(SIGPIPE, SIG_IGN);

	struct err e = {{0}};
	struct sim *s = sim_start(&a.o, &e);
	if (!s) {
		fprintf(stderr, "warroom sim: %s\n", e.msg);
		return EXIT_FAIL;
	}
	printf("http://%s:%d\n", a.host, sim_port(s));
	fflush(stdout);
	fprintf(stderr, "warroom sim: serving %u accounts (seed %llu) on http://%s:%d; Ctrl-C stops\n",
		a.o.accounts, (unsigned long long)a.o.seed, a.host, sim_port(s));
	int sig = 0;
	while (sigwait(&stop, &sig) != 0)
		;
	fprintf(stderr, "warroom sim: %s, stopping\n", sig == SIGINT ? "interrupted" : "terminated");
	sim_stop(s);
	return EXIT_OK;
}
