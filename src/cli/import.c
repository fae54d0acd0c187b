/* import — `warroom import PROGRAM --account ID [--dry-run]`: reads the
 * account's source whole, previews against its tenant on the target what
 * would be created, updated, left unchanged and refused (with the fields the
 * target has no home for), records each item's verdict in the store, and
 * without --dry-run applies it, audited and resumable. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "warroom/cli.h"
#include "warroom/diag.h"
#include "warroom/plan.h"
#include "warroom/source_import.h"
#include "warroom/targetapi.h"

struct import_args {
	const char *program, *account, *db;
	int dry_run, json, verbose;
	long batch, max_rate;
};

static int parse_args(int argc, char **argv, struct import_args *a)
{
	static const struct option opts[] = {
		{"account", required_argument, NULL, 'a'},
		{"dry-run", no_argument, NULL, 'n'},
		{"db", required_argument, NULL, 'd'},
		{"json", no_argument, NULL, 'j'},
		{"verbose", no_argument, NULL, 'v'},
		{"batch", required_argument, NULL, 'b'},
		{"max-rate", required_argument, NULL, 'm'},
		{NULL, 0, NULL, 0},
	};
	int ch;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'a': a->account = optarg; break;
		case 'n': a->dry_run = 1; break;
		case 'd': a->db = optarg; break;
		case 'j': a->json = 1; break;
		case 'v': a->verbose = 1; break;
		case 'b': a->batch = strtol(optarg, NULL, 10); break;
		case 'm': a->max_rate = strtol(optarg, NULL, 10); break;
		default: return -1;
		}
	}
	if (optind + 1 != argc || !a->account || a->batch < 0 || a->batch > 1000 ||
	    a->max_rate < 0 || a->max_rate > 60000)
		return -1;
	a->program = argv[optind];
	return 0;
}

static const struct account *find_account(const struct program *p, const char *id)
{
	for (size_t i = 0; i < p->n_accounts; i++)
		if (util_streq(p->accounts[i].id, id))
			return &p->accounts[i];
	return NULL;
}

/* The target's base URL without a trailing '/': paths are appended to it. */
static char *target_url(const struct account *a, struct err *e)
{
	char *s = targetapi_account_url(a, e);
	size_t n = s ? strlen(s) : 0;
	while (n && s[n - 1] == '/')
		s[--n] = 0;
	return s;
}

static void print_text(const struct import_args *a, const struct source_conn *c,
		       const struct import_options *o, const struct import_report *r)
{
	printf("import %s: %s at %s -> tenant %s at %s%s\n", a->account, source_system_name(c->system),
	       c->base_url, o->tenant, o->target_url, a->dry_run ? " (dry run: nothing is written to the target)" : "");
	if (r->tenant_missing)
		printf("tenant %s does not exist on the target; %s\n", o->tenant,
		       a->dry_run ? "it would be created" : "it was created");
	printf("  %-20s %7s %7s %9s %8s\n", "", "create", "update", "unchanged", "refused");
	for (int t = 0; t < ENTITY_TYPE_COUNT; t++)
		printf("  %-20s %7zu %7zu %9zu %8zu\n", entity_type_plural((enum entity_type)t),
		       r->count[t][IMPORT_CREATE], r->count[t][IMPORT_UPDATE],
		       r->count[t][IMPORT_UNCHANGED], r->count[t][IMPORT_REFUSED]);
	static const char sym[IMPORT_ACTION_COUNT] = {'+', '~', ' ', '!'};
	for (size_t i = 0; i < r->n; i++) {
		const struct import_item *it = &r->items[i];
		if (it->action == IMPORT_UNCHANGED)
			continue;
		printf("%c %s %s", sym[it->action], entity_type_name(it->type), it->id);
		if (it->name)
			printf(" \"%s\"", it->name);
		if (it->action == IMPORT_REFUSED)
			printf(": refused: %s", it->detail ? it->detail : "not importable");
		else if (it->detail)
			printf(": %s", it->detail);
		if (it->change)
			printf("%s%s%s%s%s", it->detail ? "; " : ": ", it->change, it->why ? " (" : "",
			       it->why ? it->why : "", it->why ? ")" : "");
		printf("\n");
	}
	if (r->compat.len)
		printf("schema compatibility (source fields the target cannot hold as they are):\n%s",
		       r->compat.buf);
	if (!a->dry_run)
		printf("applied: %zu requests%s; %zu already applied by an earlier run\n", r->applied,
		       r->applied ? "" : " (nothing to do)", r->resumed);
}

