/* pagerduty — the PagerDuty REST API v2 driver: classic offset pagination,
 * `Token token=` auth, integrations read through services, team members
 * per team, and incident history read in since/until windows because the
 * API refuses offsets past 10,000. Field facts: docs/mapping.md. */
#include <stdlib.h>
#include <string.h>

#include "warroom/source.h"
#include "warroom/source_map.h"

enum { EP_SERVICES, EP_TEAMS, EP_TEAM_MEMBERS, EP_USERS, EP_SCHEDULES, EP_POLICIES, EP_INCIDENTS };

/* EP_TEAM_MEMBERS is read per team (path given at walk time); it yields no
 * entity of its own but fills the team's member_ids. */
static const struct source_endpoint_info pd_eps[] = {
	[EP_SERVICES] = {"/services", "include[]=integrations", "services", ENTITY_SERVICE, 100},
	[EP_TEAMS] = {"/teams", "", "teams", ENTITY_TEAM, 100},
	[EP_TEAM_MEMBERS] = {"/teams/{id}/members", "", "members", ENTITY_TEAM, 100},
	[EP_USERS] = {"/users", "", "users", ENTITY_USER, 100},
	[EP_SCHEDULES] = {"/schedules", "include[]=schedule_layers", "schedules", ENTITY_SCHEDULE, 100},
	[EP_POLICIES] = {"/escalation_policies", "", "escalation_policies", ENTITY_ESCALATION_POLICY, 100},
	[EP_INCIDENTS] = {"/incidents", "", "incidents", ENTITY_INCIDENT, 100},
};

/* GET /{type}/{id}; an integration has no endpoint of its own but its
 * service's (/services/{id}/integrations/{integration_id}), and the
 * canonical integration carries only its own id: pd_fetch_one finds it
 * through the services. A single schedule comes with its layers (no
 * include[] needed, unlike the list). */
static const struct source_item_endpoint pd_items[ENTITY_TYPE_COUNT] = {
	[ENTITY_SERVICE] = {"/services/", "include[]=integrations", "service", EP_SERVICES},
	[ENTITY_TEAM] = {"/teams/", "", "team", EP_TEAMS},
	[ENTITY_USER] = {"/users/", "", "user", EP_USERS},
	[ENTITY_SCHEDULE] = {"/schedules/", "", "schedule", EP_SCHEDULES},
	[ENTITY_ESCALATION_POLICY] = {"/escalation_policies/", "", "escalation_policy", EP_POLICIES},
	[ENTITY_INTEGRATION] = {NULL, "", "integration", EP_SERVICES},
	[ENTITY_INCIDENT] = {"/incidents/", "", "incident", EP_INCIDENTS},
};

#define PD_OFFSET_LIMIT 10000 /* offset + limit past this answers 400 */

static const char *const service_status[][2] = {
	{"active", "active"}, {"warning", "active"}, {"critical", "active"},
	{"maintenance", "maintenance"}, {"disabled", "disabled"},
};
static const char *const user_roles[][2] = {
	{"owner", "admin"}, {"admin", "admin"}, {"user", "responder"},
	{"limited_user", "responder"}, {"observer", "observer"},
	{"restricted_access", "observer"}, {"read_only_user", "observer"},
	{"read_only_limited_user", "observer"},
};
/* Roles whose meaning the target cannot keep whole. */
static const char *const lossy_roles[][2] = {
	{"owner", "account ownership"}, {"limited_user", "limited access"},
	{"restricted_access", "restricted access"}, {"read_only_limited_user", "limited access"},
};
/* PagerDuty integration type -> canonical type; "" marks not importable. */
static const char *const integration_types[][2] = {
	{"events_api_v2_inbound_integration", "events_api_v2"},
	{"generic_email_inbound_integration", "email"},
	{"aws_cloudwatch_inbound_integration", "cloudwatch"},
	{"nagios_inbound_integration", "nagios"},
	{"pingdom_inbound_integration", "pingdom"},
	{"sql_monitor_inbound_integration", "sql_monitor"},
	{"cloudkick_inbound_integration", ""},
	{"keynote_inbound_integration", ""},
	{"generic_events_api_inbound_integration", ""},
	{"event_transformer_api_inbound_integration", ""},
};
/* Vendor names (lower case, '_' for ' ') whose canonical type is shorter. */
static const char *const vendor_types[][2] = {
	{"pagerduty_events_api_v2", "events_api_v2"}, {"prometheus_alertmanager", "prometheus"},
	{"amazon_cloudwatch", "cloudwatch"}, {"email", "email"},
};
static const char *const integration_refusals[][2] = {
	{"cloudkick_inbound_integration", "deprecated integration: Cloudkick was retired"},
	{"keynote_inbound_integration", "deprecated integration: Keynote is no longer offered"},
	{"generic_events_api_inbound_integration",
	 "deprecated integration: Events API v1; re-create it as Events API v2"},
	{"event_transformer_api_inbound_integration",
	 "custom script: an event transformer runs customer code the target cannot run"},
};

