/* `warroom audit` — verify, read, export and annotate the audit log from a
 * shell. Reading never needs write access, so an observer's account can
 * verify and follow the log; `append` records an operator's note. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "warroom/audit.h"
#include "warroom/cli.h"
#include "warroom/util.h"

#define FOLLOW_POLL_MS 200

/* Options every subcommand understands; each uses the ones it needs. */
struct audit_opts {
	const char *db, *program, *output, *action, *account, *subject, *detail, *role,
		*plan_hash;
	enum audit_format format;
	int format_given;
	long count;
	int follow;
};

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "warroom audit: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	return cli_usage("audit");
}

static int parse_opts(int argc, char **argv, struct audit_opts *o)
{
	static const struct option longopts[] = {
		{"db", required_argument, NULL, 'd'},
		{"format", required_argument, NULL, 'F'},
		{"output", required_argument, NULL, 'o'},
		{"lines", required_argument, NULL, 'n'},
		{"follow", no_argument, NULL, 'f'},
		{"action", required_argument, NULL, 'a'},
		{"account", required_argument, NULL, 'A'},
		{"subject", required_argument, NULL, 's'},
		{"detail", required_argument, NULL, 'D'},
		{"role", required_argument, NULL, 'r'},
		{"plan-hash", required_argument, NULL, 'H'},
		{NULL, 0, NULL, 0},
	};
	opterr = 0;
	optind = 0; /* GNU: a full reset, as argv is not the program's */
	int c;
	while ((c = getopt_long(argc, argv, ":d:F:o:n:f", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': o->db = optarg; break;
		case 'o': o->output = optarg; break;
		case 'f': o->follow = 1; break;
		case 'a': o->action = optarg; break;
		case 'A': o->account = optarg; break;
		case 's': o->subject = optarg; break;
		case 'D': o->detail = optarg; break;
		case 'r': o->role = optarg; break;
		case 'H': o->plan_hash = optarg; break;
		case 'F':
			if (audit_format_parse(optarg, &o->format) < 0)
				return usage_error("unknown format '%s' (text, jsonl or csv)", optarg);
			o->format_given = 1;
			break;
		case 'n': {
			char *end = NULL;
			errno = 0;
			o->count = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || o->count < 1 || o->count > 100000000)
				return usage_error("-n wants a count from 1, got '%s'", optarg);
			break;
		}
		case ':':
			return usage_error("%s needs a value", argv[optind - 1]);
		default:
			return usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		o->program = argv[optind++];
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	return 0;
}

/* "warroom audit verify my.db" is a natural slip: PROGRAM names a program
 * folder or plan, so say how to name the database itself. */
static int looks_like_database(const char *path)
{
	static const char magic[16] = "SQLite format 3";
	char head[16];
	FILE *f = fopen(path, "rb");
	if (!f)
		return 0;
	int yes = fread(head, 1, sizeof(head), f) == sizeof(head) &&
		  memcmp(head, magic, sizeof(magic)) == 0;
	fclose(f);
	return yes;
}

static struct store *open_log(const struct audit_opts *o, enum store_mode mode)
{
	char *path = store_default_path(o->db, o->program);
	struct err e = {{0}};
	struct store *s = store_open(path, mode, &e);
	if (!s) {
		fprintf(stderr, "warroom audit: %s\n", e.msg);
		if (!o->db && o->program && looks_like_database(o->program))
			fprintf(stderr, "warroom audit: %s is a database; name it with --db %s\n",
				o->program, o->program);
	}
	free(path);
	return s;
}

static int audit_verify_cmd(const struct audit_opts *o)
{
	struct store *s = open_log(o, STORE_READONLY);
	if (!s)
		return EXIT_FAIL;
	struct audit_verdict v;
	struct err e = {{0}};
	int rc = audit_verify(s, &v, &e);
	const char *path = store_path(s);
	if (rc < 0) {
		fprintf(stderr, "warroom audit: %s\n", e.msg);
	} else if (v.broken_seq) {
		fprintf(stderr, "%s: audit log broken at record %lld: %s\n", path,
			(long long)v.broken_seq, v.why);
		rc = -1;
	} else {
		printf("%s: audit log intact: %lld records, head %s\n", path, (long long)v.records,
		       v.head);
	}
	store_close(s);
	return rc < 0 ? EXIT_FAIL : EXIT_OK;
}

static volatile sig_atomic_t stop_following;

static void on_stop(int sig)
{
	(void)sig;
	stop_following = 1;
}

struct print_ctx {
	enum audit_format fmt;
	int64_t last;
};

static int print_one(const struct audit_record *r, void *ctx)
{
	struct print_ctx *p = ctx;
	audit_write_record(stdout, p->fmt, r);
	p->last = r->seq;
	return 0;
}

/* Polls data_version, cheap enough to run five times a second, and reads
 * only what arrived after the last record printed. */
static int follow(struct store *s, struct print_ctx *p)
{
	struct sigaction sa = {0};
	sa.sa_handler = on_stop;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	int64_t seen = store_data_version(s);
	struct err e = {{0}};
	while (!stop_following) {
		struct timespec ts = {0, FOLLOW_POLL_MS * 1000000L};
		nanosleep(&ts, NULL);
		int64_t dv = store_data_version(s);
		if (dv < 0) {
			fprintf(stderr, "warroom audit: %s: lost the database\n", store_path(s));
			return EXIT_FAIL;
		}
		if (dv == seen)
			continue;
		seen = dv;
		if (audit_scan(s, p->last, 0, print_one, p, &e) < 0) {
			fprintf(stderr, "warroom audit: %s\n", e.msg);
			return EXIT_FAIL;
		}
		fflush(stdout);
	}
	return EXIT_OK;
}

static int audit_tail_cmd(const struct audit_opts *o)
{
	struct store *s = open_log(o, STORE_READONLY);
	if (!s)
		return EXIT_FAIL;
	struct err e = {{0}};
	struct print_ctx p = {o->format_given ? o->format : AUDIT_TEXT, 0};
	int64_t head = audit_head(s, &e);
	int rc = EXIT_FAIL;
	if (head >= 0) {
		long n = o->count ? o->count : 20;
		int64_t after = head > n ? head - n : 0;
		audit_write_header(stdout, p.fmt);
		p.last = after;
		if (audit_scan(s, after, 0, print_one, &p, &e) >= 0)
			rc = EXIT_OK;
	}
	if (rc != EXIT_OK)
		fprintf(stderr, "warroom audit: %s\n", e.msg);
	fflush(stdout);
	if (rc == EXIT_OK && o->follow) {
		if (store_is_snapshot(s))
			fprintf(stderr, "warroom audit: %s: cannot follow: the database's shared "
					"index is not readable here, so new records are not seen\n",
				store_path(s));
		else
			rc = follow(s, &p);
	}
	store_close(s);
	return rc;
}

/* Written beside the target and renamed, so a reader never sees half. */
static int audit_export_cmd(const struct audit_opts *o)
{
	if (!o->format_given || o->format == AUDIT_TEXT)
		return usage_error("export needs --format %s", "jsonl|csv");
	struct store *s = open_log(o, STORE_READONLY);
	if (!s)
		return EXIT_FAIL;
	struct err e = {{0}};
	FILE *out = stdout;
	char *tmp = NULL;
	if (o->output && strcmp(o->output, "-") != 0) {
		tmp = xasprintf("%s.tmp.%ld", o->output, (long)getpid());
		out = fopen(tmp, "w");
		if (!out) {
			fprintf(stderr, "warroom audit: %s: %s\n", tmp, strerror(errno));
			free(tmp);
			store_close(s);
			return EXIT_FAIL;
		}
	}
	int rc = audit_export(s, out, o->format, 0, &e);
	if (tmp) {
		if (fclose(out) != 0 && rc == 0)
			rc = err_set(&e, "%s: %s", tmp, strerror(errno));
		if (rc == 0 && rename(tmp, o->output) != 0)
			rc = err_set(&e, "%s: %s", o->output, strerror(errno));
		if (rc != 0)
			unlink(tmp);
		free(tmp);
	}
	if (rc < 0)
		fprintf(stderr, "warroom audit: %s\n", e.msg);
	store_close(s);
	return rc < 0 ? EXIT_FAIL : EXIT_OK;
}

static int audit_append_cmd(const struct audit_opts *o)
{
	if (!o->action || !*o->action)
		return usage_error("append needs --action %s", "NAME");
	cJSON *detail = NULL;
	if (o->detail) {
		detail = cJSON_Parse(o->detail);
		if (!detail)
			return usage_error("--detail is not JSON: %s", o->detail);
	}
	struct store *s = open_log(o, STORE_READWRITE);
	if (!s) {
		cJSON_Delete(detail);
		return EXIT_FAIL;
	}
	struct audit_entry en = {
		.action = o->action, .role = o->role ? o->role : "cli", .account = o->account,
		.subject = o->subject, .detail = detail, .plan_hash = o->plan_hash,
	};
	struct err e = {{0}};
	int64_t seq = 0;
	int rc = audit_append(s, &en, &seq, &e);
	if (rc < 0)
		fprintf(stderr, "warroom audit: %s\n", e.msg);
	else
		printf("recorded %lld\n", (long long)seq);
	cJSON_Delete(detail);
	store_close(s);
	return rc < 0 ? EXIT_FAIL : EXIT_OK;
}

static const struct {
	const char *name;
	int (*fn)(const struct audit_opts *o);
} subcommands[] = {
	{"verify", audit_verify_cmd},
	{"tail", audit_tail_cmd},
	{"export", audit_export_cmd},
	{"append", audit_append_cmd},
};

int cmd_audit(int argc, char **argv)
{
	if (argc < 2)
		return usage_error("%s", "which one: verify, tail, export or append?");
	for (size_t i = 0; i < ARRAY_SIZE(subcommands); i++) {
		if (strcmp(argv[1], subcommands[i].name) != 0)
			continue;
		struct audit_opts o = {0};
		if (parse_opts(argc - 1, argv + 1, &o) != 0)
			return EXIT_USAGE;
		return subcommands[i].fn(&o);
	}
	return usage_error("no subcommand '%s' (verify, tail, export, append)", argv[1]);
}
