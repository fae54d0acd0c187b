/* sim_target — the target platform's API as docs/target-api.md specifies it:
 * tenants with a lifecycle (provisioned, importing, dual_run, cut_over,
 * rolled_back), their entities, imports from the seeded source data,
 * backfill jobs that progress with time, and traffic flags. */
#include "warroom/sim.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TENANTS 100000
#define MAX_JOBS 100000
#define ID_MAX 64
#define PAGE_SIZE_DEFAULT 25
#define PAGE_SIZE_MAX 500
#define MAX_FLAGS 256 /* per tenant */

static const char *const ST_PROVISIONED = "provisioned", *const ST_IMPORTING = "importing",
		  *const ST_DUAL_RUN = "dual_run", *const ST_CUT_OVER = "cut_over",
		  *const ST_ROLLED_BACK = "rolled_back";
static const char *const source_systems[] = {"pagerduty", "rootly", "incident_io"};

struct item {
	char *id;
	cJSON *obj;
	int imported;
};
struct bucket {
	struct item *items;
	size_t n, cap;
};
struct flag {
	char *name;
	int enabled;
	double percentage;
};
struct tenant {
	char *id, *name, *source;
	int account; /* index in the seeded data; -1 when it has none */
	const char *state;
	int64_t created_ms, cutover_ms;
	long drift;
	unsigned long next_local;
	struct bucket kinds[SIMDATA_KIND_COUNT];
	struct flag *flags;
	size_t nflags, flags_cap;
};
struct job {
	char id[16];
	char *tenant;
	enum simdata_kind kind;
	int64_t start_ms, dur_ms;
	size_t total, done_frozen;
	const char *state; /* running | done | failed */
};
struct target {
	struct sim *sim;
	struct tenant **tenants;
	size_t n, cap;
	struct job *jobs;
	size_t njobs, jobs_cap;
};

/* ---- model ------------------------------------------------------------------------------ */

static void bucket_clear(struct bucket *b)
{
	for (size_t i = 0; i < b->n; i++) {
		free(b->items[i].id);
		cJSON_Delete(b->items[i].obj);
	}
	free(b->items);
	memset(b, 0, sizeof(*b));
}

static void tenant_free(struct tenant *t)
{
	for (int k = 0; k < SIMDATA_KIND_COUNT; k++)
		bucket_clear(&t->kinds[k]);
	for (size_t i = 0; i < t->nflags; i++)
		free(t->flags[i].name);
	free(t->flags);
	free(t->id);
	free(t->name);
	free(t->source);
	free(t);
}

static ptrdiff_t tenant_index(const struct target *tg, const char *id)
{
	for (size_t i = 0; i < tg->n; i++)
		if (strcmp(tg->tenants[i]->id, id) == 0)
			return (ptrdiff_t)i;
	return -1;
}

static struct item *bucket_find(struct bucket *b, const char *id)
{
	for (size_t i = 0; i < b->n; i++)
		if (strcmp(b->items[i].id, id) == 0)
			return &b->items[i];
	return NULL;
}

/* Stores obj under id, replacing what was there; takes obj. */
static void bucket_put(struct bucket *b, const char *id, cJSON *obj, int imported)
{
	struct item *it = bucket_find(b, id);
	if (it) {
		cJSON_Delete(it->obj);
		it->obj = obj;
		it->imported = imported;
		return;
	}
	struct item fresh = {xstrdup(id), obj, imported};
	VEC_PUSH(b->items, b->n, b->cap, fresh);
}

static void bucket_remove_at(struct bucket *b, size_t i)
{
	free(b->items[i].id);
	cJSON_Delete(b->items[i].obj);
	memmove(&b->items[i], &b->items[i + 1], (b->n - i - 1) * sizeof(*b->items));
	b->n--;
}

static double tenant_share(const struct tenant *t)
{
	if (t->state == ST_CUT_OVER)
		return 1.0;
	if (t->state == ST_ROLLED_BACK)
		return 0.0;
	double share = 0;
	for (size_t i = 0; i < t->nflags; i++)
		if (t->flags[i].enabled && t->flags[i].percentage / 100.0 > share)
			share = t->flags[i].percentage / 100.0;
	return share;
}

/* Writes after cutover are what drift counts. */
static void tenant_wrote(struct tenant *t, long n)
{
	if (t->state == ST_CUT_OVER)
		t->drift += n;
}

static size_t job_done(const struct job *j, int64_t now_ms)
{
	if (strcmp(j->state, "running") != 0)
		return j->done_frozen;
	if (j->dur_ms <= 0 || now_ms - j->start_ms >= j->dur_ms)
		return j->total;
	return (size_t)((double)j->total * (double)(now_ms - j->start_ms) / (double)j->dur_ms);
}

