/* sim_rootly — Rootly's API v1 as the simulator serves it under /rootly:
 * JSON:API documents (data, attributes, relationships, included, links,
 * meta), Bearer auth, page[number]/page[size]; teams are "groups". */
#include <stdlib.h>
#include <string.h>

#include "warroom/source_sim.h"

#define ROOTLY_PAGE_MAX 100
#define ROOTLY_PAGE_DEFAULT 10

/* {"errors":[{"title","status","detail"}]}: JSON:API's error document. */
static void rootly_error(struct sim_call *call, int status, const char *code, const char *message)
{
	static const struct {
		int status;
		const char *title;
	} titles[] = {{401, "Unauthorized"}, {404, "Not Found"}, {429, "Too Many Requests"},
		      {400, "Bad Request"}};
	const char *title = "Internal Server Error";
	for (size_t i = 0; i < ARRAY_SIZE(titles); i++)
		if (titles[i].status == status)
			title = titles[i].title;
	char st[8];
	snprintf(st, sizeof(st), "%d", status);
	cJSON *root = cJSON_CreateObject();
	cJSON *errs = cJSON_AddArrayToObject(root, "errors");
	cJSON *er = cJSON_CreateObject();
	cJSON_AddStringToObject(er, "title", title);
	cJSON_AddStringToObject(er, "status", st);
	cJSON_AddStringToObject(er, "code", code);
	cJSON_AddStringToObject(er, "detail", message);
	cJSON_AddItemToArray(errs, er);
	sim_reply_json(call, status, root);
}

static const struct source_sim_flavor rootly_flavor = {"/rootly", "Bearer ", rootly_error};

static cJSON *resource(const char *type, const char *id, cJSON **attributes)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "id", id);
	cJSON_AddStringToObject(o, "type", type);
	*attributes = cJSON_AddObjectToObject(o, "attributes");
	return o;
}

static void add_times(cJSON *a, int64_t ms)
{
	char t[32];
	source_sim_time(ms, t, sizeof(t));
	cJSON_AddStringToObject(a, "created_at", t);
	cJSON_AddStringToObject(a, "updated_at", t);
}

static cJSON *id_list(const char ids[][SIMDATA_ID_MAX], size_t n)
{
	cJSON *a = cJSON_CreateArray();
	for (size_t i = 0; i < n; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(ids[i]));
	return a;
}

static void slugify(const char *name, char *out, size_t size)
{
	size_t j = 0;
	for (const char *p = name; *p && j + 1 < size; p++)
		out[j++] = (char)(*p == ' ' ? '-' : *p >= 'A' && *p <= 'Z' ? *p | 0x20 : *p);
	out[j] = 0;
}

/* Each renderer appends one resource to data and what it includes. */
typedef void (*rootly_render_fn)(const struct simdata_entity *e, cJSON *data, cJSON *included);

static void r_service(const struct simdata_entity *e, cJSON *data, cJSON *included)
{
	(void)included;
	cJSON *a, *o = resource("services", e->id, &a);
	char slug[96];
	slugify(e->name, slug, sizeof(slug));
	cJSON_AddStringToObject(a, "name", e->name);
	cJSON_AddStringToObject(a, "slug", slug);
	cJSON_AddStringToObject(a, "description", e->description);
	cJSON_AddItemToObject(a, "owner_group_ids", id_list(&e->service.team, 1));
	cJSON_AddStringToObject(a, "escalation_policy_id", e->service.escalation_policy);
	add_times(a, e->created_at_ms);
	cJSON_AddItemToArray(data, o);
}

static void r_team(const struct simdata_entity *e, cJSON *data, cJSON *included)
{
	(void)included;
	cJSON *a, *o = resource("groups", e->id, &a);
	char slug[96];
	slugify(e->name, slug, sizeof(slug));
	cJSON_AddStringToObject(a, "name", e->name);
	cJSON_AddStringToObject(a, "slug", slug);
	cJSON_AddStringToObject(a, "description", e->description);
	cJSON_AddItemToObject(a, "user_ids", id_list(e->team.members, e->team.nmembers));
	add_times(a, e->created_at_ms);
	cJSON_AddItemToArray(data, o);
}

/* Rootly roles are resources of their own; the seeded roles map onto names
 * Rootly uses, and "Limited User" stands for a custom role. */
static const char *const role_names[][2] = {
	{"owner", "Owner"}, {"admin", "Admin"}, {"user", "User"},
	{"limited_user", "Limited User"}, {"observer", "Observer"},
};

