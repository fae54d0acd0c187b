/* node — a parsed document as a tree of scalars, sequences and mappings, each
 * with its line:col. Everything lives in one arena, so building is a pointer
 * bump and freeing a whole document (or the model built from it) is one call. */
#ifndef WARROOM_NODE_H
#define WARROOM_NODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A bump allocator: many small blocks, one free. Not thread-safe. Nodes are
 * kept to 32 bytes and strings unaligned: a 5,000-step plan holds a third of
 * a million nodes, and the memory touched is most of the load's cost. */
struct arena;
struct arena *arena_new(void);
void arena_free(struct arena *a);
void *arena_alloc(struct arena *a, size_t n);   /* zeroed, 16-byte aligned */
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_strdup(struct arena *a, const char *s);
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
size_t arena_bytes(const struct arena *a);      /* held, for limits and benches */
/* Moves every block of `from` into a (freed with it) and frees `from`. */
void arena_adopt(struct arena *a, struct arena *from);

enum node_kind { NODE_SCALAR, NODE_SEQ, NODE_MAP };

struct node_pair {
	struct node *key, *value;
};

struct node {
	int line, col;     /* 1-based, where the node starts */
	uint32_t n;        /* scalar: length; seq: items; map: pairs */
	uint32_t weight;   /* nodes in this subtree, aliases expanded; saturates */
	enum node_kind kind;
	bool quoted;       /* scalar written in quotes or as a block: never null/bool/number */
	bool alias;        /* reached through *alias (shared with its anchor) */
	union {
		const char *str;          /* NODE_SCALAR, NUL-terminated */
		struct node **items;      /* NODE_SEQ */
		struct node_pair *pairs;  /* NODE_MAP */
	} u;
};

/* A parsed file: the root (NULL for an empty document) and its arena. */
struct node_doc {
	struct node *root;
	struct arena *arena;
	const char *file; /* as given to the parser; owned by the arena */
	int parts;        /* pieces parsed at once: 1, or 2 for a big file cut in two;
			     0: read from the tree cache, not parsed */
};

/* Kind names for messages: "a string", "a list", "a mapping". */
const char *node_kind_article(enum node_kind k);
/* A plain (unquoted) empty, "~" or "null" scalar: YAML's null. */
bool node_is_null(const struct node *n);
/* The value of key in a mapping, or NULL. */
const struct node *node_get(const struct node *map, const char *key);
/* Whether two trees are the same to the last place and weight (the two ways
 * of parsing one file must agree); on a difference, where it is goes to why. */
bool node_equal(const struct node *a, const struct node *b, char *why, size_t why_size);
void node_doc_free(struct node_doc *doc);

#endif