static const char *ref_id(const cJSON *obj, const char *key)
{
	const cJSON *r = cJSON_GetObjectItemCaseSensitive(obj, key);
	return source_str(r, "id");
}

static int map_integration(const cJSON *it, const char *service_id, struct source_sink *sink,
			   struct err *e)
{
	const char *id = source_str(it, "id");
	if (!id)
		return err_set(e, "service %s: an integration has no id", service_id);
	const char *type = source_str(it, "type");
	/* Without include[]=integrations the list holds *_reference stubs. */
	char base[96] = "";
	if (type) {
		snprintf(base, sizeof(base), "%s", type);
		size_t n = strlen(base);
		if (n > 10 && !strcmp(base + n - 10, "_reference"))
			base[n - 10] = 0;
	}
	const char *canon = source_lookup(integration_types, ARRAY_SIZE(integration_types), base, NULL);
	const cJSON *vendor = cJSON_GetObjectItemCaseSensitive(it, "vendor");
	const char *vname = source_str(vendor, "summary");
	char vbuf[64];
	if (canon && canon[0] && vname && !strcmp(canon, "events_api_v2")) {
		/* A vendor integration (Datadog, Sentry...) rides on Events API v2;
		 * the vendor is what the target keys its integration types on. */
		size_t j = 0;
		for (const char *p = vname; *p && j + 1 < sizeof(vbuf); p++)
			vbuf[j++] = (char)(*p == ' ' ? '_' : *p >= 'A' && *p <= 'Z' ? *p | 0x20 : *p);
		vbuf[j] = 0;
		canon = source_lookup(vendor_types, ARRAY_SIZE(vendor_types), vbuf, vbuf);
	}
	cJSON *doc = cJSON_CreateObject();
	cJSON_AddStringToObject(doc, "id", id);
	const char *name = source_str(it, "name");
	source_add_str(doc, "name", name ? name : source_str(it, "summary"));
	source_add_str(doc, "type", canon && canon[0] ? canon : base[0] ? base : NULL);
	source_add_str(doc, "service_id", service_id);
	char path[160];
	snprintf(path, sizeof(path), "/services/%s/integrations/%s", service_id, id);
	const char *refusal =
		source_lookup(integration_refusals, ARRAY_SIZE(integration_refusals), base, NULL);
	if (refusal)
		return source_emit(sink, ENTITY_INTEGRATION, doc, path, VERDICT_SKIP, NULL, refusal, e);
	if (!canon)
		return source_emit(sink, ENTITY_INTEGRATION, doc, path, VERDICT_IMPORT_CHANGED,
				   "type kept as generic", "unknown PagerDuty integration type", e);
	return source_emit(sink, ENTITY_INTEGRATION, doc, path, VERDICT_IMPORT, NULL, NULL, e);
}

