/* drift — after cutover the target is held against the snapshot taken at
 * cutover: every entity added, removed or changed since is drift, and drift
 * that no open exception explains for longer than the plan's
 * stop_the_line.drift_unexplained fires the stop-the-line trigger.
 *
 * The comparison and the timing rule are pure (src/core/drift.c); keeping
 * snapshots and drift samples in the store and reading the target are the
 * io half (src/io/drift_store.c). The engine calls drift_snapshot at
 * cutover and drift_unexplained_since to decide. */
#ifndef WARROOM_DRIFT_H
#define WARROOM_DRIFT_H

#include <stddef.h>
#include <stdint.h>

#include "warroom/entity.h"
#include "warroom/parity.h"
#include "warroom/util.h"

/* stop_the_line.drift_unexplained when the plan leaves it out: the
 * charter's 30 minutes. */
#define DRIFT_UNEXPLAINED_DEFAULT_MS (30 * 60 * 1000)

struct store;          /* store.h */
struct targetapi;      /* targetapi.h */
struct exception_list; /* exceptions.h */

struct drift_result {
	struct parity_result cmp; /* snapshot (source side) against now (target side) */
	int64_t snapshot_ms;      /* when the snapshot was taken */
	size_t differing;         /* entities added, removed or changed */
	size_t unexplained;       /* of those, not covered by an open exception */
};
void drift_result_free(struct drift_result *r);

/* Pure: compares snapshot with current. explain may be NULL. */
int drift_compare(const char *account, const struct entity_set *snapshot,
		  const struct entity_set *current, parity_explain_fn explain, void *explain_ctx,
		  int64_t now_ms, struct drift_result *out, struct err *e);

/* One drift observation: when, and how many differences were unexplained. */
struct drift_obs {
	int64_t at_ms;
	double unexplained;
};
/* Pure: over observations oldest first, the time since which drift has been
 * unexplained without a break (the first observation of the trailing run of
 * non-zero ones), or 0 when the newest shows none. */
int64_t drift_since(const struct drift_obs *obs, size_t n);
/* Pure: whether unexplained drift since `since_ms` has lasted longer than
 * threshold_ms at now_ms (threshold < 0: the plan sets none, never). */
int drift_fires(int64_t since_ms, int64_t now_ms, int64_t threshold_ms);

/* ---- the io half ---------------------------------------------------------------------- */

/* Reads every entity of the account's tenant through the target API (opened
 * by the caller, with the account's URL and token) and keeps them as the
 * account's snapshot (reason "cutover", ...), in one transaction, audited as
 * "drift.snapshot". *count gets the entities kept (may be NULL). What the
 * engine calls when an account cuts over. */
int drift_snapshot(struct store *st, const char *account, struct targetapi *api,
		   const char *reason, size_t *count, struct err *e);
/* The same from entities already read. */
int drift_snapshot_save(struct store *st, const char *account, const struct entity_set *set,
			const char *reason, int64_t now_ms, struct err *e);
/* When the account's newest snapshot was taken: 1 with *taken_ms, 0 when
 * none was, -1 on error. A cheap question, asked before reading one. */
int drift_snapshot_time(struct store *st, const char *account, int64_t *taken_ms, struct err *e);
/* The newest snapshot of an account into out. 1 when there is one (fills
 * *taken_ms), 0 when none was taken, -1 on error. */
int drift_snapshot_load(struct store *st, const char *account, struct entity_set *out,
			int64_t *taken_ms, struct err *e);

/* Compares the target now with the newest snapshot, open exceptions
 * explaining what they cover; appends a drift/entities sample (value =
 * unexplained differences) and a "drift.check" audit record. -1 with a
 * message when there is no snapshot or the target cannot be read. */
int drift_check(struct store *st, const char *account, struct targetapi *api,
		const struct exception_list *exceptions, struct drift_result *out, struct err *e);

/* drift_check's second half, for a caller that reads the target elsewhere
 * (the runner, on a worker thread, so it never waits on the network):
 * compares current with the snapshot (taken at snapshot_ms), open
 * exceptions explaining what they cover, and records the same sample and
 * "drift.check" audit record, as role (NULL: "cli"). */
int drift_record(struct store *st, const char *account, const struct entity_set *snapshot,
		 int64_t snapshot_ms, const struct entity_set *current,
		 const struct exception_list *exceptions, const char *role, struct drift_result *out,
		 struct err *e);

/* Since when the account's drift has been unexplained, from its drift
 * samples: *since_ms = 0 when the newest check found none (or none ran). */
int drift_unexplained_since(struct store *st, const char *account, int64_t *since_ms,
			    struct err *e);

#endif
