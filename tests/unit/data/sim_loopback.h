/* sim_loopback — shared by the unit tests that talk HTTP to a real
 * simulator: starts one on a free loopback port and writes its base URL,
 * and the cmocka group fixture around it (the suite's `sim` and `base`),
 * so each test file does not repeat the start-up and its error path. */
#ifndef WARROOM_TEST_SIM_LOOPBACK_H
#define WARROOM_TEST_SIM_LOOPBACK_H

#include <stdio.h>

#include "warroom/sim.h"

/* The simulator (so->host is set to 127.0.0.1), its "http://127.0.0.1:PORT"
 * in base; NULL with the reason printed. */
static inline struct sim *sim_loopback_start(struct sim_options *so, char *url, size_t size)
{
	struct err e = {{0}};
	so->host = "127.0.0.1";
	struct sim *s = sim_start(so, &e);
	if (!s) {
		fprintf(stderr, "%s\n", e.msg);
		return NULL;
	}
	snprintf(url, size, "http://127.0.0.1:%d", sim_port(s));
	return s;
}

/* The suite's simulator and its base URL, for a group setup that calls
 * sim_loopback_setup and a group teardown of sim_loopback_teardown. */
static struct sim *sim;
static char base[64];

static inline int sim_loopback_setup(struct sim_options so)
{
	sim = sim_loopback_start(&so, base, sizeof(base));
	return sim ? 0 : -1;
}

static inline int sim_loopback_teardown(void **state)
{
	(void)state;
	sim_stop(sim);
	return 0;
}

#endif