static void r_user(const struct simdata_entity *e, cJSON *data, cJSON *included)
{
	cJSON *a, *o = resource("users", e->id, &a);
	char first[sizeof(e->name)] = "";
	snprintf(first, sizeof(first), "%s", e->name);
	char *sp = strchr(first, ' ');
	if (sp)
		*sp = 0;
	cJSON_AddStringToObject(a, "full_name", e->name);
	cJSON_AddStringToObject(a, "first_name", first);
	cJSON_AddStringToObject(a, "last_name", sp ? e->name + (sp - first) + 1 : "");
	cJSON_AddStringToObject(a, "email", e->user.email);
	cJSON_AddStringToObject(a, "time_zone", e->user.time_zone);
	add_times(a, e->created_at_ms);
	size_t r = 0;
	while (r < ARRAY_SIZE(role_names) && !util_streq(role_names[r][0], e->user.role))
		r++;
	char rid[16];
	snprintf(rid, sizeof(rid), "role-%zu", r);
	cJSON *rel = cJSON_AddObjectToObject(o, "relationships");
	cJSON *role = cJSON_AddObjectToObject(rel, "role");
	cJSON *rd = cJSON_AddObjectToObject(role, "data");
	cJSON_AddStringToObject(rd, "id", rid);
	cJSON_AddStringToObject(rd, "type", "roles");
	cJSON_AddItemToArray(data, o);
	/* Each role once per document. */
	const cJSON *inc;
	cJSON_ArrayForEach(inc, included)
	{
		if (util_streq(cJSON_GetStringValue(cJSON_GetObjectItem(inc, "id")), rid))
			return;
	}
	cJSON *ra, *ro = resource("roles", rid, &ra);
	cJSON_AddStringToObject(ra, "name", r < ARRAY_SIZE(role_names) ? role_names[r][1] : "User");
	cJSON_AddItemToArray(included, ro);
}

static void r_schedule(const struct simdata_entity *e, cJSON *data, cJSON *included)
{
	cJSON *a, *o = resource("schedules", e->id, &a);
	cJSON_AddStringToObject(a, "name", e->name);
	cJSON_AddStringToObject(a, "description", e->description);
	cJSON_AddItemToObject(a, "owner_group_ids", id_list(&e->schedule.team, 1));
	add_times(a, e->created_at_ms);
	cJSON_AddItemToArray(data, o);
	for (size_t l = 0; l < e->schedule.nlayers; l++) {
		const struct simdata_layer *ly = &e->schedule.layers[l];
		char rid[64], t[32];
		snprintf(rid, sizeof(rid), "%s-r%zu", e->id, l);
		cJSON *ra, *ro = resource("schedule_rotations", rid, &ra);
		cJSON_AddStringToObject(ra, "schedule_id", e->id);
		cJSON_AddStringToObject(ra, "name", ly->name);
		cJSON_AddNumberToObject(ra, "position", (double)l + 1);
		cJSON_AddStringToObject(ra, "schedule_rotationable_type",
					ly->turn_length_s == 86400 ? "ScheduleDailyRotation"
								   : "ScheduleWeeklyRotation");
		cJSON_AddStringToObject(ra, "time_zone", e->schedule.time_zone);
		source_sim_time(ly->start_ms, t, sizeof(t));
		cJSON_AddStringToObject(ra, "start_time", t);
		cJSON_AddBoolToObject(ra, "active_all_week", 1);
		cJSON_AddItemToArray(included, ro);
		for (size_t u = 0; u < ly->nusers; u++) {
			char uid[96];
			snprintf(uid, sizeof(uid), "%s-u%zu", rid, u);
			cJSON *ua, *uo = resource("schedule_rotation_users", uid, &ua);
			cJSON_AddStringToObject(ua, "schedule_rotation_id", rid);
			cJSON_AddStringToObject(ua, "user_id", ly->users[u]);
			cJSON_AddNumberToObject(ua, "position", (double)u + 1);
			cJSON_AddItemToArray(included, uo);
		}
	}
}

static void r_policy(const struct simdata_entity *e, cJSON *data, cJSON *included)
{
	cJSON *a, *o = resource("escalation_policies", e->id, &a);
	cJSON_AddStringToObject(a, "name", e->name);
	cJSON_AddStringToObject(a, "description", e->description);
	cJSON_AddNumberToObject(a, "repeat_count", e->escalation_policy.num_loops);
	cJSON_AddItemToObject(a, "group_ids", id_list(&e->escalation_policy.team, 1));
	add_times(a, e->created_at_ms);
	cJSON_AddItemToArray(data, o);
	for (size_t i = 0; i < e->escalation_policy.nrules; i++) {
		const struct simdata_rule *r = &e->escalation_policy.rules[i];
		char lid[64];
		snprintf(lid, sizeof(lid), "%s-l%zu", e->id, i);
		cJSON *la, *lo = resource("escalation_levels", lid, &la);
		cJSON_AddStringToObject(la, "escalation_policy_id", e->id);
		cJSON_AddNumberToObject(la, "position", (double)i + 1);
		cJSON_AddNumberToObject(la, "delay", r->delay_min);
		cJSON *targets = cJSON_AddArrayToObject(la, "notification_target_params");
		cJSON *t = cJSON_CreateObject();
		cJSON_AddStringToObject(t, "id", r->target);
		cJSON_AddStringToObject(t, "type", r->target_type);
		cJSON_AddItemToArray(targets, t);
		cJSON_AddItemToArray(included, lo);
	}
}

