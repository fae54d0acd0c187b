/* sim_incidentio — incident.io's API as the simulator serves it under
 * /incidentio: Bearer auth, page_size + `after` cursor (the id of the last
 * item, echoed in pagination_meta.after), services as entries of the catalog
 * type "Service", escalation paths in place of policies. */
#include <stdlib.h>
#include <string.h>

#include "warroom/source_sim.h"

#define IIO_PAGE_DEFAULT 25

/* {"type","status","request_id","errors":[{"code","message"}]}. */
static void iio_error(struct sim_call *call, int status, const char *code, const char *message)
{
	static const struct {
		int status;
		const char *type;
	} types[] = {{401, "authentication_error"}, {404, "not_found"}, {422, "validation_error"},
		     {429, "rate_limit_exceeded"}, {400, "bad_request"}};
	const char *type = "internal_error";
	for (size_t i = 0; i < ARRAY_SIZE(types); i++)
		if (types[i].status == status)
			type = types[i].type;
	cJSON *root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "type", type);
	cJSON_AddNumberToObject(root, "status", status);
	cJSON_AddStringToObject(root, "request_id", "sim-request");
	cJSON *errs = cJSON_AddArrayToObject(root, "errors");
	cJSON *er = cJSON_CreateObject();
	cJSON_AddStringToObject(er, "code", code);
	cJSON_AddStringToObject(er, "message", message);
	cJSON_AddItemToArray(errs, er);
	sim_reply_json(call, status, root);
}

static const struct source_sim_flavor iio_flavor = {"/incidentio", "Bearer ", iio_error};

/* The catalog: one type "Service" whose attributes carry what a service
 * needs, and one "Team" type the service attribute points at. */
#define SERVICE_TYPE_ID "01SIMCATALOGSERVICE"
#define TEAM_TYPE_ID "01SIMCATALOGTEAM"
#define ATTR_DESCRIPTION "01SIMATTRDESCRIPTION"
#define ATTR_TEAM "01SIMATTRTEAM"
#define ATTR_PATH "01SIMATTRESCALATIONPATH"

static cJSON *service_type(void)
{
	static const char *const attrs[][3] = {
		{ATTR_DESCRIPTION, "Description", "Text"},
		{ATTR_TEAM, "Team", "Custom[\"Team\"]"},
		{ATTR_PATH, "Escalation path", "EscalationPath"},
	};
	cJSON *t = cJSON_CreateObject();
	cJSON_AddStringToObject(t, "id", SERVICE_TYPE_ID);
	cJSON_AddStringToObject(t, "name", "Service");
	cJSON_AddStringToObject(t, "type_name", "Custom[\"Service\"]");
	cJSON_AddStringToObject(t, "description", "Services the organisation runs");
	cJSON *schema = cJSON_AddObjectToObject(t, "schema");
	cJSON *a = cJSON_AddArrayToObject(schema, "attributes");
	for (size_t i = 0; i < ARRAY_SIZE(attrs); i++) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "id", attrs[i][0]);
		cJSON_AddStringToObject(o, "name", attrs[i][1]);
		cJSON_AddStringToObject(o, "type", attrs[i][2]);
		cJSON_AddBoolToObject(o, "array", i == 1);
		cJSON_AddItemToArray(a, o);
	}
	return t;
}

static cJSON *team_type(void)
{
	cJSON *team = cJSON_CreateObject();
	cJSON_AddStringToObject(team, "id", TEAM_TYPE_ID);
	cJSON_AddStringToObject(team, "name", "Team");
	cJSON_AddStringToObject(team, "type_name", "Custom[\"Team\"]");
	cJSON_AddItemToObject(cJSON_AddObjectToObject(team, "schema"), "attributes", cJSON_CreateArray());
	return team;
}

