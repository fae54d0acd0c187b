/* cond — the plan's conditions, "error_rate > 0.5%", their three verdicts
 * (Successful, Failed, Inconclusive — Argo Rollouts' analysis semantics),
 * the failure/inconclusive limits of a gate, and JSON assertions of probes. */
#ifndef WARROOM_COND_H
#define WARROOM_COND_H

#include <cjson/cJSON.h>

#include "warroom/util.h"

enum cond_op { COND_LT, COND_LE, COND_GT, COND_GE, COND_EQ, COND_NE };

enum cond_verdict { COND_SUCCESSFUL, COND_FAILED, COND_INCONCLUSIVE };

#define COND_METRIC_MAX 128

/* "METRIC OP NUMBER[%]". A percent literal is a fraction: "0.5%" is 0.005,
 * so metric values are compared as fractions (0.004 is 0.4%). */
struct cond {
	char metric[COND_METRIC_MAX];
	enum cond_op op;
	double value;
	int percent; /* written with '%': for display only */
};

int cond_parse(const char *text, struct cond *c, struct err *e);
int cond_holds(const struct cond *c, double value);
int cond_compare(double a, enum cond_op op, double b);
/* "<", "<=", ...; -1 when s is none of them. */
int cond_op_parse(const char *s, enum cond_op *op);
const char *cond_op_name(enum cond_op op);
const char *cond_verdict_name(enum cond_verdict v);
/* "error_rate > 0.5%" back from the parsed form ("> 0.5%" for a threshold,
 * whose metric is empty); buf >= 192. */
void cond_format(const struct cond *c, char *buf, size_t size);
/* A value in the condition's unit: "1.2%" when it was written as a percent. */
void cond_format_value(const struct cond *c, double value, char *buf, size_t size);
/* How a value that holds stands to it: "below", "at or over", ... */
const char *cond_direction(const struct cond *c);

/* A monitored metric's alert or critical threshold: "OP NUMBER[%]" with OP
 * one of < <= > >=, crossed when the value holds it ("< 99%" fires below
 * 99 %, for throughput or a success rate), or a bare "NUMBER[%]", an upper
 * limit (read as "> NUMBER"). The metric is left empty (the caller names
 * it); cond_holds says whether a value crossed it. */
int cond_threshold_parse(const char *text, struct cond *c, struct err *e);

/* The verdict of one measurement: no value (the probe errored) is
 * Inconclusive; meeting `success` is Successful; with a failure condition,
 * meeting it is Failed and meeting neither is Inconclusive; without one,
 * anything but success is Failed. */
enum cond_verdict cond_verdict_of(const struct cond *success, const struct cond *failure,
				  int have_value, double value);

/* A gate's outcome from its checks' verdicts: Failed when failures exceed
 * failure_limit, else Inconclusive when inconclusives exceed
 * inconclusive_limit, else Successful. */
enum cond_verdict cond_limits(size_t failed, size_t inconclusive, long failure_limit,
			      long inconclusive_limit);

/* A probe assertion: actual (a JSON value at a pointer) OP expected (a YAML
 * scalar as text). Numbers compare numerically; strings and booleans with
 * == and != only. Returns 1 holds, 0 does not, -1 with e when the types
 * cannot be compared. */
int cond_assert_json(const cJSON *actual, enum cond_op op, const char *expected, struct err *e);

#endif
