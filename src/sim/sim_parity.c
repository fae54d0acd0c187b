/* sim_parity — the parity routes of the simulated target: bucket checksums
 * and per-bucket (id, hash) lists, so a comparison moves summaries instead of
 * entities, and the seeded reference dataset of an account in the target's
 * shape (the "source" side when the simulator stands in for both ends). */
#include "warroom/bucket.h"
#include "warroom/canon.h"
#include "warroom/parity.h"
#include "warroom/sim.h"
#include "warroom/targetapi.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define PAGE_SIZE_DEFAULT 25
#define PAGE_SIZE_MAX 500

/* The reference side never changes for a given seed, so its index is built
 * once per (account, kind, rules, form) and kept. */
struct cached {
	unsigned account;
	enum simdata_kind kind;
	char *rules; /* the canonical rules text it was hashed under */
	int canonical; /* hashed in the canonical model's shape */
	struct bucket_index index;
};
struct parity_state {
	struct cached *v;
	size_t n, cap;
	struct canon_hasher *hasher;
};

static void *parity_state_new(struct sim *sim)
{
	(void)sim;
	struct parity_state *s = xcalloc(1, sizeof(*s));
	s->hasher = canon_hasher_new();
	return s;
}

static void parity_state_free(void *state)
{
	struct parity_state *s = state;
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++) {
		bucket_index_free(&s->v[i].index);
		free(s->v[i].rules);
	}
	free(s->v);
	canon_hasher_free(s->hasher);
	free(s);
}

/* The reference form of one seeded entity: what an import stores. */
static cJSON *reference_json(const struct simdata_entity *en)
{
	cJSON *o = simdata_entity_json(en);
	cJSON_AddStringToObject(o, "origin", "import");
	return o;
}

static int account_or_404(struct sim_call *call, unsigned *account)
{
	int a = simdata_account_find(sim_data(call->sim), call->params[0]);
	if (a < 0) {
		sim_reply_error(call, 404, "not_found", "%s %s: '%s' is not one of the seeded accounts",
				call->method, call->path, call->params[0]);
		return -1;
	}
	*account = (unsigned)a;
	return 0;
}

static int kind_param(struct sim_call *call, const char *text, enum simdata_kind *kind)
{
	if (text && simdata_kind_parse(text, kind) == 0)
		return 0;
	sim_reply_error(call, 400, "bad_request",
			"%s %s: entity must be one of services, teams, users, schedules, "
			"escalation_policies, integrations, incidents",
			call->method, call->path);
	return -1;
}

static long whole_param(struct sim_call *call, const char *name, long def, long max)
{
	const char *s = sim_param(call, name);
	if (!s)
		return def;
	char *end;
	long v = strtol(s, &end, 10);
	if (!*s || *end || v < 1 || v > max) {
		sim_reply_error(call, 400, "bad_request", "%s %s: %s must be a whole number from 1 to %ld",
				call->method, call->path, name, max);
		return -1;
	}
	return v;
}

/* GET /v1/tenants/{id}/parity/source/{entity}: the seeded dataset, paged
 * like the target's own lists. */
static void h_source_list(struct sim_call *call)
{
	unsigned account;
	enum simdata_kind kind;
	if (account_or_404(call, &account) || kind_param(call, call->params[1], &kind))
		return;
	long page = whole_param(call, "page", 1, 1000000000L);
	long size = page < 0 ? -1 : whole_param(call, "page_size", PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX);
	if (size < 0)
		return;
	const struct simdata *d = sim_data(call->sim);
	size_t n = simdata_count(d, account, kind);
	size_t first = (size_t)(page - 1) * (size_t)size;
	cJSON *o = cJSON_CreateObject();
	cJSON *data = cJSON_AddArrayToObject(o, "data");
	struct simdata_entity en;
	for (size_t i = first; i < n && i < first + (size_t)size; i++)
		if (simdata_entity(d, account, kind, i, &en) == 0)
			cJSON_AddItemToArray(data, reference_json(&en));
	if (first + (size_t)size < n)
		cJSON_AddNumberToObject(o, "next_page", (double)(page + 1));
	else
		cJSON_AddNullToObject(o, "next_page");
	cJSON_AddNumberToObject(o, "total", (double)n);
	sim_reply_json(call, 200, o);
}

/* GET /v1/tenants/{id}/parity/source/{entity}/{eid}: one seeded entity, as
 * the target's GET of one entity, so a bucketed comparison reads only the
 * entities that differ. */
