/* `warroom integrations` — integration health per account, read from the
 * target: healthy/total and each unhealthy integration with its reason,
 * kept as a sample and an audit record before anything is printed, so what
 * an operator reads is already on disk. Exit 1 unless every account read is
 * fully healthy. Also meant as a plan step: run from an exec step, it takes
 * the program (and database) from the runner's WARROOM_PROGRAM and WARROOM_DB. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "warroom/cli.h"
#include "warroom/integ.h"
#include "warroom/plan.h"
#include "warroom/targetapi.h"
#include "warroom/units.h"

struct integ_opts {
	const char *program, *account, *wave, *db;
	int json;
	int64_t timeout_ms;
};

static int parse_opts(int argc, char **argv, struct integ_opts *o)
{
	static const struct option longopts[] = {
		{"account", required_argument, NULL, 'a'}, {"wave", required_argument, NULL, 'w'},
		{"db", required_argument, NULL, 'd'},      {"json", no_argument, NULL, 'j'},
		{"timeout", required_argument, NULL, 't'}, {NULL, 0, NULL, 0},
	};
	opterr = 0;
	optind = 0;
	int c;
	while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		switch (c) {
		case 'a': o->account = optarg; break;
		case 'w': o->wave = optarg; break;
		case 'd': o->db = optarg; break;
		case 'j': o->json = 1; break;
		case 't':
			if (units_parse_duration_ms(optarg, &o->timeout_ms) < 0 || o->timeout_ms <= 0)
				return cli_usage_error("integrations", "--timeout is a duration such as 10s or 1m, not", optarg);
			break;
		case ':': return cli_usage_error("integrations", "a value is missing after", argv[optind - 1]);
		default: return cli_usage_error("integrations", "unknown option", argv[optind - 1]);
		}
	}
	if (optind < argc)
		o->program = argv[optind++];
	if (!o->program) /* a plan step: the runner names the program it runs */
		o->program = getenv("WARROOM_PROGRAM");
	if (!o->program || !*o->program)
		return cli_usage_error("integrations", "which program?", NULL);
	if (optind < argc)
		return cli_usage_error("integrations", "unexpected argument", argv[optind]);
	if (o->account && o->wave)
		return cli_usage_error("integrations", "--account and --wave exclude each other", NULL);
	return 0;
}

static void print_item(const struct integ_item *it)
{
	printf("  %-8s %s", integ_status_name(it->status), it->id);
	if (it->name[0])
		printf(" %s", it->name);
	if (it->type[0])
		printf(" (%s)", it->type);
	printf(": %s", it->reason ? it->reason : "");
	if (it->deliveries)
		printf(" [%lld of %lld deliveries failed]", (long long)it->failures,
		       (long long)it->deliveries);
	if (it->last_event_ms >= 0) {
		char ts[40];
		util_iso8601(it->last_event_ms, ts, sizeof(ts));
		printf(" [last event %s]", ts);
	} else {
		printf(" [no event ever]");
	}
	printf("\n");
}

static void print_account(const char *id, const struct integ_report *r)
{
	enum integ_verdict v = integ_verdict_of((int64_t)r->healthy, (int64_t)r->n);
	printf("%-14s %-5s %zu/%zu healthy\n", id, integ_verdict_word(v), r->healthy, r->n);
	for (size_t i = 0; i < r->n; i++)
		if (r->items[i].status != INTEG_HEALTHY)
			print_item(&r->items[i]);
}

/* One account: read, record, then print. 0 fully healthy, 1 not, -1 with e
 * when it could not be read or recorded (the failure is recorded too). */
static int one_account(struct store *st, const struct program *p, const struct account *a,
		       const struct integ_opts *o, cJSON *all, struct err *e)
{
	struct integ_report r;
	if (integ_check_account(a, o->timeout_ms, &r, e)) {
		struct err rec = {{0}};
		if (integ_record(st, a->id, NULL, e->msg, p->plan_hash, &rec))
			err_wrap(e, "%s; and %s", a->id, rec.msg);
		else
			err_wrap(e, "account %s", a->id);
		if (all) {
			cJSON *j = cJSON_CreateObject();
			cJSON_AddStringToObject(j, "account", a->id);
			cJSON_AddStringToObject(j, "error", e->msg);
			cJSON_AddItemToArray(all, j);
		}
		return -1;
	}
	int rc = integ_record(st, a->id, &r, NULL, p->plan_hash, e);
	if (!rc && all) {
		cJSON *j = integ_report_json(&r, 0);
		cJSON_AddStringToObject(j, "account", a->id);
		cJSON_AddItemToArray(all, j);
	} else if (!rc) {
		print_account(a->id, &r);
	}
	if (!rc)
		rc = r.healthy < r.n;
	integ_report_free(&r);
	return rc;
}

int cmd_integrations(int argc, char **argv)
{
	struct integ_opts o = {0};
	if (parse_opts(argc, argv, &o))
		return EXIT_USAGE;
	struct err e = {{0}};
	struct targetapi_cmd c;
	int status = EXIT_OK;
	if (targetapi_cmd_open(&c, o.program, o.db, o.account, o.wave, 1, &e)) {
		fprintf(stderr, "warroom integrations: %s\n", e.msg);
		targetapi_cmd_close(&c);
		return EXIT_FAIL;
	}
	if (!c.n_accounts) {
		fprintf(stderr, "warroom integrations: no accounts to check\n");
		targetapi_cmd_close(&c);
		return EXIT_FAIL;
	}
	cJSON *all = o.json ? cJSON_CreateArray() : NULL;
	size_t unhealthy = 0, unread = 0;
	for (size_t i = 0; i < c.n_accounts; i++) {
		int rc = one_account(c.store, c.program, c.accounts[i], &o, all, &e);
		if (rc < 0) {
			fprintf(stderr, "warroom integrations: %s\n", e.msg);
			e.msg[0] = 0;
			unread++;
		}
		unhealthy += rc > 0;
	}
	if (all) {
		char *text = cJSON_Print(all);
		printf("%s\n", text);
		free(text);
		cJSON_Delete(all);
	} else {
		printf("%zu accounts: %zu fully healthy, %zu with unhealthy integrations, %zu not read\n",
		       c.n_accounts, c.n_accounts - unhealthy - unread, unhealthy, unread);
	}
	if (unhealthy || unread)
		status = EXIT_FAIL;
	targetapi_cmd_close(&c);
	return status;
}
