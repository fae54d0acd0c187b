/* sim_pagerduty — PagerDuty's REST API v2 as the simulator serves it under
 * /pagerduty, rendered from the seeded dataset; plus what the three source
 * APIs share (source_sim.h): which account a token sees, scripted faults that
 * answer in each API's own words, and incidents ordered by creation time. */
#include <stdlib.h>
#include <string.h>

#include "warroom/source.h"
#include "warroom/source_sim.h"

#define PD_LIMIT_MAX 100
#define PD_OFFSET_LIMIT 10000 /* offset + limit past this answers 400 */
#define RULES_MAX 64

/* ---- shared state: scripted faults and incident order ----------------------------- */

enum rule_kind { RULE_RATE_LIMIT, RULE_ERROR, RULE_MALFORMED };
static const char *const rule_kinds[] = {
	[RULE_RATE_LIMIT] = "rate_limit", [RULE_ERROR] = "error", [RULE_MALFORMED] = "malformed"};

/* "Answer the next `times` requests whose path starts with `path` (and whose
 * query parameter `param` is `value`, when given) with this fault." */
struct rule {
	enum rule_kind kind;
	char path[96], param[32], value[64];
	int status, retry_after_s; /* retry_after_s < 0: no Retry-After header */
	long times;
};

struct incident_order {
	int64_t at;
	size_t index;
};

struct source_state {
	struct rule rules[RULES_MAX];
	size_t nrules;
	struct incident_order **orders; /* per account, built on first use */
	unsigned accounts;
};

static void *state_new(struct sim *sim)
{
	struct source_state *st = xcalloc(1, sizeof(*st));
	st->accounts = simdata_account_count(sim_data(sim));
	st->orders = xcalloc(st->accounts, sizeof(*st->orders));
	return st;
}

static void state_free(void *p)
{
	struct source_state *st = p;
	if (!st)
		return;
	for (unsigned i = 0; i < st->accounts; i++)
		free(st->orders[i]);
	free(st->orders);
	free(st);
}

static struct source_state *shared(struct sim_call *call)
{
	return sim_state(call->sim, &sim_pagerduty_routes);
}