static size_t import_kind(struct target *tg, struct tenant *t, enum simdata_kind kind);

/* Moves jobs along: a finished one lands its records on the target. Jobs
 * whose tenant goes away or rolls back are failed there and then (see
 * jobs_fail), so only finishing jobs need their tenant looked up. */
static void jobs_settle(struct target *tg, int64_t now_ms)
{
	for (size_t i = 0; i < tg->njobs; i++) {
		struct job *j = &tg->jobs[i];
		if (strcmp(j->state, "running") != 0 || job_done(j, now_ms) < j->total)
			continue;
		j->done_frozen = j->total;
		j->state = "done";
		ptrdiff_t ti = tenant_index(tg, j->tenant);
		if (ti >= 0)
			import_kind(tg, tg->tenants[ti], j->kind);
	}
}

/* Fails the tenant's unfinished jobs where they stand. */
static void jobs_fail(struct target *tg, const char *tenant, int64_t now_ms)
{
	jobs_settle(tg, now_ms);
	for (size_t i = 0; i < tg->njobs; i++) {
		struct job *j = &tg->jobs[i];
		if (strcmp(j->state, "running") == 0 && strcmp(j->tenant, tenant) == 0) {
			j->done_frozen = job_done(j, now_ms);
			j->state = "failed";
		}
	}
}

static size_t import_kind(struct target *tg, struct tenant *t, enum simdata_kind kind)
{
	if (t->account < 0)
		return 0;
	const struct simdata *d = sim_data(tg->sim);
	size_t n = simdata_count(d, (unsigned)t->account, kind);
	struct simdata_entity e;
	for (size_t i = 0; i < n; i++) {
		if (simdata_entity(d, (unsigned)t->account, kind, i, &e) < 0)
			break;
		cJSON *o = simdata_entity_json(&e);
		cJSON_AddStringToObject(o, "origin", "import");
		bucket_put(&t->kinds[kind], e.id, o, 1);
	}
	tenant_wrote(t, (long)n);
	if (t->state == ST_PROVISIONED)
		t->state = ST_IMPORTING;
	return n;
}

static cJSON *job_json(const struct job *j, int64_t now_ms);

/* The tenant's latest backfill job, which its progress bar follows. */
static const struct job *tenant_last_job(const struct target *tg, const struct tenant *t)
{
	for (size_t i = tg->njobs; i-- > 0;)
		if (strcmp(tg->jobs[i].tenant, t->id) == 0)
			return &tg->jobs[i];
	return NULL;
}

static cJSON *tenant_json(const struct target *tg, const struct tenant *t, int64_t now_ms)
{
	char when[32];
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "id", t->id);
	cJSON_AddStringToObject(o, "name", t->name);
	cJSON_AddStringToObject(o, "source_system", t->source);
	cJSON_AddStringToObject(o, "state", t->state);
	util_iso8601(t->created_ms, when, sizeof(when));
	cJSON_AddStringToObject(o, "created_at", when);
	if (t->cutover_ms) {
		util_iso8601(t->cutover_ms, when, sizeof(when));
		cJSON_AddStringToObject(o, "cutover_at", when);
	} else {
		cJSON_AddNullToObject(o, "cutover_at");
	}
	cJSON *counts = cJSON_AddObjectToObject(o, "counts");
	for (int k = 0; k < SIMDATA_KIND_COUNT; k++)
		cJSON_AddNumberToObject(counts, simdata_kind_name((enum simdata_kind)k), (double)t->kinds[k].n);
	cJSON *flags = cJSON_AddObjectToObject(o, "flags");
	for (size_t i = 0; i < t->nflags; i++) {
		cJSON *f = cJSON_AddObjectToObject(flags, t->flags[i].name);
		cJSON_AddBoolToObject(f, "enabled", t->flags[i].enabled);
		cJSON_AddNumberToObject(f, "percentage", t->flags[i].percentage);
	}
	const struct job *job = tenant_last_job(tg, t);
	if (job)
		cJSON_AddItemToObject(o, "backfill", job_json(job, now_ms));
	else
		cJSON_AddNullToObject(o, "backfill");
	return o;
}

