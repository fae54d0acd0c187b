/* parity_bench — the measured side of bench_parity.sh.
 *   parity_bench gen N LEFT RIGHT DIFFS   two JSON-lines files of N entities; RIGHT has the
 *                                         same content re-spelled (key order, spacing, 1.0,
 *                                         time offsets) and DIFFS real changes
 *   parity_bench pairs LEFT RIGHT         parse, canonicalise, hash and compare every pair;
 *                                         prints "differ N rss_kb K"
 *   parity_bench buckets URL TENANT SEED ACCOUNTS ENTITIES DIFFS
 *                                         bucketed comparison of the seeded dataset (with
 *                                         DIFFS planted locally) against the simulator's:
 *                                         as is; with a benign difference on every entity
 *                                         that an ignore rule covers, the checksums taken
 *                                         after the rule, then before it; then a full
 *                                         download of the same, for the cost of each */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "warroom/bucket.h"
#include "warroom/canon.h"
#include "warroom/parity.h"
#include "warroom/simdata.h"
#include "warroom/targetapi.h"

static const char *const zones[] = {"+00:00", "Z"};

/* One entity; `alt` spells the same content differently, `changed` alters it. */
static void entity_line(FILE *f, size_t i, int alt, int changed)
{
	char id[24];
	snprintf(id, sizeof(id), "P%08zX%02X", i * 2654435761u % 0xFFFFFFFFu, (unsigned)(i % 251));
	int delay = (int)(i % 30) + (changed ? 1 : 0);
	if (!alt)
		fprintf(f,
			"{\"id\":\"%s\",\"name\":\"service %zu\",\"status\":\"active\",\"num_loops\":%d,"
			"\"created_at\":\"2024-05-%02zuT10:00:00%s\",\"team_ids\":[\"T%zu\",\"T%zu\"],"
			"\"rules\":[{\"delay_minutes\":%d,\"targets\":[{\"type\":\"user\",\"id\":\"U%zu\"}]}]}\n",
			id, i, (int)(i % 3), i % 28 + 1, zones[0], i % 97, i % 89, delay, i % 1000);
	else
		fprintf(f,
			"{ \"rules\": [ {\"targets\":[{\"id\":\"U%zu\",\"type\":\"user\"}], \"delay_minutes\": %d.0 } ],"
			" \"team_ids\": [\"T%zu\", \"T%zu\"], \"created_at\": \"2024-05-%02zuT12:00:00.000+02:00\","
			" \"num_loops\": %d, \"status\": \"active\", \"name\": \"service %zu\", \"id\": \"%s\" }\n",
			i % 1000, delay, i % 97, i % 89, i % 28 + 1, (int)(i % 3), i, id);
}

static int gen(size_t n, const char *left, const char *right, size_t diffs)
{
	FILE *a = fopen(left, "w"), *b = fopen(right, "w");
	if (!a || !b)
		return 1;
	size_t step = diffs ? n / diffs : n + 1;
	for (size_t i = 0; i < n; i++) {
		entity_line(a, i, 0, 0);
		entity_line(b, i, 1, diffs && i % step == step / 2);
	}
	return (fclose(a) | fclose(b)) != 0;
}

struct keyed {
	uint64_t id;
	unsigned char hash[CANON_HASH_LEN];
};

/* Reads a file's entities as (id hash, content hash): memory is the count
 * times the hash, not the bytes. */