static int by_time(const void *a, const void *b)
{
	const struct incident_order *x = a, *y = b;
	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

static const struct incident_order *incident_order(struct sim_call *call, unsigned account)
{
	struct source_state *st = shared(call);
	if (!st->orders[account]) {
		const struct simdata *d = sim_data(call->sim);
		size_t n = simdata_count(d, account, SIMDATA_INCIDENTS);
		struct incident_order *o = xcalloc(n ? n : 1, sizeof(*o));
		struct simdata_entity e;
		for (size_t i = 0; i < n; i++) {
			simdata_entity(d, account, SIMDATA_INCIDENTS, i, &e);
			o[i] = (struct incident_order){e.created_at_ms, i};
		}
		qsort(o, n, sizeof(*o), by_time);
		st->orders[account] = o;
	}
	return st->orders[account];
}

size_t source_sim_incident_order(struct sim_call *call, unsigned account, size_t n)
{
	return incident_order(call, account)[n].index;
}

void source_sim_time(int64_t ms, char *buf, size_t size)
{
	util_iso8601(ms, buf, size);
}

long source_sim_long(const struct sim_call *call, const char *name, long dflt)
{
	const char *s = sim_param(call, name);
	if (!s)
		return dflt;
	char *end;
	long v = strtol(s, &end, 10);
	return !*s || *end || *s == '-' || v < 0 ? -1 : v;
}

static int rule_matches(const struct rule *r, const struct sim_call *call)
{
	if (r->times <= 0 || !util_has_prefix(call->path, r->path))
		return 0;
	return !r->param[0] || util_streq(sim_param(call, r->param), r->value);
}

/* Answers the first due scripted fault; 1 when it did. */
static int scripted_fault(struct sim_call *call, const struct source_sim_flavor *fl)
{
	struct source_state *st = shared(call);
	for (size_t i = 0; i < st->nrules; i++) {
		struct rule *r = &st->rules[i];
		if (!rule_matches(r, call))
			continue;
		r->times--;
		switch (r->kind) {
		case RULE_RATE_LIMIT:
			fl->error(call, 429, "rate_limited", "Rate Limit Exceeded");
			if (r->retry_after_s >= 0)
				snprintf(call->retry_after, sizeof(call->retry_after), "%d", r->retry_after_s);
			break;
		case RULE_ERROR:
			fl->error(call, r->status, "internal_error", "Internal Server Error (scripted)");
			break;
		case RULE_MALFORMED:
			/* a page cut in the middle of an item: never valid JSON */
			sim_reply_raw(call, 200, "application/json", "{\"items\":[{\"id\":\"P12");
			break;
		}
		return 1;
	}
	return 0;
}

int source_sim_begin(struct sim_call *call, const struct source_sim_flavor *fl)
{
	if (scripted_fault(call, fl))
		return -1;
	const char *auth = sim_header(call, "Authorization");
	size_t sl = strlen(fl->scheme);
	if (!auth || strncmp(auth, fl->scheme, sl) != 0 || !auth[sl]) {
		char *msg = xasprintf("Authentication required: send \"Authorization: %sTOKEN\"", fl->scheme);
		fl->error(call, 401, "authentication_error", msg);
		free(msg);
		return -1;
	}
	const char *token = auth + sl;
	const struct simdata *d = sim_data(call->sim);
	int account = simdata_account_find(d, util_has_prefix(token, "tok-") ? token + 4 : token);
	if (account < 0) {
		const char *hdr = sim_header(call, "X-Sim-Account");
		account = hdr ? simdata_account_find(d, hdr) : -1;
	}
	if (account < 0) {
		fl->error(call, 401, "authentication_error",
			  "Authentication failed: the token names no account (use acct-NNN, tok-acct-NNN or an X-Sim-Account header)");
		return -1;
	}
	return account;
}

int source_sim_single(struct sim_call *call, const struct source_sim_flavor *fl,
		      enum simdata_kind kind, struct simdata_entity *out)
{
	int acct = source_sim_begin(call, fl);
	if (acct < 0)
		return -1;
	if (simdata_entity_find(sim_data(call->sim), (unsigned)acct, kind, call->params[0], out) < 0) {
		char *msg = xasprintf("Not Found: no %s with id '%s'", simdata_kind_singular(kind),
				      call->params[0]);
		fl->error(call, 404, "not_found", msg);
		free(msg);
		return -1;
	}
	return acct;
}

/* POST /_sim/source_faults {"faults":[{path, param?, value?, kind, status?,
 * retry_after?, times?}]} replaces the script; DELETE clears it. */
static cJSON *rules_json(const struct source_state *st)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *a = cJSON_AddArrayToObject(o, "faults");
	for (size_t i = 0; i < st->nrules; i++) {
		const struct rule *r = &st->rules[i];
		cJSON *j = cJSON_CreateObject();
		cJSON_AddStringToObject(j, "path", r->path);
		cJSON_AddStringToObject(j, "kind", rule_kinds[r->kind]);
		if (r->param[0]) {
			cJSON_AddStringToObject(j, "param", r->param);
			cJSON_AddStringToObject(j, "value", r->value);
		}
		cJSON_AddNumberToObject(j, "status", r->status);
		cJSON_AddNumberToObject(j, "retry_after", r->retry_after_s);
		cJSON_AddNumberToObject(j, "times", (double)r->times);
		cJSON_AddItemToArray(a, j);
	}
	return o;
}

static int str_field(const cJSON *o, const char *key, char *out, size_t size, int required,
		     struct err *e)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	if (!v && !required)
		return 0;
	if (!cJSON_IsString(v) || strlen(v->valuestring) >= size)
		return err_set(e, "\"%s\" must be a string shorter than %zu bytes", key, size);
	strcpy(out, v->valuestring);
	return 0;
}

static int num_field(const cJSON *o, const char *key, double lo, double hi, double dflt,
		     double *out, struct err *e)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	*out = dflt;
	if (!v)
		return 0;
	if (!cJSON_IsNumber(v) || v->valuedouble < lo || v->valuedouble > hi)
		return err_set(e, "\"%s\" must be a number from %g to %g", key, lo, hi);
	*out = v->valuedouble;
	return 0;
}