static cJSON *job_json(const struct job *j, int64_t now_ms)
{
	size_t done = job_done(j, now_ms);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "job_id", j->id);
	cJSON_AddStringToObject(o, "tenant_id", j->tenant);
	cJSON_AddStringToObject(o, "entity", simdata_kind_name(j->kind));
	cJSON_AddStringToObject(o, "state", j->state);
	cJSON_AddNumberToObject(o, "done", (double)done);
	cJSON_AddNumberToObject(o, "total", (double)j->total);
	cJSON_AddNumberToObject(o, "progress", j->total ? (double)done / (double)j->total : 1.0);
	return o;
}

/* ---- request helpers --------------------------------------------------------------------- */

static int valid_id(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > ID_MAX)
		return 0;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == n;
}

static struct tenant *tenant_or_404(struct sim_call *call)
{
	struct target *tg = call->state;
	ptrdiff_t i = tenant_index(tg, call->params[0]);
	if (i < 0) {
		sim_reply_error(call, 404, "not_found", "%s %s: no tenant '%s'", call->method, call->path,
				call->params[0]);
		return NULL;
	}
	return tg->tenants[i];
}

static int kind_or_404(struct sim_call *call, const char *name, enum simdata_kind *kind)
{
	if (simdata_kind_parse(name, kind) == 0)
		return 0;
	sim_reply_error(call, 404, "not_found",
			"%s %s: unknown entity type '%s' (services, teams, users, schedules, "
			"escalation_policies, integrations, incidents)",
			call->method, call->path, name);
	return -1;
}

/* {"data":[...],"next_page":N|null,"total":N} over n objects got by index. */
static void reply_page(struct sim_call *call, size_t n, cJSON *(*get)(void *ctx, size_t i), void *ctx)
{
	long page = sim_param_int(call, "page", 1, 1000000000L);
	if (page < 0)
		return;
	long size = sim_param_int(call, "page_size", PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX);
	if (size < 0)
		return;
	cJSON *o = cJSON_CreateObject();
	cJSON *data = cJSON_AddArrayToObject(o, "data");
	size_t first = (size_t)(page - 1) * (size_t)size;
	for (size_t i = first; i < n && i < first + (size_t)size; i++)
		cJSON_AddItemToArray(data, get(ctx, i));
	if (first + (size_t)size < n)
		cJSON_AddNumberToObject(o, "next_page", (double)(page + 1));
	else
		cJSON_AddNullToObject(o, "next_page");
	cJSON_AddNumberToObject(o, "total", (double)n);
	sim_reply_json(call, 200, o);
}

/* ---- handlers: tenants --------------------------------------------------------------------- */

static void h_health(struct sim_call *call)
{
	sim_reply_raw(call, 200, "application/json", "{\"status\":\"ok\"}");
}

static const char *body_string(struct sim_call *call, const cJSON *body, const char *key, int required)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(body, key);
	if (!v && !required)
		return "";
	if (!cJSON_IsString(v) || !*v->valuestring) {
		sim_reply_error(call, 400, "bad_request", "%s %s: \"%s\" must be a non-empty string",
				call->method, call->path, key);
		return NULL;
	}
	return v->valuestring;
}

static void h_tenants_post(struct sim_call *call)
{
	struct target *tg = call->state;
	cJSON *body = sim_body_object(call);
	if (!body)
		return;
	const char *id = body_string(call, body, "id", 1);
	const char *name = id ? body_string(call, body, "name", 1) : NULL;
	const char *source = name ? body_string(call, body, "source_system", 0) : NULL;
	int account = id ? simdata_account_find(sim_data(tg->sim), id) : -1;
	int ok_source = source && !*source;
	for (size_t i = 0; source && i < ARRAY_SIZE(source_systems); i++)
		ok_source |= strcmp(source, source_systems[i]) == 0;
	if (!source) {
		/* answered already */
	} else if (!valid_id(id)) {
		sim_reply_error(call, 400, "bad_request",
				"POST /v1/tenants: id must be 1-%d letters, digits, '.', '_' or '-'", ID_MAX);
	} else if (!ok_source) {
		sim_reply_error(call, 400, "bad_request",
				"POST /v1/tenants: source_system must be pagerduty, rootly or incident_io, not '%s'",
				source);
	} else if (tenant_index(tg, id) >= 0) {
		sim_reply_error(call, 409, "conflict", "POST /v1/tenants: tenant '%s' already exists", id);
	} else if (tg->n >= MAX_TENANTS) {
		sim_reply_error(call, 507, "limit", "POST /v1/tenants: at most %d tenants", MAX_TENANTS);
	} else {
		struct tenant *t = xcalloc(1, sizeof(*t));
		t->id = xstrdup(id);
		t->name = xstrdup(name);
		t->account = account;
		t->source = xstrdup(*source ? source
					    : account >= 0 ? simdata_account_source(sim_data(tg->sim), (unsigned)account)
							   : "pagerduty");
		t->state = ST_PROVISIONED;
		t->created_ms = call->now_ms;
		VEC_PUSH(tg->tenants, tg->n, tg->cap, t);
		char *loc = xasprintf("/v1/tenants/%s", id);
		sim_reply_header(call, "Location", loc);
		free(loc);
		sim_reply_json(call, 201, tenant_json(tg, t, call->now_ms));
	}
	cJSON_Delete(body);
}

