/* schema — a file format described as data: tables of fields (key, type,
 * enum names, flags, reference kind, where the value goes in a C struct) and
 * one generic loader that walks a node tree against them, fills typed structs
 * and reports every problem at once with its line:col. The plan, accounts,
 * roster and themes are all read this way; adding a field is one table row. */
#ifndef WARROOM_SCHEMA_H
#define WARROOM_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "warroom/diag.h"
#include "warroom/node.h"

/* Every struct a schema_obj describes starts with this member: where in the
 * file it was written, so later stages can point at it too. */
struct schema_pos {
	int line, col;
};

/* How a value is stored at schema_field.offset:
 *   STR, DATETIME   char *            (NULL when absent)
 *   INT             int64_t           (def when absent)
 *   BOOL            int               (0/1; def when absent, may be -1 = unset)
 *   NUM             double            (def_num when absent)
 *   ENUM            int               (index into enums[], 1-based; 0 absent)
 *   DURATION        int64_t ms        (def when absent; "500ms" "5m" "1h30m")
 *   PERCENT         double fraction   (def_num when absent; "0.5%" -> 0.005)
 *   STR_LIST        char **, size_t at count_offset
 *   INT_LIST        int64_t *, size_t at count_offset
 *   OBJ             struct child * (NULL when absent), or the struct itself
 *                   at offset with SCHEMA_INLINE (zeroed when absent)
 *   LIST            struct child * array, size_t at count_offset
 *   MAP_STR         struct schema_kv * array, size_t at count_offset
 *   CUSTOM          whatever parse() writes
 * All memory comes from the context's arena. */
enum schema_type {
	SCHEMA_STR,
	SCHEMA_INT,
	SCHEMA_BOOL,
	SCHEMA_NUM,
	SCHEMA_ENUM,
	SCHEMA_DATETIME,
	SCHEMA_DURATION,
	SCHEMA_PERCENT,
	SCHEMA_STR_LIST,
	SCHEMA_INT_LIST,
	SCHEMA_OBJ,
	SCHEMA_LIST,
	SCHEMA_MAP_STR,
	SCHEMA_CUSTOM,
};

enum schema_flag {
	SCHEMA_REQUIRED = 1 << 0,  /* missing is an error */
	SCHEMA_ID = 1 << 1,        /* defines a name of kind `ref`; unique per kind; implies required */
	SCHEMA_EXTENSION = 1 << 2, /* not in the seed schema: an executable extension */
	SCHEMA_INLINE = 1 << 3,    /* OBJ stored in place rather than by pointer */
};

struct schema_kv {
	struct schema_pos pos;
	char *key, *value;
};

struct schema_ctx;
struct schema_obj;

/* A CUSTOM field: parse n into *field; report problems through ctx. */
typedef void (*schema_parse_fn)(struct schema_ctx *ctx, const struct node *n, void *field);
/* An extra check on one string value (a whole STR or one STR_LIST item). */
typedef void (*schema_check_fn)(struct schema_ctx *ctx, const struct node *n, const char *value);
/* A check across an object's fields once they are loaded. */
typedef void (*schema_finish_fn)(struct schema_ctx *ctx, const struct node *n, void *obj);

struct schema_field {
	const char *key;
	enum schema_type type;
	unsigned flags;
	size_t offset;
	size_t count_offset;              /* lists and maps: the size_t count */
	const struct schema_obj *child;   /* OBJ and LIST */
	const char *const *enums;         /* ENUM: names, [0] unused */
	size_t n_enums;                   /* including [0] */
	int ref;                          /* reference kind its values name (or define with ID) */
	int64_t def;                      /* INT BOOL DURATION default */
	double def_num;                   /* NUM PERCENT default */
	schema_parse_fn parse;            /* CUSTOM */
	schema_check_fn check;            /* STR, STR_LIST items */
};

struct schema_obj {
	const char *name;                 /* in messages: "unknown key 'x' in NAME" */
	size_t size;
	const struct schema_field *fields;
	size_t n_fields;
	schema_finish_fn finish;
};

/* A name defined or referred to, for cross-reference checks after loading. */
struct schema_sym {
	int kind;
	const char *name;
	const char *file;
	int line, col;
};

struct schema_ctx {
	struct diags *diags;
	struct arena *arena;      /* where loaded values live */
	const char *file;         /* current file, for messages */
	void *user;               /* the caller's, for hooks */
	schema_check_fn on_string; /* called for every string value, if set */
	/* private: */
	struct schema_sym *defs, *refs;
	size_t n_defs, cap_defs, n_refs, cap_refs;
	size_t *slots;            /* hash of defs: index + 1, 0 empty */
	size_t n_slots;
	size_t visited;           /* nodes walked, bounded like the parser */
};

/* The walk is bounded too: a tree that shares subtrees through aliases is
 * walked once per use, and stops past this many nodes. */
#define SCHEMA_MAX_VISITS 4000000

void schema_ctx_init(struct schema_ctx *ctx, struct diags *d, struct arena *a);
void schema_ctx_release(struct schema_ctx *ctx);

/* Loads n into out (a zeroed struct of obj->size). Problems go to diags;
 * returns the number of errors this call added. */
size_t schema_load(struct schema_ctx *ctx, const char *file, const struct schema_obj *obj,
		   const struct node *n, void *out);

/* For hooks: report at a node (or at no place when n is NULL). */
void schema_error(struct schema_ctx *ctx, const struct node *n, const char *fmt, ...)
	PRINTF_LIKE(3, 4);
void schema_warning(struct schema_ctx *ctx, const struct node *n, const char *fmt, ...)
	PRINTF_LIKE(3, 4);

/* Record a definition (duplicates of the same kind are errors named by
 * `what`) or a reference. name must outlive the context (arena strings). */
void schema_define(struct schema_ctx *ctx, int kind, const char *what, const char *name,
		   const struct node *n);
void schema_refer(struct schema_ctx *ctx, int kind, const char *name, const struct node *n);
bool schema_defined(const struct schema_ctx *ctx, int kind, const char *name);
size_t schema_count_defs(const struct schema_ctx *ctx, int kind);
/* Every reference of ref_kind must name a definition of one of the kinds in
 * def_mask (bit k = kind k); others are errors "unknown WHAT 'x'" with the
 * nearest defined name suggested. */
void schema_check_refs(struct schema_ctx *ctx, int ref_kind, unsigned def_mask,
		       const char *what);

/* The known word nearest to word (edit distance <= 2 or a third of its
 * length), or NULL. */
const char *schema_suggest(const char *word, const char *const *known, size_t n);

#endif
