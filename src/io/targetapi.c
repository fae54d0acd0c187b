/* targetapi — synchronous reads of the target API for parity, drift and
 * reports: paged entity lists and the parity bucket routes, over http.h
 * (its retries and backoff), counting requests and bytes so a report can
 * say what a comparison cost. */
#include "warroom/targetapi.h"

#include <stdlib.h>
#include <string.h>

#include "warroom/diag.h"
#include "warroom/http.h"
#include "warroom/plan.h"
#include "warroom/source.h"
#include "warroom/store.h"
#include "warroom/template.h"

#define PAGE_SIZE 500
#define MAX_PAGES 100000 /* a server that never ends its pages is refused */

int targetapi_open(struct targetapi *t, const char *base_url, struct err *e)
{
	memset(t, 0, sizeof(*t));
	if (!base_url || (!util_has_prefix(base_url, "http://") && !util_has_prefix(base_url, "https://")))
		return err_set(e, "target base URL '%s' is not an http:// or https:// URL",
			       base_url ? base_url : "");
	t->http = http_new(e);
	if (!t->http)
		return -1;
	size_t n = strlen(base_url);
	while (n && base_url[n - 1] == '/')
		n--;
	t->base = xstrndup(base_url, n);
	return 0;
}

void targetapi_set_token(struct targetapi *t, const char *token)
{
	free(t->auth);
	t->auth = token ? xasprintf("Authorization: Bearer %s", token) : NULL;
}

int targetapi_open_account(struct targetapi *t, const struct account *a, struct err *e)
{
	memset(t, 0, sizeof(*t));
	char *token = NULL;
	if (a->target.token_env || a->target.token_file) {
		token = source_token(a->target.token_file ? NULL : a->target.token_env,
				     a->target.token_file, e);
		if (!token)
			return err_wrap(e, "account '%s': target token", a->id);
	}
	char *url = targetapi_account_url(a, e);
	int rc = url ? targetapi_open(t, url, e) : -1;
	if (!rc)
		targetapi_set_token(t, token);
	free(url);
	free(token);
	return rc;
}

void targetapi_close(struct targetapi *t)
{
	if (t->http)
		http_free(t->http);
	free(t->base);
	free(t->auth);
	memset(t, 0, sizeof(*t));
}

struct answer {
	long status;
	char *body;
	size_t len;
	char error[256];
};

static void on_done(void *ctx, const struct http_result *res)
{
	struct answer *a = ctx;
	a->status = res->status;
	a->body = res->body ? xstrndup(res->body, res->len) : xstrdup("");
	a->len = res->len;
	snprintf(a->error, sizeof(a->error), "%s", res->error);
}

/* The API's own words for an error body, when it has the documented shape. */
static const char *api_message(const cJSON *body)
{
	const cJSON *er = cJSON_GetObjectItemCaseSensitive(body, "error");
	const char *m = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(er, "message"));
	return m ? m : "";
}

cJSON *targetapi_get_json(struct targetapi *t, const char *path, struct err *e)
{
	char *url = xasprintf("%s%s", t->base, path);
	const char *headers[] = {t->auth};
	struct http_request rq = {.method = "GET", .url = url, .idempotent = 1, .retries = 3,
				  .headers = headers, .n_headers = t->auth ? 1 : 0,
				  .max_response = 64u * 1024 * 1024};
	if (t->timeout_ms > 0) { /* a console waiting on one entity: short */
		rq.timeout_ms = t->timeout_ms;
		rq.deadline_ms = util_mono_ms() + t->timeout_ms;
	}
	struct answer a = {0};
	cJSON *v = NULL;
	t->status = 0;
	if (http_submit(t->http, &rq, NULL, on_done, &a, e) < 0 || http_drain(t->http, e) < 0) {
		err_wrap(e, "GET %s", path);
		goto out;
	}
	t->requests++;
	t->bytes += a.len;
	t->status = a.status;
	if (a.status == 0) {
		err_set(e, "GET %s: %s", path, a.error[0] ? a.error : "no answer");
		goto out;
	}
	v = cJSON_ParseWithLength(a.body, a.len);
	if (a.status < 200 || a.status > 299) {
		err_set(e, "GET %s: %ld %s", path, a.status, api_message(v));
		cJSON_Delete(v);
		v = NULL;
	} else if (!v) {
		err_set(e, "GET %s: %ld but the body is not JSON", path, a.status);
	}
out:
	free(a.body);
	free(url);
	return v;
}

const char *targetapi_side_name(enum targetapi_side s)
{
	return s == TARGETAPI_REFERENCE ? "source" : "target";
}

