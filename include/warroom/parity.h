/* parity — the invariants of one account: counts per entity type, content
 * hashes over canonical JSON, a deterministic sample compared field by
 * field, the plan's own thresholds; after the plan's ignore rules and with
 * registered exceptions explaining what they cover. Pure: handed the two
 * entity sets and a way to ask about exceptions, it returns the verdicts. */
#ifndef WARROOM_PARITY_H
#define WARROOM_PARITY_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "warroom/canon.h"
#include "warroom/entity.h"
#include "warroom/util.h"

/* Which side of a comparison a document is on. */
enum parity_role { PARITY_SOURCE, PARITY_TARGET };

/* An ignore rule of the plan's `parity:` section: a known, benign
 * difference, applied before hashing and diffing. ignore and
 * case_insensitive rewrite both sides alike; round_minutes:N says what the
 * target makes of the source's value (the nearest multiple of N), so it
 * rewrites the source's side only and the target's value must be exactly
 * that: 4 -> 5 passes, 4 -> 10, 5 -> 4 and 4 -> 6 do not. */
enum parity_rule_kind { PARITY_IGNORE, PARITY_ROUND_MINUTES, PARITY_CASE_INSENSITIVE };
struct parity_rule {
	char *entity; /* an entity type name, or "*" */
	char *field;  /* a top-level key, or a JSON pointer where "*" matches any
		       * array element or member: "/rules/" "*" "/delay_minutes" */
	enum parity_rule_kind kind;
	int minutes;  /* PARITY_ROUND_MINUTES */
	int source_only; /* rewrites the source's side only (round_minutes) */
	char *reason; /* shown in the report */
	size_t hits;  /* values the rule changed in the last comparison */
};
/* "ignore", "round_minutes:5", "case_insensitive". 0 or -1 with a message. */
int parity_rule_kind_parse(const char *text, enum parity_rule_kind *kind, int *minutes,
			   struct err *e);
/* "ignore", "round_minutes:5", ... into buf (>= 32). */
void parity_rule_describe(const struct parity_rule *r, char *buf, size_t size);

struct parity_config {
	double threshold;   /* pass rate needed, 0..1; default 0.999 (the charter) */
	size_t sample_size; /* per entity type; default 25 */
	unsigned buckets;   /* fan-out of bucketed comparison; default 64 */
	uint64_t seed;      /* of the deterministic sample; default 0 */
	int aa;             /* both sides are the source (A/A): every rule rewrites both */
	size_t max_diffs;   /* diffs kept per account; default 50 */
	struct parity_rule *rules;
	size_t n_rules, cap_rules;
};
void parity_config_init(struct parity_config *c);
/* Copies the strings; checks the entity name and the kind. */
int parity_config_add_rule(struct parity_config *c, const char *entity, const char *field,
			   const char *rule, const char *reason, struct err *e);
void parity_config_free(struct parity_config *c);

/* Asked about each difference: fill `why` (">= 256 bytes") and return 1 when
 * an open exception explains it. field is NULL for a whole entity. */
typedef int (*parity_explain_fn)(void *ctx, const char *account, const char *entity,
				 const char *id, const char *field, char *why, size_t size);

enum parity_diff_kind { PARITY_MISSING, PARITY_EXTRA, PARITY_CHANGED };
const char *parity_diff_kind_name(enum parity_diff_kind k); /* "missing", "extra", "changed" */

struct parity_mismatch {
	enum entity_type type;
	enum parity_diff_kind kind;
	char *id;        /* owned */
	char *diff;      /* owned; field-by-field text ("~ /name: \"a\" -> \"b\""), or NULL */
	char *explained; /* owned; the exception that explains it, or NULL */
};

struct parity_type_result {
	size_t source_count, target_count;
	size_t matched, changed, missing, extra, explained;
	size_t sampled, sampled_ok;
	char source_digest[CANON_HEX_LEN]; /* SHA-256 over the sorted (id, hash) list */
	char target_digest[CANON_HEX_LEN];
};

struct parity_result {
	char *account;
	int64_t at_ms;
	struct parity_type_result types[ENTITY_TYPE_COUNT];
	struct parity_mismatch *mismatches; /* sorted by type, then id */
	size_t n_mismatches, cap_mismatches;
	size_t diffs_dropped;  /* mismatches past max_diffs, counted only */
	int64_t passed, evaluated;
	double pass_rate;      /* passed / evaluated (1 when nothing evaluated) */
	double error_rate;     /* unexplained differing entities / all entities */
	double threshold;
	int ok;                /* pass_rate >= threshold */
};
void parity_result_free(struct parity_result *r);