static struct keyed *read_side(const char *path, struct canon_hasher *h, size_t *n)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	struct keyed *v = NULL;
	size_t cap = 0;
	*n = 0;
	char *line = NULL;
	size_t lcap = 0;
	ssize_t len;
	struct err e = {{0}};
	char id[256];
	while ((len = getline(&line, &lcap, f)) > 0) {
		struct keyed k;
		if (canon_hash_line(h, line, (size_t)len, id, sizeof(id), k.hash, &e) < 0 || !id[0]) {
			fprintf(stderr, "%s: entity %zu: %s\n", path, *n + 1, e.msg[0] ? e.msg : "no id");
			exit(1);
		}
		k.id = bucket_id_hash(id);
		VEC_PUSH(v, *n, cap, k);
	}
	free(line);
	fclose(f);
	/* LSD radix sort on the 64-bit id hash: linear, where qsort is n log n */
	struct keyed *tmp = xmalloc((*n ? *n : 1) * sizeof(*tmp));
	for (int shift = 0; shift < 64; shift += 16) {
		size_t count[65537] = {0};
		for (size_t i = 0; i < *n; i++)
			count[((v[i].id >> shift) & 0xffff) + 1]++;
		for (size_t b = 1; b < 65537; b++)
			count[b] += count[b - 1];
		for (size_t i = 0; i < *n; i++)
			tmp[count[(v[i].id >> shift) & 0xffff]++] = v[i];
		struct keyed *sw = v;
		v = tmp;
		tmp = sw;
	}
	free(tmp);
	return v;
}

static int pairs(const char *left, const char *right)
{
	struct canon_hasher *h = canon_hasher_new();
	size_t na, nb;
	struct keyed *a = read_side(left, h, &na), *b = read_side(right, h, &nb);
	if (!a || !b)
		return 1;
	size_t i = 0, j = 0, differ = 0;
	while (i < na || j < nb) {
		if (j == nb || (i < na && a[i].id < b[j].id))
			differ++, i++;
		else if (i == na || b[j].id < a[i].id)
			differ++, j++;
		else
			differ += memcmp(a[i++].hash, b[j++].hash, CANON_HASH_LEN) != 0;
	}
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	printf("differ %zu rss_kb %ld entities %zu\n", differ, ru.ru_maxrss, na);
	free(a);
	free(b);
	canon_hasher_free(h);
	return 0;
}

/* How the local side differs from the simulator's reference: the planted
 * changes only; or besides them every entity's "origin" (a benign
 * difference an ignore rule covers) with the rule applied before the
 * checksums on both sides; or the same with checksums taken before it. */
enum bench_case { CASE_PLAIN, CASE_RULE_AFTER, CASE_RULE_BEFORE };

struct bisection {
	size_t found, planted, requests;
	uint64_t bytes;
};

static int bisect_all(struct targetapi *api, const struct simdata *d, unsigned acct,
		      const char *tenant, size_t diffs, enum bench_case c, struct bisection *out)
{
	struct err e = {{0}};
	struct parity_config rules;
	parity_config_init(&rules);
	if (c == CASE_RULE_AFTER &&
	    parity_config_add_rule(&rules, "*", "origin", "ignore", "bookkeeping", &e) < 0)
		return fprintf(stderr, "parity_bench: %s\n", e.msg), 1;
	struct canon_hasher *h = canon_hasher_new();
	size_t total = 0, seen = 0, req0 = api->requests;
	uint64_t bytes0 = api->bytes;
	memset(out, 0, sizeof(*out));
	for (int k = 0; k < SIMDATA_KIND_COUNT; k++)
		total += simdata_count(d, acct, (enum simdata_kind)k);
	size_t every = diffs ? total / diffs : total + 1;
	for (int k = 0; k < SIMDATA_KIND_COUNT; k++) {
		enum entity_type type = (enum entity_type)k;
		struct bucket_index local = {0};
		size_t n = simdata_count(d, acct, (enum simdata_kind)k);
		struct simdata_entity en;
		for (size_t i = 0; i < n; i++, seen++) {
			simdata_entity(d, acct, (enum simdata_kind)k, i, &en);
			cJSON *o = simdata_entity_json(&en);
			cJSON_AddStringToObject(o, "origin", c == CASE_PLAIN ? "import" : "api");
			if (diffs && seen % every == every / 2 && out->planted < diffs) {
				cJSON_AddTrueToObject(o, "changed_by_bench");
				out->planted++;
			}
			unsigned char hash[CANON_HASH_LEN];
			parity_doc_hash(&rules, type, PARITY_TARGET, o, h, hash, &e);
			bucket_index_add(&local, en.id, hash);
			cJSON_Delete(o);
		}
		struct strbuf text = {0};
		parity_rules_encode(&rules, type, PARITY_SOURCE, &text);
		struct bucket_side left, right;
		bucket_side_local(&left, &local);
		struct targetapi_buckets rb = {.api = api, .tenant = tenant, .type = type,
					       .side = TARGETAPI_REFERENCE, .rules = sb_str(&text)};
		targetapi_bucket_side(&rb, &right);
		struct bucket_opts opts = {0};
		struct bucket_result r = {0};
		int rc = bucket_compare(&left, &right, &opts, &r, &e);
		sb_release(&text);
		bucket_index_free(&local);
		if (rc < 0)
			return fprintf(stderr, "parity_bench: %s\n", e.msg), 1;
		out->found += r.n;
		bucket_result_free(&r);
	}
	out->requests = api->requests - req0;
	out->bytes = api->bytes - bytes0;
	canon_hasher_free(h);
	parity_config_free(&rules);
	return 0;
}

