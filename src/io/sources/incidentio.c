/* incidentio — the incident.io driver: Bearer auth, page_size + `after`
 * cursor (pagination_meta.after), services read from the catalog (the
 * catalog type named "Service"), escalation paths in place of policies.
 * Field facts: docs/mapping.md. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "warroom/source.h"
#include "warroom/source_map.h"

enum { EP_SERVICES, EP_TEAMS, EP_USERS, EP_SCHEDULES, EP_PATHS, EP_ALERT_SOURCES, EP_INCIDENTS };

static const struct source_endpoint_info iio_eps[] = {
	[EP_SERVICES] = {"/v3/catalog_entries", "", "catalog_entries", ENTITY_SERVICE, 250},
	[EP_TEAMS] = {"/v3/teams", "", "teams", ENTITY_TEAM, 250},
	[EP_USERS] = {"/v2/users", "", "users", ENTITY_USER, 250},
	[EP_SCHEDULES] = {"/v2/schedules", "", "schedules", ENTITY_SCHEDULE, 250},
	[EP_PATHS] = {"/v2/escalation_paths", "", "escalation_paths", ENTITY_ESCALATION_POLICY, 25},
	[EP_ALERT_SOURCES] = {"/v2/alert_sources", "", "alert_sources", ENTITY_INTEGRATION, 0},
	[EP_INCIDENTS] = {"/v2/incidents", "", "incidents", ENTITY_INCIDENT, 250},
};

/* GET /v3/catalog_entries/{id} answers the entry with its catalog type
 * (whose schema names the attributes), the others {"<type>": {...}}. */
static const struct source_item_endpoint iio_items[ENTITY_TYPE_COUNT] = {
	[ENTITY_SERVICE] = {"/v3/catalog_entries/", "", "catalog_entry", EP_SERVICES},
	[ENTITY_TEAM] = {"/v3/teams/", "", "team", EP_TEAMS},
	[ENTITY_USER] = {"/v2/users/", "", "user", EP_USERS},
	[ENTITY_SCHEDULE] = {"/v2/schedules/", "", "schedule", EP_SCHEDULES},
	[ENTITY_ESCALATION_POLICY] = {"/v2/escalation_paths/", "", "escalation_path", EP_PATHS},
	[ENTITY_INTEGRATION] = {"/v2/alert_sources/", "", "alert_source", EP_ALERT_SOURCES},
	[ENTITY_INCIDENT] = {"/v2/incidents/", "", "incident", EP_INCIDENTS},
};

static const char *const status_category[][2] = {
	{"triage", "triggered"}, {"live", "acknowledged"}, {"paused", "acknowledged"},
	{"learning", "resolved"}, {"closed", "resolved"}, {"declined", "resolved"},
	{"merged", "resolved"}, {"canceled", "resolved"},
};
static const char *const base_roles[][2] = {
	{"owner", "admin"}, {"admin", "admin"}, {"administrator", "admin"},
	{"responder", "responder"}, {"user", "responder"}, {"viewer", "observer"},
};
static const char *const handover_seconds[][2] = {
	{"hourly", "3600"}, {"daily", "86400"}, {"weekly", "604800"},
};
static const char *const target_types[][2] = {
	{"user", "user"}, {"schedule", "schedule"}, {"team", "team"},
};
static const char *const refused_sources[][2] = {
	{"http_custom", "custom script: the source runs a customer transform expression"},
};

static const cJSON *item(const cJSON *o, const char *k)
{
	return cJSON_GetObjectItemCaseSensitive(o, k);
}

/* The catalog attribute of the page's type whose name is `name`. */
static const char *attribute_id(const cJSON *root, const char *name)
{
	const cJSON *a;
	cJSON_ArrayForEach(a, item(item(item(root, "catalog_type"), "schema"), "attributes"))
	{
		const char *n = source_str(a, "name");
		if (n && !strcasecmp(n, name))
			return source_str(a, "id");
	}
	return NULL;
}

static void attribute_values(const cJSON *entry, const char *attr, cJSON *into_array)
{
	const cJSON *v = attr ? item(item(entry, "attribute_values"), attr) : NULL;
	const char *one = source_str(item(v, "value"), "literal");
	if (one)
		cJSON_AddItemToArray(into_array, cJSON_CreateString(one));
	const cJSON *x;
	cJSON_ArrayForEach(x, item(v, "array_value"))
	{
		const char *l = source_str(x, "literal");
		if (l)
			cJSON_AddItemToArray(into_array, cJSON_CreateString(l));
	}
}

