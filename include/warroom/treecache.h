/* treecache — parsed trees of big YAML files kept on disk by the SHA-256 of
 * their bytes, so a console that opens an unchanged 10,000-account
 * accounts.yaml skips libyaml. A cache only ever saves time: every problem
 * with it (no directory, a damaged file, another version's format) means
 * parsing as if it were not there. */
#ifndef WARROOM_TREECACHE_H
#define WARROOM_TREECACHE_H

#include <stdbool.h>
#include <stddef.h>

#include "warroom/node.h"
#include "warroom/nodepack.h"

struct yaml_limits;

/* What a file's tree is keyed by: its bytes, the limits it was parsed
 * under and the program's version (a parser that changes makes old trees
 * unreachable). */
struct treecache_key {
	unsigned char sha[NODEPACK_KEY_BYTES];
};
void treecache_key(const char *buf, size_t len, const struct yaml_limits *lim,
		   struct treecache_key *k);

/* The tree kept for k, built into a: true and *root set (NULL for an empty
 * document), or false when there is none to use. */
bool treecache_get(const struct treecache_key *k, const struct yaml_limits *lim,
		   struct arena *a, struct node **root);
/* Keeps root's tree for k (best effort, silent). At most TREECACHE_KEEP
 * trees stay; the least recently used go first. */
void treecache_put(const struct treecache_key *k, const struct node *root);
#define TREECACHE_KEEP 16

/* The folder used: $WARROOM_CACHE_DIR, else $XDG_CACHE_HOME/warroom, else
 * ~/.cache/warroom; NULL when WARROOM_CACHE_DIR is "off" or there is no
 * home. Caller frees. */
char *treecache_dir(void);

#endif