struct tenant_page {
	const struct target *tg;
	int64_t now_ms;
};
static cJSON *tenant_at(void *ctx, size_t i)
{
	const struct tenant_page *tp = ctx;
	return tenant_json(tp->tg, tp->tg->tenants[i], tp->now_ms);
}

static void h_tenants_list(struct sim_call *call)
{
	struct target *tg = call->state;
	jobs_settle(tg, call->now_ms);
	struct tenant_page tp = {tg, call->now_ms};
	reply_page(call, tg->n, tenant_at, &tp);
}

static void h_tenant_get(struct sim_call *call)
{
	jobs_settle(call->state, call->now_ms);
	struct tenant *t = tenant_or_404(call);
	if (t)
		sim_reply_json(call, 200, tenant_json(call->state, t, call->now_ms));
}

static void h_tenant_delete(struct sim_call *call)
{
	struct target *tg = call->state;
	ptrdiff_t i = tenant_index(tg, call->params[0]);
	if (i < 0) {
		tenant_or_404(call);
		return;
	}
	jobs_fail(tg, tg->tenants[i]->id, call->now_ms);
	tenant_free(tg->tenants[i]);
	memmove(&tg->tenants[i], &tg->tenants[i + 1], (tg->n - (size_t)i - 1) * sizeof(*tg->tenants));
	tg->n--;
	sim_reply_raw(call, 204, NULL, "");
}

/* ---- handlers: entities ----------------------------------------------------------------------- */

static cJSON *item_at(void *ctx, size_t i)
{
	return cJSON_Duplicate(((struct bucket *)ctx)->items[i].obj, 1);
}

static void h_entities_list(struct sim_call *call)
{
	enum simdata_kind kind;
	jobs_settle(call->state, call->now_ms);
	struct tenant *t = tenant_or_404(call);
	if (t && kind_or_404(call, call->params[1], &kind) == 0)
		reply_page(call, t->kinds[kind].n, item_at, &t->kinds[kind]);
}

/* Finds the tenant, kind and (when want_item) the entity named by the
 * path; answers 404 and returns NULL otherwise. */
static struct bucket *entity_path(struct sim_call *call, struct tenant **tp, struct item **item, int want_item)
{
	enum simdata_kind kind;
	struct tenant *t = tenant_or_404(call);
	if (!t || kind_or_404(call, call->params[1], &kind) < 0)
		return NULL;
	*tp = t;
	struct bucket *b = &t->kinds[kind];
	if (want_item) {
		*item = bucket_find(b, call->params[2]);
		if (!*item) {
			sim_reply_error(call, 404, "not_found", "%s %s: tenant '%s' has no %s '%s'", call->method,
					call->path, t->id, simdata_kind_singular(kind), call->params[2]);
			return NULL;
		}
	}
	return b;
}

static void h_entity_get(struct sim_call *call)
{
	struct tenant *t;
	struct item *it;
	if (entity_path(call, &t, &it, 1))
		sim_reply_json(call, 200, cJSON_Duplicate(it->obj, 1));
}

/* The stored form of a written entity: the body, with id and type fixed. */
static cJSON *entity_from_body(cJSON *body, const char *id, const char *kind_plural)
{
	enum simdata_kind kind;
	simdata_kind_parse(kind_plural, &kind);
	cJSON *o = cJSON_Duplicate(body, 1);
	cJSON_DeleteItemFromObjectCaseSensitive(o, "id");
	cJSON_DeleteItemFromObjectCaseSensitive(o, "type");
	cJSON_DeleteItemFromObjectCaseSensitive(o, "origin");
	cJSON_AddStringToObject(o, "id", id);
	cJSON_AddStringToObject(o, "type", simdata_kind_singular(kind));
	cJSON_AddStringToObject(o, "origin", "api");
	return o;
}

