/* diag_expect — shared by the loader's unit tests: find a diagnostic by its
 * printed form ("file:line:col: error: message"), so each test states the
 * exact place and words a user would see. */
#ifndef WARROOM_TEST_DIAG_EXPECT_H
#define WARROOM_TEST_DIAG_EXPECT_H

#include <stdio.h>
#include <string.h>

#include "warroom/diag.h"

/* The printed form of diagnostic i, in buf. */
static inline const char *diag_text(const struct diags *d, size_t i, char *buf, size_t size)
{
	const struct diag *g = &d->v[i];
	if (g->line > 0)
		snprintf(buf, size, "%s:%d:%d: %s: %s", g->file, g->line, g->col,
			 diag_severity_name(g->sev), g->msg);
	else
		snprintf(buf, size, "%s: %s: %s", g->file, diag_severity_name(g->sev), g->msg);
	return buf;
}

/* 1 when a diagnostic starts with `want` (the whole message or its head). */
static inline int diag_has(const struct diags *d, const char *want)
{
	char buf[1024];
	for (size_t i = 0; i < d->n; i++)
		if (strncmp(diag_text(d, i, buf, sizeof(buf)), want, strlen(want)) == 0)
			return 1;
	return 0;
}

/* Prints every diagnostic, for a failing assertion's context. */
static inline void diag_dump(const struct diags *d)
{
	char buf[1024];
	for (size_t i = 0; i < d->n; i++)
		fprintf(stderr, "  %s\n", diag_text(d, i, buf, sizeof(buf)));
}

#define assert_diag(d, want)                                                           \
	do {                                                                           \
		if (!diag_has((d), (want))) {                                          \
			fprintf(stderr, "missing diagnostic: %s\nhave:\n", (want));    \
			diag_dump(d);                                                  \
			fail();                                                        \
		}                                                                      \
	} while (0)

#endif
