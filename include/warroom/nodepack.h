/* nodepack — a parsed tree (node.h) as one flat blob and back: the form the
 * YAML tree cache keeps on disk, so a big file that has not changed is not
 * parsed again. The blob holds nodes, child lists and strings by offset and
 * a SHA-256 of itself; reading checks every offset, so a damaged or hostile
 * blob is refused with a message, never followed. */
#ifndef WARROOM_NODEPACK_H
#define WARROOM_NODEPACK_H

#include <stddef.h>

#include "warroom/node.h"
#include "warroom/util.h"

#define NODEPACK_KEY_BYTES 32

/* What a blob read back may hold, so a blob cannot describe a tree the
 * parser would have refused: nesting depth, and nodes reached with aliases
 * expanded (the root's weight). */
struct nodepack_limits {
	size_t max_depth;
	size_t max_weight;
};

/* Packs the tree under root (NULL: an empty document) into out, tagged
 * with key (what the tree was made from; reading asks for the same key).
 * Shared subtrees (YAML aliases) stay shared. Returns 0, or -1 when the tree
 * is too big for the format's 32-bit offsets. */
int nodepack_write(const struct node *root, const unsigned char key[NODEPACK_KEY_BYTES],
		   struct strbuf *out, struct err *e);

/* Stamps blob with key and (re)computes its checksum: what writing ends
 * with, and how a test or fuzz target makes a changed blob reach the checks
 * behind the checksum. A blob shorter than a head is left alone. */
void nodepack_seal(void *blob, size_t len, const unsigned char key[NODEPACK_KEY_BYTES]);

/* Rebuilds a tree from blob into arena a: *root is its root (NULL for an
 * empty document). Returns 0, or -1 with why in e when the blob is not one
 * nodepack_write made for key, or breaks the limits; nothing is left in a
 * that matters then (the arena keeps what it took until it is freed). */
int nodepack_read(const void *blob, size_t len, const unsigned char key[NODEPACK_KEY_BYTES],
		  const struct nodepack_limits *lim, struct arena *a, struct node **root,
		  struct err *e);

#endif