static void h_entity_post(struct sim_call *call)
{
	struct tenant *t;
	struct bucket *b = entity_path(call, &t, NULL, 0);
	if (!b)
		return;
	cJSON *body = sim_body_object(call);
	if (!body)
		return;
	const cJSON *idv = cJSON_GetObjectItemCaseSensitive(body, "id");
	char *id = NULL;
	if (idv && !valid_id(cJSON_GetStringValue(idv))) {
		sim_reply_error(call, 400, "bad_request",
				"%s %s: id must be 1-%d letters, digits, '.', '_' or '-'", call->method, call->path, ID_MAX);
	} else if (idv && bucket_find(b, idv->valuestring)) {
		sim_reply_error(call, 409, "conflict", "%s %s: '%s' already exists", call->method, call->path,
				idv->valuestring);
	} else if (b->n >= SIMDATA_MAX_ENTITIES) {
		sim_reply_error(call, 507, "limit", "%s %s: at most %d entities of a type", call->method,
				call->path, SIMDATA_MAX_ENTITIES);
	} else {
		if (idv)
			id = xstrdup(idv->valuestring);
		while (!id) {
			id = xasprintf("T%lu", ++t->next_local);
			if (bucket_find(b, id)) {
				free(id);
				id = NULL;
			}
		}
		cJSON *o = entity_from_body(body, id, call->params[1]);
		bucket_put(b, id, o, 0);
		tenant_wrote(t, 1);
		char *loc = xasprintf("/v1/tenants/%s/%s/%s", t->id, call->params[1], id);
		sim_reply_header(call, "Location", loc);
		free(loc);
		sim_reply_json(call, 201, cJSON_Duplicate(o, 1));
		free(id);
	}
	cJSON_Delete(body);
}

static void h_entity_put(struct sim_call *call)
{
	struct tenant *t;
	struct item *it;
	if (!entity_path(call, &t, &it, 1))
		return;
	cJSON *body = sim_body_object(call);
	if (!body)
		return;
	cJSON_Delete(it->obj);
	it->obj = entity_from_body(body, it->id, call->params[1]);
	it->imported = 0;
	tenant_wrote(t, 1);
	sim_reply_json(call, 200, cJSON_Duplicate(it->obj, 1));
	cJSON_Delete(body);
}

static void h_entity_delete(struct sim_call *call)
{
	struct tenant *t;
	struct item *it;
	struct bucket *b = entity_path(call, &t, &it, 1);
	if (!b)
		return;
	bucket_remove_at(b, (size_t)(it - b->items));
	tenant_wrote(t, 1);
	sim_reply_raw(call, 204, NULL, "");
}

/* ---- handlers: import, backfill, flags, cutover ------------------------------------------------ */

static void h_import_post(struct sim_call *call)
{
	enum simdata_kind kind;
	struct tenant *t = tenant_or_404(call);
	if (!t || kind_or_404(call, call->params[1], &kind) < 0)
		return;
	if (t->account < 0) {
		const struct simdata *d = sim_data(call->sim);
		char first[16], last[16];
		simdata_account_id(d, 0, first, sizeof(first));
		simdata_account_id(d, simdata_account_count(d) - 1, last, sizeof(last));
		sim_reply_error(call, 422, "no_source_data",
				"%s %s: tenant '%s' has no source dataset (the seeded accounts are %s to %s)",
				call->method, call->path, t->id, first, last);
		return;
	}
	size_t n = import_kind(call->state, t, kind);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "imported", (double)n);
	cJSON_AddStringToObject(o, "entity", simdata_kind_name(kind));
	cJSON_AddNumberToObject(o, "total", (double)t->kinds[kind].n);
	sim_reply_json(call, 200, o);
}

static void h_import_delete(struct sim_call *call)
{
	enum simdata_kind kind;
	struct tenant *t = tenant_or_404(call);
	if (!t || kind_or_404(call, call->params[1], &kind) < 0)
		return;
	struct bucket *b = &t->kinds[kind];
	size_t removed = 0;
	for (size_t i = b->n; i-- > 0;)
		if (b->items[i].imported) {
			bucket_remove_at(b, i);
			removed++;
		}
	tenant_wrote(t, (long)removed);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "removed", (double)removed);
	cJSON_AddStringToObject(o, "entity", simdata_kind_name(kind));
	sim_reply_json(call, 200, o);
}