static const char *first_string(const cJSON *arr)
{
	const cJSON *v = cJSON_GetArrayItem(arr, 0);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int map_service(const cJSON *root, const cJSON *it, const char *id,
		       struct source_sink *sink, struct err *e)
{
	cJSON *doc = cJSON_CreateObject();
	cJSON_AddStringToObject(doc, "id", id);
	source_add_str(doc, "name", source_str(it, "name"));
	cJSON *desc = cJSON_CreateArray();
	attribute_values(it, attribute_id(root, "description"), desc);
	source_add_str(doc, "description", first_string(desc));
	cJSON_Delete(desc);
	int archived = cJSON_IsString(item(it, "archived_at"));
	cJSON_AddStringToObject(doc, "status", archived ? "disabled" : "active");
	cJSON *teams = cJSON_CreateArray();
	attribute_values(it, attribute_id(root, "team"), teams);
	cJSON_AddItemToObject(doc, "team_ids", teams);
	cJSON *ep = cJSON_CreateArray();
	attribute_values(it, attribute_id(root, "escalation path"), ep);
	source_add_str(doc, "escalation_policy_id", first_string(ep));
	cJSON_Delete(ep);
	source_add_time(doc, "created_at", source_str(it, "created_at"));
	char path[96];
	snprintf(path, sizeof(path), "/v3/catalog_entries/%s", id);
	return source_emit(sink, ENTITY_SERVICE, doc, path, VERDICT_IMPORT, NULL, NULL, e);
}

static int map_team(const cJSON *root, const cJSON *it, const char *id, struct source_sink *sink,
		    struct err *e)
{
	(void)root;
	cJSON *doc = cJSON_CreateObject();
	cJSON_AddStringToObject(doc, "id", id);
	source_add_str(doc, "name", source_str(it, "name"));
	cJSON_AddNullToObject(doc, "description");
	cJSON_AddItemToObject(doc, "member_ids", source_ids_of(item(it, "members"), "id"));
	char path[96];
	snprintf(path, sizeof(path), "/v3/teams/%s", id);
	return source_emit(sink, ENTITY_TEAM, doc, path, VERDICT_IMPORT, NULL, NULL, e);
}

static int map_user(const cJSON *root, const cJSON *it, const char *id, struct source_sink *sink,
		    struct err *e)
{
	(void)root;
	cJSON *doc = cJSON_CreateObject();
	cJSON_AddStringToObject(doc, "id", id);
	source_add_str(doc, "name", source_str(it, "name"));
	source_add_str(doc, "email", source_str(it, "email"));
	const char *slug = source_str(item(it, "base_role"), "slug");
	const char *role = source_lookup(base_roles, ARRAY_SIZE(base_roles), slug, NULL);
	if (!role)
		role = source_lookup(base_roles, ARRAY_SIZE(base_roles), source_str(it, "role"), NULL);
	source_add_str(doc, "role", role ? role : "responder");
	/* incident.io keeps no time zone on a user. */
	cJSON_AddNullToObject(doc, "time_zone");
	char path[96];
	snprintf(path, sizeof(path), "/v2/users/%s", id);
	if (!role && slug) {
		char change[128];
		snprintf(change, sizeof(change), "role %.80s becomes responder", slug);
		return source_emit(sink, ENTITY_USER, doc, path, VERDICT_IMPORT_CHANGED, change,
				   "custom incident.io roles have no equivalent on the target", e);
	}
	return source_emit(sink, ENTITY_USER, doc, path, VERDICT_IMPORT, NULL, NULL, e);
}

static int map_schedule(const cJSON *root, const cJSON *it, const char *id,
			struct source_sink *sink, struct err *e)
{
	(void)root;
	cJSON *doc = cJSON_CreateObject();
	cJSON_AddStringToObject(doc, "id", id);
	source_add_str(doc, "name", source_str(it, "name"));
	source_add_str(doc, "time_zone", source_str(it, "timezone"));
	cJSON *layers = cJSON_AddArrayToObject(doc, "layers");
	const cJSON *r;
	int odd = 0;
	cJSON_ArrayForEach(r, item(item(it, "config"), "rotations"))
	{
		cJSON *l = cJSON_CreateObject();
		source_add_str(l, "name", source_str(r, "name"));
		const char *start = source_str(r, "handover_start_at");
		source_add_time(l, "start", start ? start : source_str(r, "effective_from"));
		const cJSON *h = cJSON_GetArrayItem(item(r, "handovers"), 0);
		const char *unit = source_lookup(handover_seconds, ARRAY_SIZE(handover_seconds),
						 source_str(h, "interval_type"), NULL);
		const cJSON *iv = item(h, "interval");
		if (unit && cJSON_IsNumber(iv))
			cJSON_AddNumberToObject(l, "rotation_seconds", atof(unit) * iv->valuedouble);
		else
			cJSON_AddNullToObject(l, "rotation_seconds");
		odd |= !unit || cJSON_GetArraySize(item(r, "handovers")) > 1 ||
		       cJSON_GetArraySize(item(r, "working_intervals")) > 0;
		cJSON_AddItemToObject(l, "user_ids", source_ids_of(item(r, "users"), "id"));
		cJSON_AddItemToArray(layers, l);
	}
	char path[96];
	snprintf(path, sizeof(path), "/v2/schedules/%s", id);
	if (odd)
		return source_emit(sink, ENTITY_SCHEDULE, doc, path, VERDICT_IMPORT_CHANGED,
				   "working intervals and extra handovers dropped",
				   "the target rotates on one fixed turn length, all day", e);
	return source_emit(sink, ENTITY_SCHEDULE, doc, path, VERDICT_IMPORT, NULL, NULL, e);
}

static int map_path(const cJSON *root, const cJSON *it, const char *id, struct source_sink *sink,
		    struct err *e)
{
	(void)root;
	cJSON *doc = cJSON_CreateObject();
	cJSON_AddStringToObject(doc, "id", id);
	source_add_str(doc, "name", source_str(it, "name"));
	int loops = 0, dropped = 0;
	cJSON *rules = cJSON_CreateArray();
	const cJSON *node;
	cJSON_ArrayForEach(node, item(it, "path"))
	{
		const char *type = source_str(node, "type");
		if (util_streq(type, "repeat")) {
			const cJSON *rt = item(item(node, "repeat"), "repeat_times");
			loops = cJSON_IsNumber(rt) ? (int)rt->valuedouble : loops;
			continue;
		}
		if (!util_streq(type, "level")) {
			dropped++;
			continue;
		}
		const cJSON *lv = item(node, "level");
		cJSON *rule = cJSON_CreateObject();
		const cJSON *ack = item(lv, "time_to_ack_seconds");
		cJSON_AddNumberToObject(rule, "delay_minutes",
					cJSON_IsNumber(ack) ? (double)((long)ack->valuedouble / 60) : 0);
		cJSON *targets = cJSON_AddArrayToObject(rule, "targets");
		const cJSON *t;
		cJSON_ArrayForEach(t, item(lv, "targets"))
		{
			const char *tt = source_lookup(target_types, ARRAY_SIZE(target_types),
						       source_str(t, "type"), NULL);
			const char *tid = source_str(t, "id");
			if (!tt || !tid) {
				dropped++;
				continue;
			}
			cJSON *o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "type", tt);
			cJSON_AddStringToObject(o, "id", tid);
			cJSON_AddItemToArray(targets, o);
		}
		cJSON_AddItemToArray(rules, rule);
	}
	cJSON_AddNumberToObject(doc, "num_loops", loops);
	cJSON_AddItemToObject(doc, "rules", rules);
	char path[96];
	snprintf(path, sizeof(path), "/v2/escalation_paths/%s", id);
	if (dropped)
		return source_emit(sink, ENTITY_ESCALATION_POLICY, doc, path, VERDICT_IMPORT_CHANGED,
				   "conditional branches and channel targets dropped",
				   "the target has linear rules paging users, schedules and teams", e);
	return source_emit(sink, ENTITY_ESCALATION_POLICY, doc, path, VERDICT_IMPORT, NULL, NULL, e);
}

