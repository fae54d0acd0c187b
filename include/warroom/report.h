/* report — the charter's customer-safe parity report and the audit-ready
 * evidence pack. The report is first built as one JSON model (counts,
 * hashes, pass rates and their trend, sampled diffs, ignore rules, import
 * outcomes, exceptions, gate sign-offs with who and when, rollback
 * readiness, the audit chain's state), redacted as a whole, then rendered
 * as Markdown, JSON or one self-contained HTML page with inline SVG charts. */
#ifndef WARROOM_REPORT_H
#define WARROOM_REPORT_H

#include <stdio.h>

#include <cjson/cJSON.h>

#include "warroom/util.h"

struct store;   /* store.h */
struct program; /* plan.h */

enum report_format { REPORT_MD, REPORT_JSON, REPORT_HTML };
/* "md" | "markdown", "json", "html"; -1 when unknown. */
int report_format_parse(const char *s, enum report_format *out);
const char *report_format_ext(enum report_format f); /* "md", "json", "html" */

/* The model of the report over every account of the program, or only
 * `account` when not NULL. Already redacted. NULL with a message. */
cJSON *report_build(struct store *st, const struct program *p, const char *account,
		    struct err *e);

/* Writes the model in one format. 0, or -1 with a message on a write error. */
int report_render(const cJSON *model, enum report_format f, FILE *out, struct err *e);

/* The evidence pack into dir (created when absent): report.md, report.json,
 * report.html, audit.jsonl (the whole log), verify.txt (the chain check),
 * SHA256SUMS. Returns 0 when written -- even if the chain is broken, which
 * verify.txt then says -- or -1 with a message. *intact tells which. */
int report_evidence(struct store *st, const struct program *p, const char *account,
		    const char *dir, int *intact, struct err *e);

#endif
