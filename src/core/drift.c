/* drift — the pure half: the cutover snapshot against the target now, and
 * the rule that turns a run of unexplained drift into a stop-the-line.
 * A snapshot is compared like a parity source, so ignore rules, exceptions
 * and diffs read the same in both reports. */
#include "warroom/drift.h"

#include <string.h>

void drift_result_free(struct drift_result *r)
{
	parity_result_free(&r->cmp);
	memset(r, 0, sizeof(*r));
}

int drift_compare(const char *account, const struct entity_set *snapshot,
		  const struct entity_set *current, parity_explain_fn explain, void *explain_ctx,
		  int64_t now_ms, struct drift_result *out, struct err *e)
{
	memset(out, 0, sizeof(*out));
	struct parity_config cfg;
	parity_config_init(&cfg);
	cfg.sample_size = 0; /* every changed entity is diffed anyway; no sample needed */
	cfg.threshold = 1.0; /* any unexplained drift is a finding */
	int rc = parity_compare(account, snapshot, current, &cfg, explain, explain_ctx, now_ms,
				&out->cmp, e);
	parity_config_free(&cfg);
	if (rc)
		return -1;
	for (int t = 0; t < ENTITY_TYPE_COUNT; t++) {
		const struct parity_type_result *tr = &out->cmp.types[t];
		size_t bad = tr->changed + tr->missing + tr->extra;
		out->differing += bad;
		out->unexplained += bad - (tr->explained < bad ? tr->explained : bad);
	}
	return 0;
}

int64_t drift_since(const struct drift_obs *obs, size_t n)
{
	int64_t since = 0;
	for (size_t i = n; i-- > 0;) {
		if (obs[i].unexplained <= 0)
			break;
		since = obs[i].at_ms;
	}
	return since;
}

int drift_fires(int64_t since_ms, int64_t now_ms, int64_t threshold_ms)
{
	return since_ms > 0 && threshold_ms >= 0 && now_ms - since_ms > threshold_ms;
}