static int rule_parse(const cJSON *j, struct rule *r, struct err *e)
{
	char kind[32] = "";
	double status, retry, times;
	memset(r, 0, sizeof(*r));
	if (!cJSON_IsObject(j))
		return err_set(e, "each fault must be an object");
	if (str_field(j, "path", r->path, sizeof(r->path), 1, e) < 0 ||
	    str_field(j, "kind", kind, sizeof(kind), 1, e) < 0 ||
	    str_field(j, "param", r->param, sizeof(r->param), 0, e) < 0 ||
	    str_field(j, "value", r->value, sizeof(r->value), 0, e) < 0 ||
	    num_field(j, "status", 400, 599, 503, &status, e) < 0 ||
	    num_field(j, "retry_after", -1, 3600, -1, &retry, e) < 0 ||
	    num_field(j, "times", 1, 1e9, 1, &times, e) < 0)
		return -1;
	size_t k = 0;
	while (k < ARRAY_SIZE(rule_kinds) && strcmp(rule_kinds[k], kind))
		k++;
	if (k == ARRAY_SIZE(rule_kinds))
		return err_set(e, "kind must be rate_limit, error or malformed, not '%s'", kind);
	if (r->path[0] != '/')
		return err_set(e, "path must start with '/'");
	r->kind = (enum rule_kind)k;
	r->status = (int)status;
	r->retry_after_s = (int)retry;
	r->times = (long)times;
	return 0;
}

static void h_faults_post(struct sim_call *call)
{
	struct source_state *st = call->state;
	cJSON *body = sim_body_object(call);
	if (!body)
		return;
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(body, "faults"), *j;
	struct rule next[RULES_MAX];
	size_t n = 0;
	struct err e = {{0}};
	int rc = cJSON_IsArray(arr) ? 0 : err_set(&e, "the body needs a \"faults\" array");
	if (rc == 0 && cJSON_GetArraySize(arr) > RULES_MAX)
		rc = err_set(&e, "at most %d faults", RULES_MAX);
	cJSON_ArrayForEach(j, arr)
	{
		if (rc < 0 || (rc = rule_parse(j, &next[n], &e)) < 0)
			break;
		n++;
	}
	cJSON_Delete(body);
	if (rc < 0) {
		sim_reply_error(call, 400, "bad_fault", "POST /_sim/source_faults: faults[%zu]: %s", n, e.msg);
		return;
	}
	memcpy(st->rules, next, n * sizeof(*next));
	st->nrules = n;
	sim_reply_json(call, 200, rules_json(st));
}

static void h_faults_get(struct sim_call *call)
{
	sim_reply_json(call, 200, rules_json(call->state));
}

static void h_faults_delete(struct sim_call *call)
{
	struct source_state *st = call->state;
	st->nrules = 0;
	sim_reply_json(call, 200, rules_json(st));
}

/* ---- PagerDuty wire format ---------------------------------------------------------------- */

/* {"error":{"message","code","errors"}}: PagerDuty's error object. */
static void pd_error(struct sim_call *call, int status, const char *code, const char *message)
{
	static const struct {
		int status, pd;
	} codes[] = {{429, 2020}, {401, 2006}, {400, 2001}, {404, 2100}};
	int pd = 2000;
	for (size_t i = 0; i < ARRAY_SIZE(codes); i++)
		if (codes[i].status == status)
			pd = codes[i].pd;
	cJSON *root = cJSON_CreateObject();
	cJSON *er = cJSON_AddObjectToObject(root, "error");
	cJSON_AddStringToObject(er, "message", message);
	cJSON_AddNumberToObject(er, "code", pd);
	cJSON *errs = cJSON_AddArrayToObject(er, "errors");
	(void)code; /* PagerDuty speaks in numeric codes, chosen by status */
	cJSON_AddItemToArray(errs, cJSON_CreateString(message));
	sim_reply_json(call, status, root);
}

static const struct source_sim_flavor pd_flavor = {"/pagerduty", "Token token=", pd_error};

static cJSON *pd_ref(const char *type, const char *id, const char *summary)
{
	cJSON *o = cJSON_CreateObject();
	char *t = xasprintf("%s_reference", type);
	cJSON_AddStringToObject(o, "id", id);
	cJSON_AddStringToObject(o, "type", t);
	cJSON_AddStringToObject(o, "summary", summary ? summary : id);
	free(t);
	return o;
}