static void h_catalog_types(struct sim_call *call)
{
	if (source_sim_begin(call, &iio_flavor) < 0)
		return;
	cJSON *root = cJSON_CreateObject();
	cJSON *types = cJSON_AddArrayToObject(root, "catalog_types");
	cJSON_AddItemToArray(types, team_type());
	cJSON_AddItemToArray(types, service_type());
	sim_reply_json(call, 200, root);
}

static void add_time(cJSON *o, const char *key, int64_t ms)
{
	char t[32];
	source_sim_time(ms, t, sizeof(t));
	cJSON_AddStringToObject(o, key, t);
}

static cJSON *literal(const char *s)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "literal", s);
	cJSON_AddStringToObject(o, "label", s);
	return o;
}

typedef cJSON *(*iio_render_fn)(const struct simdata_entity *e);

static cJSON *i_service(const struct simdata_entity *e)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "id", e->id);
	cJSON_AddStringToObject(o, "catalog_type_id", SERVICE_TYPE_ID);
	cJSON_AddStringToObject(o, "name", e->name);
	cJSON_AddStringToObject(o, "external_id", e->id);
	cJSON_AddArrayToObject(o, "aliases");
	cJSON *av = cJSON_AddObjectToObject(o, "attribute_values");
	cJSON_AddItemToObject(cJSON_AddObjectToObject(av, ATTR_DESCRIPTION), "value",
			      literal(e->description));
	cJSON *team = cJSON_AddArrayToObject(cJSON_AddObjectToObject(av, ATTR_TEAM), "array_value");
	cJSON_AddItemToArray(team, literal(e->service.team));
	cJSON_AddItemToObject(cJSON_AddObjectToObject(av, ATTR_PATH), "value",
			      literal(e->service.escalation_policy));
	add_time(o, "created_at", e->created_at_ms);
	add_time(o, "updated_at", e->created_at_ms);
	/* A disabled service is an archived catalog entry. */
	if (util_streq(e->service.status, "disabled"))
		add_time(o, "archived_at", e->created_at_ms);
	return o;
}

static cJSON *i_team(const struct simdata_entity *e)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "id", e->id);
	cJSON_AddStringToObject(o, "name", e->name);
	cJSON *members = cJSON_AddArrayToObject(o, "members");
	for (size_t i = 0; i < e->team.nmembers; i++) {
		cJSON *m = cJSON_CreateObject();
		cJSON_AddStringToObject(m, "id", e->team.members[i]);
		cJSON_AddItemToArray(members, m);
	}
	return o;
}

/* Seeded roles as incident.io base roles; "limited-responder" stands for a
 * custom role. */
static const char *const base_roles[][3] = {
	{"owner", "owner", "Owner"}, {"admin", "admin", "Admin"},
	{"user", "responder", "Responder"}, {"limited_user", "limited-responder", "Limited responder"},
	{"observer", "viewer", "Viewer"},
};

static cJSON *i_user(const struct simdata_entity *e)
{
	size_t r = 0;
	while (r + 1 < ARRAY_SIZE(base_roles) && !util_streq(base_roles[r][0], e->user.role))
		r++;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "id", e->id);
	cJSON_AddStringToObject(o, "name", e->name);
	cJSON_AddStringToObject(o, "email", e->user.email);
	cJSON_AddStringToObject(o, "role", base_roles[r][1]);
	cJSON *br = cJSON_AddObjectToObject(o, "base_role");
	cJSON_AddStringToObject(br, "id", base_roles[r][1]);
	cJSON_AddStringToObject(br, "name", base_roles[r][2]);
	cJSON_AddStringToObject(br, "slug", base_roles[r][1]);
	cJSON_AddBoolToObject(o, "is_active", 1);
	return o;
}