static void h_source_one(struct sim_call *call)
{
	unsigned account;
	enum simdata_kind kind;
	if (account_or_404(call, &account) || kind_param(call, call->params[1], &kind))
		return;
	struct simdata_entity en;
	if (simdata_entity_find(sim_data(call->sim), account, kind, call->params[2], &en) < 0) {
		sim_reply_error(call, 404, "not_found", "%s %s: no %s '%s' in the seeded dataset",
				call->method, call->path, simdata_kind_name(kind), call->params[2]);
		return;
	}
	sim_reply_json(call, 200, reference_json(&en));
}

/* How one request hashes: the ignore rules it was sent (parity.h), applied
 * by the same function the client's own side hashes with; with canonical=1
 * each record first in the canonical model's shape, as the client turns a
 * record it reads (targetapi_doc_to_canonical), so the checksums compare
 * with those of an importer's read of the legacy system. */
struct hashing {
	struct canon_hasher *h;
	struct parity_config rules;
	enum entity_type type;
	char *text; /* the rules re-encoded: echoed, and the cache key */
	int canonical;
};

static int index_add(struct bucket_index *x, struct hashing *hs, const char *id, const cJSON *obj)
{
	unsigned char hash[CANON_HASH_LEN];
	struct err e = {0};
	cJSON *copy = NULL;
	if (hs->canonical) {
		copy = cJSON_Duplicate(obj, 1);
		targetapi_doc_to_canonical(hs->type, copy);
		obj = copy;
	}
	/* the sender chose the rules for this side, so any role applies them all */
	int rc = parity_doc_hash(&hs->rules, hs->type, PARITY_SOURCE, obj, hs->h, hash, &e);
	cJSON_Delete(copy);
	if (rc < 0)
		return -1;
	bucket_index_add(x, id, hash);
	return 0;
}

static struct bucket_index *reference_index(struct parity_state *s, const struct simdata *d,
					    unsigned account, enum simdata_kind kind,
					    struct hashing *hs)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].account == account && s->v[i].kind == kind &&
		    s->v[i].canonical == hs->canonical && !strcmp(s->v[i].rules, hs->text))
			return &s->v[i].index;
	struct cached c = {.account = account, .kind = kind, .rules = xstrdup(hs->text),
			   .canonical = hs->canonical};
	size_t n = simdata_count(d, account, kind);
	struct simdata_entity en;
	for (size_t i = 0; i < n; i++) {
		if (simdata_entity(d, account, kind, i, &en) < 0)
			break;
		cJSON *o = reference_json(&en);
		index_add(&c.index, hs, en.id, o);
		cJSON_Delete(o);
	}
	VEC_PUSH(s->v, s->n, s->cap, c);
	return &s->v[s->n - 1].index;
}

/* A walk of the target's records into an index: only those in the bucket
 * asked about (n, path, depth) are hashed, the rest cost an id hash. */
struct walk {
	struct bucket_index *x;
	struct hashing *hs;
	unsigned n, depth;
	const uint32_t *path;
};

static void walk_visit(void *ctx, const char *id, const cJSON *obj)
{
	struct walk *w = ctx;
	uint64_t h = bucket_id_hash(id);
	for (unsigned i = 0; i < w->depth; i++)
		if (bucket_of(h, i, w->n) != w->path[i])
			return;
	index_add(w->x, w->hs, id, obj);
}

/* The side asked for (?side=target, the default, or ?side=source) as an
 * index, hashed under hs; a target side is built into scratch, of the
 * records in the bucket path (depth levels of n) only. NULL after
 * answering. */
static struct bucket_index *side_index(struct sim_call *call, enum simdata_kind kind,
				       struct hashing *hs, unsigned n, const uint32_t *path,
				       unsigned depth, struct bucket_index *scratch)
{
	struct parity_state *s = call->state;
	const char *side = sim_param(call, "side");
	if (side && strcmp(side, "source") == 0) {
		unsigned account;
		if (account_or_404(call, &account))
			return NULL;
		return reference_index(s, sim_data(call->sim), account, kind, hs);
	}
	if (side && strcmp(side, "target") != 0) {
		sim_reply_error(call, 400, "bad_request", "%s %s: side must be target or source, not '%s'",
				call->method, call->path, side);
		return NULL;
	}
	struct walk w = {scratch, hs, n, depth, path};
	if (sim_target_each(call->sim, call->params[0], kind, walk_visit, &w) < 0) {
		sim_reply_error(call, 404, "not_found", "%s %s: no tenant '%s'", call->method, call->path,
				call->params[0]);
		return NULL;
	}
	return scratch;
}