static int map_service(const cJSON *it, struct source_sink *sink, const char *id, struct err *e)
{
	cJSON *doc = cJSON_CreateObject();
	cJSON_AddStringToObject(doc, "id", id);
	source_add_str(doc, "name", source_str(it, "name"));
	source_add_str(doc, "description", source_str(it, "description"));
	const char *st = source_str(it, "status");
	const char *cst = source_lookup(service_status, ARRAY_SIZE(service_status), st, NULL);
	source_add_str(doc, "status", cst ? cst : "active");
	cJSON_AddItemToObject(doc, "team_ids",
			      source_ids_of(cJSON_GetObjectItemCaseSensitive(it, "teams"), "id"));
	source_add_str(doc, "escalation_policy_id", ref_id(it, "escalation_policy"));
	source_add_time(doc, "created_at", source_str(it, "created_at"));
	char path[96];
	snprintf(path, sizeof(path), "/services/%s", id);
	int rc;
	if (st && !cst)
		rc = source_emit(sink, ENTITY_SERVICE, doc, path, VERDICT_IMPORT_CHANGED,
				 "status set to active", "unknown PagerDuty service status", e);
	else
		rc = source_emit(sink, ENTITY_SERVICE, doc, path, VERDICT_IMPORT, NULL, NULL, e);
	if (rc < 0)
		return -1;
	const cJSON *ints = cJSON_GetObjectItemCaseSensitive(it, "integrations"), *in;
	cJSON_ArrayForEach(in, ints)
	{
		if (map_integration(in, id, sink, e) < 0)
			return -1;
	}
	return 0;
}

static int map_team(const cJSON *it, struct source_sink *sink, const char *id, struct err *e)
{
	cJSON *doc = cJSON_CreateObject();
	cJSON_AddStringToObject(doc, "id", id);
	source_add_str(doc, "name", source_str(it, "name"));
	source_add_str(doc, "description", source_str(it, "description"));
	/* Filled from /teams/{id}/members by the walk. */
	cJSON_AddArrayToObject(doc, "member_ids");
	char path[96];
	snprintf(path, sizeof(path), "/teams/%s", id);
	return source_emit(sink, ENTITY_TEAM, doc, path, VERDICT_IMPORT, NULL, NULL, e);
}

/* A members page item is {user: {id...}, role}; kept as a user "entity" in a
 * scratch set only long enough to be folded into its team. */
static int map_member(const cJSON *it, struct source_sink *sink, const char *id, struct err *e)
{
	(void)id;
	const char *uid = ref_id(it, "user");
	if (!uid)
		return err_set(e, "a team member has no user id");
	cJSON *doc = cJSON_CreateObject();
	cJSON_AddStringToObject(doc, "id", uid);
	struct entity *en = entity_new(ENTITY_USER, doc, e);
	if (!en)
		return -1;
	entity_set_add(sink->set, en);
	return 0;
}

static int map_user(const cJSON *it, struct source_sink *sink, const char *id, struct err *e)
{
	cJSON *doc = cJSON_CreateObject();
	cJSON_AddStringToObject(doc, "id", id);
	source_add_str(doc, "name", source_str(it, "name"));
	source_add_str(doc, "email", source_str(it, "email"));
	const char *role = source_str(it, "role");
	const char *crole = source_lookup(user_roles, ARRAY_SIZE(user_roles), role, NULL);
	source_add_str(doc, "role", crole ? crole : "responder");
	source_add_str(doc, "time_zone", source_str(it, "time_zone"));
	char path[96];
	snprintf(path, sizeof(path), "/users/%s", id);
	if (role && (!crole || source_lookup(lossy_roles, ARRAY_SIZE(lossy_roles), role, NULL))) {
		char change[128];
		snprintf(change, sizeof(change), "role %s becomes %s", role,
			 crole ? crole : "responder");
		return source_emit(sink, ENTITY_USER, doc, path, VERDICT_IMPORT_CHANGED, change,
				   "the target has four roles: admin, manager, responder, observer", e);
	}
	return source_emit(sink, ENTITY_USER, doc, path, VERDICT_IMPORT, NULL, NULL, e);
}