static int buckets(const char *url, const char *tenant, uint64_t seed, unsigned accounts,
		   unsigned entities, size_t diffs)
{
	struct err e = {{0}};
	struct simdata_config cfg = {seed, accounts, entities};
	struct simdata *d = simdata_new(&cfg, &e);
	int acct = d ? simdata_account_find(d, tenant) : -1;
	if (acct < 0) {
		fprintf(stderr, "parity_bench: %s\n", d ? "no such account" : e.msg);
		return 1;
	}
	struct targetapi api;
	if (targetapi_open(&api, url, &e))
		return fprintf(stderr, "parity_bench: %s\n", e.msg), 1;
	struct bisection b[3];
	size_t total = 0;
	for (int k = 0; k < SIMDATA_KIND_COUNT; k++)
		total += simdata_count(d, (unsigned)acct, (enum simdata_kind)k);
	for (int c = CASE_PLAIN; c <= CASE_RULE_BEFORE; c++)
		if (bisect_all(&api, d, (unsigned)acct, tenant, diffs, (enum bench_case)c, &b[c]))
			return 1;
	size_t req0 = api.requests;
	uint64_t bytes0 = api.bytes;
	struct entity_set all = {0};
	if (targetapi_fetch_all(&api, tenant, TARGETAPI_REFERENCE, &all, &e) < 0)
		return fprintf(stderr, "parity_bench: %s\n", e.msg), 1;
	printf("entities %zu planted %zu found %zu bucket_requests %zu bucket_bytes %llu "
	       "rule_found %zu rule_requests %zu rule_bytes %llu "
	       "before_found %zu before_requests %zu before_bytes %llu "
	       "full_requests %zu full_bytes %llu\n",
	       total, b[CASE_PLAIN].planted, b[CASE_PLAIN].found, b[CASE_PLAIN].requests,
	       (unsigned long long)b[CASE_PLAIN].bytes, b[CASE_RULE_AFTER].found,
	       b[CASE_RULE_AFTER].requests, (unsigned long long)b[CASE_RULE_AFTER].bytes,
	       b[CASE_RULE_BEFORE].found, b[CASE_RULE_BEFORE].requests,
	       (unsigned long long)b[CASE_RULE_BEFORE].bytes, api.requests - req0,
	       (unsigned long long)(api.bytes - bytes0));
	entity_set_free(&all);
	targetapi_close(&api);
	simdata_free(d);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 6 && !strcmp(argv[1], "gen"))
		return gen(strtoull(argv[2], NULL, 10), argv[3], argv[4], strtoull(argv[5], NULL, 10));
	if (argc == 4 && !strcmp(argv[1], "pairs"))
		return pairs(argv[2], argv[3]);
	if (argc == 8 && !strcmp(argv[1], "buckets"))
		return buckets(argv[2], argv[3], strtoull(argv[4], NULL, 10), (unsigned)atoi(argv[5]),
			       (unsigned)atoi(argv[6]), strtoull(argv[7], NULL, 10));
	fprintf(stderr, "usage: parity_bench gen N LEFT RIGHT DIFFS | pairs LEFT RIGHT | "
			"buckets URL TENANT SEED ACCOUNTS ENTITIES DIFFS\n");
	return 2;
}