/* The common query of both bucket routes: entity, n, prefix (and level,
 * which when given must equal the prefix's depth), rules. */
struct bucket_query {
	enum simdata_kind kind;
	unsigned n, depth;
	uint32_t path[BUCKET_MAX_DEPTH];
	struct hashing hs;
};

static void bucket_query_free(struct bucket_query *q)
{
	parity_config_free(&q->hs.rules);
	free(q->hs.text);
	q->hs.text = NULL;
}

/* ?rules=KIND~FIELD,...: refused whole, naming the bad rule, rather than
 * hashed under fewer rules than the client asked for. ?canonical=1|0 too:
 * anything else is refused rather than read as one of them. */
static int rules_param(struct sim_call *call, struct bucket_query *q)
{
	struct err e = {0};
	parity_config_init(&q->hs.rules);
	q->hs.text = NULL;
	q->hs.h = ((struct parity_state *)call->state)->hasher;
	const char *canonical = sim_param(call, "canonical");
	q->hs.canonical = canonical && !strcmp(canonical, "1");
	if (canonical && strcmp(canonical, "1") && strcmp(canonical, "0")) {
		sim_reply_error(call, 400, "bad_request", "%s %s: canonical must be 1 or 0, not '%s'",
				call->method, call->path, canonical);
		return -1;
	}
	if (entity_type_parse(simdata_kind_name(q->kind), &q->hs.type, &e) < 0 ||
	    parity_rules_decode(sim_param(call, "rules"), &q->hs.rules, &e) < 0) {
		sim_reply_error(call, 400, "bad_request", "%s %s: %s", call->method, call->path, e.msg);
		bucket_query_free(q);
		return -1;
	}
	struct strbuf sb = {0};
	parity_rules_encode(&q->hs.rules, q->hs.type, PARITY_SOURCE, &sb);
	q->hs.text = sb_detach(&sb);
	return 0;
}

static int bucket_query(struct sim_call *call, struct bucket_query *q)
{
	if (kind_param(call, sim_param(call, "entity"), &q->kind))
		return -1;
	long n = whole_param(call, "n", 64, BUCKET_MAX_FANOUT);
	if (n < 0)
		return -1;
	q->n = (unsigned)n;
	const char *prefix = sim_param(call, "prefix");
	struct err e = {0};
	if (bucket_path_parse(prefix ? prefix : "", q->n, q->path, &q->depth, &e) < 0) {
		sim_reply_error(call, 400, "bad_request", "%s %s: prefix: %s", call->method, call->path, e.msg);
		return -1;
	}
	const char *level = sim_param(call, "level");
	if (level && (strtol(level, NULL, 10) != (long)q->depth || !*level)) {
		sim_reply_error(call, 400, "bad_request", "%s %s: level %s does not match prefix '%s' (depth %u)",
				call->method, call->path, level, prefix ? prefix : "", q->depth);
		return -1;
	}
	return rules_param(call, q);
}

/* ?sample=S&seed=X: the full mode's sample over this side's ids (the
 * sample_size smallest parity_sample_key), as its cut and size, so the
 * client can count the sample without the ids. -1 after answering. */
static int sample_answer(struct sim_call *call, struct bucket_index *x, cJSON *o)
{
	const char *size = sim_param(call, "sample"), *seed_text = sim_param(call, "seed");
	if (!size)
		return 0;
	long s = whole_param(call, "sample", 1, 1000000000L);
	if (s < 0)
		return -1;
	char *end = NULL;
	errno = 0;
	unsigned long long seed = seed_text ? strtoull(seed_text, &end, 10) : 0;
	if (seed_text && (!*seed_text || *end || errno || *seed_text == '-')) {
		sim_reply_error(call, 400, "bad_request", "%s %s: seed must be a whole number below 2^64",
				call->method, call->path);
		return -1;
	}
	uint64_t *keys = xmalloc((x->n ? x->n : 1) * sizeof(*keys));
	for (size_t i = 0; i < x->n; i++)
		keys[i] = parity_sample_key(x->items[i].id, seed);
	size_t count;
	uint64_t cut = parity_sample_cut(keys, x->n, (size_t)s, &count);
	free(keys);
	char text[24];
	snprintf(text, sizeof(text), "%llu", (unsigned long long)cut);
	cJSON *j = cJSON_AddObjectToObject(o, "sample");
	cJSON_AddNumberToObject(j, "size", (double)s);
	cJSON_AddStringToObject(j, "cut", text);
	cJSON_AddNumberToObject(j, "count", (double)count);
	return 0;
}

