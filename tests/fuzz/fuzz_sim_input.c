/* fuzz_sim_input — the simulator reads input from any client on the network:
 * /_sim/faults bodies, Prometheus queries and --rate-limit values. The first
 * byte picks the parser (F, Q, R; anything else tries all three); none may
 * crash, and an accepted fault body must leave every field in its range. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "warroom/sim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_faults(const char *text, size_t len)
{
	struct sim_fault_config cfg = {0}, before;
	int restart = 0;
	struct err e = {{0}};
	before = cfg;
	if (sim_faults_merge_json(&cfg, text, len, &restart, &e) < 0) {
		if (!e.msg[0] || memcmp(&cfg, &before, sizeof(cfg)) != 0) {
			fprintf(stderr, "a refused fault body changed the faults or gave no message\n");
			abort();
		}
		return;
	}
	const double rates[] = {cfg.error_rate, cfg.timeout_rate, cfg.malformed_rate};
	for (size_t i = 0; i < sizeof(rates) / sizeof(rates[0]); i++)
		if (!(rates[i] >= 0 && rates[i] <= 1)) {
			fprintf(stderr, "an accepted rate is out of range: %g\n", rates[i]);
			abort();
		}
	if (cfg.latency_ms < 0 || !(cfg.rate_limit_per_s >= 0) || !isfinite(cfg.outage_for_s) ||
	    memchr(cfg.paths, '\0', sizeof(cfg.paths)) == NULL || (cfg.paths[0] && cfg.paths[0] != '/')) {
		fprintf(stderr, "an accepted fault body left a field out of range\n");
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char which = size ? (char)data[0] : 0;
	const char *body = size ? (const char *)data + 1 : "";
	size_t len = size ? size - 1 : 0;
	char *text = xmalloc(len + 1);
	memcpy(text, body, len);
	text[len] = '\0';

	if (which == 'F' || (which != 'Q' && which != 'R'))
		check_faults(body, len);
	if (which == 'Q' || (which != 'F' && which != 'R')) {
		struct err e = {{0}};
		if (sim_metrics_check_query(text, &e) < 0 && !e.msg[0]) {
			fprintf(stderr, "a refused query gave no message\n");
			abort();
		}
	}
	if (which == 'R' || (which != 'F' && which != 'Q')) {
		double per_s = -1;
		if (sim_faults_parse_rate(text, &per_s) == 0 && !(per_s >= 0 && isfinite(per_s))) {
			fprintf(stderr, "an accepted rate limit is %g\n", per_s);
			abort();
		}
	}
	free(text);
	return 0;
}