static void h_backfill_post(struct sim_call *call)
{
	struct target *tg = call->state;
	struct tenant *t = tenant_or_404(call);
	if (!t)
		return;
	cJSON *body = sim_body_object(call);
	if (!body)
		return;
	enum simdata_kind kind;
	const char *entity = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(body, "entity"));
	if (!entity || simdata_kind_parse(entity, &kind) < 0) {
		sim_reply_error(call, 400, "bad_request",
				"%s %s: \"entity\" must name an entity type (services, teams, users, schedules, "
				"escalation_policies, integrations, incidents)",
				call->method, call->path);
	} else if (tg->njobs >= MAX_JOBS) {
		sim_reply_error(call, 507, "limit", "%s %s: at most %d backfill jobs", call->method, call->path,
				MAX_JOBS);
	} else {
		struct job j = {.kind = kind, .start_ms = call->now_ms, .state = "running"};
		snprintf(j.id, sizeof(j.id), "bf-%06zu", tg->njobs + 1);
		j.tenant = xstrdup(t->id);
		j.dur_ms = sim_options(call->sim)->backfill_ms;
		j.total = t->account < 0 ? 0 : simdata_count(sim_data(call->sim), (unsigned)t->account, kind);
		VEC_PUSH(tg->jobs, tg->njobs, tg->jobs_cap, j);
		char *loc = xasprintf("/v1/backfills/%s", j.id);
		sim_reply_header(call, "Location", loc);
		free(loc);
		sim_reply_json(call, 202, job_json(&tg->jobs[tg->njobs - 1], call->now_ms));
	}
	cJSON_Delete(body);
}

static void h_backfill_get(struct sim_call *call)
{
	struct target *tg = call->state;
	jobs_settle(tg, call->now_ms);
	for (size_t i = 0; i < tg->njobs; i++)
		if (strcmp(tg->jobs[i].id, call->params[0]) == 0) {
			sim_reply_json(call, 200, job_json(&tg->jobs[i], call->now_ms));
			return;
		}
	sim_reply_error(call, 404, "not_found", "GET %s: no backfill job '%s'", call->path, call->params[0]);
}

static struct flag *flag_find(struct tenant *t, const char *name)
{
	for (size_t i = 0; i < t->nflags; i++)
		if (strcmp(t->flags[i].name, name) == 0)
			return &t->flags[i];
	return NULL;
}

static cJSON *flag_json(const struct tenant *t, const struct flag *f)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "tenant_id", t->id);
	cJSON_AddStringToObject(o, "flag", f->name);
	cJSON_AddBoolToObject(o, "enabled", f->enabled);
	cJSON_AddNumberToObject(o, "percentage", f->percentage);
	return o;
}

static void h_flag_put(struct sim_call *call)
{
	struct tenant *t = tenant_or_404(call);
	if (!t)
		return;
	cJSON *body = sim_body_object(call);
	if (!body)
		return;
	const cJSON *en = cJSON_GetObjectItemCaseSensitive(body, "enabled");
	const cJSON *pc = cJSON_GetObjectItemCaseSensitive(body, "percentage");
	if (!valid_id(call->params[1])) {
		sim_reply_error(call, 400, "bad_request", "%s %s: a flag name is 1-%d letters, digits, '.', '_' or '-'",
				call->method, call->path, ID_MAX);
	} else if (!cJSON_IsBool(en)) {
		sim_reply_error(call, 400, "bad_request", "%s %s: \"enabled\" must be true or false", call->method,
				call->path);
	} else if (pc && (!cJSON_IsNumber(pc) || !isfinite(pc->valuedouble) || pc->valuedouble < 0 ||
			  pc->valuedouble > 100)) {
		sim_reply_error(call, 400, "bad_request", "%s %s: \"percentage\" must be a number from 0 to 100",
				call->method, call->path);
	} else {
		struct flag *f = flag_find(t, call->params[1]);
		if (!f && t->nflags >= MAX_FLAGS) {
			sim_reply_error(call, 507, "limit", "%s %s: at most %d flags per tenant", call->method,
					call->path, MAX_FLAGS);
			cJSON_Delete(body);
			return;
		}
		if (!f) {
			struct flag fresh = {xstrdup(call->params[1]), 0, 0};
			VEC_PUSH(t->flags, t->nflags, t->flags_cap, fresh);
			f = &t->flags[t->nflags - 1];
		}
		f->enabled = cJSON_IsTrue(en);
		f->percentage = pc ? pc->valuedouble : f->enabled ? 100 : 0;
		if (f->enabled && f->percentage > 0 && (t->state == ST_PROVISIONED || t->state == ST_IMPORTING))
			t->state = ST_DUAL_RUN;
		sim_reply_json(call, 200, flag_json(t, f));
	}
	cJSON_Delete(body);
}

static void h_flag_get(struct sim_call *call)
{
	struct tenant *t = tenant_or_404(call);
	if (!t)
		return;
	struct flag *f = flag_find(t, call->params[1]);
	if (f)
		sim_reply_json(call, 200, flag_json(t, f));
	else
		sim_reply_error(call, 404, "not_found", "GET %s: tenant '%s' has no flag '%s'", call->path, t->id,
				call->params[1]);
}