/* One page's items into out; 1 when there is a next page, 0 at the end. */
static int take_page(const cJSON *page, enum entity_type type, const char *system, const char *url,
		     struct entity_set *out, struct err *e)
{
	const cJSON *data = cJSON_GetObjectItemCaseSensitive(page, "data");
	if (!cJSON_IsArray(data))
		return err_set(e, "GET %s: no \"data\" list in the answer", url);
	const cJSON *it;
	int64_t now = util_now_ms();
	cJSON_ArrayForEach(it, data)
	{
		struct entity *en = entity_new(type, cJSON_Duplicate(it, 1), e);
		if (!en)
			return err_wrap(e, "GET %s", url);
		entity_set_provenance(en, system, en->id, url, now);
		entity_set_add(out, en);
	}
	return cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(page, "next_page"));
}

static const char *side_system(enum targetapi_side side)
{
	return side == TARGETAPI_REFERENCE ? "reference" : "target";
}

static const char *side_route(enum targetapi_side side)
{
	return side == TARGETAPI_REFERENCE ? "parity/source/" : "";
}

/* Every page of one type into got; -1 with e naming the request. */
static int fetch_pages(struct targetapi *t, const char *tenant, enum targetapi_side side,
		       enum entity_type type, struct entity_set *got, struct err *e)
{
	const char *plural = entity_type_plural(type);
	for (long page = 1;; page++) {
		char *path = xasprintf("/v1/tenants/%s/%s%s?page=%ld&page_size=%d", tenant,
				       side_route(side), plural, page, PAGE_SIZE);
		cJSON *body = targetapi_get_json(t, path, e);
		int more = body ? take_page(body, type, side_system(side), path, got, e) : -1;
		cJSON_Delete(body);
		free(path);
		if (more <= 0)
			return more;
		if (page >= MAX_PAGES)
			return err_set(e, "GET /v1/tenants/%s/%s: more than %d pages", tenant, plural,
				       MAX_PAGES);
	}
}

/* Moves got's entities to out (all or nothing: got is emptied either way). */
static int hand_over(int rc, struct entity_set *got, struct entity_set *out)
{
	if (rc) {
		entity_set_free(got);
		return -1;
	}
	for (size_t i = 0; i < got->n; i++)
		entity_set_add(out, got->items[i]);
	free(got->items);
	memset(got, 0, sizeof(*got));
	return 0;
}

int targetapi_fetch_all(struct targetapi *t, const char *tenant, enum targetapi_side side,
			struct entity_set *out, struct err *e)
{
	struct entity_set got = {0};
	int rc = 0;
	for (int ty = 0; ty < ENTITY_TYPE_COUNT && !rc; ty++)
		rc = fetch_pages(t, tenant, side, (enum entity_type)ty, &got, e);
	return hand_over(rc, &got, out);
}

int targetapi_fetch_type(struct targetapi *t, const char *tenant, enum targetapi_side side,
			 enum entity_type type, struct entity_set *out, struct err *e)
{
	struct entity_set got = {0};
	return hand_over(fetch_pages(t, tenant, side, type, &got, e), &got, out);
}

int targetapi_fetch_one(struct targetapi *t, const char *tenant, enum targetapi_side side,
			enum entity_type type, const char *id, struct entity_set *out, struct err *e)
{
	char *path = xasprintf("/v1/tenants/%s/%s%s/%s", tenant, side_route(side),
			       entity_type_plural(type), id);
	cJSON *body = targetapi_get_json(t, path, e);
	struct entity *en = body ? entity_new(type, body, e) : NULL;
	if (en) {
		entity_set_provenance(en, side_system(side), en->id, path, util_now_ms());
		entity_set_add(out, en);
	} else if (body) {
		err_wrap(e, "GET %s", path);
	}
	free(path);
	return en ? 0 : -1;
}

size_t targetapi_list_requests(uint64_t count)
{
	return count > PAGE_SIZE ? (size_t)((count + PAGE_SIZE - 1) / PAGE_SIZE) : 1;
}

/* ---- the target's shape ------------------------------------------------------------------ */

static const char *const bookkeeping[] = {"type", "origin"};
static const struct {
	enum entity_type type;
	const char *canonical, *target;
} renamed[] = {
	{ENTITY_INTEGRATION, "type", "integration_type"},
};

const char *targetapi_field_name(enum entity_type type, const char *canonical)
{
	for (size_t k = 0; k < ARRAY_SIZE(renamed); k++)
		if (renamed[k].type == type && !strcmp(renamed[k].canonical, canonical))
			return renamed[k].target;
	return canonical;
}

void targetapi_strip_bookkeeping(cJSON *doc)
{
	for (size_t k = 0; k < ARRAY_SIZE(bookkeeping); k++)
		cJSON_DeleteItemFromObjectCaseSensitive(doc, bookkeeping[k]);
}

