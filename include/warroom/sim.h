/* sim — `warroom sim`: an HTTP server on loopback serving the target API,
 * metrics (JSON and the Prometheus query API) and the legacy products'
 * source APIs, with faults injected on request. This header is the face of
 * the whole src/sim area: the server and its route-table extension point,
 * faults, the target's per-tenant view that metrics read, and metrics. */
#ifndef WARROOM_SIM_H
#define WARROOM_SIM_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "warroom/simdata.h"
#include "warroom/util.h"

/* ---- faults ------------------------------------------------------------------
 * Faults apply to every route outside /_sim/, or only to paths starting with
 * `paths` when it is set. Rates are fractions 0..1; zero means off. */
struct sim_fault_config {
	int64_t latency_ms;
	double error_rate;     /* 503 (one in four: 500) */
	double timeout_rate;   /* the request hangs until the client leaves */
	double malformed_rate; /* the body is cut short: not valid JSON */
	int read_only;         /* writes get 503 {"error":{"code":"read_only"}} */
	double rate_limit_per_s; /* above it: 429 with Retry-After */
	double outage_after_s, outage_for_s; /* 503 for everything in the window */
	char paths[128];
	/* Not a per-request fault: tenants whose integrations the integration
	 * health read reports unhealthy, "acct-002,acct-005:all,acct-007:silent"
	 * (sim_faults_integration). Unaffected by `paths`. */
	char integration_fault[256];
};

/* ---- the server ----------------------------------------------------------------- */

struct sim_options {
	const char *host;      /* "127.0.0.1" */
	int port;              /* 0 picks a free one */
	uint64_t seed;
	unsigned accounts;
	unsigned entities;     /* per account; 0 = varying default */
	int64_t backfill_ms;   /* how long a backfill job takes */
	struct sim_fault_config faults;
};

struct sim;
/* Binds and starts serving (threads of its own); NULL with a message. */
struct sim *sim_start(const struct sim_options *options, struct err *e);
int sim_port(const struct sim *sim);
/* Wakes sleeping requests, stops the server, frees everything. */
void sim_stop(struct sim *sim);

const struct simdata *sim_data(const struct sim *sim);
const struct sim_options *sim_options(const struct sim *sim);

/* ---- the extension point: route tables -----------------------------------------
 * A group of routes (the target API, metrics, PagerDuty's API...) is one
 * `struct sim_route_table` exported by its own file in src/sim/ and listed
 * once in sim.c's table of tables. Patterns are paths whose segments are
 * literal or `{name}`, which matches any one segment and is handed to the
 * handler in order as call->params[]. The first matching route wins; a
 * path that matches with another method answers 405.
 *
 * A table may own state: state_new runs once at start, state_free at stop,
 * and each handler gets it as call->state (other tables reach it through
 * sim_state). Handlers run one at a time under the simulator's lock, so they
 * may touch any state without locks of their own, and must not sleep.
 * Faults, the request log and Idempotency-Key replay are applied around
 * every handler by sim.c; a handler only answers. */
#define SIM_PARAMS_MAX 4

struct sim_call {
	struct sim *sim;
	void *state; /* the table's own state */
	const char *method;
	const char *path;
	const char *params[SIM_PARAMS_MAX];
	const char *body; /* NUL-terminated; "" when none */
	size_t body_len;
	int64_t now_ms; /* wall clock, ms since the epoch */
	void *conn;   /* private to sim.c */
	/* the answer, set through sim_reply_* */
	int status;
	struct strbuf out;
	const char *content_type;
	char retry_after[16];
	char *extra_header_name, *extra_header_value; /* one more header, e.g. Link */
};

typedef void (*sim_handler_fn)(struct sim_call *call);

struct sim_route {
	const char *method; /* "GET", "POST", ... */
	const char *pattern;
	sim_handler_fn handler;
};

struct sim_route_table {
	const char *name;
	const struct sim_route *routes;
	size_t count;
	void *(*state_new)(struct sim *sim);
	void (*state_free)(void *state);
};

void *sim_state(struct sim *sim, const struct sim_route_table *table);

/* A query parameter, or a field of a form-encoded body; NULL when absent. */
const char *sim_param(const struct sim_call *call, const char *name);
/* A whole query parameter from 1 to max, or def when absent; otherwise
 * answers 400 naming it and returns -1. (page, page_size, limit...) */
long sim_param_int(struct sim_call *call, const char *name, long def, long max);
/* A request header (case-insensitive); NULL when absent. */
const char *sim_header(const struct sim_call *call, const char *name);