static void h_cutover(struct sim_call *call)
{
	struct tenant *t = tenant_or_404(call);
	if (!t)
		return;
	t->state = ST_CUT_OVER;
	t->cutover_ms = call->now_ms;
	t->drift = 0;
	sim_reply_json(call, 200, tenant_json(call->state, t, call->now_ms));
}

static void h_rollback(struct sim_call *call)
{
	struct tenant *t = tenant_or_404(call);
	if (!t)
		return;
	jobs_fail(call->state, t->id, call->now_ms);
	t->state = ST_ROLLED_BACK;
	t->drift = 0;
	sim_reply_json(call, 200, tenant_json(call->state, t, call->now_ms));
}

/* ---- handlers: integration health -------------------------------------------------------------- */

#define HEALTH_WINDOW_S 900 /* deliveries are counted over the last 15 minutes */

/* One integration's health: deterministic from the seed, the tenant, its id
 * and a one-minute clock, healthy unless integration_fault names the tenant. */
static cJSON *health_json(const struct item *it, size_t index, enum sim_integ_fault fault,
			  uint64_t seed, const char *tenant, int64_t now_ms)
{
	uint64_t h = simdata_hash_str(simdata_hash_str(seed ^ 0x1e9ULL, tenant), it->id);
	uint64_t tick = simdata_mix(h ^ (uint64_t)(now_ms / 60000));
	long deliveries = 20 + (long)(tick % 200);
	int64_t last_ms = now_ms - (int64_t)(simdata_mix(tick) % 60000);
	const char *status = "healthy", *reason = NULL;
	long failures = 0;
	if ((fault == SIM_INTEG_SOME && index == 0) || fault == SIM_INTEG_ALL) {
		status = "failing";
		failures = deliveries;
		reason = "every delivery in the window failed: the endpoint answered 503";
	} else if (fault == SIM_INTEG_SOME && index == 1) {
		status = "degraded";
		failures = deliveries / 5;
		reason = "a fifth of the deliveries in the window failed: the endpoint timed out";
	} else if (fault == SIM_INTEG_SILENT && index == 0) {
		status = "silent";
		deliveries = 0;
		last_ms = now_ms - 2 * 3600 * 1000;
		reason = "no event received for 2 hours";
	}
	cJSON *o = cJSON_CreateObject();
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(it->obj, "name");
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(it->obj, "integration_type");
	char ts[40];
	util_iso8601(last_ms, ts, sizeof(ts));
	cJSON_AddStringToObject(o, "id", it->id);
	cJSON_AddStringToObject(o, "name", cJSON_IsString(name) ? name->valuestring : "");
	cJSON_AddStringToObject(o, "type", cJSON_IsString(type) ? type->valuestring : "");
	cJSON_AddStringToObject(o, "status", status);
	cJSON_AddStringToObject(o, "last_event_at", ts);
	cJSON_AddNumberToObject(o, "deliveries", (double)deliveries);
	cJSON_AddNumberToObject(o, "failures", (double)failures);
	if (reason)
		cJSON_AddStringToObject(o, "reason", reason);
	else
		cJSON_AddNullToObject(o, "reason");
	return o;
}

static void h_integ_health(struct sim_call *call)
{
	struct tenant *t = tenant_or_404(call);
	if (!t)
		return;
	struct sim_fault_config faults;
	sim_faults_get(call->sim, call->now_ms, &faults);
	enum sim_integ_fault fault = sim_faults_integration(&faults, t->id);
	uint64_t seed = sim_options(call->sim)->seed;
	const struct bucket *b = &t->kinds[SIMDATA_INTEGRATIONS];
	cJSON *o = cJSON_CreateObject();
	char ts[40];
	util_iso8601(call->now_ms, ts, sizeof(ts));
	cJSON_AddStringToObject(o, "tenant_id", t->id);
	cJSON_AddStringToObject(o, "checked_at", ts);
	cJSON_AddNumberToObject(o, "window_s", HEALTH_WINDOW_S);
	cJSON *list = cJSON_AddArrayToObject(o, "integrations");
	size_t healthy = 0;
	for (size_t i = 0; i < b->n; i++) {
		cJSON *one = health_json(&b->items[i], i, fault, seed, t->id, call->now_ms);
		healthy += !strcmp(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(one, "status")),
				   "healthy");
		cJSON_AddItemToArray(list, one);
	}
	cJSON_AddNumberToObject(o, "healthy", (double)healthy);
	cJSON_AddNumberToObject(o, "total", (double)b->n);
	sim_reply_json(call, 200, o);
}