void targetapi_doc_to_canonical(enum entity_type type, cJSON *doc)
{
	targetapi_strip_bookkeeping(doc);
	for (size_t k = 0; k < ARRAY_SIZE(renamed); k++) {
		if (renamed[k].type != type)
			continue;
		cJSON *v = cJSON_DetachItemFromObjectCaseSensitive(doc, renamed[k].target);
		if (v)
			cJSON_AddItemToObject(doc, renamed[k].canonical, v);
	}
}

void targetapi_to_canonical(struct entity_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		targetapi_doc_to_canonical(s->items[i]->type, s->items[i]->doc);
}

/* ---- the bucket side ---------------------------------------------------------------- */

/* A query value: everything but RFC 3986's unreserved characters as %XX. */
static void query_escape(struct strbuf *sb, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		    strchr("-._~", *p))
			sb_addc(sb, (char)*p);
		else
			sb_addf(sb, "%%%02X", *p);
	}
}

static char *bucket_path(struct targetapi_buckets *b, const char *route, unsigned n,
			 const uint32_t *path, unsigned depth)
{
	char prefix[BUCKET_MAX_DEPTH * 12];
	bucket_path_format(path, depth, prefix, sizeof(prefix));
	struct strbuf sb = {0};
	sb_addf(&sb, "/v1/tenants/%s/parity/%s?entity=%s&n=%u&level=%u&prefix=%s&side=%s", b->tenant,
		route, entity_type_plural(b->type), n, depth, prefix, targetapi_side_name(b->side));
	if (b->rules && *b->rules) {
		sb_adds(&sb, "&rules=");
		query_escape(&sb, b->rules);
	}
	if (b->canonical)
		sb_adds(&sb, "&canonical=1");
	if (b->sample && !depth && !strcmp(route, "buckets"))
		sb_addf(&sb, "&sample=%zu&seed=%llu", b->sample, (unsigned long long)b->seed);
	return sb_detach(&sb);
}

/* The rules an answer's checksums were taken after must be the ones asked
 * for, and its records in the form asked for: a server that ignored either
 * would make its summaries incomparable. */
static int rules_echoed(struct targetapi_buckets *b, const cJSON *body, const char *p,
			struct err *e)
{
	if (b->canonical && !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(body, "canonical"))) {
		b->refused = "the bucket routes did not hash the canonical form";
		return err_set(e, "GET %s: the answer does not say it hashed the canonical form "
				  "asked for (canonical=1)", p);
	}
	if (!b->rules || !*b->rules)
		return 0;
	const char *got = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(body, "rules"));
	if (got && !strcmp(got, b->rules))
		return 0;
	b->refused = "the bucket routes did not apply the ignore rules";
	return err_set(e, "GET %s: the answer %s the ignore rules asked for", p,
		       got ? "was taken after other rules than" : "does not say it applied");
}

/* The answer's "sample": {cut (decimal text), count}, when asked for. */
static int sample_read(struct targetapi_buckets *b, const cJSON *body, const char *p,
		       struct err *e)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(body, "sample");
	const char *cut = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "cut"));
	const cJSON *count = cJSON_GetObjectItemCaseSensitive(j, "count");
	char *end = NULL;
	unsigned long long v = cut ? strtoull(cut, &end, 10) : 0;
	if (!cut || !*cut || *end || !cJSON_IsNumber(count) || count->valuedouble < 0)
		return err_set(e, "GET %s: the answer has no sample {cut, count}", p);
	b->sample_cut = v;
	b->sample_count = (size_t)count->valuedouble;
	return 0;
}

static int remote_sums(void *ctx, unsigned n, const uint32_t *path, unsigned depth,
		       struct bucket_sum *out, struct err *e)
{
	struct targetapi_buckets *b = ctx;
	memset(out, 0, n * sizeof(*out));
	char *p = bucket_path(b, "buckets", n, path, depth);
	cJSON *body = targetapi_get_json(b->api, p, e);
	int rc = body ? rules_echoed(b, body, p, e) : -1;
	if (!rc && b->sample && !depth)
		rc = sample_read(b, body, p, e);
	const cJSON *it, *list = rc ? NULL : cJSON_GetObjectItemCaseSensitive(body, "buckets");
	cJSON_ArrayForEach(it, list)
	{
		const cJSON *bk = cJSON_GetObjectItemCaseSensitive(it, "bucket");
		const cJSON *cnt = cJSON_GetObjectItemCaseSensitive(it, "count");
		const char *sum = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(it, "checksum"));
		struct bucket_sum s = {0};
		if (!cJSON_IsNumber(bk) || bk->valuedouble < 0 || bk->valuedouble >= n || !cJSON_IsNumber(cnt) ||
		    cnt->valuedouble < 0 || !sum || bucket_sum_parse_hex(sum, &s) < 0) {
			rc = err_set(e, "GET %s: a bucket entry is not {bucket < %u, count, checksum}", p, n);
			break;
		}
		s.count = (uint64_t)cnt->valuedouble;
		out[(unsigned)bk->valuedouble] = s;
	}
	cJSON_Delete(body);
	free(p);
	return rc;
}