static int map_schedule(const cJSON *it, struct source_sink *sink, const char *id, struct err *e)
{
	cJSON *doc = cJSON_CreateObject();
	cJSON_AddStringToObject(doc, "id", id);
	source_add_str(doc, "name", source_str(it, "name"));
	source_add_str(doc, "time_zone", source_str(it, "time_zone"));
	cJSON *layers = cJSON_AddArrayToObject(doc, "layers");
	const cJSON *ly;
	int restricted = 0;
	cJSON_ArrayForEach(ly, cJSON_GetObjectItemCaseSensitive(it, "schedule_layers"))
	{
		cJSON *l = cJSON_CreateObject();
		source_add_str(l, "name", source_str(ly, "name"));
		source_add_time(l, "start", source_str(ly, "start"));
		const cJSON *len = cJSON_GetObjectItemCaseSensitive(ly, "rotation_turn_length_seconds");
		if (cJSON_IsNumber(len))
			cJSON_AddNumberToObject(l, "rotation_seconds", len->valuedouble);
		else
			cJSON_AddNullToObject(l, "rotation_seconds");
		cJSON *uids = cJSON_AddArrayToObject(l, "user_ids");
		const cJSON *u;
		cJSON_ArrayForEach(u, cJSON_GetObjectItemCaseSensitive(ly, "users"))
		{
			const char *uid = ref_id(u, "user");
			if (uid)
				cJSON_AddItemToArray(uids, cJSON_CreateString(uid));
		}
		restricted |= cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(ly, "restrictions")) > 0;
		cJSON_AddItemToArray(layers, l);
	}
	char path[96];
	snprintf(path, sizeof(path), "/schedules/%s", id);
	if (restricted)
		return source_emit(sink, ENTITY_SCHEDULE, doc, path, VERDICT_IMPORT_CHANGED,
				   "layer restrictions dropped",
				   "the target has no per-layer time-of-day restrictions", e);
	return source_emit(sink, ENTITY_SCHEDULE, doc, path, VERDICT_IMPORT, NULL, NULL, e);
}

static const char *const target_types[][2] = {
	{"user_reference", "user"}, {"user", "user"},
	{"schedule_reference", "schedule"}, {"schedule", "schedule"},
};

static int map_policy(const cJSON *it, struct source_sink *sink, const char *id, struct err *e)
{
	cJSON *doc = cJSON_CreateObject();
	cJSON_AddStringToObject(doc, "id", id);
	source_add_str(doc, "name", source_str(it, "name"));
	const cJSON *loops = cJSON_GetObjectItemCaseSensitive(it, "num_loops");
	cJSON_AddNumberToObject(doc, "num_loops", cJSON_IsNumber(loops) ? loops->valuedouble : 0);
	cJSON *rules = cJSON_AddArrayToObject(doc, "rules");
	const cJSON *r;
	cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(it, "escalation_rules"))
	{
		cJSON *rule = cJSON_CreateObject();
		const cJSON *d = cJSON_GetObjectItemCaseSensitive(r, "escalation_delay_in_minutes");
		cJSON_AddNumberToObject(rule, "delay_minutes", cJSON_IsNumber(d) ? d->valuedouble : 0);
		cJSON *targets = cJSON_AddArrayToObject(rule, "targets");
		const cJSON *t;
		cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(r, "targets"))
		{
			const char *tt = source_lookup(target_types, ARRAY_SIZE(target_types),
						       source_str(t, "type"), NULL);
			const char *tid = source_str(t, "id");
			if (!tt || !tid)
				continue;
			cJSON *o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "type", tt);
			cJSON_AddStringToObject(o, "id", tid);
			cJSON_AddItemToArray(targets, o);
		}
		cJSON_AddItemToArray(rules, rule);
	}
	char path[96];
	snprintf(path, sizeof(path), "/escalation_policies/%s", id);
	return source_emit(sink, ENTITY_ESCALATION_POLICY, doc, path, VERDICT_IMPORT, NULL, NULL, e);
}