static cJSON *i_schedule(const struct simdata_entity *e)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "id", e->id);
	cJSON_AddStringToObject(o, "name", e->name);
	cJSON_AddStringToObject(o, "timezone", e->schedule.time_zone);
	cJSON *rots = cJSON_AddArrayToObject(cJSON_AddObjectToObject(o, "config"), "rotations");
	for (size_t l = 0; l < e->schedule.nlayers; l++) {
		const struct simdata_layer *ly = &e->schedule.layers[l];
		char rid[64];
		snprintf(rid, sizeof(rid), "%s-r%zu", e->id, l);
		cJSON *r = cJSON_CreateObject();
		cJSON_AddStringToObject(r, "id", rid);
		cJSON_AddStringToObject(r, "name", ly->name);
		add_time(r, "handover_start_at", ly->start_ms);
		add_time(r, "effective_from", ly->start_ms);
		cJSON *h = cJSON_CreateObject();
		cJSON_AddNumberToObject(h, "interval", 1);
		cJSON_AddStringToObject(h, "interval_type", ly->turn_length_s == 86400 ? "daily" : "weekly");
		cJSON_AddItemToArray(cJSON_AddArrayToObject(r, "handovers"), h);
		cJSON *users = cJSON_AddArrayToObject(r, "users");
		for (size_t u = 0; u < ly->nusers; u++) {
			cJSON *w = cJSON_CreateObject();
			cJSON_AddStringToObject(w, "id", ly->users[u]);
			cJSON_AddItemToArray(users, w);
		}
		cJSON_AddArrayToObject(r, "working_intervals");
		cJSON_AddItemToArray(rots, r);
	}
	add_time(o, "created_at", e->created_at_ms);
	return o;
}

static cJSON *i_path(const struct simdata_entity *e)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "id", e->id);
	cJSON_AddStringToObject(o, "name", e->name);
	cJSON *path = cJSON_AddArrayToObject(o, "path");
	char first[64] = "";
	for (size_t i = 0; i < e->escalation_policy.nrules; i++) {
		const struct simdata_rule *r = &e->escalation_policy.rules[i];
		char nid[64];
		snprintf(nid, sizeof(nid), "%s-n%zu", e->id, i);
		if (!i)
			snprintf(first, sizeof(first), "%s", nid);
		cJSON *node = cJSON_CreateObject();
		cJSON_AddStringToObject(node, "id", nid);
		cJSON_AddStringToObject(node, "type", "level");
		cJSON *lv = cJSON_AddObjectToObject(node, "level");
		cJSON_AddNumberToObject(lv, "time_to_ack_seconds", r->delay_min * 60);
		cJSON *t = cJSON_CreateObject();
		cJSON_AddStringToObject(t, "id", r->target);
		cJSON_AddStringToObject(t, "type", r->target_type);
		cJSON_AddStringToObject(t, "urgency", "high");
		cJSON_AddItemToArray(cJSON_AddArrayToObject(lv, "targets"), t);
		cJSON_AddItemToArray(path, node);
	}
	if (e->escalation_policy.num_loops > 0) {
		cJSON *node = cJSON_CreateObject();
		char nid[64];
		snprintf(nid, sizeof(nid), "%s-repeat", e->id);
		cJSON_AddStringToObject(node, "id", nid);
		cJSON_AddStringToObject(node, "type", "repeat");
		cJSON *rp = cJSON_AddObjectToObject(node, "repeat");
		cJSON_AddNumberToObject(rp, "repeat_times", e->escalation_policy.num_loops);
		cJSON_AddStringToObject(rp, "to_node", first);
		cJSON_AddItemToArray(path, node);
	}
	return o;
}

static const char *const alert_source_types[][2] = {{"events_api_v2", "http"}};

static cJSON *i_alert_source(const struct simdata_entity *e)
{
	const char *type = e->integration.type;
	for (size_t i = 0; i < ARRAY_SIZE(alert_source_types); i++)
		if (util_streq(type, alert_source_types[i][0]))
			type = alert_source_types[i][1];
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "id", e->id);
	cJSON_AddStringToObject(o, "name", e->name);
	cJSON_AddStringToObject(o, "source_type", type);
	return o;
}

static const char *const status_categories[][3] = {
	{"triggered", "triage", "Triage"}, {"acknowledged", "live", "Investigating"},
	{"resolved", "closed", "Closed"},
};