static void pd_common(cJSON *o, const char *type, const struct simdata_entity *e, const char *plural)
{
	char t[32];
	cJSON_AddStringToObject(o, "id", e->id);
	cJSON_AddStringToObject(o, "type", type);
	cJSON_AddStringToObject(o, "summary", e->name);
	char *self = xasprintf("https://api.pagerduty.com/%s/%s", plural, e->id);
	cJSON_AddStringToObject(o, "self", self);
	free(self);
	source_sim_time(e->created_at_ms, t, sizeof(t));
	cJSON_AddStringToObject(o, "created_at", t);
}

struct integration_type {
	const char *canon, *pd_type;
};
static const struct integration_type pd_integration_types[] = {
	{"email", "generic_email_inbound_integration"},
	{"cloudwatch", "aws_cloudwatch_inbound_integration"},
};

static cJSON *pd_integration(const struct simdata_entity *e, int full)
{
	const char *type = "events_api_v2_inbound_integration";
	for (size_t i = 0; i < ARRAY_SIZE(pd_integration_types); i++)
		if (util_streq(e->integration.type, pd_integration_types[i].canon))
			type = pd_integration_types[i].pd_type;
	if (!full) {
		char *t = xasprintf("%s_reference", type);
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "id", e->id);
		cJSON_AddStringToObject(o, "type", t);
		cJSON_AddStringToObject(o, "summary", e->name);
		free(t);
		return o;
	}
	cJSON *o = cJSON_CreateObject();
	pd_common(o, type, e, "integrations");
	cJSON_AddStringToObject(o, "name", e->name);
	cJSON_AddItemToObject(o, "service", pd_ref("service", e->integration.service, NULL));
	cJSON_AddItemToObject(o, "vendor", pd_ref("vendor", "PVENDOR", e->integration.vendor));
	cJSON_AddStringToObject(o, "integration_key", e->integration.key);
	return o;
}

static cJSON *pd_service(struct sim_call *call, unsigned acct, const struct simdata_entity *e)
{
	const struct simdata *d = sim_data(call->sim);
	cJSON *o = cJSON_CreateObject();
	pd_common(o, "service", e, "services");
	cJSON_AddStringToObject(o, "name", e->name);
	cJSON_AddStringToObject(o, "description", e->description);
	cJSON_AddStringToObject(o, "status", e->service.status);
	cJSON_AddNumberToObject(o, "acknowledgement_timeout", e->service.ack_timeout_s);
	cJSON_AddNumberToObject(o, "auto_resolve_timeout", e->service.auto_resolve_s);
	cJSON_AddItemToObject(o, "escalation_policy",
			      pd_ref("escalation_policy", e->service.escalation_policy, NULL));
	cJSON *teams = cJSON_AddArrayToObject(o, "teams");
	cJSON_AddItemToArray(teams, pd_ref("team", e->service.team, NULL));
	cJSON *urg = cJSON_AddObjectToObject(o, "incident_urgency_rule");
	int constant = !util_streq(e->service.urgency, "severity_based");
	cJSON_AddStringToObject(urg, "type", constant ? "constant" : "use_support_hours");
	if (constant)
		cJSON_AddStringToObject(urg, "urgency", e->service.urgency);
	/* A service's integrations are those whose index falls on it. */
	int full = util_streq(sim_param(call, "include[]"), "integrations");
	cJSON *ints = cJSON_AddArrayToObject(o, "integrations");
	size_t nsvc = simdata_count(d, acct, SIMDATA_SERVICES);
	size_t nint = simdata_count(d, acct, SIMDATA_INTEGRATIONS);
	struct simdata_entity in;
	for (size_t i = e->index; i < nint; i += nsvc)
		if (simdata_entity(d, acct, SIMDATA_INTEGRATIONS, i, &in) == 0)
			cJSON_AddItemToArray(ints, pd_integration(&in, full));
	return o;
}

static cJSON *pd_team(struct sim_call *call, unsigned acct, const struct simdata_entity *e)
{
	(void)call, (void)acct;
	cJSON *o = cJSON_CreateObject();
	pd_common(o, "team", e, "teams");
	cJSON_AddStringToObject(o, "name", e->name);
	cJSON_AddStringToObject(o, "description", e->description);
	return o;
}

