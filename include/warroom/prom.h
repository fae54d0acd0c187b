/* prom — a Prometheus HTTP API instant query answer (/api/v1/query) reduced
 * to the one number a condition compares.
 *
 * Reduction: a scalar is its value; an instant vector with one series is
 * that series' value; with several series the maximum is taken (the worst
 * case for the error rates and latencies conditions watch — write sum(),
 * avg() or min() in the query for another reduction); an empty vector, a
 * NaN, or an error answer has no value, which makes the check Inconclusive. */
#ifndef WARROOM_PROM_H
#define WARROOM_PROM_H

#include <stddef.h>

#include "warroom/util.h"

/* Parses body (len bytes). Returns 0 with *value, or -1 with e saying why. */
int prom_parse_value(const char *body, size_t len, double *value, struct err *e);
/* "BASE/api/v1/query?query=ESCAPED" (caller frees). */
char *prom_query_url(const char *base, const char *query);

#endif
