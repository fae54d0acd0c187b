/* fuzz_nodepack — a tree cache file is outside input (anyone's disk can
 * damage it). The input is taken as a blob, resealed so it gets past the
 * checksum to the structural checks: reading must refuse it or give a tree
 * that packs and reads back equal. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "warroom/nodepack.h"
#include "warroom/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const unsigned char key[NODEPACK_KEY_BYTES] = {'f', 'u', 'z', 'z'};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* small limits keep a run short; they are checked all the same */
	const struct nodepack_limits lim = {16, 100000};
	unsigned char *blob = xmalloc(size ? size : 1);
	memcpy(blob, data, size);
	nodepack_seal(blob, size, key);
	struct arena *a = arena_new();
	struct node *root = NULL;
	struct err e = {{0}};
	if (nodepack_read(blob, size, key, &lim, a, &root, &e) == 0) {
		struct strbuf sb = {0};
		if (nodepack_write(root, key, &sb, &e) < 0) {
			fprintf(stderr, "a tree read back does not pack: %s\n", e.msg);
			__builtin_trap();
		}
		struct arena *b = arena_new();
		struct node *again = NULL;
		char why[256] = "";
		if (nodepack_read(sb.buf, sb.len, key, &lim, b, &again, &e) < 0 ||
		    !node_equal(root, again, why, sizeof(why))) {
			fprintf(stderr, "a tree read back differs once repacked: %s %s\n", e.msg, why);
			__builtin_trap();
		}
		arena_free(b);
		sb_release(&sb);
	}
	arena_free(a);
	free(blob);
	return 0;
}
