/* rootly — the Rootly API v1 driver: JSON:API documents (data, attributes,
 * relationships, included), Bearer auth, page[number]/page[size] pagination.
 * Teams are "groups"; schedule rotations and escalation levels come in the
 * `included` array of their parent's page. Field facts: docs/mapping.md. */
#include <stdlib.h>
#include <string.h>

#include "warroom/source.h"
#include "warroom/source_map.h"

enum { EP_SERVICES, EP_TEAMS, EP_USERS, EP_SCHEDULES, EP_POLICIES, EP_ALERT_SOURCES, EP_INCIDENTS };

static const struct source_endpoint_info rootly_eps[] = {
	[EP_SERVICES] = {"/v1/services", "", "data", ENTITY_SERVICE, 100},
	[EP_TEAMS] = {"/v1/teams", "", "data", ENTITY_TEAM, 100},
	[EP_USERS] = {"/v1/users", "include=role", "data", ENTITY_USER, 100},
	[EP_SCHEDULES] = {"/v1/schedules", "include=schedule_rotations,schedule_rotation_users",
			  "data", ENTITY_SCHEDULE, 100},
	[EP_POLICIES] = {"/v1/escalation_policies", "include=escalation_policy_levels", "data",
			 ENTITY_ESCALATION_POLICY, 100},
	[EP_ALERT_SOURCES] = {"/v1/alert_sources", "", "data", ENTITY_INTEGRATION, 100},
	[EP_INCIDENTS] = {"/v1/incidents", "", "data", ENTITY_INCIDENT, 100},
};

/* GET /v1/{type}/{id} with the list read's include, so the `included`
 * array the mapper reads is the same. */
static const struct source_item_endpoint rootly_items[ENTITY_TYPE_COUNT] = {
	[ENTITY_SERVICE] = {"/v1/services/", "", "data", EP_SERVICES},
	[ENTITY_TEAM] = {"/v1/teams/", "", "data", EP_TEAMS},
	[ENTITY_USER] = {"/v1/users/", "include=role", "data", EP_USERS},
	[ENTITY_SCHEDULE] = {"/v1/schedules/", "include=schedule_rotations,schedule_rotation_users",
			     "data", EP_SCHEDULES},
	[ENTITY_ESCALATION_POLICY] = {"/v1/escalation_policies/", "include=escalation_policy_levels",
				      "data", EP_POLICIES},
	[ENTITY_INTEGRATION] = {"/v1/alert_sources/", "", "data", EP_ALERT_SOURCES},
	[ENTITY_INCIDENT] = {"/v1/incidents/", "", "data", EP_INCIDENTS},
};

static const char *const incident_status[][2] = {
	{"in_triage", "triggered"}, {"started", "triggered"}, {"mitigated", "acknowledged"},
	{"resolved", "resolved"}, {"closed", "resolved"}, {"cancelled", "resolved"},
};
static const char *const severity_urgency[][2] = {
	{"critical", "high"}, {"high", "high"}, {"medium", "low"}, {"low", "low"},
};
static const char *const role_names[][2] = {
	{"owner", "admin"}, {"admin", "admin"}, {"manager", "manager"}, {"user", "responder"},
	{"responder", "responder"}, {"observer", "observer"}, {"viewer", "observer"},
};
/* Rotation kinds with a fixed turn; custom and monthly rotations have none. */
static const char *const rotation_seconds[][2] = {
	{"ScheduleDailyRotation", "86400"}, {"ScheduleWeeklyRotation", "604800"},
	{"ScheduleBiweeklyRotation", "1209600"},
};
static const char *const level_targets[][2] = {
	{"user", "user"}, {"schedule", "schedule"}, {"team", "team"},
};

static const cJSON *attrs(const cJSON *it)
{
	return cJSON_GetObjectItemCaseSensitive(it, "attributes");
}

/* The items of `included` of the given type whose attribute `key` is `id`,
 * ordered by their "position" attribute (stable for equal positions). */
struct included {
	const cJSON **v;
	size_t n, cap;
};

static double position(const cJSON *inc)
{
	const cJSON *pos = cJSON_GetObjectItemCaseSensitive(attrs(inc), "position");
	return cJSON_IsNumber(pos) ? pos->valuedouble : 0;
}

