/* sim_faults — the faults a game day injects: latency, errors, timeouts,
 * outage windows, read-only mode, rate limits and malformed bodies. Draws
 * come from the seed and a request counter, so the same seed and the same
 * request sequence fail the same requests. Set by flags or /_sim/faults. */
#include "warroom/sim.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

struct sim_faults {
	struct sim_fault_config cfg;
	uint64_t seed;
	uint64_t drawn;    /* requests that faults have seen */
	int64_t origin_ms; /* the outage window counts from here */
	double tokens;     /* rate limit: a bucket refilled at rate_limit_per_s */
	int64_t tokens_ms;
};

static const char *const fault_names[] = {
	[SIM_FAULT_NONE] = "none",
	[SIM_FAULT_OUTAGE] = "outage",
	[SIM_FAULT_RATE_LIMIT] = "rate_limit",
	[SIM_FAULT_READ_ONLY] = "read_only",
	[SIM_FAULT_TIMEOUT] = "timeout",
	[SIM_FAULT_ERROR] = "error",
	[SIM_FAULT_MALFORMED] = "malformed",
};

const char *sim_fault_name(enum sim_fault_kind kind)
{
	return (size_t)kind < ARRAY_SIZE(fault_names) ? fault_names[kind] : "?";
}

/* The settable fields, once: parsing, validation and rendering walk this. */
enum field_type { F_MS, F_RATE, F_NUM, F_BOOL, F_PATH, F_TENANTS };
static const struct field {
	const char *name;
	enum field_type type;
	size_t offset;
	double max;
} fields[] = {
	{"latency_ms", F_MS, offsetof(struct sim_fault_config, latency_ms), 600000},
	{"error_rate", F_RATE, offsetof(struct sim_fault_config, error_rate), 1},
	{"timeout_rate", F_RATE, offsetof(struct sim_fault_config, timeout_rate), 1},
	{"malformed_rate", F_RATE, offsetof(struct sim_fault_config, malformed_rate), 1},
	{"read_only", F_BOOL, offsetof(struct sim_fault_config, read_only), 1},
	{"rate_limit_per_s", F_NUM, offsetof(struct sim_fault_config, rate_limit_per_s), 1e6},
	{"outage_after_s", F_NUM, offsetof(struct sim_fault_config, outage_after_s), 86400 * 7},
	{"outage_for_s", F_NUM, offsetof(struct sim_fault_config, outage_for_s), 86400 * 7},
	{"paths", F_PATH, offsetof(struct sim_fault_config, paths), 0},
	{"integration_fault", F_TENANTS, offsetof(struct sim_fault_config, integration_fault), 0},
};

/* integration_fault: "TENANT[:MODE]" entries, comma-separated. */
static const struct {
	const char *suffix;
	enum sim_integ_fault mode;
} integ_modes[] = {
	{"", SIM_INTEG_SOME},
	{":all", SIM_INTEG_ALL},
	{":silent", SIM_INTEG_SILENT},
};

/* The mode of one entry of len bytes naming tenant, or SIM_INTEG_NONE. */
static enum sim_integ_fault entry_mode(const char *entry, size_t len, const char *tenant)
{
	size_t tl = strlen(tenant);
	if (len < tl || strncmp(entry, tenant, tl) != 0)
		return SIM_INTEG_NONE;
	for (size_t i = 0; i < ARRAY_SIZE(integ_modes); i++)
		if (len - tl == strlen(integ_modes[i].suffix) &&
		    !strncmp(entry + tl, integ_modes[i].suffix, len - tl))
			return integ_modes[i].mode;
	return SIM_INTEG_NONE;
}

enum sim_integ_fault sim_faults_integration(const struct sim_fault_config *cfg, const char *tenant)
{
	for (const char *s = cfg->integration_fault; *s;) {
		size_t len = strcspn(s, ",");
		enum sim_integ_fault m = entry_mode(s, len, tenant);
		if (m != SIM_INTEG_NONE)
			return m;
		s += len + (s[len] == ',');
	}
	return SIM_INTEG_NONE;
}

/* Each entry is a tenant id (A-Z a-z 0-9 . _ -) and an optional mode. */
static int tenants_valid(const char *s)
{
	static const char id_chars[] =
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-";
	while (*s) {
		size_t len = strcspn(s, ","), id = strspn(s, id_chars);
		if (id == 0 || id > len || id > 64)
			return 0;
		int known = 0;
		for (size_t i = 0; i < ARRAY_SIZE(integ_modes); i++)
			known |= len - id == strlen(integ_modes[i].suffix) &&
				 !strncmp(s + id, integ_modes[i].suffix, len - id);
		if (!known)
			return 0;
		s += len;
		if (*s == ',' && !*++s)
			return 0; /* a trailing comma */
	}
	return 1;
}

#define FIELD(cfg, f, type) ((type *)((char *)(cfg) + (f)->offset))