static void print_json(const struct import_args *a, const struct import_options *o,
		       const struct import_report *r)
{
	cJSON *j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "account", a->account);
	cJSON_AddStringToObject(j, "target", o->target_url);
	cJSON_AddBoolToObject(j, "dry_run", a->dry_run);
	cJSON_AddBoolToObject(j, "tenant_missing", r->tenant_missing);
	cJSON *counts = cJSON_AddObjectToObject(j, "counts");
	for (int t = 0; t < ENTITY_TYPE_COUNT; t++) {
		cJSON *c = cJSON_AddObjectToObject(counts, entity_type_plural((enum entity_type)t));
		for (int k = 0; k < IMPORT_ACTION_COUNT; k++)
			cJSON_AddNumberToObject(c, source_import_action_name((enum import_action)k),
						(double)r->count[t][k]);
	}
	cJSON *items = cJSON_AddArrayToObject(j, "items");
	for (size_t i = 0; i < r->n; i++) {
		const struct import_item *it = &r->items[i];
		if (it->action == IMPORT_UNCHANGED)
			continue;
		cJSON *o2 = cJSON_CreateObject();
		cJSON_AddStringToObject(o2, "action", source_import_action_name(it->action));
		cJSON_AddStringToObject(o2, "entity", entity_type_name(it->type));
		cJSON_AddStringToObject(o2, "id", it->id);
		if (it->detail)
			cJSON_AddStringToObject(o2, "detail", it->detail);
		char *reason = source_import_item_reason(it);
		if (reason)
			cJSON_AddStringToObject(o2, "reason", reason);
		free(reason);
		cJSON *changes = source_import_item_changes(it);
		if (changes)
			cJSON_AddItemToObject(o2, "changes", changes);
		cJSON_AddItemToArray(items, o2);
	}
	cJSON *compat = cJSON_AddArrayToObject(j, "compat");
	const char *p = r->compat.buf;
	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char *line = xstrndup(p, len);
		cJSON_AddItemToArray(compat, cJSON_CreateString(line));
		free(line);
		p += len + (nl != NULL);
	}
	cJSON_AddNumberToObject(j, "applied", (double)r->applied);
	cJSON_AddNumberToObject(j, "resumed", (double)r->resumed);
	char *text = cJSON_Print(j);
	printf("%s\n", text);
	free(text);
	cJSON_Delete(j);
}

/* Reads the source whole: nothing is compared or written from half a read. */
static int read_source(const struct account *acct, const struct import_args *a,
		       struct source_account *src, struct source_result *r, struct err *e)
{
	if (source_account_open(acct, src, e) < 0)
		return -1;
	src->conn.verbose = a->verbose;
	src->conn.max_per_min = (int)a->max_rate;
	if (source_fetch_all(&src->conn, r, e) < 0)
		return err_wrap(e, "nothing was imported: the source could not be read whole");
	return 0;
}

static int run(const struct import_args *a, const struct program *p, struct err *e)
{
	const struct account *acct = find_account(p, a->account);
	if (!acct)
		return err_set(e, "no account '%s' in %s", a->account, a->program);
	struct source_account sa = {0};
	char *turl = NULL, *dbpath = NULL;
	struct source_result src = {0};
	struct import_report rep = {0};
	struct store *store = NULL;
	int rc = read_source(acct, a, &sa, &src, e);
	if (rc == 0 && !(turl = target_url(acct, e)))
		rc = -1;
	const char *tenv = acct->target.token_env;
	struct import_options o = {
		.tenant = acct->id,
		.tenant_name = acct->name,
		.target_url = turl,
		.target_token = tenv && getenv(tenv) && *getenv(tenv) ? getenv(tenv) : NULL,
		.plan_hash = p->plan_hash,
		.batch = (size_t)a->batch,
		.verbose = a->verbose,
	};
	/* A dry run writes nothing to the target, but its verdicts are evidence:
	 * they go to the program's database like an apply's. */
	if (rc == 0) {
		dbpath = store_default_path(a->db, a->program);
		store = store_open(dbpath, STORE_READWRITE, e);
		rc = store ? 0 : -1;
		o.store = store;
	}
	if (rc == 0)
		rc = source_import_plan(&o, &src, &rep, e);
	if (rc == 0)
		rc = a->dry_run ? source_import_preview(&o, &rep, e) : source_import_apply(&o, &rep, e);
	if (rc == 0 || rep.applied) {
		if (a->json)
			print_json(a, &o, &rep);
		else
			print_text(a, &sa.conn, &o, &rep);
	}
	source_import_report_free(&rep);
	source_result_free(&src);
	store_close(store);
	free(dbpath);
	free(turl);
	source_account_close(&sa);
	return rc;
}

int cmd_import(int argc, char **argv)
{
	struct import_args a = {0};
	if (parse_args(argc, argv, &a) < 0)
		return cli_usage("import");
	struct diags d = {0};
	struct program *p = program_load(a.program, &d);
	if (!p) {
		diags_print(&d, stderr);
		diags_free(&d);
		fprintf(stderr, "warroom import: %s does not load; nothing was imported\n", a.program);
		return EXIT_FAIL;
	}
	diags_free(&d);
	struct err e = {{0}};
	int rc = run(&a, p, &e);
	program_free(p);
	if (rc < 0) {
		fprintf(stderr, "warroom import: %s\n", e.msg);
		return EXIT_FAIL;
	}
	return EXIT_OK;
}