static void included_for(const cJSON *root, const char *type, const char *key, const char *id,
			 struct included *out)
{
	const cJSON *inc;
	char buf[32];
	cJSON_ArrayForEach(inc, cJSON_GetObjectItemCaseSensitive(root, "included"))
	{
		const char *t = source_str(inc, "type");
		const char *owner = source_id(attrs(inc), key, buf, sizeof(buf));
		if (!t || strcmp(t, type) || !owner || strcmp(owner, id))
			continue;
		VEC_PUSH(out->v, out->n, out->cap, inc);
		for (size_t i = out->n - 1; i > 0 && position(out->v[i - 1]) > position(inc); i--) {
			out->v[i] = out->v[i - 1];
			out->v[i - 1] = inc;
		}
	}
}

static int map_service(const cJSON *root, const cJSON *it, const char *id,
		       struct source_sink *sink, struct err *e)
{
	(void)root;
	const cJSON *a = attrs(it);
	cJSON *doc = cJSON_CreateObject();
	cJSON_AddStringToObject(doc, "id", id);
	source_add_str(doc, "name", source_str(a, "name"));
	source_add_str(doc, "description", source_str(a, "description"));
	cJSON_AddStringToObject(doc, "status", "active");
	cJSON_AddItemToObject(doc, "team_ids",
			      source_ids_of(cJSON_GetObjectItemCaseSensitive(a, "owner_group_ids"), "id"));
	source_add_str(doc, "escalation_policy_id", source_str(a, "escalation_policy_id"));
	source_add_time(doc, "created_at", source_str(a, "created_at"));
	char path[96];
	snprintf(path, sizeof(path), "/v1/services/%s", id);
	return source_emit(sink, ENTITY_SERVICE, doc, path, VERDICT_IMPORT, NULL, NULL, e);
}

static int map_team(const cJSON *root, const cJSON *it, const char *id, struct source_sink *sink,
		    struct err *e)
{
	(void)root;
	const cJSON *a = attrs(it);
	cJSON *doc = cJSON_CreateObject();
	cJSON_AddStringToObject(doc, "id", id);
	source_add_str(doc, "name", source_str(a, "name"));
	source_add_str(doc, "description", source_str(a, "description"));
	cJSON_AddItemToObject(doc, "member_ids",
			      source_ids_of(cJSON_GetObjectItemCaseSensitive(a, "user_ids"), "id"));
	char path[96];
	snprintf(path, sizeof(path), "/v1/teams/%s", id);
	return source_emit(sink, ENTITY_TEAM, doc, path, VERDICT_IMPORT, NULL, NULL, e);
}

static const char *included_name(const cJSON *root, const char *type, const char *id)
{
	const cJSON *inc;
	cJSON_ArrayForEach(inc, cJSON_GetObjectItemCaseSensitive(root, "included"))
	{
		if (util_streq(source_str(inc, "type"), type) && util_streq(source_str(inc, "id"), id))
			return source_str(attrs(inc), "name");
	}
	return NULL;
}

static int map_user(const cJSON *root, const cJSON *it, const char *id, struct source_sink *sink,
		    struct err *e)
{
	const cJSON *a = attrs(it);
	cJSON *doc = cJSON_CreateObject();
	cJSON_AddStringToObject(doc, "id", id);
	const char *full = source_str(a, "full_name");
	char *joined = NULL;
	if (!full && (source_str(a, "first_name") || source_str(a, "last_name"))) {
		const char *fn = source_str(a, "first_name"), *ln = source_str(a, "last_name");
		joined = xasprintf("%s%s%s", fn ? fn : "", fn && ln ? " " : "", ln ? ln : "");
	}
	source_add_str(doc, "name", full ? full : joined);
	free(joined);
	source_add_str(doc, "email", source_str(a, "email"));
	const cJSON *rel = cJSON_GetObjectItemCaseSensitive(it, "relationships");
	const cJSON *role = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(rel, "role"), "data");
	const char *rname = included_name(root, "roles", source_str(role, "id"));
	char lower[64] = "";
	for (size_t i = 0; rname && rname[i] && i + 1 < sizeof(lower); i++) {
		lower[i] = (char)(rname[i] >= 'A' && rname[i] <= 'Z' ? rname[i] | 0x20 : rname[i]);
		lower[i + 1] = 0;
	}
	const char *crole = source_lookup(role_names, ARRAY_SIZE(role_names), lower, NULL);
	source_add_str(doc, "role", crole ? crole : "responder");
	source_add_str(doc, "time_zone", source_str(a, "time_zone"));
	char path[96];
	snprintf(path, sizeof(path), "/v1/users/%s", id);
	if (rname && !crole) {
		char change[128];
		snprintf(change, sizeof(change), "role %.80s becomes responder", rname);
		return source_emit(sink, ENTITY_USER, doc, path, VERDICT_IMPORT_CHANGED, change,
				   "custom Rootly roles have no equivalent on the target", e);
	}
	return source_emit(sink, ENTITY_USER, doc, path, VERDICT_IMPORT, NULL, NULL, e);
}