static cJSON *i_incident(const struct simdata_entity *e)
{
	size_t s = 0;
	while (s + 1 < ARRAY_SIZE(status_categories) &&
	       !util_streq(status_categories[s][0], e->incident.status))
		s++;
	cJSON *o = cJSON_CreateObject();
	char ref[32];
	snprintf(ref, sizeof(ref), "INC-%d", e->incident.number);
	cJSON_AddStringToObject(o, "id", e->id);
	cJSON_AddStringToObject(o, "reference", ref);
	cJSON_AddStringToObject(o, "name", e->name);
	cJSON_AddStringToObject(o, "summary", e->description);
	cJSON *st = cJSON_AddObjectToObject(o, "incident_status");
	cJSON_AddStringToObject(st, "id", status_categories[s][1]);
	cJSON_AddStringToObject(st, "name", status_categories[s][2]);
	cJSON_AddStringToObject(st, "category", status_categories[s][1]);
	cJSON *sev = cJSON_AddObjectToObject(o, "severity");
	int high = util_streq(e->incident.urgency, "high");
	cJSON_AddStringToObject(sev, "id", high ? "sev-major" : "sev-minor");
	cJSON_AddStringToObject(sev, "name", high ? "Major" : "Minor");
	cJSON_AddNumberToObject(sev, "rank", high ? 2 : 1);
	cJSON *cf = cJSON_CreateObject();
	cJSON *f = cJSON_AddObjectToObject(cf, "custom_field");
	cJSON_AddStringToObject(f, "id", "01SIMFIELDSERVICES");
	cJSON_AddStringToObject(f, "name", "Affected services");
	cJSON *v = cJSON_CreateObject();
	cJSON *ce = cJSON_AddObjectToObject(v, "value_catalog_entry");
	cJSON_AddStringToObject(ce, "id", e->incident.service);
	cJSON_AddItemToArray(cJSON_AddArrayToObject(cf, "values"), v);
	cJSON_AddItemToArray(cJSON_AddArrayToObject(o, "custom_field_entries"), cf);
	add_time(o, "created_at", e->created_at_ms);
	add_time(o, "updated_at", e->incident.resolved_at_ms ? e->incident.resolved_at_ms
							      : e->created_at_ms);
	cJSON *tvs = cJSON_AddArrayToObject(o, "incident_timestamp_values");
	if (e->incident.resolved_at_ms) {
		cJSON *tv = cJSON_CreateObject();
		cJSON *ts = cJSON_AddObjectToObject(tv, "incident_timestamp");
		cJSON_AddStringToObject(ts, "id", "01SIMRESOLVEDAT");
		cJSON_AddStringToObject(ts, "name", "Resolved at");
		add_time(cJSON_AddObjectToObject(tv, "value"), "value", e->incident.resolved_at_ms);
		cJSON_AddItemToArray(tvs, tv);
	}
	cJSON *ras = cJSON_AddArrayToObject(o, "incident_role_assignments");
	if (!e->incident.resolved_at_ms) {
		cJSON *ra = cJSON_CreateObject();
		cJSON *role = cJSON_AddObjectToObject(ra, "role");
		cJSON_AddStringToObject(role, "name", "Incident Lead");
		cJSON_AddStringToObject(role, "role_type", "lead");
		cJSON_AddStringToObject(cJSON_AddObjectToObject(ra, "assignee"), "id", e->incident.assignee);
		cJSON_AddItemToArray(ras, ra);
	}
	return o;
}

/* One page after the cursor: `after` is the id of the last item already
 * seen; an unknown one is a 422 like any bad parameter. */
