/* source_import — a source read whole (source.h) laid against a tenant on the
 * target (GET/POST/PUT /v1/tenants/{id}/{entity}[/{eid}]): what would be
 * created, updated, left unchanged or refused, and applying it one entity at
 * a time, each request idempotent (Idempotency-Key), each batch audited and
 * checkpointed in import_checkpoints so a crash resumes where it stopped. */
#ifndef WARROOM_SOURCE_IMPORT_H
#define WARROOM_SOURCE_IMPORT_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "warroom/entity.h"
#include "warroom/source.h"
#include "warroom/store.h"

enum import_action { IMPORT_CREATE, IMPORT_UPDATE, IMPORT_UNCHANGED, IMPORT_REFUSED,
		     IMPORT_ACTION_COUNT };
/* "create", "update", "unchanged", "refused" */
const char *source_import_action_name(enum import_action a);

struct import_item {
	enum import_action action;
	enum entity_type type;
	char *id, *name; /* owned; name may be NULL */
	char *detail;    /* owned; update: the field changes; refused: why; else NULL */
	char *change, *why; /* owned; the source's "import with a change" verdict, else NULL */
	const struct entity *entity; /* borrowed from the source result; NULL when refused */
};

struct import_report {
	struct import_item *items; /* in apply order: by type, then source order */
	size_t n, cap;
	size_t count[ENTITY_TYPE_COUNT][IMPORT_ACTION_COUNT];
	struct strbuf compat;  /* source fields with no home on the target, one a line */
	int tenant_missing;    /* the tenant does not exist yet on the target */
	size_t applied;        /* requests that succeeded this run */
	size_t resumed;        /* entities skipped because a checkpoint had them */
};
void source_import_report_free(struct import_report *r);

struct import_options {
	const char *tenant;       /* the target tenant id (the account id) */
	const char *tenant_name;
	const char *target_url;   /* base URL of the target API, no trailing '/' */
	const char *target_token; /* Bearer token; NULL: none sent */
	struct store *store;      /* checkpoints and audit; required to apply */
	const char *plan_hash;    /* for audit records; may be NULL */
	size_t batch;             /* entities per audit record and checkpoint; default 100 */
	int verbose;
};

/* Reads the tenant's entities and compares them with src: the report says
 * what applying would do. Nothing is written anywhere. */
int source_import_plan(const struct import_options *o, const struct source_result *src,
		       struct import_report *out, struct err *e);

/* Applies a report made by source_import_plan: creates the tenant when it is
 * missing, then every create and update, batch by batch; each batch is one
 * audit record and one checkpoint. A checkpoint left by a run that did not
 * finish is honoured (its entities are not sent again); a finished run
 * clears the account's checkpoints. -1 with the failing request named. */
int source_import_apply(const struct import_options *o, struct import_report *r,
			struct err *e);

/* The document the import writes to the target for one canonical entity:
 * its canonical fields under the target's names (what apply sends, what
 * the preview compares). Owned by the caller. Pure. */
cJSON *source_import_document(const struct entity *en);
/* A record as the target holds it, in the form source_import_document
 * gives (the target's bookkeeping dropped): the other side of a preview.
 * Owned by the caller. Pure. */
cJSON *source_import_target_document(const cJSON *record);

/* Why an item will not import or imports with a change (the source's
 * reason, or that the target's record differs); NULL when it imports as it
 * is. Owned by the caller. Pure. */
char *source_import_item_reason(const struct import_item *it);
/* What changes, one string per change (the source's change, then each field
 * the update rewrites); NULL when nothing does. Pure. */
cJSON *source_import_item_changes(const struct import_item *it);

/* Replaces the account's rows of import_items with the report's verdicts,
 * marked dry run or not; joins the caller's transaction when there is one. */
int source_import_record(struct store *s, const char *account, const struct import_report *r,
			 int dry_run, int64_t run_ms, struct err *e);

/* A dry run's evidence: an import.preview audit record and the verdicts
 * (marked dry run), in one transaction. Nothing is sent to the target. */
int source_import_preview(const struct import_options *o, const struct import_report *r,
			  struct err *e);

/* One verdict of an account's newest import run, read back from
 * import_items (what source_import_record kept). */
struct import_verdict {
	enum import_action action;
	char *entity_type;   /* owned; the singular name ("service") */
	char *source_id;     /* owned */
	char *name, *reason; /* owned; NULL when none */
	cJSON *changes;      /* owned array of strings; NULL when none */
};

struct import_verdicts {
	struct import_verdict *v; /* refused first, then in the run's order */
	size_t n, cap;
	size_t count[IMPORT_ACTION_COUNT]; /* the whole run's, whatever was read */
	size_t total;                      /* items of the run; 0: never imported */
	size_t with_reason;                /* of them, items that carry a reason */
	int dry_run;
	int64_t run_ms;
};

/* The account's newest import run: the counts of each verdict, whether it
 * was a dry run and when, and its items (only those with a reason when
 * reasons_only; at most limit, 0 for all). 1 when the account has one, 0
 * when it was never imported, -1 with a message. */
int source_import_verdicts(struct store *s, const char *account, int reasons_only, size_t limit,
			   struct import_verdicts *out, struct err *e);
/* The same without the items (out->n is 0): a cheap look at whether the
 * newest run changed. 0, or -1 with a message. */
int source_import_verdict_counts(struct store *s, const char *account,
				 struct import_verdicts *out, struct err *e);
void source_import_verdicts_free(struct import_verdicts *v);

#endif