/* Answers: `body` is printed and freed. */
void sim_reply_json(struct sim_call *call, int status, cJSON *body);
/* {"error":{"code":CODE,"message":...}} with the status. */
void sim_reply_error(struct sim_call *call, int status, const char *code, const char *fmt, ...)
	PRINTF_LIKE(4, 5);
void sim_reply_raw(struct sim_call *call, int status, const char *content_type, const char *body);
void sim_reply_header(struct sim_call *call, const char *name, const char *value);
/* The body as a JSON object; on failure answers 400 naming the problem
 * (where the JSON breaks, or that it is not an object) and returns NULL.
 * The caller frees the result. */
cJSON *sim_body_object(struct sim_call *call);

/* The tables in this area. */
extern const struct sim_route_table sim_target_routes;
extern const struct sim_route_table sim_metrics_routes;
extern const struct sim_route_table sim_faults_routes;

/* ---- faults (sim_faults.c) -------------------------------------------------------- */

enum sim_fault_kind {
	SIM_FAULT_NONE,
	SIM_FAULT_OUTAGE,
	SIM_FAULT_RATE_LIMIT,
	SIM_FAULT_READ_ONLY,
	SIM_FAULT_TIMEOUT,
	SIM_FAULT_ERROR,
	SIM_FAULT_MALFORMED,
};
const char *sim_fault_name(enum sim_fault_kind kind); /* "outage", ... */

struct sim_fault_decision {
	enum sim_fault_kind kind;
	int64_t latency_ms;  /* added before answering, whatever the kind */
	int status;          /* for the kinds that answer themselves */
	int retry_after_s;   /* for rate limits */
};

struct sim_faults;
/* Called by sim.c for each request outside /_sim/ (under the lock). */
void sim_faults_decide(struct sim_faults *faults, const char *method, const char *path,
		       int64_t now_ms, struct sim_fault_decision *out);
/* The faults in force for a path right now (what metrics react to). */
void sim_faults_current(const struct sim_faults *faults, int64_t now_ms,
			struct sim_fault_config *out, int *outage_now);
/* What integration_fault does to a tenant's integrations: nothing; the
 * first failing and the second degraded (a bare tenant id); every one
 * failing (":all"); the first silent (":silent"). */
enum sim_integ_fault { SIM_INTEG_NONE, SIM_INTEG_SOME, SIM_INTEG_ALL, SIM_INTEG_SILENT };
enum sim_integ_fault sim_faults_integration(const struct sim_fault_config *cfg, const char *tenant);
/* The faults in force now, for handlers that shape their own answers. */
void sim_faults_get(struct sim *sim, int64_t now_ms, struct sim_fault_config *out);
/* Parses "--rate-limit"-style values: "10/s", "10". */
int sim_faults_parse_rate(const char *s, double *per_s);
/* Merges a /_sim/faults body (JSON text of len bytes) into *cfg, which is
 * left alone unless all of it is valid; -1 with a message. Sets
 * *restart_outage when the body sets an outage field. */
int sim_faults_merge_json(struct sim_fault_config *cfg, const char *text, size_t len, int *restart_outage,
			  struct err *e);

/* ---- metrics (sim_metrics.c) ------------------------------------------------------- */

/* Checks a Prometheus query as /api/v1/query reads it (one vector selector:
 * a metric name and/or {label="v",label!="v"}); -1 with a message. */
int sim_metrics_check_query(const char *expr, struct err *e);

/* ---- the target's state as metrics read it (sim_target.c) ----------------------- */

/* Calls fn for each entity of one kind that a tenant holds, in storage order
 * (under the lock, like every handler); -1 when there is no such tenant. */
typedef void (*sim_target_visit_fn)(void *ctx, const char *id, const cJSON *obj);
int sim_target_each(struct sim *sim, const char *tenant, enum simdata_kind kind, sim_target_visit_fn fn,
		    void *ctx);

struct sim_tenant_view {
	const char *id;
	const char *state;     /* provisioned | importing | dual_run | cut_over | rolled_back */
	double new_share;      /* share of traffic on the new system, 0..1 */
	int64_t cutover_ms;    /* 0 when not cut over */
	long drift;            /* writes to the target since cutover */
	double job_throughput; /* backfill records per second, running jobs */
};
size_t sim_target_tenant_count(struct sim *sim);
int sim_target_tenant_at(struct sim *sim, size_t index, int64_t now_ms, struct sim_tenant_view *out);
/* -1 when the tenant does not exist on the target. */
int sim_target_tenant_find(struct sim *sim, const char *id, int64_t now_ms,
			   struct sim_tenant_view *out);

#endif
