/* Unit tests for bucket: bisection over random string ids finds exactly the
 * planted differences while fetching a small share of the items; the
 * simulator's routes agree with a local side, also with one built from an
 * importer's read of a legacy system laid against what the import wrote. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "warroom/bucket.h"
#include "warroom/parity.h"
#include "warroom/sim.h"
#include "warroom/source_import.h"
#include "warroom/store.h"
#include "warroom/targetapi.h"

#include "data/scratch_db.h"

static uint64_t rng = 0x1234abcd5678ef01ULL;
static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void random_id(char *buf)
{
	static const char al[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	int len = 6 + (int)(next_rand() % 10);
	for (int i = 0; i < len; i++)
		buf[i] = al[next_rand() % (sizeof(al) - 1)];
	buf[len] = '\0';
}

static void fake_hash(const char *id, int version, unsigned char h[CANON_HASH_LEN])
{
	uint64_t x = bucket_id_hash(id) + (uint64_t)version * 7919;
	for (int i = 0; i < CANON_HASH_LEN; i++) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		h[i] = (unsigned char)(x >> 56);
	}
}

static int has(const struct bucket_result *r, enum bucket_diff_kind k, const char *id)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->v[i].kind == k && !strcmp(r->v[i].id, id))
			return 1;
	return 0;
}

static void test_finds_planted_differences(void **state)
{
	(void)state;
	enum { N = 100000, CHANGED = 4, MISSING = 3, EXTRA = 3 };
	struct bucket_index a = {0}, b = {0};
	char (*ids)[20] = malloc(sizeof(*ids) * (N + EXTRA));
	unsigned char h[CANON_HASH_LEN];
	for (size_t i = 0; i < N + EXTRA; i++)
		random_id(ids[i]);
	/* planted: the first CHANGED ids differ in content, the next MISSING are
	 * absent on the right, and EXTRA ids exist only on the right. */
	for (size_t i = 0; i < N; i++) {
		fake_hash(ids[i], 0, h);
		bucket_index_add(&a, ids[i], h);
		if (i >= CHANGED && i < CHANGED + MISSING)
			continue;
		fake_hash(ids[i], i < CHANGED ? 1 : 0, h);
		bucket_index_add(&b, ids[i], h);
	}
	for (size_t i = N; i < N + EXTRA; i++) {
		fake_hash(ids[i], 0, h);
		bucket_index_add(&b, ids[i], h);
	}
	struct bucket_side left, right;
	bucket_side_local(&left, &a);
	bucket_side_local(&right, &b);
	struct bucket_result r;
	struct err e = {{0}};
	struct bucket_opts o = {.fanout = 64, .leaf = 64};
	assert_int_equal(bucket_compare(&left, &right, &o, &r, &e), 0);
	assert_int_equal(r.n, CHANGED + MISSING + EXTRA);
	for (size_t i = 0; i < CHANGED; i++)
		assert_true(has(&r, BUCKET_CHANGED, ids[i]));
	for (size_t i = CHANGED; i < CHANGED + MISSING; i++)
		assert_true(has(&r, BUCKET_ONLY_LEFT, ids[i]));
	for (size_t i = N; i < N + EXTRA; i++)
		assert_true(has(&r, BUCKET_ONLY_RIGHT, ids[i]));
	assert_int_equal(r.left_count, N);
	assert_int_equal(r.right_count, N - MISSING + EXTRA);
	/* each side's whole-set checksum: the sum of every item's, in any order */
	struct bucket_sum whole = {0}, half = {0};
	for (size_t i = 0; i < N; i++) {
		fake_hash(ids[i], 0, h);
		bucket_sum_add(i % 2 ? &whole : &half, bucket_id_hash(ids[i]), h);
	}
	bucket_sum_merge(&whole, &half);
	assert_true(bucket_sum_equal(&r.left_sum, &whole));
	assert_false(bucket_sum_equal(&r.right_sum, &whole));
	assert_int_equal(r.right_sum.count, N - MISSING + EXTRA);
	/* far fewer items moved than a full download of the right side */
	assert_true(right.items_fetched * 50 < N);
	assert_true(right.requests < 100);
	print_message("bisection: %zu requests, %zu items fetched of %d\n", right.requests,
		      right.items_fetched, N);
	bucket_result_free(&r);
	/* identical sets: one request per side, nothing fetched */
	struct bucket_side same;
	bucket_side_local(&same, &a);
	bucket_side_local(&left, &a);
	assert_int_equal(bucket_compare(&left, &same, &o, &r, &e), 0);
	assert_int_equal(r.n, 0);
	assert_int_equal(same.requests, 1);
	assert_int_equal(same.items_fetched, 0);
	bucket_result_free(&r);
	bucket_index_free(&a);
	bucket_index_free(&b);
	free(ids);
}