static int map_alert_source(const cJSON *root, const cJSON *it, const char *id,
			    struct source_sink *sink, struct err *e)
{
	(void)root;
	cJSON *doc = cJSON_CreateObject();
	cJSON_AddStringToObject(doc, "id", id);
	source_add_str(doc, "name", source_str(it, "name"));
	const char *type = source_str(it, "source_type");
	source_add_str(doc, "type", type);
	/* Alert routes, not sources, decide which service an alert reaches. */
	cJSON_AddNullToObject(doc, "service_id");
	char path[96];
	snprintf(path, sizeof(path), "/v2/alert_sources/%s", id);
	const char *refusal = source_lookup(refused_sources, ARRAY_SIZE(refused_sources), type, NULL);
	if (refusal)
		return source_emit(sink, ENTITY_INTEGRATION, doc, path, VERDICT_SKIP, NULL, refusal, e);
	return source_emit(sink, ENTITY_INTEGRATION, doc, path, VERDICT_IMPORT, NULL, NULL, e);
}

static const char *timestamp(const cJSON *it, const char *name)
{
	const cJSON *tv;
	cJSON_ArrayForEach(tv, item(it, "incident_timestamp_values"))
	{
		const char *n = source_str(item(tv, "incident_timestamp"), "name");
		if (n && !strcasecmp(n, name))
			return source_str(item(tv, "value"), "value");
	}
	return NULL;
}