static int map_schedule(const cJSON *root, const cJSON *it, const char *id,
			struct source_sink *sink, struct err *e)
{
	const cJSON *a = attrs(it);
	cJSON *doc = cJSON_CreateObject();
	cJSON_AddStringToObject(doc, "id", id);
	source_add_str(doc, "name", source_str(a, "name"));
	struct included rots = {0};
	included_for(root, "schedule_rotations", "schedule_id", id, &rots);
	/* Rootly keeps the time zone per rotation; the first one speaks for all. */
	source_add_str(doc, "time_zone", source_str(attrs(rots.n ? rots.v[0] : NULL), "time_zone"));
	cJSON *layers = cJSON_AddArrayToObject(doc, "layers");
	int custom = 0;
	for (size_t k = 0; k < rots.n; k++) {
		const cJSON *r = rots.v[k];
		const cJSON *ra = attrs(r);
		const char *rid = source_str(r, "id");
		cJSON *l = cJSON_CreateObject();
		source_add_str(l, "name", source_str(ra, "name"));
		source_add_time(l, "start", source_str(ra, "start_time"));
		const char *secs = source_lookup(rotation_seconds, ARRAY_SIZE(rotation_seconds),
						 source_str(ra, "schedule_rotationable_type"), NULL);
		if (secs)
			cJSON_AddNumberToObject(l, "rotation_seconds", atof(secs));
		else
			cJSON_AddNullToObject(l, "rotation_seconds");
		custom |= !secs;
		struct included users = {0};
		included_for(root, "schedule_rotation_users", "schedule_rotation_id", rid ? rid : "",
			     &users);
		cJSON_AddItemToObject(l, "user_ids", cJSON_CreateArray());
		cJSON *uids = cJSON_GetObjectItemCaseSensitive(l, "user_ids");
		char buf[32];
		for (size_t j = 0; j < users.n; j++) {
			const char *uid = source_id(attrs(users.v[j]), "user_id", buf, sizeof(buf));
			if (uid)
				cJSON_AddItemToArray(uids, cJSON_CreateString(uid));
		}
		free(users.v);
		cJSON_AddItemToArray(layers, l);
	}
	free(rots.v);
	char path[96];
	snprintf(path, sizeof(path), "/v1/schedules/%s", id);
	if (custom)
		return source_emit(sink, ENTITY_SCHEDULE, doc, path, VERDICT_IMPORT_CHANGED,
				   "rotation length left empty",
				   "monthly and custom rotations have no fixed turn length", e);
	return source_emit(sink, ENTITY_SCHEDULE, doc, path, VERDICT_IMPORT, NULL, NULL, e);
}

