/* sim_metrics — the signals a war room watches, for the legacy and the new
 * system of each tenant: deterministic functions of seed, tenant and a
 * ten-second clock bucket, moved by faults and by the traffic share. Served
 * as JSON and through Prometheus's instant-query API in its wire format. */
#include "warroom/sim.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BUCKET_MS 10000          /* values hold for this long */
#define TIMEOUT_P99_MS 60000.0   /* what a client sees when 1% of requests hang */

struct system_metrics {
	double error_rate, latency_p99_ms, throughput, error_budget_burn;
};
struct tenant_metrics {
	struct system_metrics sys[2]; /* legacy, new */
	double drift, job_throughput;
};
static const char *const system_names[2] = {"legacy", "new"};

/* ---- the model ------------------------------------------------------------------------- */

static double noise(uint64_t th, uint64_t salt, int64_t now_ms)
{
	uint64_t bucket = (uint64_t)(now_ms / BUCKET_MS);
	return simdata_unit(simdata_mix(th ^ simdata_mix(salt * 0x9e37ULL + bucket)));
}

static double clamp01(double v)
{
	return v < 0 ? 0 : v > 1 ? 1 : v;
}

/* Faults aimed at the target API (or at everything) hurt the new system;
 * faults aimed at a source API's paths hurt the legacy one. */
static int faults_hit_new(const struct sim_fault_config *f)
{
	return !f->paths[0] || util_has_prefix(f->paths, "/v1") || util_has_prefix("/v1/", f->paths);
}

static void system_faults(struct system_metrics *m, const struct sim_fault_config *f, int outage)
{
	m->error_rate = clamp01(m->error_rate + f->error_rate + f->timeout_rate + f->malformed_rate);
	m->latency_p99_ms += (double)f->latency_ms;
	if (f->timeout_rate >= 0.01)
		m->latency_p99_ms = TIMEOUT_P99_MS;
	if (f->read_only)
		m->error_rate = clamp01(m->error_rate + 0.05); /* the writes among the requests fail */
	if (outage)
		m->error_rate = 1.0;
}

static void tenant_metrics(struct sim *sim, const char *tenant, const struct sim_tenant_view *view,
			   int64_t now_ms, struct tenant_metrics *out)
{
	uint64_t th = simdata_hash_str(simdata_seed(sim_data(sim)), tenant);
	double share = view ? view->new_share : 0.0;
	double base_tp = 50 + 450 * simdata_unit(simdata_mix(th ^ 11));
	for (int s = 0; s < 2; s++) {
		struct system_metrics *m = &out->sys[s];
		uint64_t salt = (uint64_t)s * 100;
		double base_lat = s ? 130 + 50 * simdata_unit(simdata_mix(th ^ 21)) : 150 + 60 * simdata_unit(simdata_mix(th ^ 22));
		m->error_rate = (s ? 0.0008 : 0.001) + (s ? 0.0017 : 0.002) * noise(th, salt + 1, now_ms);
		m->latency_p99_ms = base_lat + 40 * noise(th, salt + 2, now_ms) - 20;
		double part = s ? share : 1.0 - share;
		m->throughput = base_tp * part * (0.9 + 0.2 * noise(th, salt + 3, now_ms));
	}
	struct sim_fault_config f;
	int outage;
	sim_faults_current(sim_state(sim, &sim_faults_routes), now_ms, &f, &outage);
	system_faults(&out->sys[faults_hit_new(&f) ? 1 : 0], &f, outage);
	for (int s = 0; s < 2; s++) {
		struct system_metrics *m = &out->sys[s];
		double base_burn = 0.05 + 0.15 * simdata_unit(simdata_mix(th ^ (31 + (uint64_t)s)));
		m->error_budget_burn = clamp01(base_burn + fmax(0, m->error_rate - 0.003) * 100);
	}
	out->drift = view ? (double)view->drift : 0;
	out->job_throughput = view ? view->job_throughput : 0;
}

/* Every tenant the metrics know: the seeded accounts, then tenants created
 * on the target that are not among them. Calls fn for each. */
typedef void (*tenant_fn)(void *ctx, const char *tenant, const struct tenant_metrics *m);
static void each_tenant(struct sim *sim, int64_t now_ms, tenant_fn fn, void *ctx)
{
	const struct simdata *d = sim_data(sim);
	struct sim_tenant_view view;
	struct tenant_metrics m;
	char id[16];
	for (unsigned a = 0; a < simdata_account_count(d); a++) {
		simdata_account_id(d, a, id, sizeof(id));
		int on_target = sim_target_tenant_find(sim, id, now_ms, &view) == 0;
		tenant_metrics(sim, id, on_target ? &view : NULL, now_ms, &m);
		fn(ctx, id, &m);
	}
	size_t n = sim_target_tenant_count(sim);
	for (size_t i = 0; i < n; i++) {
		if (sim_target_tenant_at(sim, i, now_ms, &view) < 0 || simdata_account_find(d, view.id) >= 0)
			continue;
		tenant_metrics(sim, view.id, &view, now_ms, &m);
		fn(ctx, view.id, &m);
	}
}