/* Compares source with target (either may hold any types). Ignore rules'
 * hit counts are updated in cfg. explain may be NULL. */
int parity_compare(const char *account, const struct entity_set *source,
		   const struct entity_set *target, struct parity_config *cfg,
		   parity_explain_fn explain, void *explain_ctx, int64_t now_ms,
		   struct parity_result *out, struct err *e);

/* What a bucketed comparison knows of a type without reading it (bucket.h):
 * each side's count, as digests each side's whole-set checksum, and which
 * of the source's ids the full mode would sample (parity_sample_cut over
 * them, computed where they are). */
struct parity_totals {
	size_t source_count, target_count;
	char source_digest[CANON_HEX_LEN], target_digest[CANON_HEX_LEN];
	uint64_t sample_cut;  /* ids whose parity_sample_key is <= this are sampled */
	size_t sample_count;  /* how many of the source's ids that is */
	int whole;            /* the type was read whole both sides: compared as
			       * parity_compare does, the rest of this ignored */
};
/* parity_compare after a bisection: source and target hold only the
 * entities it found differing, read whole; every other entity counted in
 * totals is known to match by its bucket's checksum (taken after the same
 * rules, parity_doc_hash). The sample is the full mode's: sampled entities
 * not read matched by checksum, so their deep comparison passes. Same data,
 * same rules: the same pass rate as parity_compare. */
int parity_compare_bucketed(const char *account, const struct entity_set *source,
			    const struct entity_set *target,
			    const struct parity_totals totals[ENTITY_TYPE_COUNT],
			    struct parity_config *cfg, parity_explain_fn explain, void *explain_ctx,
			    int64_t now_ms, struct parity_result *out, struct err *e);

/* Adds one plan invariant (a reconciliation's acceptance threshold, ...):
 * passes when `value` >= `needed`. Recomputes the pass rate. */
void parity_add_invariant(struct parity_result *r, const char *name, double value,
			  double needed);

/* The whole result as JSON (what the report and the audit record carry):
 * {account, at, pass_rate, error_rate, threshold, ok, passed, evaluated,
 *  types: {service: {...}}, mismatches: [...], rules: [...]}. */
cJSON *parity_result_json(const struct parity_result *r, const struct parity_config *cfg);

/* The canonical hash of a document of type t on side role, after the
 * config's rules: the one function both ends of a bucketed comparison hash
 * with, so their checksums agree on what the rules call benign. */
int parity_doc_hash(struct parity_config *cfg, enum entity_type t, enum parity_role role,
		    const cJSON *doc, struct canon_hasher *h, unsigned char out[CANON_HASH_LEN],
		    struct err *e);

/* The local side of a bucketed comparison (bucket.h): the entities of type t
 * in s, each hashed as parity_compare hashes side `role` (parity_doc_hash
 * after cfg's rules), into x (emptied first), so a local read summarises
 * exactly as the remote side's bucket routes do. With sample_cut, also the
 * full mode's sample over these ids (parity_sample_cut under cfg's size and
 * seed; sample_count may then be NULL). A duplicate id or a document that
 * cannot be hashed is an error naming it, as in parity_compare. */
struct bucket_index;
int parity_bucket_index(struct parity_config *cfg, const struct entity_set *s, enum entity_type t,
			enum parity_role role, struct bucket_index *x, uint64_t *sample_cut,
			size_t *sample_count, struct err *e);

/* ---- the rules on the wire: the bucket routes' `rules` parameter -------------------- */

#define PARITY_RULES_MAX_TEXT 2048 /* longer, and the rules stay out of the checksums */
#define PARITY_RULES_MAX 64

/* The rules that rewrite side `role` of type t, in the config's order, as
 * "KIND~FIELD" joined by ',' (in a field '%' is %25 and ',' is %2C):
 * appended to sb; returns how many ("" and 0 when none). */
size_t parity_rules_encode(const struct parity_config *cfg, enum entity_type t,
			   enum parity_role role, struct strbuf *sb);
/* The other end: adds the rules of `text` to c (entity "*", each applied to
 * whatever side it is handed: the sender chose them for it). 0, or -1 with
 * a message naming the bad rule; c is left as it was then. */
int parity_rules_decode(const char *text, struct parity_config *c, struct err *e);

/* The deterministic sample: an id's key under the seed; the sample is the
 * ids with the sample_size smallest keys. parity_sample_cut sorts keys and
 * returns the largest key sampled (UINT64_MAX when n <= sample_size: all),
 * *count the keys at or below it. */
uint64_t parity_sample_key(const char *id, uint64_t seed);
uint64_t parity_sample_cut(uint64_t *keys, size_t n, size_t sample_size, size_t *count);

#endif