/* Seeded integration types as Rootly alert source types. */
static const char *const source_types[][2] = {
	{"events_api_v2", "generic_webhook"}, {"prometheus", "alertmanager"},
	{"cloudwatch", "cloud_watch"},
};

static void r_alert_source(const struct simdata_entity *e, cJSON *data, cJSON *included)
{
	(void)included;
	const char *type = e->integration.type;
	for (size_t i = 0; i < ARRAY_SIZE(source_types); i++)
		if (util_streq(type, source_types[i][0]))
			type = source_types[i][1];
	cJSON *a, *o = resource("alert_sources", e->id, &a);
	cJSON_AddStringToObject(a, "name", e->name);
	cJSON_AddStringToObject(a, "source_type", type);
	cJSON_AddStringToObject(a, "status", "active");
	cJSON_AddBoolToObject(a, "enabled", 1);
	add_times(a, e->created_at_ms);
	cJSON_AddItemToArray(data, o);
}

static const char *const incident_status[][2] = {
	{"triggered", "started"}, {"acknowledged", "mitigated"}, {"resolved", "resolved"},
};

static void r_incident(const struct simdata_entity *e, cJSON *data, cJSON *included)
{
	(void)included;
	cJSON *a, *o = resource("incidents", e->id, &a);
	const char *st = "started";
	for (size_t i = 0; i < ARRAY_SIZE(incident_status); i++)
		if (util_streq(e->incident.status, incident_status[i][0]))
			st = incident_status[i][1];
	cJSON_AddStringToObject(a, "title", e->name);
	cJSON_AddNumberToObject(a, "sequential_id", e->incident.number);
	cJSON_AddStringToObject(a, "summary", e->description);
	cJSON_AddStringToObject(a, "status", st);
	cJSON *sev = cJSON_AddObjectToObject(a, "severity");
	cJSON *sa, *so = resource("severities", e->incident.urgency, &sa);
	cJSON_AddStringToObject(sa, "name", e->incident.priority);
	cJSON_AddStringToObject(sa, "severity", e->incident.urgency);
	cJSON_AddItemToObject(sev, "data", so);
	cJSON *svcs = cJSON_AddArrayToObject(a, "services");
	cJSON *w = cJSON_CreateObject(), *va;
	cJSON_AddItemToObject(w, "data", resource("services", e->incident.service, &va));
	cJSON_AddItemToArray(svcs, w);
	add_times(a, e->created_at_ms);
	char t[32];
	if (e->incident.resolved_at_ms) {
		source_sim_time(e->incident.resolved_at_ms, t, sizeof(t));
		cJSON_AddStringToObject(a, "resolved_at", t);
	} else {
		cJSON_AddNullToObject(a, "resolved_at");
	}
	cJSON_AddItemToArray(data, o);
}

static void add_link(cJSON *links, const char *rel, const struct sim_call *call, long page, long size)
{
	char *u = xasprintf("%s?page[number]=%ld&page[size]=%ld", call->path, page, size);
	cJSON_AddStringToObject(links, rel, u);
	free(u);
}