/* ---- JSON ------------------------------------------------------------------------------------ */

static cJSON *metrics_json(const struct tenant_metrics *m)
{
	cJSON *o = cJSON_CreateObject();
	for (int s = 0; s < 2; s++) {
		cJSON *j = cJSON_AddObjectToObject(o, system_names[s]);
		cJSON_AddNumberToObject(j, "error_rate", m->sys[s].error_rate);
		cJSON_AddNumberToObject(j, "latency_p99_ms", m->sys[s].latency_p99_ms);
		cJSON_AddNumberToObject(j, "throughput", m->sys[s].throughput);
		cJSON_AddNumberToObject(j, "error_budget_burn", m->sys[s].error_budget_burn);
	}
	cJSON_AddNumberToObject(o, "drift", m->drift);
	cJSON_AddNumberToObject(o, "job_throughput", m->job_throughput);
	return o;
}

static void h_tenant_metrics(struct sim_call *call)
{
	const char *id = call->params[0];
	struct sim_tenant_view view;
	int on_target = sim_target_tenant_find(call->sim, id, call->now_ms, &view) == 0;
	if (!on_target && simdata_account_find(sim_data(call->sim), id) < 0) {
		sim_reply_error(call, 404, "not_found", "GET %s: no tenant '%s'", call->path, id);
		return;
	}
	struct tenant_metrics m;
	tenant_metrics(call->sim, id, on_target ? &view : NULL, call->now_ms, &m);
	cJSON *o = metrics_json(&m);
	cJSON_AddStringToObject(o, "tenant_id", id);
	sim_reply_json(call, 200, o);
}

/* The program view: throughput and drift add up, error rates are weighted
 * by throughput, p99 latency is the worst tenant's, burn is the mean. */
struct aggregate {
	struct tenant_metrics sum;
	double weighted_err[2];
	size_t n;
};
static void aggregate_add(void *ctx, const char *tenant, const struct tenant_metrics *m)
{
	(void)tenant;
	struct aggregate *a = ctx;
	for (int s = 0; s < 2; s++) {
		a->sum.sys[s].throughput += m->sys[s].throughput;
		a->weighted_err[s] += m->sys[s].error_rate * m->sys[s].throughput;
		a->sum.sys[s].error_rate += m->sys[s].error_rate;
		a->sum.sys[s].latency_p99_ms = fmax(a->sum.sys[s].latency_p99_ms, m->sys[s].latency_p99_ms);
		a->sum.sys[s].error_budget_burn += m->sys[s].error_budget_burn;
	}
	a->sum.drift += m->drift;
	a->sum.job_throughput += m->job_throughput;
	a->n++;
}

static void h_program_metrics(struct sim_call *call)
{
	struct aggregate a = {0};
	each_tenant(call->sim, call->now_ms, aggregate_add, &a);
	for (int s = 0; s < 2 && a.n; s++) {
		struct system_metrics *m = &a.sum.sys[s];
		m->error_rate = m->throughput > 0 ? a.weighted_err[s] / m->throughput : m->error_rate / (double)a.n;
		m->error_budget_burn /= (double)a.n;
	}
	cJSON *o = metrics_json(&a.sum);
	cJSON_AddNumberToObject(o, "tenants", (double)a.n);
	sim_reply_json(call, 200, o);
}

/* ---- Prometheus instant queries ------------------------------------------------------------------- */

enum metric_id { M_ERROR_RATE, M_LATENCY, M_THROUGHPUT, M_DRIFT, M_BURN, M_JOBS };
static const char *const metric_names[] = {
	[M_ERROR_RATE] = "error_rate", [M_LATENCY] = "latency_p99_ms", [M_THROUGHPUT] = "throughput",
	[M_DRIFT] = "drift", [M_BURN] = "error_budget_burn", [M_JOBS] = "job_throughput",
};

static double metric_value(const struct tenant_metrics *m, enum metric_id id, int s)
{
	const struct system_metrics *sm = &m->sys[s];
	const double values[] = {
		[M_ERROR_RATE] = sm->error_rate, [M_LATENCY] = sm->latency_p99_ms,
		[M_THROUGHPUT] = sm->throughput, [M_DRIFT] = s ? m->drift : 0,
		[M_BURN] = sm->error_budget_burn, [M_JOBS] = s ? m->job_throughput : 0,
	};
	return values[id];
}

