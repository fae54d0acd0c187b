/* jsondiff — the structural difference of two JSON documents, field by field,
 * in Terraform's grammar (~ changed, + added, - removed). Pure: the console's
 * diff pane and the parity reports both read the same list. */
#ifndef WARROOM_JSONDIFF_H
#define WARROOM_JSONDIFF_H

#include <stddef.h>
#include <cjson/cJSON.h>

#include "warroom/util.h"

enum jsondiff_kind { JSONDIFF_SAME, JSONDIFF_CHANGED, JSONDIFF_ADDED, JSONDIFF_REMOVED };

/* One leaf (scalar, empty container, or a value whose type changed). */
struct jsondiff_entry {
	enum jsondiff_kind kind;
	char *path;  /* JSON pointer (RFC 6901); "" is the whole document */
	char *left;  /* compact JSON of the left value; NULL when added */
	char *right; /* compact JSON of the right value; NULL when removed */
};

struct jsondiff {
	struct jsondiff_entry *v;
	size_t n, cap;
	size_t count[4]; /* by enum jsondiff_kind */
};

/* Documents nested deeper than this are refused rather than recursed into. */
#define JSONDIFF_MAX_DEPTH 256

/* Leaves in document order: the left's keys first, then keys only the right
 * has. Arrays compare by index. Returns 0, or -1 when too deep. */
int jsondiff_compute(const cJSON *left, const cJSON *right, struct jsondiff *out,
		     struct err *e);
/* Parses both texts first; a parse error names the side and the offset. */
int jsondiff_texts(const char *left, const char *right, struct jsondiff *out,
		   struct err *e);
void jsondiff_free(struct jsondiff *d);

/* ' ' '~' '+' '-' */
char jsondiff_symbol(enum jsondiff_kind k);
const char *jsondiff_kind_name(enum jsondiff_kind k);
/* Index of the next (dir > 0) or previous difference from `from`, wrapping;
 * -1 when there is none. */
long jsondiff_next_change(const struct jsondiff *d, long from, int dir);
/* "3 changed, 1 added, 2 removed, 40 unchanged" */
void jsondiff_summary(const struct jsondiff *d, struct strbuf *sb);
/* One line per difference ("  ~ /a/b: 1 -> 2"); unchanged leaves folded into
 * a count unless verbose. Plain text, for reports and logs. */
void jsondiff_render(const struct jsondiff *d, int verbose, struct strbuf *sb);

#endif