static int map_incident(const cJSON *root, const cJSON *it, const char *id,
			struct source_sink *sink, struct err *e)
{
	(void)root;
	cJSON *doc = cJSON_CreateObject();
	cJSON_AddStringToObject(doc, "id", id);
	const char *ref = source_str(it, "reference");
	const char *dash = ref ? strrchr(ref, '-') : NULL;
	char *end = NULL;
	long num = dash ? strtol(dash + 1, &end, 10) : -1;
	if (dash && end && !*end && end != dash + 1 && num >= 0)
		cJSON_AddNumberToObject(doc, "number", (double)num);
	else
		cJSON_AddNullToObject(doc, "number");
	source_add_str(doc, "title", source_str(it, "name"));
	const char *cat = source_str(item(it, "incident_status"), "category");
	const char *st = source_lookup(status_category, ARRAY_SIZE(status_category), cat, NULL);
	source_add_str(doc, "status", st);
	const cJSON *rank = item(item(it, "severity"), "rank");
	/* incident.io ranks severities upwards from the mildest (rank 1). */
	cJSON_AddStringToObject(doc, "urgency",
				cJSON_IsNumber(rank) && rank->valuedouble >= 2 ? "high" : "low");
	const char *svc = NULL;
	const cJSON *cf;
	cJSON_ArrayForEach(cf, item(it, "custom_field_entries"))
	{
		const char *n = source_str(item(cf, "custom_field"), "name");
		if (n && strcasestr(n, "service")) {
			svc = source_str(item(cJSON_GetArrayItem(item(cf, "values"), 0),
					      "value_catalog_entry"),
					 "id");
			break;
		}
	}
	source_add_str(doc, "service_id", svc);
	source_add_time(doc, "created_at", source_str(it, "created_at"));
	source_add_time(doc, "resolved_at", timestamp(it, "resolved at"));
	cJSON *as = cJSON_AddArrayToObject(doc, "assignee_ids");
	const cJSON *ra;
	cJSON_ArrayForEach(ra, item(it, "incident_role_assignments"))
	{
		const char *uid = source_str(item(ra, "assignee"), "id");
		if (uid && util_streq(source_str(item(ra, "role"), "role_type"), "lead"))
			cJSON_AddItemToArray(as, cJSON_CreateString(uid));
	}
	char path[96];
	snprintf(path, sizeof(path), "/v2/incidents/%s", id);
	if (!st) {
		char reason[128];
		snprintf(reason, sizeof(reason), "status category %.60s has no target equivalent",
			 cat ? cat : "(none)");
		return source_emit(sink, ENTITY_INCIDENT, doc, path, VERDICT_SKIP, NULL, reason, e);
	}
	return source_emit(sink, ENTITY_INCIDENT, doc, path, VERDICT_IMPORT, NULL, NULL, e);
}

typedef int (*iio_mapper)(const cJSON *root, const cJSON *it, const char *id,
			  struct source_sink *sink, struct err *e);
static const iio_mapper mappers[] = {
	[EP_SERVICES] = map_service, [EP_TEAMS] = map_team, [EP_USERS] = map_user,
	[EP_SCHEDULES] = map_schedule, [EP_PATHS] = map_path,
	[EP_ALERT_SOURCES] = map_alert_source, [EP_INCIDENTS] = map_incident,
};