static int outage_now(const struct sim_faults *f, int64_t now_ms)
{
	if (f->cfg.outage_for_s <= 0)
		return 0;
	double t = (double)(now_ms - f->origin_ms) / 1000.0;
	return t >= f->cfg.outage_after_s && t < f->cfg.outage_after_s + f->cfg.outage_for_s;
}

static int rate_limited(struct sim_faults *f, int64_t now_ms, int *retry_after_s)
{
	double rate = f->cfg.rate_limit_per_s;
	if (rate <= 0)
		return 0;
	double cap = rate < 1 ? 1 : rate; /* a burst of one second's worth */
	f->tokens += (double)(now_ms - f->tokens_ms) / 1000.0 * rate;
	if (f->tokens > cap)
		f->tokens = cap;
	f->tokens_ms = now_ms;
	if (f->tokens >= 1) {
		f->tokens -= 1;
		return 0;
	}
	*retry_after_s = (int)ceil((1 - f->tokens) / rate);
	if (*retry_after_s < 1)
		*retry_after_s = 1;
	return 1;
}

static int is_write(const char *method)
{
	return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0;
}

void sim_faults_decide(struct sim_faults *f, const char *method, const char *path, int64_t now_ms,
		       struct sim_fault_decision *out)
{
	memset(out, 0, sizeof(*out));
	if (f->cfg.paths[0] && !util_has_prefix(path, f->cfg.paths))
		return;
	out->latency_ms = f->cfg.latency_ms;
	uint64_t h = simdata_mix(f->seed ^ simdata_mix(++f->drawn));
	/* three independent draws from one hash, one per random fault */
	double u_timeout = simdata_unit(simdata_mix(h ^ 1));
	double u_error = simdata_unit(simdata_mix(h ^ 2));
	double u_malformed = simdata_unit(simdata_mix(h ^ 3));
	if (outage_now(f, now_ms)) {
		out->kind = SIM_FAULT_OUTAGE;
		out->status = 503;
	} else if (rate_limited(f, now_ms, &out->retry_after_s)) {
		out->kind = SIM_FAULT_RATE_LIMIT;
		out->status = 429;
	} else if (f->cfg.read_only && is_write(method)) {
		out->kind = SIM_FAULT_READ_ONLY;
		out->status = 503;
	} else if (u_timeout < f->cfg.timeout_rate) {
		out->kind = SIM_FAULT_TIMEOUT;
	} else if (u_error < f->cfg.error_rate) {
		out->kind = SIM_FAULT_ERROR;
		out->status = (h >> 60) % 4 == 0 ? 500 : 503;
	} else if (u_malformed < f->cfg.malformed_rate) {
		out->kind = SIM_FAULT_MALFORMED;
	}
}

void sim_faults_current(const struct sim_faults *faults, int64_t now_ms, struct sim_fault_config *out,
			int *outage)
{
	*out = faults->cfg;
	*outage = outage_now(faults, now_ms);
}

int sim_faults_parse_rate(const char *s, double *per_s)
{
	char *end;
	double v = strtod(s, &end);
	if (end == s || !isfinite(v) || v < 0)
		return -1;
	if (*end && strcmp(end, "/s") != 0)
		return -1;
	*per_s = v;
	return 0;
}

/* ---- /_sim/faults ------------------------------------------------------------------- */

static cJSON *faults_json(const struct sim_faults *f, int64_t now_ms)
{
	cJSON *o = cJSON_CreateObject();
	for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
		const struct field *fd = &fields[i];
		const struct sim_fault_config *c = &f->cfg;
		switch (fd->type) {
		case F_MS:
			cJSON_AddNumberToObject(o, fd->name, (double)*FIELD(c, fd, const int64_t));
			break;
		case F_RATE:
		case F_NUM:
			cJSON_AddNumberToObject(o, fd->name, *FIELD(c, fd, const double));
			break;
		case F_BOOL:
			cJSON_AddBoolToObject(o, fd->name, *FIELD(c, fd, const int));
			break;
		case F_PATH:
		case F_TENANTS:
			cJSON_AddStringToObject(o, fd->name, FIELD(c, fd, const char));
			break;
		}
	}
	cJSON_AddBoolToObject(o, "outage_active", outage_now(f, now_ms));
	cJSON_AddNumberToObject(o, "requests_seen", (double)f->drawn);
	return o;
}