static void iio_list(struct sim_call *call, enum simdata_kind kind, const char *wrapper,
		     iio_render_fn render, long page_max, cJSON *extra_type)
{
	int acct = source_sim_begin(call, &iio_flavor);
	if (acct < 0) {
		cJSON_Delete(extra_type);
		return;
	}
	const struct simdata *d = sim_data(call->sim);
	size_t n = simdata_count(d, (unsigned)acct, kind);
	size_t from = 0, size = n;
	if (page_max) {
		long ps = source_sim_long(call, "page_size", IIO_PAGE_DEFAULT);
		const char *after = sim_param(call, "after");
		struct simdata_entity last;
		char *msg = NULL;
		if (ps < 1 || ps > page_max)
			msg = xasprintf("page_size must be between 1 and %ld", page_max);
		else if (after && simdata_entity_find(d, (unsigned)acct, kind, after, &last) < 0)
			msg = xasprintf("after: no %s with id '%s'", simdata_kind_singular(kind), after);
		if (msg) {
			iio_error(call, 422, "invalid_value", msg);
			free(msg);
			cJSON_Delete(extra_type);
			return;
		}
		from = after ? last.index + 1 : 0;
		size = (size_t)ps;
	}
	cJSON *root = cJSON_CreateObject();
	cJSON *items = cJSON_AddArrayToObject(root, wrapper);
	struct simdata_entity e;
	size_t i;
	for (i = from; i < n && i < from + size; i++)
		if (simdata_entity(d, (unsigned)acct, kind, i, &e) == 0)
			cJSON_AddItemToArray(items, render(&e));
	if (extra_type)
		cJSON_AddItemToObject(root, "catalog_type", extra_type);
	if (page_max) {
		cJSON *meta = cJSON_AddObjectToObject(root, "pagination_meta");
		/* no `after` on the last page */
		if (i < n && i > from)
			cJSON_AddStringToObject(meta, "after", e.id);
		cJSON_AddNumberToObject(meta, "page_size", (double)size);
		cJSON_AddNumberToObject(meta, "total_record_count", (double)n);
	}
	sim_reply_json(call, 200, root);
}

static void h_catalog_entries(struct sim_call *call)
{
	const char *type = sim_param(call, "catalog_type_id");
	if (!type) {
		if (source_sim_begin(call, &iio_flavor) >= 0)
			iio_error(call, 422, "missing_parameter", "catalog_type_id is required");
		return;
	}
	if (util_streq(type, TEAM_TYPE_ID)) {
		iio_list(call, SIMDATA_TEAMS, "catalog_entries", i_team, 250, NULL);
		return;
	}
	if (!util_streq(type, SERVICE_TYPE_ID)) {
		if (source_sim_begin(call, &iio_flavor) >= 0)
			iio_error(call, 404, "not_found", "no such catalog type");
		return;
	}
	iio_list(call, SIMDATA_SERVICES, "catalog_entries", i_service, 250, service_type());
}

/* The plain lists, one row each: path, seeded kind, wrapper key, renderer
 * and the largest page_size the API takes (0: not paginated). */
static const struct list_row {
	const char *path;
	enum simdata_kind kind;
	const char *wrapper;
	iio_render_fn render;
	long page_max;
} lists[] = {
	{"/incidentio/v3/teams", SIMDATA_TEAMS, "teams", i_team, 250},
	{"/incidentio/v2/users", SIMDATA_USERS, "users", i_user, 10000},
	{"/incidentio/v2/schedules", SIMDATA_SCHEDULES, "schedules", i_schedule, 10000},
	{"/incidentio/v2/escalation_paths", SIMDATA_ESCALATION_POLICIES, "escalation_paths", i_path, 25},
	{"/incidentio/v2/alert_sources", SIMDATA_INTEGRATIONS, "alert_sources", i_alert_source, 0},
	{"/incidentio/v2/incidents", SIMDATA_INCIDENTS, "incidents", i_incident, 500},
};

static void h_list(struct sim_call *call)
{
	for (size_t i = 0; i < ARRAY_SIZE(lists); i++)
		if (util_streq(call->path, lists[i].path)) {
			iio_list(call, lists[i].kind, lists[i].wrapper, lists[i].render,
				 lists[i].page_max, NULL);
			return;
		}
}