static int iio_parse(size_t ep, const cJSON *root, struct source_sink *sink,
		     struct source_cursor *c, struct err *e)
{
	const cJSON *arr = source_wrapper(root, iio_eps[ep].wrapper, e);
	if (!arr)
		return -1;
	const cJSON *it;
	size_t i = 0;
	cJSON_ArrayForEach(it, arr)
	{
		const char *id = source_str(it, "id");
		if (!id || !id[0])
			return err_set(e, "%s[%zu] has no \"id\"", iio_eps[ep].wrapper, i);
		if (mappers[ep](root, it, id, sink, e) < 0)
			return err_wrap(e, "%s[%zu]", iio_eps[ep].wrapper, i);
		i++;
	}
	c->items = i;
	c->total = -1;
	const cJSON *meta = item(root, "pagination_meta");
	const char *after = source_str(meta, "after");
	if (iio_eps[ep].page_max && !cJSON_IsObject(meta))
		return err_set(e, "page has no \"pagination_meta\"");
	const cJSON *tc = item(meta, "total_record_count");
	if (cJSON_IsNumber(tc))
		c->total = (long)tc->valuedouble;
	/* The last page has no `after`; an empty page ends the walk too. */
	if (after && after[0] && i > 0 && iio_eps[ep].page_max) {
		c->after = xstrdup(after);
		c->done = 0;
	} else {
		c->after = NULL;
		c->done = 1;
	}
	return 0;
}

static int iio_parse_one(enum entity_type t, const cJSON *root, struct source_sink *sink,
			 struct err *e)
{
	const struct source_item_endpoint *ep = &iio_items[t];
	const cJSON *it = source_single(root, ep->wrapper, e);
	if (!it)
		return -1;
	const char *id = source_str(it, "id");
	if (!id || !id[0])
		return err_set(e, "%s has no \"id\"", ep->wrapper);
	if (t == ENTITY_SERVICE) {
		/* any catalog entry has this endpoint; only a Service's is a service */
		const char *type = source_str(item(root, "catalog_type"), "name");
		if (!type)
			return err_set(e, "catalog entry %s comes without its catalog type", id);
		if (strcasecmp(type, "service"))
			return err_set(e, "catalog entry %s is a %s, not a Service", id, type);
	}
	return mappers[ep->ep](root, it, id, sink, e) < 0 ? err_wrap(e, "%s", ep->wrapper) : 0;
}

static void iio_page_query(const struct source_conn *conn, const struct source_endpoint_info *ep,
			   const struct source_cursor *c, struct strbuf *q)
{
	if (!ep->page_max)
		return;
	int size = conn->page_size > 0 ? conn->page_size : 100;
	if (size > ep->page_max)
		size = ep->page_max;
	sb_addf(q, "page_size=%d", size);
	if (c->after)
		sb_addf(q, "&after=%s", c->after);
}

static void iio_error_text(const cJSON *root, struct strbuf *out)
{
	const char *type = source_str(root, "type");
	if (type)
		sb_adds(out, type);
	const cJSON *er;
	cJSON_ArrayForEach(er, item(root, "errors"))
	{
		const char *m = source_str(er, "message");
		if (m)
			sb_addf(out, "%s%s", out->len ? ": " : "", m);
	}
}

/* Services are the entries of the catalog type named "Service". */
static int iio_walk(struct source_fetch *f, size_t ep, struct err *e)
{
	if (ep != EP_SERVICES)
		return source_walk_pages(f, ep, NULL, e);
	cJSON *types = source_fetch_json(f, "/v3/catalog_types", "", e);
	if (!types)
		return -1;
	const cJSON *arr = source_wrapper(types, "catalog_types", e);
	if (!arr) {
		cJSON_Delete(types);
		return err_wrap(e, "GET /v3/catalog_types");
	}
	const char *type_id = NULL;
	const cJSON *t;
	cJSON_ArrayForEach(t, arr)
	{
		const char *n = source_str(t, "name");
		if (n && !strcasecmp(n, "service")) {
			type_id = source_str(t, "id");
			break;
		}
	}
	int rc = 0;
	if (type_id) {
		char *q = xasprintf("catalog_type_id=%s", type_id);
		rc = source_walk_pages(f, ep, q, e);
		free(q);
	}
	cJSON_Delete(types);
	return rc;
}

const struct source_driver source_driver_incidentio = {
	.eps = iio_eps,
	.n_eps = ARRAY_SIZE(iio_eps),
	.auth_prefix = "Bearer ",
	.accept = "application/json",
	.parse = iio_parse,
	.page_query = iio_page_query,
	.error_text = iio_error_text,
	.walk = iio_walk,
	.items = iio_items,
	.parse_one = iio_parse_one,
	.fetch_one = NULL,
};