static cJSON *pd_user(struct sim_call *call, unsigned acct, const struct simdata_entity *e)
{
	(void)call, (void)acct;
	cJSON *o = cJSON_CreateObject();
	pd_common(o, "user", e, "users");
	cJSON_AddStringToObject(o, "name", e->name);
	cJSON_AddStringToObject(o, "email", e->user.email);
	cJSON_AddStringToObject(o, "time_zone", e->user.time_zone);
	cJSON_AddStringToObject(o, "role", e->user.role);
	cJSON_AddStringToObject(o, "job_title", e->user.job_title);
	cJSON *teams = cJSON_AddArrayToObject(o, "teams");
	cJSON_AddItemToArray(teams, pd_ref("team", e->user.team, NULL));
	return o;
}

static cJSON *pd_schedule(struct sim_call *call, unsigned acct, const struct simdata_entity *e)
{
	(void)acct;
	cJSON *o = cJSON_CreateObject();
	pd_common(o, "schedule", e, "schedules");
	cJSON_AddStringToObject(o, "name", e->name);
	cJSON_AddStringToObject(o, "description", e->description);
	cJSON_AddStringToObject(o, "time_zone", e->schedule.time_zone);
	cJSON *teams = cJSON_AddArrayToObject(o, "teams");
	cJSON_AddItemToArray(teams, pd_ref("team", e->schedule.team, NULL));
	/* The list has layers only when asked for, as the real API does; a
	 * single schedule (GET /schedules/{id}) always has them. */
	if (util_streq(call->path, "/pagerduty/schedules") &&
	    !util_streq(sim_param(call, "include[]"), "schedule_layers"))
		return o;
	cJSON *layers = cJSON_AddArrayToObject(o, "schedule_layers");
	for (size_t l = 0; l < e->schedule.nlayers; l++) {
		const struct simdata_layer *ly = &e->schedule.layers[l];
		char t[32], lid[64];
		cJSON *j = cJSON_CreateObject();
		snprintf(lid, sizeof(lid), "PL%.8s%zu", e->id + 2, l);
		cJSON_AddStringToObject(j, "id", lid);
		cJSON_AddStringToObject(j, "name", ly->name);
		source_sim_time(ly->start_ms, t, sizeof(t));
		cJSON_AddStringToObject(j, "start", t);
		cJSON_AddStringToObject(j, "rotation_virtual_start", t);
		cJSON_AddNullToObject(j, "end");
		cJSON_AddNumberToObject(j, "rotation_turn_length_seconds", ly->turn_length_s);
		cJSON *users = cJSON_AddArrayToObject(j, "users");
		for (size_t u = 0; u < ly->nusers; u++) {
			cJSON *w = cJSON_CreateObject();
			cJSON_AddItemToObject(w, "user", pd_ref("user", ly->users[u], NULL));
			cJSON_AddItemToArray(users, w);
		}
		cJSON_AddArrayToObject(j, "restrictions");
		cJSON_AddItemToArray(layers, j);
	}
	return o;
}

static cJSON *pd_policy(struct sim_call *call, unsigned acct, const struct simdata_entity *e)
{
	(void)call, (void)acct;
	cJSON *o = cJSON_CreateObject();
	pd_common(o, "escalation_policy", e, "escalation_policies");
	cJSON_AddStringToObject(o, "name", e->name);
	cJSON_AddStringToObject(o, "description", e->description);
	cJSON_AddNumberToObject(o, "num_loops", e->escalation_policy.num_loops);
	cJSON *rules = cJSON_AddArrayToObject(o, "escalation_rules");
	for (size_t i = 0; i < e->escalation_policy.nrules; i++) {
		const struct simdata_rule *r = &e->escalation_policy.rules[i];
		cJSON *j = cJSON_CreateObject();
		char rid[64];
		snprintf(rid, sizeof(rid), "PR%.8s%zu", e->id + 2, i);
		cJSON_AddStringToObject(j, "id", rid);
		cJSON_AddNumberToObject(j, "escalation_delay_in_minutes", r->delay_min);
		cJSON *targets = cJSON_AddArrayToObject(j, "targets");
		cJSON_AddItemToArray(targets, pd_ref(r->target_type, r->target, NULL));
		cJSON_AddItemToArray(rules, j);
	}
	cJSON *teams = cJSON_AddArrayToObject(o, "teams");
	cJSON_AddItemToArray(teams, pd_ref("team", e->escalation_policy.team, NULL));
	return o;
}

