/* integ — integration health of an account on the target platform: the
 * answer of GET /v1/tenants/{id}/integrations/health (docs/target-api.md)
 * read with the account's target token, parsed (a pure parser, fuzzed), and
 * kept as an `integration` sample and an audit record. The console's INTEG
 * column reads those samples through the words defined here. */
#ifndef WARROOM_INTEG_H
#define WARROOM_INTEG_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "warroom/util.h"

struct account; /* plan.h */
struct store;   /* store.h */

/* What the platform says of one integration. */
enum integ_status { INTEG_HEALTHY, INTEG_DEGRADED, INTEG_FAILING, INTEG_SILENT, INTEG_STATUS_COUNT };
const char *integ_status_name(enum integ_status s); /* "healthy", ... */

/* The most integrations one answer may list; more is refused as unbounded. */
#define INTEG_MAX_ITEMS 100000
/* A measurement older than this is shown as stale (the console's "ok?"). */
#define INTEG_STALE_MS (15 * 60 * 1000)

struct integ_item {
	char *id, *name, *type;  /* owned; name and type "" when absent */
	enum integ_status status;
	int64_t last_event_ms;   /* -1 when it never sent one */
	int64_t deliveries, failures; /* over the answer's window */
	char *reason;            /* owned; NULL when healthy */
};

struct integ_report {
	struct integ_item *items;
	size_t n, cap;
	size_t healthy;          /* items whose status is healthy */
	int64_t window_s;        /* the window deliveries are counted over */
};
void integ_report_free(struct integ_report *r);

/* The body of the health answer, from untrusted bytes. Pure: no I/O. -1
 * with a message naming the item and field, *out left empty. */
int integ_parse(const char *body, size_t len, struct integ_report *out, struct err *e);

/* healthy/total, 1 when there are none. */
double integ_fraction(int64_t healthy, int64_t total);

/* The account's verdict as the command and the console print it. */
enum integ_verdict { INTEG_OK, INTEG_DEG, INTEG_FAIL, INTEG_NONE };
/* ok: every integration healthy; fail: none is; deg: some are; none: the
 * tenant has no integrations. */
enum integ_verdict integ_verdict_of(int64_t healthy, int64_t total);
const char *integ_verdict_word(enum integ_verdict v); /* "ok", "deg", "fail", "none" */

/* GET /v1/tenants/ID/integrations/health under base_url through targetapi,
 * with "Authorization: Bearer token" when token is not NULL, retried like
 * the other target reads within timeout_ms (0: 10 s). -1 with a message
 * naming the endpoint and the status. */
int integ_fetch(const char *base_url, const char *tenant, const char *token, int64_t timeout_ms,
		struct integ_report *out, struct err *e);

/* The account's target base URL rendered and its token read (target.token_env
 * or target.token_file; none when neither is set), then integ_fetch. */
int integ_check_account(const struct account *a, int64_t timeout_ms, struct integ_report *out,
			struct err *e);

/* {"healthy", "total", "window_s", "integrations": [...]} for --json and
 * the audit record; unhealthy_only leaves the healthy ones out. */
cJSON *integ_report_json(const struct integ_report *r, int unhealthy_only);

/* One account's check in the store, in one transaction: the `integration`
 * sample ("health", value = healthy fraction) when r is not NULL, and an
 * `integrations.check` audit record, which names the failure (error) when
 * the health could not be read. */
int integ_record(struct store *st, const char *account, const struct integ_report *r,
		 const char *error, const char *plan_hash, struct err *e);

/* Over every account's newest integration sample in a list samples_latest_all
 * read (the console's, shared by its views): how many are measured, degraded
 * (some healthy) and failing (none healthy). For the header. */
struct integ_counts {
	long measured, deg, fail;
};
struct sample_list; /* samples.h */
void integ_count(const struct sample_list *latest, struct integ_counts *out);

#endif