/* GET /v3/catalog_entries/{id}: the entry with its catalog type, a service
 * or a team. */
static void h_catalog_entry(struct sim_call *call)
{
	int acct = source_sim_begin(call, &iio_flavor);
	if (acct < 0)
		return;
	const struct simdata *d = sim_data(call->sim);
	struct simdata_entity e;
	cJSON *root = cJSON_CreateObject();
	if (simdata_entity_find(d, (unsigned)acct, SIMDATA_SERVICES, call->params[0], &e) == 0) {
		cJSON_AddItemToObject(root, "catalog_entry", i_service(&e));
		cJSON_AddItemToObject(root, "catalog_type", service_type());
	} else if (simdata_entity_find(d, (unsigned)acct, SIMDATA_TEAMS, call->params[0], &e) == 0) {
		cJSON *entry = i_team(&e);
		cJSON_AddStringToObject(entry, "catalog_type_id", TEAM_TYPE_ID);
		cJSON_AddItemToObject(root, "catalog_entry", entry);
		cJSON_AddItemToObject(root, "catalog_type", team_type());
	} else {
		cJSON_Delete(root);
		iio_error(call, 404, "not_found", "Not Found: no catalog entry with that id");
		return;
	}
	sim_reply_json(call, 200, root);
}

/* GET /v2/users/{id} and the like: {"user": {...}}. */
static const struct {
	const char *prefix;
	enum simdata_kind kind;
	const char *wrapper;
	iio_render_fn render;
} singles[] = {
	{"/incidentio/v3/teams/", SIMDATA_TEAMS, "team", i_team},
	{"/incidentio/v2/users/", SIMDATA_USERS, "user", i_user},
	{"/incidentio/v2/schedules/", SIMDATA_SCHEDULES, "schedule", i_schedule},
	{"/incidentio/v2/escalation_paths/", SIMDATA_ESCALATION_POLICIES, "escalation_path", i_path},
	{"/incidentio/v2/alert_sources/", SIMDATA_INTEGRATIONS, "alert_source", i_alert_source},
	{"/incidentio/v2/incidents/", SIMDATA_INCIDENTS, "incident", i_incident},
};

static void h_single(struct sim_call *call)
{
	size_t i = 0;
	while (i + 1 < ARRAY_SIZE(singles) && !util_has_prefix(call->path, singles[i].prefix))
		i++;
	struct simdata_entity e;
	if (source_sim_single(call, &iio_flavor, singles[i].kind, &e) < 0)
		return;
	cJSON *root = cJSON_CreateObject();
	cJSON_AddItemToObject(root, singles[i].wrapper, singles[i].render(&e));
	sim_reply_json(call, 200, root);
}

static const struct sim_route routes[] = {
	{"GET", "/incidentio/v3/catalog_types", h_catalog_types},
	{"GET", "/incidentio/v3/catalog_entries", h_catalog_entries},
	{"GET", "/incidentio/v3/teams", h_list},
	{"GET", "/incidentio/v2/users", h_list},
	{"GET", "/incidentio/v2/schedules", h_list},
	{"GET", "/incidentio/v2/escalation_paths", h_list},
	{"GET", "/incidentio/v2/alert_sources", h_list},
	{"GET", "/incidentio/v2/incidents", h_list},
	{"GET", "/incidentio/v3/catalog_entries/{id}", h_catalog_entry},
	{"GET", "/incidentio/v3/teams/{id}", h_single},
	{"GET", "/incidentio/v2/users/{id}", h_single},
	{"GET", "/incidentio/v2/schedules/{id}", h_single},
	{"GET", "/incidentio/v2/escalation_paths/{id}", h_single},
	{"GET", "/incidentio/v2/alert_sources/{id}", h_single},
	{"GET", "/incidentio/v2/incidents/{id}", h_single},
};
const struct sim_route_table sim_incidentio_routes = {"incidentio", routes, ARRAY_SIZE(routes),
						      NULL, NULL};
