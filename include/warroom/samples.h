/* samples — parity results over time, one row per measurement in the store's
 * samples table: what the console draws as sparklines and trends, what the
 * engine's stop-the-line triggers read, what the reports summarise.
 * Every append bumps the account's state serial so other consoles redraw. */
#ifndef WARROOM_SAMPLES_H
#define WARROOM_SAMPLES_H

#include <stddef.h>
#include <stdint.h>

#include "warroom/util.h"

struct store; /* store.h */

/* The `kind` column (the store's schema allows exactly these five) and,
 * for parity, the names used under it. `name` qualifies the kind:
 *   parity     "count/ENTITY"    value = target count, passed = counts equal
 *              "hash/ENTITY"     passed/evaluated = entities whose content hash matches
 *              "sampled/ENTITY"  passed/evaluated = sampled deep comparisons that match
 *              "pass_rate"       value = passed/evaluated over all the account's invariants
 *              "dual_run_error"  value = share of entities differing during dual run (0..1)
 *              "aa_noise"        value = mismatch share of an A/A run (source vs itself)
 *   invariant  the plan's invariant name (a reconciliation, ...), value = match rate
 *   drift      "entities"        value = entities differing from the cutover snapshot
 *   metric     a monitored metric's name (the engine's)
 *   integration "health"     value = healthy/total integrations on the target
 *                            (1 when it has none), passed = healthy, evaluated = total */
#define SAMPLE_PARITY "parity"
#define SAMPLE_INVARIANT "invariant"
#define SAMPLE_DRIFT "drift"
#define SAMPLE_METRIC "metric"
#define SAMPLE_INTEGRATION "integration"
#define SAMPLE_INTEG_HEALTH "health"
#define SAMPLE_PASS_RATE "pass_rate"
#define SAMPLE_DUAL_RUN "dual_run_error"
#define SAMPLE_NOISE "aa_noise"

struct sample {
	int64_t id;        /* row id; set by samples_append */
	char *account;     /* owned */
	char *kind;        /* owned; one of the five kinds */
	char *name;        /* owned; "" when none */
	double value;      /* the figure drawn (a rate 0..1, a count, ...) */
	int64_t passed;    /* invariants passed in this measurement */
	int64_t evaluated; /* invariants evaluated in this measurement */
	int64_t at_ms;     /* when measured (wall clock); 0 = now on append */
};
void sample_free(struct sample *s); /* frees the members, not s */

/* Appends one sample and bumps the account's state serial, in one
 * transaction. Fills s->id (and s->at_ms when 0). */
int samples_append(struct store *st, struct sample *s, struct err *e);

/* The newest sample of account/kind/name: the greatest (at_ms, id), so of two
 * at the same time the later row. Read from the store's samples_latest table,
 * which triggers keep in the same statement as every write to the history.
 * Returns 1 and fills *out (caller sample_free's it), 0 when there is none,
 * -1 on error -- among them a read-only store on a file older than that table
 * (an operator's read-write open migrates it). */
int samples_latest(struct store *st, const char *account, const char *kind, const char *name,
		   struct sample *out, struct err *e);

/* The newest `max` values of account/kind/name, oldest first, for a
 * sparkline. *values is allocated (caller frees); *n may be 0. */
int samples_series(struct store *st, const char *account, const char *kind, const char *name,
		   size_t max, double **values, size_t *n, struct err *e);

/* The newest sample of each kind/name of an account (or of every account when
 * account is NULL), ordered by account, kind, name: one row per series from
 * samples_latest, whatever the length of the history. */
struct sample_list {
	struct sample *items;
	size_t n, cap;
};
int samples_latest_all(struct store *st, const char *account, struct sample_list *out,
		       struct err *e);
/* The samples of one account in such a list (ordered by account): the first,
 * and their number in *n; NULL and 0 when it has none. A binary search, so a
 * dashboard of many accounts does not walk the whole list per row. */
const struct sample *sample_list_account(const struct sample_list *l, const char *account,
					 size_t *n);
void sample_list_free(struct sample_list *l);

/* Program pass rate: over every account's newest parity/pass_rate sample,
 * the sum of passed over the sum of evaluated. *rate is 1.0 when nothing was
 * evaluated yet (*evaluated tells). From a list samples_latest_all read (the
 * console has one already), or from the store. */
void sample_list_pass_rate(const struct sample_list *l, double *rate, int64_t *passed,
			   int64_t *evaluated);
int samples_program_pass_rate(struct store *st, double *rate, int64_t *passed,
			      int64_t *evaluated, struct err *e);

/* The samples of one parity comparison (parity.h), appended in one
 * transaction: count/ENTITY, hash/ENTITY, sampled/ENTITY for each type seen,
 * pass_rate, and dual_run_error -- or, for an A/A run (aa), aa_noise alone
 * with the pass rate, so noise is never mistaken for parity. */
struct parity_result;
int samples_append_parity(struct store *st, const struct parity_result *r, int aa,
			  struct err *e);

#endif
