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
/* "error_rate > 0.5%" back from the parsed form; buf >= 192. */
void cond_format(const struct cond *c, char *buf, size_t size);

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
