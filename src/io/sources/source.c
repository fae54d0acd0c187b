/* source — the parts every migration source shares: names, the mapping
 * helpers, staged page parsing (a bad page changes nothing), and the walk
 * over pages and endpoints that reads a source whole or not at all. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "warroom/canon.h"
#include "warroom/plan.h"
#include "warroom/source.h"
#include "warroom/source_map.h"
#include "warroom/template.h"

static const struct {
	const char *name, *prov, *token_env;
	const struct source_driver *drv;
} systems[SOURCE_SYSTEM_COUNT] = {
	[SOURCE_PAGERDUTY] = {"pagerduty", "pagerduty", "PAGERDUTY_TOKEN", &source_driver_pagerduty},
	[SOURCE_ROOTLY] = {"rootly", "rootly", "ROOTLY_TOKEN", &source_driver_rootly},
	[SOURCE_INCIDENTIO] = {"incidentio", "incident_io", "INCIDENTIO_TOKEN",
			       &source_driver_incidentio},
};

const char *source_system_name(enum source_system s)
{
	return (unsigned)s < SOURCE_SYSTEM_COUNT ? systems[s].name : "?";
}

const char *source_system_provenance(enum source_system s)
{
	return (unsigned)s < SOURCE_SYSTEM_COUNT ? systems[s].prov : "?";
}

const char *source_token_env(enum source_system s)
{
	return (unsigned)s < SOURCE_SYSTEM_COUNT ? systems[s].token_env : "SOURCE_TOKEN";
}

int source_account_open(const struct account *a, struct source_account *out, struct err *e)
{
	memset(out, 0, sizeof(*out));
	struct source_conn *c = &out->conn;
	if (source_system_parse(account_system_name(a->source.system), &c->system, e) < 0)
		return err_wrap(e, "account '%s': source.system", a->id);
	if (!a->source.base_url)
		return err_set(e, "account '%s' has no source.base_url", a->id);
	struct template_vars v = {
		.account_id = a->id,
		.account_name = a->name,
		.source_base_url = a->source.base_url,
		.target_base_url = a->target.base_url,
		.source_system = account_system_name(a->source.system),
	};
	out->url = template_render(a->source.base_url, &v, e);
	if (!out->url)
		return err_wrap(e, "account '%s': source.base_url", a->id);
	size_t n = strlen(out->url);
	while (n && out->url[n - 1] == '/')
		out->url[--n] = 0;
	const char *env = a->source.token_env;
	if (!env && !a->source.token_file)
		env = source_token_env(c->system);
	out->token = source_token(a->source.token_file ? NULL : env, a->source.token_file, e);
	if (!out->token) {
		source_account_close(out);
		return err_wrap(e, "account '%s': source token", a->id);
	}
	c->base_url = out->url;
	c->token = out->token;
	return 0;
}

void source_account_close(struct source_account *s)
{
	free(s->url);
	free(s->token);
	memset(s, 0, sizeof(*s));
}

const char *source_auth_prefix(enum source_system s)
{
	return (unsigned)s < SOURCE_SYSTEM_COUNT ? systems[s].drv->auth_prefix : "Bearer ";
}

const struct source_driver *source_driver(enum source_system s)
{
	return (unsigned)s < SOURCE_SYSTEM_COUNT ? systems[s].drv : NULL;
}

int source_system_parse(const char *s, enum source_system *out, struct err *e)
{
	for (size_t i = 0; s && i < SOURCE_SYSTEM_COUNT; i++) {
		if (!strcmp(s, systems[i].name) || !strcmp(s, systems[i].prov)) {
			*out = (enum source_system)i;
			return 0;
		}
	}
	return err_set(e, "unknown source system '%s' (expected pagerduty, rootly or incidentio)",
		       s ? s : "");
}

const struct source_endpoint_info *source_endpoints(enum source_system s, size_t *n)
{
	const struct source_driver *d = source_driver(s);
	*n = d ? d->n_eps : 0;
	return d ? d->eps : NULL;
}

void source_cursor_reset(struct source_cursor *c)
{
	free(c->after);
	memset(c, 0, sizeof(*c));
}

void source_result_free(struct source_result *r)
{
	entity_set_free(&r->set);
	verdict_list_free(&r->verdicts);
	memset(r, 0, sizeof(*r));
}

/* ---- mapping helpers ---------------------------------------------------- */