static int map_incident(const cJSON *it, struct source_sink *sink, const char *id, struct err *e)
{
	cJSON *doc = cJSON_CreateObject();
	cJSON_AddStringToObject(doc, "id", id);
	const cJSON *num = cJSON_GetObjectItemCaseSensitive(it, "incident_number");
	if (cJSON_IsNumber(num))
		cJSON_AddNumberToObject(doc, "number", num->valuedouble);
	else
		cJSON_AddNullToObject(doc, "number");
	source_add_str(doc, "title", source_str(it, "title"));
	source_add_str(doc, "status", source_str(it, "status"));
	source_add_str(doc, "urgency", source_str(it, "urgency"));
	source_add_str(doc, "service_id", ref_id(it, "service"));
	source_add_time(doc, "created_at", source_str(it, "created_at"));
	source_add_time(doc, "resolved_at", source_str(it, "resolved_at"));
	cJSON *as = cJSON_AddArrayToObject(doc, "assignee_ids");
	const cJSON *a;
	cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(it, "assignments"))
	{
		const char *uid = ref_id(a, "assignee");
		if (uid)
			cJSON_AddItemToArray(as, cJSON_CreateString(uid));
	}
	char path[96];
	snprintf(path, sizeof(path), "/incidents/%s", id);
	return source_emit(sink, ENTITY_INCIDENT, doc, path, VERDICT_IMPORT, NULL, NULL, e);
}

typedef int (*pd_mapper)(const cJSON *it, struct source_sink *sink, const char *id, struct err *e);
static const pd_mapper mappers[] = {
	[EP_SERVICES] = map_service, [EP_TEAMS] = map_team, [EP_TEAM_MEMBERS] = map_member,
	[EP_USERS] = map_user, [EP_SCHEDULES] = map_schedule, [EP_POLICIES] = map_policy,
	[EP_INCIDENTS] = map_incident,
};

static int pd_parse(size_t ep, const cJSON *root, struct source_sink *sink,
		    struct source_cursor *c, struct err *e)
{
	const cJSON *arr = source_wrapper(root, pd_eps[ep].wrapper, e);
	if (!arr)
		return -1;
	const cJSON *it;
	size_t i = 0;
	cJSON_ArrayForEach(it, arr)
	{
		const char *id = source_str(it, "id");
		if (!id && ep != EP_TEAM_MEMBERS)
			return err_set(e, "%s[%zu] has no \"id\"", pd_eps[ep].wrapper, i);
		if (mappers[ep](it, sink, id, e) < 0)
			return err_wrap(e, "%s[%zu]", pd_eps[ep].wrapper, i);
		i++;
	}
	const cJSON *more = cJSON_GetObjectItemCaseSensitive(root, "more");
	const cJSON *total = cJSON_GetObjectItemCaseSensitive(root, "total");
	if (more && !cJSON_IsBool(more))
		return err_set(e, "\"more\" is not a boolean");
	c->items = i;
	c->total = cJSON_IsNumber(total) ? (long)total->valuedouble : -1;
	c->offset += (long)i;
	/* An empty page that says "more" would never end. */
	c->done = !cJSON_IsTrue(more) || i == 0;
	return 0;
}

static int pd_parse_one(enum entity_type t, const cJSON *root, struct source_sink *sink,
			struct err *e)
{
	const struct source_item_endpoint *ep = &pd_items[t];
	const cJSON *it = source_single(root, ep->wrapper, e);
	if (!it)
		return -1;
	const char *id = source_str(it, "id");
	if (!id)
		return err_set(e, "%s has no \"id\"", ep->wrapper);
	if (t == ENTITY_INTEGRATION) {
		/* GET /services/{id}/integrations/{integration_id} names its service */
		const char *svc = ref_id(it, "service");
		if (!svc)
			return err_set(e, "integration %s has no service", id);
		return map_integration(it, svc, sink, e);
	}
	return mappers[ep->ep](it, sink, id, e);
}

