/* jsonptr — RFC 6901 JSON pointers over cJSON values: "/data/0/state",
 * with ~1 for '/' and ~0 for '~'. Used by check assertions, metric sources
 * and progress probes. */
#ifndef WARROOM_JSONPTR_H
#define WARROOM_JSONPTR_H

#include <cjson/cJSON.h>

#include "warroom/util.h"

/* The value at ptr ("" is the whole document), or NULL with e saying which
 * token was missing. */
const cJSON *jsonptr_get(const cJSON *root, const char *ptr, struct err *e);
/* 0 when ptr is well formed (empty, or '/'-led tokens with valid escapes). */
int jsonptr_valid(const char *ptr, struct err *e);
/* A number at ptr; a string holding a finite number is accepted too, since
 * many metric endpoints send numbers as strings. */
int jsonptr_number(const cJSON *root, const char *ptr, double *out, struct err *e);

#endif