const char *source_str(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_IsObject(obj) ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static const char *number_id(const cJSON *v, char *buf, size_t size)
{
	if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble >= 9007199254740992.0 ||
	    v->valuedouble != (double)(long long)v->valuedouble)
		return NULL;
	snprintf(buf, size, "%lld", (long long)v->valuedouble);
	return buf;
}

const char *source_id(const cJSON *obj, const char *key, char *buf, size_t size)
{
	const cJSON *v = cJSON_IsObject(obj) ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
	if (cJSON_IsString(v))
		return v->valuestring[0] ? v->valuestring : NULL;
	/* Rootly sends some ids (user_id) as integers; ids stay strings here. */
	return number_id(v, buf, size);
}

void source_add_str(cJSON *doc, const char *key, const char *val)
{
	if (val)
		cJSON_AddStringToObject(doc, key, val);
	else
		cJSON_AddNullToObject(doc, key);
}

void source_add_time(cJSON *doc, const char *key, const char *val)
{
	char buf[48];
	/* A time that does not parse is dropped to null rather than passed on:
	 * the target would refuse the whole entity for it. */
	if (val && canon_time(val, buf, sizeof(buf)))
		cJSON_AddStringToObject(doc, key, val);
	else
		cJSON_AddNullToObject(doc, key);
}

cJSON *source_ids_of(const cJSON *arr, const char *idkey)
{
	cJSON *out = cJSON_CreateArray();
	const cJSON *it;
	char buf[32];
	cJSON_ArrayForEach(it, arr)
	{
		const char *id = cJSON_IsString(it)   ? it->valuestring
				 : cJSON_IsNumber(it) ? number_id(it, buf, sizeof(buf))
						      : source_id(it, idkey, buf, sizeof(buf));
		if (id && id[0])
			cJSON_AddItemToArray(out, cJSON_CreateString(id));
	}
	return out;
}

const char *source_lookup(const char *const (*table)[2], size_t n, const char *key,
			  const char *dflt)
{
	for (size_t i = 0; key && i < n; i++)
		if (!strcmp(table[i][0], key))
			return table[i][1];
	return dflt;
}

const cJSON *source_wrapper(const cJSON *root, const char *wrapper, struct err *e)
{
	const cJSON *arr = cJSON_IsObject(root) ? cJSON_GetObjectItemCaseSensitive(root, wrapper) : NULL;
	if (!cJSON_IsArray(arr)) {
		err_set(e, "page has no \"%s\" array", wrapper);
		return NULL;
	}
	return arr;
}

const cJSON *source_single(const cJSON *root, const char *wrapper, struct err *e)
{
	const cJSON *o = cJSON_IsObject(root) ? cJSON_GetObjectItemCaseSensitive(root, wrapper) : NULL;
	if (!cJSON_IsObject(o)) {
		err_set(e, "the answer has no \"%s\" object", wrapper);
		return NULL;
	}
	return o;
}

int source_emit(struct source_sink *sink, enum entity_type t, cJSON *doc, const char *path,
		enum verdict_kind kind, const char *change, const char *reason, struct err *e)
{
	const char *name = source_str(doc, "name");
	if (!name)
		name = source_str(doc, "title");
	char *name_copy = name ? xstrdup(name) : NULL;
	struct entity *en = entity_new(t, doc, e);
	if (!en) {
		free(name_copy);
		return -1;
	}
	verdict_add(sink->verdicts, kind, t, en->id, name_copy, change, reason);
	free(name_copy);
	if (kind == VERDICT_SKIP) {
		entity_free(en);
		return 0;
	}
	char *url = path && sink->base_url ? xasprintf("%s%s", sink->base_url, path) : NULL;
	entity_set_provenance(en, source_system_provenance(sink->system), en->id, url,
			      sink->fetched_at_ms);
	free(url);
	entity_set_add(sink->set, en);
	return 0;
}