static void pd_page_query(const struct source_conn *conn, const struct source_endpoint_info *ep,
			  const struct source_cursor *c,
			  struct strbuf *q)
{
	(void)ep;
	int limit = conn->page_size > 0 && conn->page_size <= 100 ? conn->page_size : 100;
	sb_addf(q, "limit=%d&offset=%ld", limit, c->offset);
}

static void pd_error_text(const cJSON *root, struct strbuf *out)
{
	const cJSON *er = cJSON_GetObjectItemCaseSensitive(root, "error");
	const char *msg = source_str(er, "message");
	const cJSON *code = cJSON_GetObjectItemCaseSensitive(er, "code");
	if (msg)
		sb_adds(out, msg);
	if (cJSON_IsNumber(code))
		sb_addf(out, "%scode %d", msg ? ", " : "", (int)code->valuedouble);
	const cJSON *d;
	cJSON_ArrayForEach(d, cJSON_GetObjectItemCaseSensitive(er, "errors"))
	{
		if (cJSON_IsString(d))
			sb_addf(out, "; %s", d->valuestring);
	}
}

/* ---- special walks ------------------------------------------------------ */

static void member_ids_into(struct entity *team, const struct entity_set *members)
{
	cJSON *ids = cJSON_GetObjectItemCaseSensitive(team->doc, "member_ids");
	for (size_t i = 0; i < members->n; i++)
		cJSON_AddItemToArray(ids, cJSON_CreateString(members->items[i]->id));
}

/* A team's member_ids from its own paged list. */
static int team_members(struct source_fetch *f, struct entity *team, struct err *e)
{
	struct entity_set members = {0};
	struct verdict_list none = {0};
	struct source_sink ms = f->sink;
	ms.set = &members;
	ms.verdicts = &none;
	char *path = xasprintf("/teams/%s/members", team->id);
	int rc = 0;
	struct source_cursor cur = {0};
	struct strbuf q = {0};
	while (!cur.done) {
		sb_reset(&q);
		pd_page_query(f->conn, &pd_eps[EP_TEAM_MEMBERS], &cur, &q);
		char *body = NULL;
		size_t len = 0;
		if (source_fetch_get(f, path, q.buf, &body, &len, e) < 0) {
			rc = -1;
			break;
		}
		rc = source_parse_page(SOURCE_PAGERDUTY, EP_TEAM_MEMBERS, body, len, &ms, &cur, e);
		free(body);
		if (rc < 0) {
			err_wrap(e, "GET %s?%s", path, q.buf);
			break;
		}
	}
	if (rc == 0)
		member_ids_into(team, &members);
	source_cursor_reset(&cur);
	sb_release(&q);
	free(path);
	entity_set_free(&members);
	verdict_list_free(&none);
	return rc;
}

static int walk_teams(struct source_fetch *f, struct err *e)
{
	size_t first = f->sink.set->n;
	if (source_walk_pages(f, EP_TEAMS, NULL, e) < 0)
		return -1;
	/* The team list has no members; each team's come from its own list. */
	for (size_t i = first; i < f->sink.set->n; i++) {
		struct entity *team = f->sink.set->items[i];
		if (team->type == ENTITY_TEAM && team_members(f, team, e) < 0)
			return -1;
	}
	return 0;
}

static int incident_time(struct source_fetch *f, const char *order, int64_t *out, int *none,
			 struct err *e)
{
	char *q = xasprintf("date_range=all&sort_by=created_at:%s&limit=1&offset=0", order);
	cJSON *root = source_fetch_json(f, "/incidents", q, e);
	free(q);
	if (!root)
		return -1;
	const cJSON *arr = source_wrapper(root, "incidents", e);
	int rc = 0;
	*none = 0;
	if (!arr) {
		rc = err_wrap(e, "GET /incidents?date_range=all");
	} else if (cJSON_GetArraySize(arr) == 0) {
		*none = 1;
	} else {
		const char *t = source_str(cJSON_GetArrayItem(arr, 0), "created_at");
		if (!t || source_time_ms(t, out) < 0)
			rc = err_set(e, "GET /incidents?date_range=all: incident without a valid created_at");
	}
	cJSON_Delete(root);
	return rc;
}

