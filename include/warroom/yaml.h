/* yaml — reads a YAML file into a node tree (node.h), with every libyaml
 * error turned into a file:line:col diagnostic and hostile input bounded:
 * size, nesting depth, node count, alias expansion, duplicate keys. */
#ifndef WARROOM_YAML_H
#define WARROOM_YAML_H

#include <stddef.h>

#include "warroom/diag.h"
#include "warroom/node.h"

struct yaml_limits {
	size_t max_bytes;   /* refused before parsing */
	size_t max_depth;   /* nested lists and mappings */
	size_t max_nodes;   /* nodes built */
	size_t max_expand;  /* nodes reached through aliases, summed over all aliases */
	size_t split_bytes; /* from this size a file is parsed in two halves at once
			       when it can be cut cleanly (0: never) */
	size_t cache_bytes; /* from this size a clean parse's tree is kept in
			       the tree cache and read back while the bytes
			       are the same (treecache.h; 0: never) */
};

/* The documented limits (docs/plan-format.md). */
#define YAML_MAX_BYTES (32u * 1024 * 1024)
#define YAML_MAX_DEPTH 64
#define YAML_MAX_NODES 2000000
#define YAML_MAX_EXPAND 1000000
#define YAML_SPLIT_BYTES (256u * 1024) /* below, a second thread costs more than it saves */
#define YAML_CACHE_BYTES (256u * 1024) /* below, parsing costs about what reading a tree does */

extern const struct yaml_limits yaml_default_limits;

/* A big file whose tail is one block list (accounts.yaml's accounts, a
 * plan's phases) is cut before an item of that list and the halves parsed
 * on two threads; the result is used only when both parse cleanly and join
 * into the tree the whole file gives, otherwise the file is parsed whole, so
 * the tree and every diagnostic are the same either way.
 *
 * A file of cache_bytes or more whose tree was kept by an earlier clean
 * parse (same bytes, same limits, same version) is read from the tree cache
 * instead; doc->parts is 0 then. A parse with any diagnostic is not kept, so
 * every diagnostic still comes from libyaml.
 *
 * Parses buf (len bytes; need not be NUL-terminated) named `file` in
 * messages. On success fills doc and returns 0; on any error reports it to
 * d, sets doc->root to NULL and returns -1. An empty file is a document with
 * a NULL root. limits may be NULL for the defaults. When doc->arena is set on
 * entry the tree is built in that arena (the caller's, freed by the caller,
 * so several files and the model built from them share one free); otherwise
 * doc gets its own arena, freed by node_doc_free (and on failure). */
int yaml_doc_parse(const char *file, const char *buf, size_t len,
		   const struct yaml_limits *limits, struct node_doc *doc, struct diags *d);
/* Reads a whole file for parsing, refusing it over max_bytes before reading;
 * problems become diagnostics on the file. Caller frees. */
char *yaml_read_file(const char *path, size_t max_bytes, size_t *len, struct diags *d);
/* The same for a file on disk; the size limit is checked before reading. */
int yaml_doc_parse_file(const char *path, const struct yaml_limits *limits,
			struct node_doc *doc, struct diags *d);

#endif