/* ---- staged parsing ----------------------------------------------------- */

void source_stage_merge(struct source_sink *into, struct entity_set *set, struct verdict_list *v)
{
	for (size_t i = 0; i < set->n; i++)
		entity_set_add(into->set, set->items[i]);
	set->n = 0;
	for (size_t i = 0; i < v->n; i++)
		VEC_PUSH(into->verdicts->items, into->verdicts->n, into->verdicts->cap, v->items[i]);
	v->n = 0;
}

static cJSON *parse_json(const char *body, size_t len, struct err *e)
{
	const char *end = NULL;
	cJSON *root = cJSON_ParseWithLengthOpts(body, len, &end, 0);
	if (!root)
		err_set(e, "malformed JSON at byte %zu", end && end >= body ? (size_t)(end - body) : 0);
	return root;
}

/* Items mapped into a stage reach the sink only when the whole answer
 * was read. */
struct stage {
	struct entity_set set;
	struct verdict_list v;
	struct source_sink sink;
};

static void stage_open(struct stage *st, const struct source_sink *to)
{
	memset(st, 0, sizeof(*st));
	st->sink = *to;
	st->sink.set = &st->set;
	st->sink.verdicts = &st->v;
}

static void stage_close(struct stage *st, struct source_sink *to, int keep)
{
	if (keep)
		source_stage_merge(to, &st->set, &st->v);
	entity_set_free(&st->set);
	verdict_list_free(&st->v);
}

int source_parse_page(enum source_system s, size_t endpoint, const char *body, size_t len,
		      struct source_sink *sink, struct source_cursor *c, struct err *e)
{
	const struct source_driver *d = source_driver(s);
	if (!d || endpoint >= d->n_eps)
		return err_set(e, "no such endpoint");
	cJSON *root = parse_json(body, len, e);
	if (!root)
		return -1;
	struct stage st;
	stage_open(&st, sink);
	struct source_cursor next = *c;
	next.after = NULL;
	int rc = d->parse(endpoint, root, &st.sink, &next, e);
	cJSON_Delete(root);
	if (rc < 0) {
		free(next.after);
	} else {
		if (next.after != c->after)
			free(c->after);
		*c = next;
	}
	stage_close(&st, sink, rc == 0);
	return rc;
}

int source_parse_one(enum source_system s, enum entity_type t, const char *body, size_t len,
		     struct source_sink *sink, struct err *e)
{
	const struct source_driver *d = source_driver(s);
	if (!d || (unsigned)t >= ENTITY_TYPE_COUNT)
		return err_set(e, "no such entity type");
	cJSON *root = parse_json(body, len, e);
	if (!root)
		return -1;
	struct stage st;
	stage_open(&st, sink);
	int rc = d->parse_one(t, root, &st.sink, e);
	cJSON_Delete(root);
	stage_close(&st, sink, rc == 0);
	return rc;
}

int source_time_ms(const char *s, int64_t *ms)
{
	char canon[48];
	struct tm tm = {0};
	int n = 0;
	if (!s || !canon_time(s, canon, sizeof(canon)) ||
	    sscanf(canon, "%d-%d-%dT%d:%d:%d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
		   &tm.tm_min, &tm.tm_sec, &n) != 6)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	int64_t frac = 0;
	if (canon[n] == '.') {
		int digits = 0;
		for (const char *p = canon + n + 1; *p >= '0' && *p <= '9'; p++, digits++)
			if (digits < 3)
				frac = frac * 10 + (*p - '0');
		for (; digits < 3; digits++)
			frac *= 10;
	}
	*ms = (int64_t)timegm(&tm) * 1000 + frac;
	return 0;
}
