/* source — `warroom source check SYSTEM --url URL`: the read-only source
 * validation of the coexistence plan. Reads every entity type through the
 * real API, prints counts per type and each item's verdict; needs no
 * program and no target. Exit 1 when the source cannot be read whole. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "warroom/cli.h"
#include "warroom/entity.h"
#include "warroom/source.h"

static size_t invalid_entities(const struct source_result *r, struct strbuf *why)
{
	size_t n = 0;
	for (size_t i = 0; i < r->set.n; i++) {
		struct err e = {{0}};
		if (entity_validate(r->set.items[i], &e) < 0) {
			n++;
			sb_addf(why, "  invalid %s\n", e.msg);
		}
	}
	return n;
}

static void print_text(const struct source_conn *c, const struct source_result *r,
		       const struct strbuf *invalid)
{
	printf("%s at %s: read whole in %zu requests (%zu retried), %lld ms\n",
	       source_system_name(c->system), c->base_url, r->requests, r->retries,
	       (long long)r->elapsed_ms);
	size_t by[ENTITY_TYPE_COUNT][VERDICT_KIND_COUNT] = {{0}};
	for (size_t i = 0; i < r->verdicts.n; i++)
		by[r->verdicts.items[i].type][r->verdicts.items[i].kind]++;
	for (int t = 0; t < ENTITY_TYPE_COUNT; t++)
		printf("  %-20s %6zu  (%zu import, %zu with a change, %zu not importable)\n",
		       entity_type_plural((enum entity_type)t), r->count[t], by[t][VERDICT_IMPORT],
		       by[t][VERDICT_IMPORT_CHANGED], by[t][VERDICT_SKIP]);
	printf("\n");
	for (size_t i = 0; i < r->verdicts.n; i++) {
		const struct entity_verdict *v = &r->verdicts.items[i];
		printf("%-18s %-28s %s", entity_type_name(v->type), v->id, verdict_kind_label(v->kind));
		if (v->change)
			printf(": %s", v->change);
		if (v->reason)
			printf(" (%s)", v->reason);
		printf("\n");
	}
	if (invalid->len)
		printf("\nmapped entities that break the canonical shape:\n%s", invalid->buf);
}

static void print_json(const struct source_conn *c, const struct source_result *r, int ok,
		       const char *error, const struct strbuf *invalid)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "system", source_system_name(c->system));
	cJSON_AddStringToObject(o, "url", c->base_url);
	cJSON_AddBoolToObject(o, "ok", ok);
	if (error)
		cJSON_AddStringToObject(o, "error", error);
	cJSON_AddNumberToObject(o, "requests", (double)r->requests);
	cJSON_AddNumberToObject(o, "retries", (double)r->retries);
	cJSON *counts = cJSON_AddObjectToObject(o, "counts");
	for (int t = 0; t < ENTITY_TYPE_COUNT; t++)
		cJSON_AddNumberToObject(counts, entity_type_plural((enum entity_type)t),
					(double)r->count[t]);
	cJSON_AddItemToObject(o, "verdicts", verdict_list_json(&r->verdicts));
	if (invalid && invalid->len)
		cJSON_AddStringToObject(o, "invalid", invalid->buf);
	char *text = cJSON_Print(o);
	printf("%s\n", text);
	free(text);
	cJSON_Delete(o);
}

static int source_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{"url", required_argument, NULL, 'u'},
		{"token-env", required_argument, NULL, 't'},
		{"token-file", required_argument, NULL, 'f'},
		{"json", no_argument, NULL, 'j'},
		{"verbose", no_argument, NULL, 'v'},
		{"page-size", required_argument, NULL, 'p'},
		{"max-retries", required_argument, NULL, 'r'},
		{"max-rate", required_argument, NULL, 'm'},
		{NULL, 0, NULL, 0},
	};
	const char *url = NULL, *token_env = NULL, *token_file = NULL;
	int json = 0, verbose = 0, page_size = 0, max_retries = 0, max_rate = 0, ch;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'u': url = optarg; break;
		case 't': token_env = optarg; break;
		case 'f': token_file = optarg; break;
		case 'j': json = 1; break;
		case 'v': verbose = 1; break;
		case 'p': page_size = atoi(optarg); break;
		case 'r': max_retries = atoi(optarg); break;
		case 'm': max_rate = atoi(optarg); break;
		default: return cli_usage("source");
		}
	}
	if (optind + 1 != argc || !url)
		return cli_usage("source");
	struct err e = {{0}};
	if (page_size < 0 || page_size > 100 || max_retries < 0 || max_retries > 100 || max_rate < 0 ||
	    max_rate > 60000) {
		fprintf(stderr, "warroom source: --page-size takes 1..100, --max-retries 0..100 and "
				"--max-rate 1..60000 requests a minute\n");
		return EXIT_USAGE;
	}
	struct source_conn c = {.base_url = url, .verbose = verbose, .page_size = page_size,
				.max_retries = max_retries, .max_per_min = max_rate};
	if (source_system_parse(argv[optind], &c.system, &e) < 0) {
		fprintf(stderr, "warroom source: %s\n", e.msg);
		return EXIT_USAGE;
	}
	if (!token_env && !token_file)
		token_env = source_token_env(c.system);
	char *token = source_token(token_file ? NULL : token_env, token_file, &e);
	if (!token) {
		fprintf(stderr, "warroom source: %s\n", e.msg);
		return EXIT_USAGE;
	}
	c.token = token;
	struct source_result r;
	int rc = source_fetch_all(&c, &r, &e);
	free(token);
	struct strbuf invalid = {0};
	if (rc < 0) {
		if (json)
			print_json(&c, &r, 0, e.msg, NULL);
		fprintf(stderr, "warroom source: %s\nnothing was imported: the source could not be read whole\n",
			e.msg);
		source_result_free(&r);
		return EXIT_FAIL;
	}
	size_t bad = invalid_entities(&r, &invalid);
	if (json)
		print_json(&c, &r, bad == 0, NULL, &invalid);
	else
		print_text(&c, &r, &invalid);
	sb_release(&invalid);
	source_result_free(&r);
	return bad ? EXIT_FAIL : EXIT_OK;
}

int cmd_source(int argc, char **argv)
{
	if (argc < 2)
		return cli_usage("source");
	if (!strcmp(argv[1], "check"))
		return source_check(argc - 1, argv + 1);
	fprintf(stderr, "warroom source: unknown subcommand '%s' (expected check)\n", argv[1]);
	return EXIT_USAGE;
}