/* GET /v1/tenants/{id}/parity/buckets?entity=E&n=N&level=L&prefix=P */
static void h_buckets(struct sim_call *call)
{
	struct bucket_query q;
	if (bucket_query(call, &q))
		return;
	struct bucket_index scratch = {0};
	/* the sample is over every id of the side, whatever the prefix */
	unsigned walk_depth = sim_param(call, "sample") ? 0 : q.depth;
	struct bucket_index *x = side_index(call, q.kind, &q.hs, q.n, q.path, walk_depth, &scratch);
	cJSON *o = x ? cJSON_CreateObject() : NULL;
	if (!x || sample_answer(call, x, o) < 0) {
		cJSON_Delete(o);
		bucket_index_free(&scratch);
		bucket_query_free(&q);
		return;
	}
	struct bucket_sum *sums = xcalloc(q.n, sizeof(*sums));
	bucket_index_sums(x, q.n, q.path, q.depth, sums);
	cJSON_AddStringToObject(o, "entity", simdata_kind_name(q.kind));
	cJSON_AddStringToObject(o, "rules", q.hs.text);
	cJSON_AddBoolToObject(o, "canonical", q.hs.canonical);
	cJSON_AddNumberToObject(o, "n", q.n);
	cJSON_AddNumberToObject(o, "level", q.depth);
	cJSON_AddStringToObject(o, "prefix", sim_param(call, "prefix") ? sim_param(call, "prefix") : "");
	cJSON *arr = cJSON_AddArrayToObject(o, "buckets");
	uint64_t total = 0;
	for (unsigned i = 0; i < q.n; i++) {
		if (!sums[i].count)
			continue; /* absent = empty: keeps a wide fan-out cheap */
		char hex[BUCKET_SUM_HEX];
		bucket_sum_hex(&sums[i], hex);
		cJSON *b = cJSON_CreateObject();
		cJSON_AddNumberToObject(b, "bucket", i);
		cJSON_AddNumberToObject(b, "count", (double)sums[i].count);
		cJSON_AddStringToObject(b, "checksum", hex);
		cJSON_AddItemToArray(arr, b);
		total += sums[i].count;
	}
	cJSON_AddNumberToObject(o, "count", (double)total);
	free(sums);
	bucket_index_free(&scratch);
	bucket_query_free(&q);
	sim_reply_json(call, 200, o);
}

/* GET /v1/tenants/{id}/parity/items?entity=E&n=N&prefix=P: one bucket's
 * (id, content hash) list. */
static void h_items(struct sim_call *call)
{
	struct bucket_query q;
	if (bucket_query(call, &q))
		return;
	struct bucket_index scratch = {0};
	struct bucket_index *x = side_index(call, q.kind, &q.hs, q.n, q.path, q.depth, &scratch);
	if (!x) {
		bucket_index_free(&scratch);
		bucket_query_free(&q);
		return;
	}
	const struct bucket_item **items;
	size_t count;
	bucket_index_items(x, q.n, q.path, q.depth, &items, &count);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "entity", simdata_kind_name(q.kind));
	cJSON_AddStringToObject(o, "rules", q.hs.text);
	cJSON_AddBoolToObject(o, "canonical", q.hs.canonical);
	cJSON *arr = cJSON_AddArrayToObject(o, "items");
	for (size_t i = 0; i < count; i++) {
		char hex[CANON_HEX_LEN];
		canon_hex(items[i]->hash, hex);
		cJSON *it = cJSON_CreateObject();
		cJSON_AddStringToObject(it, "id", items[i]->id);
		cJSON_AddStringToObject(it, "hash", hex);
		cJSON_AddItemToArray(arr, it);
	}
	cJSON_AddNumberToObject(o, "count", (double)count);
	free(items);
	bucket_index_free(&scratch);
	bucket_query_free(&q);
	sim_reply_json(call, 200, o);
}

static const struct sim_route routes[] = {
	{"GET", "/v1/tenants/{id}/parity/buckets", h_buckets},
	{"GET", "/v1/tenants/{id}/parity/items", h_items},
	{"GET", "/v1/tenants/{id}/parity/source/{entity}", h_source_list},
	{"GET", "/v1/tenants/{id}/parity/source/{entity}/{eid}", h_source_one},
};

const struct sim_route_table sim_parity_routes = {"parity", routes, ARRAY_SIZE(routes),
						  parity_state_new, parity_state_free};