static cJSON *pd_incident(const struct simdata_entity *e)
{
	char t[32];
	cJSON *o = cJSON_CreateObject();
	pd_common(o, "incident", e, "incidents");
	cJSON_AddNumberToObject(o, "incident_number", e->incident.number);
	cJSON_AddStringToObject(o, "title", e->name);
	cJSON_AddStringToObject(o, "status", e->incident.status);
	cJSON_AddStringToObject(o, "urgency", e->incident.urgency);
	cJSON_AddItemToObject(o, "service", pd_ref("service", e->incident.service, NULL));
	cJSON_AddItemToObject(o, "escalation_policy",
			      pd_ref("escalation_policy", e->incident.escalation_policy, NULL));
	cJSON *pri = cJSON_AddObjectToObject(o, "priority");
	cJSON_AddStringToObject(pri, "summary", e->incident.priority);
	cJSON *as = cJSON_AddArrayToObject(o, "assignments");
	if (!util_streq(e->incident.status, "resolved")) {
		cJSON *a = cJSON_CreateObject();
		source_sim_time(e->created_at_ms, t, sizeof(t));
		cJSON_AddStringToObject(a, "at", t);
		cJSON_AddItemToObject(a, "assignee", pd_ref("user", e->incident.assignee, NULL));
		cJSON_AddItemToArray(as, a);
	}
	if (e->incident.resolved_at_ms) {
		source_sim_time(e->incident.resolved_at_ms, t, sizeof(t));
		cJSON_AddStringToObject(o, "resolved_at", t);
	} else {
		cJSON_AddNullToObject(o, "resolved_at");
	}
	return o;
}

/* limit and offset, checked like the real API; -1 after answering 400. */
static int pd_window(struct sim_call *call, long *limit, long *offset)
{
	*limit = source_sim_long(call, "limit", 25);
	*offset = source_sim_long(call, "offset", 0);
	if (*limit < 0 || *offset < 0) {
		pd_error(call, 400, "bad_request", "Invalid Input Provided: limit and offset must be whole numbers");
		return -1;
	}
	if (*limit == 0 || *limit > PD_LIMIT_MAX)
		*limit = *limit == 0 ? 25 : PD_LIMIT_MAX;
	if (*offset + *limit > PD_OFFSET_LIMIT) {
		pd_error(call, 400, "bad_request",
			 "Invalid Input Provided: Offset must be less than 10000 minus the limit; "
			 "narrow the request with since/until");
		return -1;
	}
	return 0;
}

static void pd_page(struct sim_call *call, const char *wrapper, cJSON *items, long limit,
		    long offset, int more, long total)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, wrapper, items);
	cJSON_AddNumberToObject(o, "limit", (double)limit);
	cJSON_AddNumberToObject(o, "offset", (double)offset);
	cJSON_AddBoolToObject(o, "more", more);
	/* total only when asked for: counting is extra work for the API */
	if (util_streq(sim_param(call, "total"), "true"))
		cJSON_AddNumberToObject(o, "total", (double)total);
	else
		cJSON_AddNullToObject(o, "total");
	sim_reply_json(call, 200, o);
}

typedef cJSON *(*pd_render_fn)(struct sim_call *call, unsigned acct, const struct simdata_entity *e);

static void pd_list(struct sim_call *call, enum simdata_kind kind, const char *wrapper,
		    pd_render_fn render)
{
	int acct = source_sim_begin(call, &pd_flavor);
	long limit, offset;
	if (acct < 0 || pd_window(call, &limit, &offset) < 0)
		return;
	const struct simdata *d = sim_data(call->sim);
	size_t n = simdata_count(d, (unsigned)acct, kind);
	cJSON *items = cJSON_CreateArray();
	struct simdata_entity e;
	for (size_t i = (size_t)offset; i < n && i < (size_t)(offset + limit); i++)
		if (simdata_entity(d, (unsigned)acct, kind, i, &e) == 0)
			cJSON_AddItemToArray(items, render(call, (unsigned)acct, &e));
	pd_page(call, wrapper, items, limit, offset, (size_t)(offset + limit) < n, (long)n);
}