static int hex_hash(const char *hex, unsigned char out[CANON_HASH_LEN])
{
	if (!hex || strlen(hex) != CANON_HASH_LEN * 2)
		return -1;
	for (int i = 0; i < CANON_HASH_LEN; i++) {
		unsigned v;
		if (sscanf(hex + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (unsigned char)v;
	}
	return 0;
}

static int remote_items(void *ctx, unsigned n, const uint32_t *path, unsigned depth,
			struct bucket_list *out, struct err *e)
{
	struct targetapi_buckets *b = ctx;
	char *p = bucket_path(b, "items", n, path, depth);
	cJSON *body = targetapi_get_json(b->api, p, e);
	int rc = body ? rules_echoed(b, body, p, e) : -1;
	const cJSON *it, *list = rc ? NULL : cJSON_GetObjectItemCaseSensitive(body, "items");
	cJSON_ArrayForEach(it, list)
	{
		const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(it, "id"));
		struct bucket_item item = {0};
		if (!id || hex_hash(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(it, "hash")),
				    item.hash) < 0) {
			rc = err_set(e, "GET %s: an item is not {id, hash (64 hex digits)}", p);
			break;
		}
		item.id = xstrdup(id);
		item.id_hash = bucket_id_hash(id);
		VEC_PUSH(out->items, out->n, out->cap, item);
	}
	cJSON_Delete(body);
	free(p);
	return rc;
}

void targetapi_bucket_side(struct targetapi_buckets *b, struct bucket_side *s)
{
	memset(s, 0, sizeof(*s));
	s->ctx = b;
	s->sums = remote_sums;
	s->items = remote_items;
}

/* ---- accounts -------------------------------------------------------------------------- */

int targetapi_accounts(const struct program *p, const char *account, const char *wave,
		       const struct account ***out, size_t *n, struct err *e)
{
	*out = NULL;
	*n = 0;
	if (account) {
		const struct account *a = program_find_account(p, account);
		if (!a)
			return err_set(e, "no account '%s' in %s", account,
				       p->accounts_path ? p->accounts_path : "the program (no accounts.yaml)");
		*out = xmalloc(sizeof(**out));
		(*out)[0] = a;
		*n = 1;
		return 0;
	}
	if (wave) {
		if (!plan_find_wave(p->plan, wave))
			return err_set(e, "no wave '%s' in %s", wave, p->plan_path ? p->plan_path : "the plan");
		*n = program_wave_accounts(p, wave, out);
		return 0;
	}
	*out = xmalloc((p->n_accounts ? p->n_accounts : 1) * sizeof(**out));
	for (size_t i = 0; i < p->n_accounts; i++)
		(*out)[i] = &p->accounts[i];
	*n = p->n_accounts;
	return 0;
}

char *targetapi_account_url(const struct account *a, struct err *e)
{
	if (!a->target.base_url) {
		err_set(e, "account '%s' has no target.base_url", a->id);
		return NULL;
	}
	struct template_vars v = {
		.account_id = a->id,
		.account_name = a->name,
		.source_base_url = a->source.base_url,
		.source_system = account_system_name(a->source.system),
	};
	char *url = template_render(a->target.base_url, &v, e);
	if (!url)
		err_wrap(e, "account '%s': target.base_url", a->id);
	return url;
}

int targetapi_cmd_open(struct targetapi_cmd *c, const char *program, const char *db,
		       const char *account, const char *wave, int writable, struct err *e)
{
	memset(c, 0, sizeof(*c));
	struct diags d = {0};
	c->program = program_load(program, &d);
	if (!c->program)
		diags_print(&d, stderr);
	diags_free(&d);
	if (!c->program)
		return err_set(e, "%s does not load", program);
	if (targetapi_accounts(c->program, account, wave, &c->accounts, &c->n_accounts, e))
		return -1;
	c->db_path = store_default_path(db, program);
	c->store = store_open(c->db_path, writable ? STORE_READWRITE : STORE_READONLY, e);
	return c->store ? 0 : -1;
}

void targetapi_cmd_close(struct targetapi_cmd *c)
{
	store_close(c->store);
	free(c->db_path);
	free(c->accounts);
	program_free(c->program);
	memset(c, 0, sizeof(*c));
}

int targetapi_read_source(const struct account *a, struct source_result *out, struct err *e)
{
	memset(out, 0, sizeof(*out));
	struct source_account sa;
	if (source_account_open(a, &sa, e) < 0)
		return -1;
	int rc = source_fetch_all(&sa.conn, out, e);
	if (rc)
		err_wrap(e, "account '%s': the source could not be read whole", a->id);
	source_account_close(&sa);
	return rc;
}
