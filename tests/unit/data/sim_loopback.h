/* sim_loopback — shared by the unit tests that talk HTTP to a real
 * simulator: starts one on a free loopback port and writes its base URL,
 * so each test file does not repeat the start-up and its error path. */
#ifndef WARROOM_TEST_SIM_LOOPBACK_H
#define WARROOM_TEST_SIM_LOOPBACK_H

#include <stdio.h>

#include "warroom/sim.h"

/* The simulator (so->host is set to 127.0.0.1), its "http://127.0.0.1:PORT"
 * in base; NULL with the reason printed. */
static inline struct sim *sim_loopback_start(struct sim_options *so, char *base, size_t size)
{
	struct err e = {{0}};
	so->host = "127.0.0.1";
	struct sim *sim = sim_start(so, &e);
	if (!sim) {
		fprintf(stderr, "%s\n", e.msg);
		return NULL;
	}
	snprintf(base, size, "http://127.0.0.1:%d", sim_port(sim));
	return sim;
}

#endif