/* One row per plain list: path, seeded kind, wrapper key, renderer. */
static const struct {
	const char *path;
	enum simdata_kind kind;
	const char *wrapper;
	pd_render_fn render;
} lists[] = {
	{"/pagerduty/services", SIMDATA_SERVICES, "services", pd_service},
	{"/pagerduty/teams", SIMDATA_TEAMS, "teams", pd_team},
	{"/pagerduty/users", SIMDATA_USERS, "users", pd_user},
	{"/pagerduty/schedules", SIMDATA_SCHEDULES, "schedules", pd_schedule},
	{"/pagerduty/escalation_policies", SIMDATA_ESCALATION_POLICIES, "escalation_policies", pd_policy},
};

static void h_list(struct sim_call *call)
{
	for (size_t i = 0; i < ARRAY_SIZE(lists); i++)
		if (util_streq(call->path, lists[i].path)) {
			pd_list(call, lists[i].kind, lists[i].wrapper, lists[i].render);
			return;
		}
}

static cJSON *pd_incident_row(struct sim_call *call, unsigned acct, const struct simdata_entity *e)
{
	(void)call, (void)acct;
	return pd_incident(e);
}

/* GET /{type}/{id}: {"service": {...}} and the like, or PagerDuty's 404. */
static const struct {
	const char *prefix;
	enum simdata_kind kind;
	const char *wrapper;
	pd_render_fn render;
} singles[] = {
	{"/pagerduty/services/", SIMDATA_SERVICES, "service", pd_service},
	{"/pagerduty/teams/", SIMDATA_TEAMS, "team", pd_team},
	{"/pagerduty/users/", SIMDATA_USERS, "user", pd_user},
	{"/pagerduty/schedules/", SIMDATA_SCHEDULES, "schedule", pd_schedule},
	{"/pagerduty/escalation_policies/", SIMDATA_ESCALATION_POLICIES, "escalation_policy", pd_policy},
	{"/pagerduty/incidents/", SIMDATA_INCIDENTS, "incident", pd_incident_row},
};

static void h_single(struct sim_call *call)
{
	size_t i = 0;
	while (i + 1 < ARRAY_SIZE(singles) && !util_has_prefix(call->path, singles[i].prefix))
		i++;
	struct simdata_entity e;
	int acct = source_sim_single(call, &pd_flavor, singles[i].kind, &e);
	if (acct < 0)
		return;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, singles[i].wrapper, singles[i].render(call, (unsigned)acct, &e));
	sim_reply_json(call, 200, o);
}

/* GET /services/{id}/integrations/{integration_id}: the integration of
 * that service, with its vendor. */
static void h_integration(struct sim_call *call)
{
	int acct = source_sim_begin(call, &pd_flavor);
	if (acct < 0)
		return;
	const struct simdata *d = sim_data(call->sim);
	struct simdata_entity svc, in;
	if (simdata_entity_find(d, (unsigned)acct, SIMDATA_SERVICES, call->params[0], &svc) < 0 ||
	    simdata_entity_find(d, (unsigned)acct, SIMDATA_INTEGRATIONS, call->params[1], &in) < 0 ||
	    !util_streq(in.integration.service, svc.id)) {
		pd_error(call, 404, "not_found", "Not Found");
		return;
	}
	cJSON *o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "integration", pd_integration(&in, 1));
	sim_reply_json(call, 200, o);
}

static void h_team_members(struct sim_call *call)
{
	int acct = source_sim_begin(call, &pd_flavor);
	long limit, offset;
	if (acct < 0 || pd_window(call, &limit, &offset) < 0)
		return;
	struct simdata_entity team;
	if (simdata_entity_find(sim_data(call->sim), (unsigned)acct, SIMDATA_TEAMS, call->params[0],
				&team) < 0) {
		pd_error(call, 404, "not_found", "Not Found: no such team");
		return;
	}
	cJSON *items = cJSON_CreateArray();
	for (size_t i = (size_t)offset; i < team.team.nmembers && i < (size_t)(offset + limit); i++) {
		cJSON *m = cJSON_CreateObject();
		cJSON_AddItemToObject(m, "user", pd_ref("user", team.team.members[i], NULL));
		cJSON_AddStringToObject(m, "role", i == 0 ? "manager" : "responder");
		cJSON_AddItemToArray(items, m);
	}
	pd_page(call, "members", items, limit, offset,
		(size_t)(offset + limit) < team.team.nmembers, (long)team.team.nmembers);
}