/* Checks and stores one field into cfg; -1 with a message. */
static int field_set(struct sim_fault_config *cfg, const struct field *fd, const cJSON *v, struct err *e)
{
	if (fd->type == F_BOOL) {
		if (!cJSON_IsBool(v))
			return err_set(e, "%s must be true or false", fd->name);
		*FIELD(cfg, fd, int) = cJSON_IsTrue(v);
		return 0;
	}
	if (fd->type == F_PATH) {
		const char *s = cJSON_GetStringValue(v);
		if (!s || (*s && *s != '/') || strlen(s) >= sizeof(cfg->paths))
			return err_set(e, "paths must be a path prefix starting with '/' (under %zu bytes), or \"\"",
				       sizeof(cfg->paths));
		strcpy(cfg->paths, s);
		return 0;
	}
	if (fd->type == F_TENANTS) {
		const char *s = cJSON_GetStringValue(v);
		if (!s || strlen(s) >= sizeof(cfg->integration_fault) || !tenants_valid(s))
			return err_set(e, "%s must be \"\" or tenant ids separated by commas, each "
				       "optionally followed by :all or :silent (under %zu bytes)",
				       fd->name, sizeof(cfg->integration_fault));
		strcpy(cfg->integration_fault, s);
		return 0;
	}
	if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || v->valuedouble < 0 || v->valuedouble > fd->max)
		return err_set(e, "%s must be a number from 0 to %g", fd->name, fd->max);
	if (fd->type == F_MS)
		*FIELD(cfg, fd, int64_t) = (int64_t)v->valuedouble;
	else
		*FIELD(cfg, fd, double) = v->valuedouble;
	return 0;
}

/* Merges a body into cfg; nothing changes unless all of it is valid. Sets
 * *restart_outage when the body touches the outage window. */
static int config_merge(struct sim_fault_config *cfg, const cJSON *body, int *restart_outage, struct err *e)
{
	struct sim_fault_config next = *cfg;
	*restart_outage = 0;
	if (!cJSON_IsObject(body))
		return err_set(e, "the faults must be a JSON object");
	const cJSON *reset = cJSON_GetObjectItemCaseSensitive(body, "reset");
	if (reset && !cJSON_IsBool(reset))
		return err_set(e, "reset must be true or false");
	if (cJSON_IsTrue(reset))
		memset(&next, 0, sizeof(next));
	const cJSON *item;
	cJSON_ArrayForEach(item, body)
	{
		if (strcmp(item->string, "reset") == 0)
			continue;
		const struct field *fd = NULL;
		for (size_t i = 0; i < ARRAY_SIZE(fields) && !fd; i++)
			if (strcmp(fields[i].name, item->string) == 0)
				fd = &fields[i];
		if (!fd)
			return err_set(e, "unknown fault '%s'", item->string);
		if (field_set(&next, fd, item, e) < 0)
			return -1;
		if (util_has_prefix(fd->name, "outage_"))
			*restart_outage = 1;
	}
	*cfg = next;
	return 0;
}

int sim_faults_merge_json(struct sim_fault_config *cfg, const char *text, size_t len, int *restart_outage,
			  struct err *e)
{
	cJSON *body = cJSON_ParseWithLength(text, len);
	if (!body)
		return err_set(e, "the faults are not valid JSON");
	int rc = config_merge(cfg, body, restart_outage, e);
	cJSON_Delete(body);
	return rc;
}

static int faults_merge(struct sim_faults *f, const cJSON *body, int64_t now_ms, struct err *e)
{
	int restart_outage;
	if (config_merge(&f->cfg, body, &restart_outage, e) < 0)
		return -1;
	if (restart_outage)
		f->origin_ms = now_ms;
	if (f->cfg.rate_limit_per_s != 0) {
		f->tokens = f->cfg.rate_limit_per_s < 1 ? 1 : f->cfg.rate_limit_per_s;
		f->tokens_ms = now_ms;
	}
	return 0;
}

void sim_faults_get(struct sim *sim, int64_t now_ms, struct sim_fault_config *out)
{
	int outage;
	sim_faults_current(sim_state(sim, &sim_faults_routes), now_ms, out, &outage);
}

static void h_faults_get(struct sim_call *call)
{
	sim_reply_json(call, 200, faults_json(call->state, call->now_ms));
}

static void h_faults_post(struct sim_call *call)
{
	cJSON *body = sim_body_object(call);
	if (!body)
		return;
	struct err e = {{0}};
	if (faults_merge(call->state, body, call->now_ms, &e) < 0)
		sim_reply_error(call, 400, "bad_fault", "POST /_sim/faults: %s", e.msg);
	else
		sim_reply_json(call, 200, faults_json(call->state, call->now_ms));
	cJSON_Delete(body);
}

static void h_faults_delete(struct sim_call *call)
{
	struct sim_faults *f = call->state;
	memset(&f->cfg, 0, sizeof(f->cfg));
	sim_reply_json(call, 200, faults_json(f, call->now_ms));
}

static void *faults_new(struct sim *sim)
{
	struct sim_faults *f = xcalloc(1, sizeof(*f));
	f->cfg = sim_options(sim)->faults;
	f->seed = simdata_mix(sim_options(sim)->seed ^ 0xfa017ULL);
	f->origin_ms = util_now_ms();
	f->tokens = f->cfg.rate_limit_per_s < 1 ? 1 : f->cfg.rate_limit_per_s;
	f->tokens_ms = f->origin_ms;
	return f;
}

static const struct sim_route routes[] = {
	{"GET", "/_sim/faults", h_faults_get},
	{"POST", "/_sim/faults", h_faults_post},
	{"DELETE", "/_sim/faults", h_faults_delete},
};
const struct sim_route_table sim_faults_routes = {"faults", routes, ARRAY_SIZE(routes), faults_new, free};