static int map_policy(const cJSON *root, const cJSON *it, const char *id, struct source_sink *sink,
		      struct err *e)
{
	const cJSON *a = attrs(it);
	cJSON *doc = cJSON_CreateObject();
	cJSON_AddStringToObject(doc, "id", id);
	source_add_str(doc, "name", source_str(a, "name"));
	const cJSON *rc = cJSON_GetObjectItemCaseSensitive(a, "repeat_count");
	cJSON_AddNumberToObject(doc, "num_loops", cJSON_IsNumber(rc) ? rc->valuedouble : 0);
	cJSON *rules = cJSON_AddArrayToObject(doc, "rules");
	struct included levels = {0};
	included_for(root, "escalation_levels", "escalation_policy_id", id, &levels);
	int dropped = 0;
	for (size_t k = 0; k < levels.n; k++) {
		const cJSON *la = attrs(levels.v[k]);
		cJSON *rule = cJSON_CreateObject();
		const cJSON *d = cJSON_GetObjectItemCaseSensitive(la, "delay");
		cJSON_AddNumberToObject(rule, "delay_minutes", cJSON_IsNumber(d) ? d->valuedouble : 0);
		cJSON *targets = cJSON_AddArrayToObject(rule, "targets");
		const cJSON *t;
		cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(la, "notification_target_params"))
		{
			const char *tt = source_lookup(level_targets, ARRAY_SIZE(level_targets),
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
	free(levels.v);
	char path[96];
	snprintf(path, sizeof(path), "/v1/escalation_policies/%s", id);
	if (dropped)
		return source_emit(sink, ENTITY_ESCALATION_POLICY, doc, path, VERDICT_IMPORT_CHANGED,
				   "chat-channel and service targets dropped",
				   "the target pages users, schedules and teams only", e);
	return source_emit(sink, ENTITY_ESCALATION_POLICY, doc, path, VERDICT_IMPORT, NULL, NULL, e);
}

static int map_alert_source(const cJSON *root, const cJSON *it, const char *id,
			    struct source_sink *sink, struct err *e)
{
	(void)root;
	const cJSON *a = attrs(it);
	cJSON *doc = cJSON_CreateObject();
	cJSON_AddStringToObject(doc, "id", id);
	source_add_str(doc, "name", source_str(a, "name"));
	source_add_str(doc, "type", source_str(a, "source_type"));
	/* Rootly routes alerts by rules, not by owning service. */
	cJSON_AddNullToObject(doc, "service_id");
	char path[96];
	snprintf(path, sizeof(path), "/v1/alert_sources/%s", id);
	return source_emit(sink, ENTITY_INTEGRATION, doc, path, VERDICT_IMPORT, NULL, NULL, e);
}

static int map_incident(const cJSON *root, const cJSON *it, const char *id,
			struct source_sink *sink, struct err *e)
{
	(void)root;
	const cJSON *a = attrs(it);
	cJSON *doc = cJSON_CreateObject();
	cJSON_AddStringToObject(doc, "id", id);
	const cJSON *seq = cJSON_GetObjectItemCaseSensitive(a, "sequential_id");
	if (cJSON_IsNumber(seq))
		cJSON_AddNumberToObject(doc, "number", seq->valuedouble);
	else
		cJSON_AddNullToObject(doc, "number");
	source_add_str(doc, "title", source_str(a, "title"));
	const char *st = source_str(a, "status");
	const char *cst = source_lookup(incident_status, ARRAY_SIZE(incident_status), st, NULL);
	source_add_str(doc, "status", cst);
	const cJSON *sev = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(a, "severity"), "data");
	const char *s = source_str(attrs(sev), "severity");
	source_add_str(doc, "urgency",
		       source_lookup(severity_urgency, ARRAY_SIZE(severity_urgency), s, "low"));
	const cJSON *svc = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(a, "services"), 0);
	source_add_str(doc, "service_id",
		       source_str(cJSON_GetObjectItemCaseSensitive(svc, "data"), "id"));
	source_add_time(doc, "created_at", source_str(a, "created_at"));
	source_add_time(doc, "resolved_at", source_str(a, "resolved_at"));
	cJSON_AddArrayToObject(doc, "assignee_ids");
	char path[96];
	snprintf(path, sizeof(path), "/v1/incidents/%s", id);
	if (!cst) {
		char reason[128];
		snprintf(reason, sizeof(reason), "status %.60s has no target equivalent",
			 st ? st : "(none)");
		return source_emit(sink, ENTITY_INCIDENT, doc, path, VERDICT_SKIP, NULL, reason, e);
	}
	return source_emit(sink, ENTITY_INCIDENT, doc, path, VERDICT_IMPORT, NULL, NULL, e);
}

