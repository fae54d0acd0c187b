/* diag — problems found in a file, each with its place, reported all at once
 * as `file:line:col: error|warning: message`, the form editors jump to. */
#ifndef WARROOM_DIAG_H
#define WARROOM_DIAG_H

#include <stddef.h>
#include <stdio.h>
#include "warroom/util.h"

enum diag_severity { DIAG_ERROR, DIAG_WARNING, DIAG_NOTE };

struct diag {
	enum diag_severity sev;
	char *file; /* owned */
	int line, col; /* 1-based; 0 when the problem has no place */
	char *msg;  /* owned */
};

struct diags {
	struct diag *v;
	size_t n, cap;
	size_t errors, warnings;
	size_t dropped; /* past DIAGS_MAX, counted but not kept */
};

/* A hostile file must not make the list itself unbounded. */
#define DIAGS_MAX 1000

void diag_add(struct diags *d, enum diag_severity sev, const char *file, int line,
	      int col, const char *fmt, ...) PRINTF_LIKE(6, 7);
/* Prints every diagnostic, then the "N errors, M warnings" line when any. */
void diags_print(const struct diags *d, FILE *out);
void diags_free(struct diags *d);
const char *diag_severity_name(enum diag_severity sev);

#endif