static void test_sums_and_paths(void **state)
{
	(void)state;
	struct bucket_sum x = {0}, y = {0};
	unsigned char h1[CANON_HASH_LEN], h2[CANON_HASH_LEN];
	fake_hash("a", 0, h1);
	fake_hash("b", 0, h2);
	/* order-independent */
	bucket_sum_add(&x, bucket_id_hash("a"), h1);
	bucket_sum_add(&x, bucket_id_hash("b"), h2);
	bucket_sum_add(&y, bucket_id_hash("b"), h2);
	bucket_sum_add(&y, bucket_id_hash("a"), h1);
	assert_true(bucket_sum_equal(&x, &y));
	/* the same content under another id is a difference */
	struct bucket_sum z = {0};
	bucket_sum_add(&z, bucket_id_hash("a"), h1);
	bucket_sum_add(&z, bucket_id_hash("c"), h2);
	assert_false(bucket_sum_equal(&x, &z));
	char hex[BUCKET_SUM_HEX];
	bucket_sum_hex(&x, hex);
	struct bucket_sum back = {.count = x.count};
	assert_int_equal(bucket_sum_parse_hex(hex, &back), 0);
	assert_true(bucket_sum_equal(&x, &back));
	assert_int_equal(bucket_sum_parse_hex("xyz", &back), -1);

	uint32_t path[BUCKET_MAX_DEPTH];
	unsigned depth;
	struct err e = {{0}};
	assert_int_equal(bucket_path_parse("17.4.0", 64, path, &depth, &e), 0);
	assert_int_equal(depth, 3);
	assert_int_equal(path[0], 17);
	char buf[64];
	bucket_path_format(path, depth, buf, sizeof(buf));
	assert_string_equal(buf, "17.4.0");
	assert_int_equal(bucket_path_parse("", 64, path, &depth, &e), 0);
	assert_int_equal(depth, 0);
	assert_int_equal(bucket_path_parse("64", 64, path, &depth, &e), -1);
	assert_int_equal(bucket_path_parse("1..2", 64, path, &depth, &e), -1);
	assert_int_equal(bucket_path_parse("1.2.3.4.5.6.7.8.9", 64, path, &depth, &e), -1);
	assert_int_equal(bucket_path_parse("99999999999999999999", 64, path, &depth, &e), -1);
	/* buckets spread ids roughly evenly */
	unsigned counts[16] = {0};
	char id[20];
	for (int i = 0; i < 16000; i++) {
		random_id(id);
		counts[bucket_of(bucket_id_hash(id), 0, 16)]++;
	}
	for (int i = 0; i < 16; i++)
		assert_true(counts[i] > 800 && counts[i] < 1200);
}


/* A simulator of one account on a loopback port, and a client of it. */
static struct sim *sim_with_api(uint64_t seed, unsigned entities, struct targetapi *api)
{
	struct sim_options so = {.host = "127.0.0.1", .seed = seed, .accounts = 1, .entities = entities};
	struct err e = {{0}};
	struct sim *sim = sim_start(&so, &e);
	assert_non_null(sim);
	char url[64];
	snprintf(url, sizeof(url), "http://127.0.0.1:%d", sim_port(sim));
	assert_int_equal(targetapi_open(api, url, &e), 0);
	return sim;
}

/* The simulator's parity routes over real loopback HTTP against a local
 * index of the same seeded data with three planted changes: the remote
 * summaries agree with the local ones, so exactly those three are found. */