static void rootly_list(struct sim_call *call, enum simdata_kind kind, rootly_render_fn render)
{
	int acct = source_sim_begin(call, &rootly_flavor);
	if (acct < 0)
		return;
	long page = source_sim_long(call, "page[number]", 1);
	long size = source_sim_long(call, "page[size]", ROOTLY_PAGE_DEFAULT);
	if (page < 1 || size < 1) {
		rootly_error(call, 400, "bad_request",
			     "page[number] and page[size] must be whole numbers from 1");
		return;
	}
	if (size > ROOTLY_PAGE_MAX)
		size = ROOTLY_PAGE_MAX;
	const struct simdata *d = sim_data(call->sim);
	size_t n = simdata_count(d, (unsigned)acct, kind);
	long pages = (long)((n + (size_t)size - 1) / (size_t)size);
	cJSON *root = cJSON_CreateObject();
	cJSON *data = cJSON_AddArrayToObject(root, "data");
	cJSON *included = cJSON_CreateArray();
	struct simdata_entity e;
	if (page <= pages)
		for (size_t i = (size_t)(page - 1) * (size_t)size; i < n && i < (size_t)(page * size); i++)
			if (simdata_entity(d, (unsigned)acct, kind, i, &e) == 0)
				render(&e, data, included);
	if (cJSON_GetArraySize(included))
		cJSON_AddItemToObject(root, "included", included);
	else
		cJSON_Delete(included);
	cJSON *links = cJSON_AddObjectToObject(root, "links");
	add_link(links, "self", call, page, size);
	add_link(links, "first", call, 1, size);
	if (page > 1)
		add_link(links, "prev", call, page - 1, size);
	else
		cJSON_AddNullToObject(links, "prev");
	if (page < pages)
		add_link(links, "next", call, page + 1, size);
	else
		cJSON_AddNullToObject(links, "next");
	add_link(links, "last", call, pages ? pages : 1, size);
	cJSON *meta = cJSON_AddObjectToObject(root, "meta");
	cJSON_AddNumberToObject(meta, "current_page", (double)page);
	if (page < pages)
		cJSON_AddNumberToObject(meta, "next_page", (double)page + 1);
	else
		cJSON_AddNullToObject(meta, "next_page");
	if (page > 1)
		cJSON_AddNumberToObject(meta, "prev_page", (double)page - 1);
	else
		cJSON_AddNullToObject(meta, "prev_page");
	cJSON_AddNumberToObject(meta, "total_count", (double)n);
	cJSON_AddNumberToObject(meta, "total_pages", (double)pages);
	sim_reply_json(call, 200, root);
}

/* One row per list: path, seeded kind, renderer. */
static const struct {
	const char *path;
	enum simdata_kind kind;
	rootly_render_fn render;
} lists[] = {
	{"/rootly/v1/services", SIMDATA_SERVICES, r_service},
	{"/rootly/v1/teams", SIMDATA_TEAMS, r_team},
	{"/rootly/v1/users", SIMDATA_USERS, r_user},
	{"/rootly/v1/schedules", SIMDATA_SCHEDULES, r_schedule},
	{"/rootly/v1/escalation_policies", SIMDATA_ESCALATION_POLICIES, r_policy},
	{"/rootly/v1/alert_sources", SIMDATA_INTEGRATIONS, r_alert_source},
	{"/rootly/v1/incidents", SIMDATA_INCIDENTS, r_incident},
};

static void h_list(struct sim_call *call)
{
	for (size_t i = 0; i < ARRAY_SIZE(lists); i++)
		if (util_streq(call->path, lists[i].path)) {
			rootly_list(call, lists[i].kind, lists[i].render);
			return;
		}
}

/* GET /v1/{type}/{id}: {"data": {...}} with what the resource includes,
 * or JSON:API's 404. */
static void h_single(struct sim_call *call)
{
	size_t i = 0;
	while (i + 1 < ARRAY_SIZE(lists) &&
	       !(util_has_prefix(call->path, lists[i].path) && call->path[strlen(lists[i].path)] == '/'))
		i++;
	struct simdata_entity e;
	if (source_sim_single(call, &rootly_flavor, lists[i].kind, &e) < 0)
		return;
	cJSON *data = cJSON_CreateArray(), *included = cJSON_CreateArray();
	lists[i].render(&e, data, included);
	cJSON *root = cJSON_CreateObject();
	cJSON_AddItemToObject(root, "data", cJSON_DetachItemFromArray(data, 0));
	cJSON_Delete(data);
	if (cJSON_GetArraySize(included))
		cJSON_AddItemToObject(root, "included", included);
	else
		cJSON_Delete(included);
	sim_reply_json(call, 200, root);
}

static const struct sim_route routes[] = {
	{"GET", "/rootly/v1/services", h_list},
	{"GET", "/rootly/v1/teams", h_list},
	{"GET", "/rootly/v1/users", h_list},
	{"GET", "/rootly/v1/schedules", h_list},
	{"GET", "/rootly/v1/escalation_policies", h_list},
	{"GET", "/rootly/v1/alert_sources", h_list},
	{"GET", "/rootly/v1/incidents", h_list},
	{"GET", "/rootly/v1/services/{id}", h_single},
	{"GET", "/rootly/v1/teams/{id}", h_single},
	{"GET", "/rootly/v1/users/{id}", h_single},
	{"GET", "/rootly/v1/schedules/{id}", h_single},
	{"GET", "/rootly/v1/escalation_policies/{id}", h_single},
	{"GET", "/rootly/v1/alert_sources/{id}", h_single},
	{"GET", "/rootly/v1/incidents/{id}", h_single},
};
const struct sim_route_table sim_rootly_routes = {"rootly", routes, ARRAY_SIZE(routes), NULL, NULL};