typedef int (*rootly_mapper)(const cJSON *root, const cJSON *it, const char *id,
			     struct source_sink *sink, struct err *e);
static const rootly_mapper mappers[] = {
	[EP_SERVICES] = map_service, [EP_TEAMS] = map_team, [EP_USERS] = map_user,
	[EP_SCHEDULES] = map_schedule, [EP_POLICIES] = map_policy,
	[EP_ALERT_SOURCES] = map_alert_source, [EP_INCIDENTS] = map_incident,
};

/* One resource of data (a page's item or a single answer's object), named
 * `where` in messages. */
static int map_resource(size_t ep, const cJSON *root, const cJSON *it, const char *where,
			struct source_sink *sink, struct err *e)
{
	char buf[32];
	const char *id = source_id(it, "id", buf, sizeof(buf));
	if (!id)
		return err_set(e, "%s has no \"id\"", where);
	if (!cJSON_IsObject(attrs(it)))
		return err_set(e, "%s (%s) has no \"attributes\"", where, id);
	char idc[64];
	snprintf(idc, sizeof(idc), "%s", id);
	if (mappers[ep](root, it, idc, sink, e) < 0)
		return err_wrap(e, "%s", where);
	return 0;
}

static int rootly_parse_one(enum entity_type t, const cJSON *root, struct source_sink *sink,
			    struct err *e)
{
	const cJSON *it = source_single(root, "data", e);
	return it ? map_resource(rootly_items[t].ep, root, it, "data", sink, e) : -1;
}

static int rootly_parse(size_t ep, const cJSON *root, struct source_sink *sink,
			struct source_cursor *c, struct err *e)
{
	const cJSON *arr = source_wrapper(root, "data", e);
	if (!arr)
		return -1;
	const cJSON *it;
	size_t i = 0;
	cJSON_ArrayForEach(it, arr)
	{
		char where[32];
		snprintf(where, sizeof(where), "data[%zu]", i);
		if (map_resource(ep, root, it, where, sink, e) < 0)
			return -1;
		i++;
	}
	const cJSON *meta = cJSON_GetObjectItemCaseSensitive(root, "meta");
	const cJSON *next = cJSON_GetObjectItemCaseSensitive(meta, "next_page");
	if (!cJSON_IsObject(meta))
		return err_set(e, "page has no \"meta\"");
	c->items = i;
	c->total = -1;
	const cJSON *tc = cJSON_GetObjectItemCaseSensitive(meta, "total_count");
	if (cJSON_IsNumber(tc))
		c->total = (long)tc->valuedouble;
	long cur = c->page > 0 ? c->page : 1;
	if (cJSON_IsNumber(next) && (long)next->valuedouble > cur && i > 0) {
		c->page = (long)next->valuedouble;
		c->done = 0;
	} else {
		c->page = cur;
		c->done = 1;
	}
	return 0;
}

static void rootly_page_query(const struct source_conn *conn, const struct source_endpoint_info *ep,
			  const struct source_cursor *c,
			      struct strbuf *q)
{
	(void)ep;
	int size = conn->page_size > 0 && conn->page_size <= 100 ? conn->page_size : 100;
	sb_addf(q, "page[number]=%ld&page[size]=%d", c->page > 0 ? c->page : 1, size);
}

static void rootly_error_text(const cJSON *root, struct strbuf *out)
{
	const cJSON *er;
	cJSON_ArrayForEach(er, cJSON_GetObjectItemCaseSensitive(root, "errors"))
	{
		const char *t = source_str(er, "title"), *d = source_str(er, "detail");
		if (out->len)
			sb_adds(out, "; ");
		sb_addf(out, "%s%s%s", t ? t : "error", d ? ": " : "", d ? d : "");
	}
}

const struct source_driver source_driver_rootly = {
	.eps = rootly_eps,
	.n_eps = ARRAY_SIZE(rootly_eps),
	.auth_prefix = "Bearer ",
	.accept = "application/vnd.api+json",
	.parse = rootly_parse,
	.page_query = rootly_page_query,
	.error_text = rootly_error_text,
	.walk = NULL,
	.items = rootly_items,
	.parse_one = rootly_parse_one,
	.fetch_one = NULL,
};