static void test_remote_side_over_http(void **state)
{
	(void)state;
	struct err e = {{0}};
	struct targetapi api;
	struct sim *sim = sim_with_api(11, 3000, &api);
	const struct simdata *d = sim_data(sim);

	struct canon_hasher *h = canon_hasher_new();
	struct bucket_index local = {0};
	size_t n = simdata_count(d, 0, SIMDATA_USERS);
	assert_true(n > 200);
	const char *planted[3] = {0};
	struct simdata_entity en;
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(simdata_entity(d, 0, SIMDATA_USERS, i, &en), 0);
		cJSON *o = simdata_entity_json(&en);
		cJSON_AddStringToObject(o, "origin", "import");
		if (i % (n / 3) == 1 && i / (n / 3) < 3) {
			cJSON_AddStringToObject(o, "time_zone_override", "UTC");
			planted[i / (n / 3)] = xstrdup(en.id);
		}
		unsigned char hash[CANON_HASH_LEN];
		assert_int_equal(canon_hasher_hash(h, o, hash, &e), 0);
		bucket_index_add(&local, en.id, hash);
		cJSON_Delete(o);
	}
	struct bucket_side left, right;
	bucket_side_local(&left, &local);
	struct targetapi_buckets rb = {.api = &api, .tenant = "acct-001", .type = ENTITY_USER,
				       .side = TARGETAPI_REFERENCE};
	targetapi_bucket_side(&rb, &right);
	struct bucket_opts o = {.fanout = 16, .leaf = 32};
	struct bucket_result r = {0};
	assert_int_equal(bucket_compare(&left, &right, &o, &r, &e), 0);
	assert_int_equal(r.n, 3);
	for (int i = 0; i < 3; i++) {
		assert_true(has(&r, BUCKET_CHANGED, planted[i]));
		free((char *)planted[i]);
	}
	assert_int_equal(r.right_count, n);
	assert_true(right.items_fetched < n / 4); /* far from a full download */
	assert_int_equal(right.requests, api.requests);
	bucket_result_free(&r);

	/* a wrong parameter is refused with the API's words */
	cJSON *bad = targetapi_get_json(&api, "/v1/tenants/acct-001/parity/buckets?entity=users&n=9999", &e);
	assert_null(bad);
	assert_non_null(strstr(e.msg, "400"));
	bucket_index_free(&local);
	canon_hasher_free(h);
	targetapi_close(&api);
	sim_stop(sim);
}

/* How the local copy of one seeded type differs from the simulator's. */
typedef void (*edit_fn)(cJSON *doc, size_t i, const char **planted);

/* Every user's e-mail upper-cased (benign under case_insensitive); two
 * users with another time zone (real). */