/* Incident history in [since, until) windows: a window whose total passes
 * the offset limit is halved until it fits, so no request ever needs an
 * offset the API would refuse. */
static int walk_incidents(struct source_fetch *f, struct err *e)
{
	int64_t oldest, newest;
	int none;
	if (incident_time(f, "asc", &oldest, &none, e) < 0)
		return -1;
	if (none)
		return 0;
	if (incident_time(f, "desc", &newest, &none, e) < 0)
		return -1;
	int64_t end = newest + 1000; /* until is exclusive; times have second precision */
	int64_t window = f->conn->window_ms > 0 ? f->conn->window_ms : 30LL * 86400 * 1000;
	struct entity_set set = {0};
	struct verdict_list v = {0};
	struct source_sink stage = f->sink;
	stage.set = &set;
	stage.verdicts = &v;
	int rc = 0;
	for (int64_t since = oldest; since < end && rc == 0;) {
		int64_t until = since + window < end ? since + window : end;
		char a[40], b[40];
		util_iso8601(since, a, sizeof(a));
		util_iso8601(until, b, sizeof(b));
		char *q = xasprintf("since=%s&until=%s&total=true&limit=1&offset=0", a, b);
		cJSON *root = source_fetch_json(f, "/incidents", q, e);
		free(q);
		if (!root) {
			rc = -1;
			break;
		}
		const cJSON *total = cJSON_GetObjectItemCaseSensitive(root, "total");
		long n = cJSON_IsNumber(total) ? (long)total->valuedouble : -1;
		cJSON_Delete(root);
		if (n < 0) {
			rc = err_set(e, "GET /incidents?since=%s: no total although total=true was asked", a);
			break;
		}
		if (n > PD_OFFSET_LIMIT - 100 && until - since > 1000) {
			window = (until - since) / 2;
			continue;
		}
		f->res->windows++;
		char *extra = xasprintf("since=%s&until=%s", a, b);
		rc = source_walk_pages_into(f, EP_INCIDENTS, extra, &stage, e);
		free(extra);
		since = until;
		/* Grow back after a dense stretch, within the API's 6-month range. */
		if (n < PD_OFFSET_LIMIT / 4 && window < 90LL * 86400 * 1000)
			window *= 2;
	}
	if (rc == 0)
		source_stage_merge(&f->sink, &set, &v);
	entity_set_free(&set);
	verdict_list_free(&v);
	return rc;
}

static int pd_walk(struct source_fetch *f, size_t ep, struct err *e)
{
	switch (ep) {
	case EP_TEAMS:
		return walk_teams(f, e);
	case EP_TEAM_MEMBERS:
		return 0; /* read per team by walk_teams */
	case EP_INCIDENTS:
		return walk_incidents(f, e);
	default:
		return source_walk_pages(f, ep, NULL, e);
	}
}

static int pd_fetch_one(struct source_fetch *f, enum entity_type t, const char *id,
			struct err *e)
{
	if (t == ENTITY_INTEGRATION)
		return source_walk_pages(f, EP_SERVICES, NULL, e);
	size_t first = f->sink.set->n;
	if (source_fetch_item(f, t, id, e) < 0)
		return -1;
	for (size_t i = first; t == ENTITY_TEAM && i < f->sink.set->n; i++)
		if (f->sink.set->items[i]->type == ENTITY_TEAM &&
		    team_members(f, f->sink.set->items[i], e) < 0)
			return -1;
	return 0;
}

const struct source_driver source_driver_pagerduty = {
	.eps = pd_eps,
	.n_eps = ARRAY_SIZE(pd_eps),
	.auth_prefix = "Token token=",
	.accept = "application/vnd.pagerduty+json;version=2",
	.parse = pd_parse,
	.page_query = pd_page_query,
	.error_text = pd_error_text,
	.walk = pd_walk,
	.items = pd_items,
	.parse_one = pd_parse_one,
	.fetch_one = pd_fetch_one,
};