#define MATCHERS_MAX 16
struct matcher {
	char label[64];
	char value[128];
	int negate;
};
struct selector {
	struct matcher m[MATCHERS_MAX];
	size_t n;
};

static const char *skip_ws(const char *p)
{
	while (isspace((unsigned char)*p))
		p++;
	return p;
}

static int is_name_char(char c, int first)
{
	return isalpha((unsigned char)c) || c == '_' || c == ':' || (!first && isdigit((unsigned char)c));
}

/* Reads an identifier into buf; returns the end or NULL. */
static const char *read_name(const char *p, char *buf, size_t size, int colons)
{
	size_t n = 0;
	while (is_name_char(*p, n == 0) && (colons || *p != ':')) {
		if (n + 1 >= size)
			return NULL;
		buf[n++] = *p++;
	}
	buf[n] = '\0';
	return n ? p : NULL;
}

/* Reads a double- or single-quoted string with backslash escapes. */
static const char *read_string(const char *p, char *buf, size_t size)
{
	char q = *p;
	if (q != '"' && q != '\'')
		return NULL;
	size_t n = 0;
	for (p++; *p && *p != q; p++) {
		char c = *p;
		if (c == '\\') {
			static const char from[] = "nt\\\"'", to[] = "\n\t\\\"'";
			const char *k = p[1] ? strchr(from, p[1]) : NULL;
			if (!k)
				return NULL;
			c = to[k - from];
			p++;
		}
		if (n + 1 >= size)
			return NULL;
		buf[n++] = c;
	}
	buf[n] = '\0';
	return *p == q ? p + 1 : NULL;
}

/* name{label="v",label!="v"}; fills a selector whose first matcher may be
 * __name__. Returns 0 or -1 with a message like Prometheus's parser. */
static int parse_selector(const char *q, struct selector *sel, struct err *e)
{
	const char *p = skip_ws(q);
	memset(sel, 0, sizeof(*sel));
	if (is_name_char(*p, 1)) {
		struct matcher *m = &sel->m[sel->n++];
		strcpy(m->label, "__name__");
		p = read_name(p, m->value, sizeof(m->value), 1);
		if (!p)
			return err_set(e, "1:1: parse error: metric name too long");
		p = skip_ws(p);
	}
	if (*p == '{') {
		p = skip_ws(p + 1);
		while (*p != '}') {
			if (sel->n >= MATCHERS_MAX)
				return err_set(e, "parse error: more than %d label matchers", MATCHERS_MAX);
			struct matcher *m = &sel->m[sel->n];
			size_t col = (size_t)(p - q) + 1;
			p = read_name(p, m->label, sizeof(m->label), 0);
			if (!p)
				return err_set(e, "1:%zu: parse error: expected a label name", col);
			p = skip_ws(p);
			if (p[0] == '=' && p[1] != '~') {
				p++;
			} else if (p[0] == '!' && p[1] == '=' && p[2] != '~') {
				m->negate = 1;
				p += 2;
			} else if ((p[0] == '=' || p[0] == '!') && p[1] == '~') {
				return err_set(e, "1:%zu: regular-expression matchers are not supported here",
					       (size_t)(p - q) + 1);
			} else {
				return err_set(e, "1:%zu: parse error: expected '=' or '!=' after label '%s'",
					       (size_t)(p - q) + 1, m->label);
			}
			p = skip_ws(p);
			col = (size_t)(p - q) + 1;
			p = read_string(p, m->value, sizeof(m->value));
			if (!p)
				return err_set(e, "1:%zu: parse error: expected a quoted label value", col);
			sel->n++;
			p = skip_ws(p);
			if (*p == ',')
				p = skip_ws(p + 1);
			else if (*p != '}')
				return err_set(e, "1:%zu: parse error: expected ',' or '}' in label matchers",
					       (size_t)(p - q) + 1);
		}
		p = skip_ws(p + 1);
	}
	if (sel->n == 0)
		return err_set(e, "1:1: parse error: expected a metric name or a label matcher set");
	if (*p)
		return err_set(e, "1:%zu: parse error: unexpected '%c' (only a metric selector is supported)",
			       (size_t)(p - q) + 1, *p);
	int positive = 0;
	for (size_t i = 0; i < sel->n; i++)
		positive |= !sel->m[i].negate && sel->m[i].value[0];
	if (!positive)
		return err_set(e, "vector selector must contain at least one non-empty matcher");
	return 0;
}

int sim_metrics_check_query(const char *expr, struct err *e)
{
	struct selector sel;
	return parse_selector(expr, &sel, e);
}