static void shout_emails(cJSON *doc, size_t i, const char **planted)
{
	cJSON *mail = cJSON_GetObjectItemCaseSensitive(doc, "email");
	for (char *p = cJSON_GetStringValue(mail); p && *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	if (i == 10 || i == 700) {
		cJSON_ReplaceItemInObjectCaseSensitive(doc, "time_zone", cJSON_CreateString("Mars/Olympus"));
		*planted = "x";
	}
}

/* Every delay one minute short of what the target holds (the target's
 * rounding of it: benign); one policy three short, which rounds elsewhere. */
static void shorten_delays(cJSON *doc, size_t i, const char **planted)
{
	const cJSON *rule;
	cJSON_ArrayForEach(rule, cJSON_GetObjectItemCaseSensitive(doc, "rules"))
	{
		cJSON *d = cJSON_GetObjectItemCaseSensitive(rule, "delay_minutes");
		if (cJSON_IsNumber(d))
			cJSON_SetNumberValue(d, d->valuedouble - (i == 5 ? 3 : 1));
	}
	if (i == 5)
		*planted = "x";
}

/* The seeded entities of one type as a local side, edited, hashed after the
 * rules of its role; planted[i] keeps the ids edit marked. */
static void local_side(const struct simdata *d, enum simdata_kind kind, edit_fn edit,
		       struct parity_config *cfg, enum parity_role role, struct bucket_index *x,
		       char **planted, size_t *n_planted)
{
	struct canon_hasher *h = canon_hasher_new();
	struct err e = {{0}};
	struct simdata_entity en;
	for (size_t i = 0; i < simdata_count(d, 0, kind); i++) {
		assert_int_equal(simdata_entity(d, 0, kind, i, &en), 0);
		cJSON *o = simdata_entity_json(&en);
		cJSON_AddStringToObject(o, "origin", "import");
		const char *mark = NULL;
		if (edit)
			edit(o, i, &mark);
		if (mark)
			planted[(*n_planted)++] = xstrdup(en.id);
		unsigned char hash[CANON_HASH_LEN];
		assert_int_equal(parity_doc_hash(cfg, (enum entity_type)kind, role, o, h, hash, &e), 0);
		bucket_index_add(x, en.id, hash);
		cJSON_Delete(o);
	}
	canon_hasher_free(h);
}

struct bisected {
	size_t found, requests, items;
	uint64_t bytes;
	int all_planted_found;
};

/* Bisects the local side against the simulator's reference side, which is
 * asked to hash after `rules` (NULL: as stored). */
static struct bisected bisect(struct targetapi *api, struct bucket_index *local, enum entity_type type,
			      const char *rules, char **planted, size_t n_planted)
{
	struct bucket_side left, right;
	bucket_side_local(&left, local);
	struct targetapi_buckets rb = {.api = api, .tenant = "acct-001", .type = type,
				       .side = TARGETAPI_REFERENCE, .rules = rules};
	targetapi_bucket_side(&rb, &right);
	struct bucket_opts o = {.fanout = 16, .leaf = 32};
	struct bucket_result r = {0};
	struct err e = {{0}};
	size_t req0 = api->requests;
	uint64_t bytes0 = api->bytes;
	assert_int_equal(bucket_compare(&left, &right, &o, &r, &e), 0);
	struct bisected b = {r.n, api->requests - req0, right.items_fetched, api->bytes - bytes0, 1};
	for (size_t i = 0; i < n_planted; i++)
		b.all_planted_found &= has(&r, BUCKET_CHANGED, planted[i]);
	bucket_result_free(&r);
	return b;
}

/* An ignore rule that touches every entity: with the rules sent, the
 * simulator's checksums are taken after them as the local side's are, so
 * the bisection finds the real differences alone and reads a few leaves;
 * checksums taken before the rules would make every bucket differ. A value
 * rule (round_minutes) found where its value is not the rounding. */
static void test_rules_applied_before_checksums(void **state)
{
	(void)state;
	struct err e = {{0}};
	struct targetapi api;
	struct sim *sim = sim_with_api(5, 6000, &api);
	const struct simdata *d = sim_data(sim);
	struct parity_config cfg, none;
	parity_config_init(&cfg);
	parity_config_init(&none);
	assert_int_equal(parity_config_add_rule(&cfg, "user", "email", "case_insensitive",
						"the target lower-cases addresses", &e), 0);
	assert_int_equal(parity_config_add_rule(&cfg, "escalation_policy", "/rules/*/delay_minutes",
						"round_minutes:5", "the target rounds delays", &e), 0);
	char *planted[8];
	size_t np = 0, users = simdata_count(d, 0, SIMDATA_USERS);
	assert_true(users > 500);

	/* users: the local copy is the target (its shouted e-mails), the
	 * simulator's reference the source */
	struct bucket_index x = {0}, raw = {0};
	local_side(d, SIMDATA_USERS, shout_emails, &cfg, PARITY_TARGET, &x, planted, &np);
	assert_int_equal(np, 2);
	struct strbuf rules = {0};
	parity_rules_encode(&cfg, ENTITY_USER, PARITY_SOURCE, &rules);
	struct bisected with = bisect(&api, &x, ENTITY_USER, sb_str(&rules), planted, np);
	assert_int_equal(with.found, 2);
	assert_true(with.all_planted_found);
	assert_true(with.items < 100);
	/* before the rules: every e-mail differs, every bucket is split and read */
	size_t np_raw = 0;
	char *planted_raw[8];
	local_side(d, SIMDATA_USERS, shout_emails, &none, PARITY_TARGET, &raw, planted_raw, &np_raw);
	struct bisected before = bisect(&api, &raw, ENTITY_USER, NULL, planted_raw, np_raw);
	assert_int_equal(before.found, users);
	assert_int_equal(before.items, users);
	assert_true(with.bytes * 20 < before.bytes);
	print_message("users, a rule touching all %zu: %zu requests, %llu bytes after the rules; "
		      "%zu requests, %llu bytes before them\n", users, with.requests,
		      (unsigned long long)with.bytes, before.requests, (unsigned long long)before.bytes);
	for (size_t i = 0; i < np_raw; i++)
		free(planted_raw[i]);
	bucket_index_free(&x);
	bucket_index_free(&raw);

	/* escalation policies: the local copy is the source (a minute short of
	 * every delay), the simulator's reference the target as it is */
	for (size_t i = 0; i < np; i++)
		free(planted[i]);
	np = 0;
	local_side(d, SIMDATA_ESCALATION_POLICIES, shorten_delays, &cfg, PARITY_SOURCE, &x, planted, &np);
	sb_reset(&rules);
	parity_rules_encode(&cfg, ENTITY_ESCALATION_POLICY, PARITY_TARGET, &rules);
	assert_string_equal(sb_str(&rules), ""); /* the target's delays are compared as they are */
	with = bisect(&api, &x, ENTITY_ESCALATION_POLICY, sb_str(&rules), planted, np);
	assert_int_equal(with.found, 1);
	assert_true(with.all_planted_found);
	bucket_index_free(&x);
	for (size_t i = 0; i < np; i++)
		free(planted[i]);

	/* summaries taken after other rules than asked for are refused: here
	 * the simulator echoes its own spelling of an escaped letter */
	struct bucket_side left, right;
	bucket_side_local(&left, &x);
	struct targetapi_buckets odd = {.api = &api, .tenant = "acct-001", .type = ENTITY_USER,
					.side = TARGETAPI_REFERENCE, .rules = "ignore~%41"};
	targetapi_bucket_side(&odd, &right);
	struct bucket_result r;
	assert_int_equal(bucket_compare(&left, &right, NULL, &r, &e), -1);
	assert_non_null(odd.refused);
	assert_non_null(strstr(e.msg, "other rules than the ignore rules asked for"));
	bucket_index_free(&x);

	/* rules the simulator cannot read are refused, never half-applied */
	cJSON *bad = targetapi_get_json(&api, "/v1/tenants/acct-001/parity/buckets?entity=users&rules=shrug~x", &e);
	assert_null(bad);
	assert_non_null(strstr(e.msg, "400"));
	assert_non_null(strstr(e.msg, "unknown parity rule 'shrug'"));
	sb_release(&rules);
	parity_config_free(&cfg);
	parity_config_free(&none);
	targetapi_close(&api);
	sim_stop(sim);
}

/* The level-0 sums of a local index and of the target's route for one
 * type; returns how many of the n buckets differ, *which the last one. */
static unsigned sums_differ(struct bucket_index *x, struct targetapi_buckets *rb, unsigned n,
			    unsigned *which)
{
	struct bucket_side left, right;
	bucket_side_local(&left, x);
	targetapi_bucket_side(rb, &right);
	struct bucket_sum *a = calloc(n, sizeof(*a)), *b = calloc(n, sizeof(*b));
	struct err e = {{0}};
	assert_int_equal(left.sums(left.ctx, n, NULL, 0, a, &e), 0);
	assert_int_equal(right.sums(right.ctx, n, NULL, 0, b, &e), 0);
	unsigned differ = 0;
	for (unsigned i = 0; i < n; i++)
		if (!bucket_sum_equal(&a[i], &b[i]))
			differ++, *which = i;
	free(a);
	free(b);
	return differ;
}

/* A legacy system's read (the simulator's PagerDuty API through the real
 * importer), imported onto the simulated target by the real import: the
 * local side built from the read (parity_bucket_index) and the target's
 * route asked for the canonical form (canonical=1) give equal checksums for
 * every type; one entity changed in the read changes exactly its own
 * bucket, and the bisection names it alone; an ignore rule covering the
 * change makes them equal again; as stored (no canonical=1) they differ. */
static void test_local_side_from_importer_read(void **state)
{
	(void)state;
	struct err e = {{0}};
	struct targetapi api;
	struct sim *sim = sim_with_api(3, 1500, &api);
	char dir[] = "/tmp/wr-bucket-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *db = xasprintf("%s/w.db", dir), *pd = xasprintf("%s/pagerduty", api.base);
	struct store *st = store_open(db, STORE_READWRITE, &e);
	assert_non_null(st);

	struct source_conn conn = {.system = SOURCE_PAGERDUTY, .base_url = pd, .token = "acct-001"};
	struct source_result src;
	assert_int_equal(source_fetch_all(&conn, &src, &e), 0);
	struct import_options io = {.tenant = "acct-001", .tenant_name = "acct-001",
				    .target_url = api.base, .store = st};
	struct import_report rep = {0};
	assert_int_equal(source_import_plan(&io, &src, &rep, &e), 0);
	assert_int_equal(source_import_apply(&io, &rep, &e), 0);
	source_import_report_free(&rep);

	struct parity_config cfg;
	parity_config_init(&cfg);
	enum { N = 16 };
	unsigned which = N;
	for (int t = 0; t < ENTITY_TYPE_COUNT; t++) {
		struct bucket_index x = {0};
		uint64_t cut = 0;
		size_t sampled = 0;
		assert_int_equal(parity_bucket_index(&cfg, &src.set, (enum entity_type)t, PARITY_SOURCE,
						     &x, &cut, &sampled, &e), 0);
		assert_int_equal(x.n, src.count[t]);
		assert_int_equal(sampled, x.n < cfg.sample_size ? x.n : cfg.sample_size);
		struct targetapi_buckets rb = {.api = &api, .tenant = "acct-001",
					       .type = (enum entity_type)t, .side = TARGETAPI_TARGET,
					       .canonical = 1};
		assert_int_equal(sums_differ(&x, &rb, N, &which), 0);
		struct targetapi_buckets stored = {.api = &api, .tenant = "acct-001",
						   .type = (enum entity_type)t, .side = TARGETAPI_TARGET};
		if (x.n) /* the target's bookkeeping is in every record as stored */
			assert_true(sums_differ(&x, &stored, N, &which) > 0);
		bucket_index_free(&x);
	}

	/* one user changed in the read: its bucket differs, and only it */
	struct entity *changed = NULL;
	for (size_t i = 0; i < src.set.n && !changed; i++)
		if (src.set.items[i]->type == ENTITY_USER)
			changed = src.set.items[i];
	assert_non_null(changed);
	cJSON_DeleteItemFromObjectCaseSensitive(changed->doc, "time_zone");
	cJSON_AddStringToObject(changed->doc, "time_zone", "Mars/Olympus_Mons");
	struct bucket_index x = {0};
	assert_int_equal(parity_bucket_index(&cfg, &src.set, ENTITY_USER, PARITY_SOURCE, &x, NULL,
					     NULL, &e), 0);
	struct targetapi_buckets rb = {.api = &api, .tenant = "acct-001", .type = ENTITY_USER,
				       .side = TARGETAPI_TARGET, .canonical = 1};
	assert_int_equal(sums_differ(&x, &rb, N, &which), 1);
	assert_int_equal(which, bucket_of(bucket_id_hash(changed->id), 0, N));
	struct bucket_side left, right;
	bucket_side_local(&left, &x);
	targetapi_bucket_side(&rb, &right);
	struct bucket_opts o = {.fanout = N, .leaf = 8};
	struct bucket_result r;
	assert_int_equal(bucket_compare(&left, &right, &o, &r, &e), 0);
	assert_int_equal(r.n, 1);
	assert_true(has(&r, BUCKET_CHANGED, changed->id));
	assert_true(right.items_fetched < src.count[ENTITY_USER] / 4);
	assert_null(rb.refused);
	bucket_result_free(&r);

	/* an ignore rule on the field: both ends hash after it, equal again */
	assert_int_equal(parity_config_add_rule(&cfg, "user", "time_zone", "ignore", "test", &e), 0);
	assert_int_equal(parity_bucket_index(&cfg, &src.set, ENTITY_USER, PARITY_SOURCE, &x, NULL,
					     NULL, &e), 0);
	struct strbuf rules = {0};
	parity_rules_encode(&cfg, ENTITY_USER, PARITY_TARGET, &rules);
	rb.rules = sb_str(&rules);
	assert_int_equal(sums_differ(&x, &rb, N, &which), 0);
	sb_release(&rules);

	/* a read holding one id twice is refused, as the full comparison refuses it */
	struct entity *twin = entity_new(ENTITY_USER, cJSON_Duplicate(changed->doc, 1), &e);
	assert_non_null(twin);
	entity_set_add(&src.set, twin);
	assert_int_equal(parity_bucket_index(&cfg, &src.set, ENTITY_USER, PARITY_SOURCE, &x, NULL,
					     NULL, &e), -1);
	assert_non_null(strstr(e.msg, "source has two user entities with id"));
	assert_int_equal(x.n, 0);

	/* the route refuses a canonical that is neither 1 nor 0 */
	char *path = xasprintf("/v1/tenants/acct-001/parity/buckets?entity=users&canonical=yes");
	assert_null(targetapi_get_json(&api, path, &e));
	assert_non_null(strstr(e.msg, "canonical must be 1 or 0"));
	free(path);

	bucket_index_free(&x);
	parity_config_free(&cfg);
	source_result_free(&src);
	store_close(st);
	scratch_db_remove(db);
	rmdir(dir);
	free(db);
	free(pd);
	targetapi_close(&api);
	sim_stop(sim);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_finds_planted_differences),
		cmocka_unit_test(test_sums_and_paths),
		cmocka_unit_test(test_remote_side_over_http),
		cmocka_unit_test(test_rules_applied_before_checksums),
		cmocka_unit_test(test_local_side_from_importer_read),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
