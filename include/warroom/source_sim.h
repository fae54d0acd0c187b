/* source_sim — what the simulator's three source APIs (sim_pagerduty.c,
 * sim_rootly.c, sim_incidentio.c) share: which account a request sees (its
 * token), each API's auth check and error shape, paging over the seeded
 * dataset, and scripted faults that only a source API can answer in its own
 * words (a PagerDuty 429 with code 2020 and no Retry-After, a malformed page
 * at one offset). The helpers live in sim_pagerduty.c. */
#ifndef WARROOM_SOURCE_SIM_H
#define WARROOM_SOURCE_SIM_H

#include "warroom/sim.h"

/* How one source API speaks. */
struct source_sim_flavor {
	const char *prefix; /* "/pagerduty" */
	const char *scheme; /* "Token token=" | "Bearer " */
	/* Answers an error in the API's own shape. */
	void (*error)(struct sim_call *call, int status, const char *code, const char *message);
};

/* Starts a source request: answers a scripted fault if one is due, then
 * checks the auth header. The token names the account ("acct-001" or
 * "tok-acct-001"); so does an X-Sim-Account header when the token is any
 * other non-empty string. Returns the account index, or -1 once it has
 * answered (fault, 401, unknown account). */
int source_sim_begin(struct sim_call *call, const struct source_sim_flavor *fl);

/* Starts a single-item read (GET .../{id}): source_sim_begin, then the
 * entity of `kind` the path's first parameter names, into *out. Returns the
 * account index, or -1 once it has answered (a fault, 401, or a 404 in the
 * API's shape). */
int source_sim_single(struct sim_call *call, const struct source_sim_flavor *fl,
		      enum simdata_kind kind, struct simdata_entity *out);

/* An unsigned query parameter; dflt when absent, -1 when not a number. */
long source_sim_long(const struct sim_call *call, const char *name, long dflt);

/* ISO 8601 of ms into buf (>= 32). */
void source_sim_time(int64_t ms, char *buf, size_t size);

/* Index of the incident that is n-th by created_at (PagerDuty's order). */
size_t source_sim_incident_order(struct sim_call *call, unsigned account, size_t n);

extern const struct sim_route_table sim_pagerduty_routes;
extern const struct sim_route_table sim_rootly_routes;
extern const struct sim_route_table sim_incidentio_routes;

#endif