/* A time parameter; 0 when absent, -1 after answering 400. */
static int pd_time_param(struct sim_call *call, const char *name, int64_t *ms, int *given)
{
	const char *s = sim_param(call, name);
	*given = s != NULL;
	if (!s)
		return 0;
	/* the importer's own reading of RFC 3339: both sides agree on a time */
	if (source_time_ms(s, ms) < 0) {
		pd_error(call, 400, "bad_request", "Invalid 'since' or 'until' Parameter Values");
		return -1;
	}
	return 0;
}

/* First position in the order whose time is >= at. */
static size_t lower_bound(const struct incident_order *o, size_t n, int64_t at)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (o[mid].at < at)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Incidents in [since, until) by creation time, or all with date_range=all;
 * sort_by=created_at:desc reverses. Without since/until the whole history
 * is listed (the real API's default is the last month; the seeded history
 * is older than that, so the simulator widens it and docs/mapping.md says so). */
static void h_incidents(struct sim_call *call)
{
	int acct = source_sim_begin(call, &pd_flavor);
	long limit, offset;
	if (acct < 0 || pd_window(call, &limit, &offset) < 0)
		return;
	int64_t since = 0, until = 0;
	int has_since, has_until;
	if (pd_time_param(call, "since", &since, &has_since) < 0 ||
	    pd_time_param(call, "until", &until, &has_until) < 0)
		return;
	if (util_streq(sim_param(call, "date_range"), "all"))
		has_since = has_until = 0;
	if (has_since && has_until && until < since) {
		pd_error(call, 400, "bad_request", "Invalid Query Date Range: until is before since");
		return;
	}
	const struct simdata *d = sim_data(call->sim);
	size_t n = simdata_count(d, (unsigned)acct, SIMDATA_INCIDENTS);
	const struct incident_order *o = incident_order(call, (unsigned)acct);
	size_t first = has_since ? lower_bound(o, n, since) : 0;
	size_t last = has_until ? lower_bound(o, n, until) : n;
	if (last < first)
		last = first;
	size_t total = last - first;
	int desc = util_streq(sim_param(call, "sort_by"), "created_at:desc");
	cJSON *items = cJSON_CreateArray();
	struct simdata_entity e;
	for (size_t k = (size_t)offset; k < total && k < (size_t)(offset + limit); k++) {
		size_t pos = desc ? last - 1 - k : first + k;
		if (simdata_entity(d, (unsigned)acct, SIMDATA_INCIDENTS, o[pos].index, &e) == 0)
			cJSON_AddItemToArray(items, pd_incident(&e));
	}
	pd_page(call, "incidents", items, limit, offset, (size_t)(offset + limit) < total, (long)total);
}

static const struct sim_route routes[] = {
	{"GET", "/_sim/source_faults", h_faults_get},
	{"POST", "/_sim/source_faults", h_faults_post},
	{"DELETE", "/_sim/source_faults", h_faults_delete},
	{"GET", "/pagerduty/services", h_list},
	{"GET", "/pagerduty/teams", h_list},
	{"GET", "/pagerduty/teams/{id}/members", h_team_members},
	{"GET", "/pagerduty/users", h_list},
	{"GET", "/pagerduty/schedules", h_list},
	{"GET", "/pagerduty/escalation_policies", h_list},
	{"GET", "/pagerduty/incidents", h_incidents},
	{"GET", "/pagerduty/services/{id}", h_single},
	{"GET", "/pagerduty/teams/{id}", h_single},
	{"GET", "/pagerduty/users/{id}", h_single},
	{"GET", "/pagerduty/schedules/{id}", h_single},
	{"GET", "/pagerduty/escalation_policies/{id}", h_single},
	{"GET", "/pagerduty/incidents/{id}", h_single},
	{"GET", "/pagerduty/services/{id}/integrations/{integration_id}", h_integration},
};
const struct sim_route_table sim_pagerduty_routes = {"pagerduty", routes, ARRAY_SIZE(routes),
						     state_new, state_free};