static int selector_matches(const struct selector *sel, const char *const labels[][2], size_t nlabels)
{
	for (size_t i = 0; i < sel->n; i++) {
		const char *have = "";
		for (size_t l = 0; l < nlabels; l++)
			if (strcmp(labels[l][0], sel->m[i].label) == 0)
				have = labels[l][1];
		if ((strcmp(have, sel->m[i].value) == 0) == sel->m[i].negate)
			return 0;
	}
	return 1;
}

/* Prometheus writes sample values as the shortest text that reads back. */
static void format_value(double v, char *buf, size_t size)
{
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(buf, size, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			return;
	}
}

struct query {
	const struct selector *sel;
	double at_s;
	cJSON *result;
};
static void query_tenant(void *ctx, const char *tenant, const struct tenant_metrics *m)
{
	struct query *q = ctx;
	for (size_t id = 0; id < ARRAY_SIZE(metric_names); id++)
		for (int s = 0; s < 2; s++) {
			const char *const labels[][2] = {
				{"__name__", metric_names[id]}, {"system", system_names[s]}, {"tenant", tenant}};
			if (!selector_matches(q->sel, labels, ARRAY_SIZE(labels)))
				continue;
			cJSON *series = cJSON_CreateObject();
			cJSON *metric = cJSON_AddObjectToObject(series, "metric");
			for (size_t l = 0; l < ARRAY_SIZE(labels); l++)
				cJSON_AddStringToObject(metric, labels[l][0], labels[l][1]);
			cJSON *value = cJSON_AddArrayToObject(series, "value");
			char text[40];
			format_value(metric_value(m, (enum metric_id)id, s), text, sizeof(text));
			cJSON_AddItemToArray(value, cJSON_CreateNumber(q->at_s));
			cJSON_AddItemToArray(value, cJSON_CreateString(text));
			cJSON_AddItemToArray(q->result, series);
		}
}

static void prom_error(struct sim_call *call, const char *msg)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "status", "error");
	cJSON_AddStringToObject(o, "errorType", "bad_data");
	cJSON_AddStringToObject(o, "error", msg);
	sim_reply_json(call, 400, o);
}

static void h_prom_query(struct sim_call *call)
{
	const char *expr = sim_param(call, "query");
	const char *time_s = sim_param(call, "time");
	struct selector sel;
	struct err e = {{0}};
	int64_t at_ms = call->now_ms;
	if (time_s) {
		char *end;
		double t = strtod(time_s, &end);
		if (!*time_s || *end || !isfinite(t) || t < 0 || t > 1e11) {
			char *msg = xasprintf("invalid parameter \"time\": cannot parse \"%s\" to a valid timestamp", time_s);
			prom_error(call, msg);
			free(msg);
			return;
		}
		at_ms = (int64_t)(t * 1000.0);
	}
	if (!expr || !*expr) {
		prom_error(call, "invalid parameter \"query\": query is empty or missing");
		return;
	}
	if (parse_selector(expr, &sel, &e) < 0) {
		char *msg = xasprintf("invalid parameter \"query\": %s", e.msg);
		prom_error(call, msg);
		free(msg);
		return;
	}
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "status", "success");
	cJSON *data = cJSON_AddObjectToObject(o, "data");
	cJSON_AddStringToObject(data, "resultType", "vector");
	struct query q = {&sel, (double)at_ms / 1000.0, cJSON_AddArrayToObject(data, "result")};
	const char *only = NULL;
	for (size_t i = 0; i < sel.n; i++)
		if (strcmp(sel.m[i].label, "tenant") == 0 && !sel.m[i].negate)
			only = sel.m[i].value;
	if (only) {
		/* the common case, one account's series: skip the fleet walk */
		struct sim_tenant_view view;
		struct tenant_metrics m;
		int on_target = sim_target_tenant_find(call->sim, only, at_ms, &view) == 0;
		if (on_target || simdata_account_find(sim_data(call->sim), only) >= 0) {
			tenant_metrics(call->sim, only, on_target ? &view : NULL, at_ms, &m);
			query_tenant(&q, only, &m);
		}
	} else {
		each_tenant(call->sim, at_ms, query_tenant, &q);
	}
	sim_reply_json(call, 200, o);
}

static const struct sim_route routes[] = {
	{"GET", "/v1/metrics", h_program_metrics},
	{"GET", "/v1/tenants/{id}/metrics", h_tenant_metrics},
	{"GET", "/api/v1/query", h_prom_query},
	{"POST", "/api/v1/query", h_prom_query},
};
const struct sim_route_table sim_metrics_routes = {"metrics", routes, ARRAY_SIZE(routes), NULL, NULL};