/* ---- the view metrics read ------------------------------------------------------------------------ */

static void tenant_view(const struct target *tg, const struct tenant *t, int64_t now_ms,
			struct sim_tenant_view *out)
{
	out->id = t->id;
	out->state = t->state;
	out->new_share = tenant_share(t);
	out->cutover_ms = t->cutover_ms;
	out->drift = t->drift;
	out->job_throughput = 0;
	for (size_t i = 0; i < tg->njobs; i++) {
		const struct job *j = &tg->jobs[i];
		if (strcmp(j->state, "running") == 0 && strcmp(j->tenant, t->id) == 0 &&
		    job_done(j, now_ms) < j->total && j->dur_ms > 0)
			out->job_throughput += (double)j->total * 1000.0 / (double)j->dur_ms;
	}
}

size_t sim_target_tenant_count(struct sim *sim)
{
	return ((struct target *)sim_state(sim, &sim_target_routes))->n;
}

int sim_target_tenant_at(struct sim *sim, size_t index, int64_t now_ms, struct sim_tenant_view *out)
{
	struct target *tg = sim_state(sim, &sim_target_routes);
	if (index >= tg->n)
		return -1;
	tenant_view(tg, tg->tenants[index], now_ms, out);
	return 0;
}

int sim_target_tenant_find(struct sim *sim, const char *id, int64_t now_ms, struct sim_tenant_view *out)
{
	struct target *tg = sim_state(sim, &sim_target_routes);
	ptrdiff_t i = tenant_index(tg, id);
	return i < 0 ? -1 : sim_target_tenant_at(sim, (size_t)i, now_ms, out);
}

int sim_target_each(struct sim *sim, const char *tenant, enum simdata_kind kind, sim_target_visit_fn fn,
		    void *ctx)
{
	struct target *tg = sim_state(sim, &sim_target_routes);
	jobs_settle(tg, util_now_ms());
	ptrdiff_t i = tenant_index(tg, tenant);
	if (i < 0)
		return -1;
	const struct bucket *b = &tg->tenants[i]->kinds[kind];
	for (size_t j = 0; j < b->n; j++)
		fn(ctx, b->items[j].id, b->items[j].obj);
	return 0;
}

/* ---- the table --------------------------------------------------------------------------------------- */

static void *target_new(struct sim *sim)
{
	struct target *tg = xcalloc(1, sizeof(*tg));
	tg->sim = sim;
	return tg;
}

static void target_free(void *state)
{
	struct target *tg = state;
	if (!tg)
		return;
	for (size_t i = 0; i < tg->n; i++)
		tenant_free(tg->tenants[i]);
	free(tg->tenants);
	for (size_t i = 0; i < tg->njobs; i++)
		free(tg->jobs[i].tenant);
	free(tg->jobs);
	free(tg);
}

/* Specific paths before the {entity} catch-alls. */
static const struct sim_route routes[] = {
	{"GET", "/v1/health", h_health},
	{"POST", "/v1/tenants", h_tenants_post},
	{"GET", "/v1/tenants", h_tenants_list},
	{"GET", "/v1/tenants/{id}", h_tenant_get},
	{"DELETE", "/v1/tenants/{id}", h_tenant_delete},
	{"POST", "/v1/tenants/{id}/cutover", h_cutover},
	{"POST", "/v1/tenants/{id}/rollback", h_rollback},
	{"POST", "/v1/tenants/{id}/backfills", h_backfill_post},
	{"GET", "/v1/backfills/{job}", h_backfill_get},
	{"POST", "/v1/tenants/{id}/import/{entity}", h_import_post},
	{"DELETE", "/v1/tenants/{id}/import/{entity}", h_import_delete},
	{"PUT", "/v1/tenants/{id}/flags/{flag}", h_flag_put},
	{"GET", "/v1/tenants/{id}/flags/{flag}", h_flag_get},
	{"GET", "/v1/tenants/{id}/integrations/health", h_integ_health},
	{"GET", "/v1/tenants/{id}/{entity}", h_entities_list},
	{"POST", "/v1/tenants/{id}/{entity}", h_entity_post},
	{"GET", "/v1/tenants/{id}/{entity}/{eid}", h_entity_get},
	{"PUT", "/v1/tenants/{id}/{entity}/{eid}", h_entity_put},
	{"DELETE", "/v1/tenants/{id}/{entity}/{eid}", h_entity_delete},
};
const struct sim_route_table sim_target_routes = {"target", routes, ARRAY_SIZE(routes), target_new,
						  target_free};
