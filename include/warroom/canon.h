/* canon — canonical JSON and the content hashes parity compares. Two
 * documents that mean the same thing (keys in another order, other
 * whitespace, 1.0 for 1, 1e3 for 1000, a time with another offset) have the
 * same canonical text and so the same SHA-256.
 *
 * The canonical text: objects with keys sorted by their UTF-8 bytes, no
 * insignificant whitespace, strings escaped only where JSON requires (" \ and
 * control characters, as \n \t ... or \u00xx), integral numbers below 2^53
 * written as integers, other numbers in the shortest form that reads back
 * to the same double, and every string that is an RFC 3339 date-time
 * rewritten in UTC with "Z" and its fractional seconds' trailing zeros
 * trimmed (10:00:00.500+02:00 -> 08:00:00.5Z; .000 disappears). Duplicate
 * keys are refused: they have no one meaning. */
#ifndef WARROOM_CANON_H
#define WARROOM_CANON_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "warroom/util.h"

#define CANON_HASH_LEN 32     /* SHA-256 */
#define CANON_HEX_LEN 65      /* 64 hex digits + NUL */
#define CANON_MAX_DEPTH 512   /* deeper documents are refused, not recursed into */

/* The canonical text of v; NULL with a message (duplicate key, too deep). */
char *canon_json(const cJSON *v, struct err *e);

/* A reusable hasher: keeps its digest context, so hashing a million small
 * documents does not set one up a million times. */
struct canon_hasher;
struct canon_hasher *canon_hasher_new(void);
void canon_hasher_free(struct canon_hasher *h);
/* SHA-256 of canon_json(v), without building the text. 0 or -1. */
int canon_hasher_hash(struct canon_hasher *h, const cJSON *v,
		      unsigned char out[CANON_HASH_LEN], struct err *e);
/* One-off form of the above. */
int canon_hash(const cJSON *v, unsigned char out[CANON_HASH_LEN], struct err *e);
/* Parses text and hashes it; a parse error names the byte offset. */
int canon_hash_text(struct canon_hasher *h, const char *text, size_t len,
		    unsigned char out[CANON_HASH_LEN], struct err *e);
/* One document of a JSON-lines stream: its hash as canon_hash_text gives
 * it, and (id not NULL) its top-level "id" string into id ("" when it has
 * none or it does not fit id_size). Plain documents are hashed straight
 * from the text, without building a cJSON tree. */
int canon_hash_line(struct canon_hasher *h, const char *text, size_t len, char *id,
		    size_t id_size, unsigned char out[CANON_HASH_LEN], struct err *e);
/* Lower-case hex of a hash into out (CANON_HEX_LEN bytes). */
void canon_hex(const unsigned char hash[CANON_HASH_LEN], char out[CANON_HEX_LEN]);

/* A deep copy in canonical form: keys sorted, times normalised. Diffing two
 * such copies shows only differences that change the hash. NULL with a
 * message on duplicate keys or depth. */
cJSON *canon_copy(const cJSON *v, struct err *e);

/* RFC 3339 date-time (offset Z or +-HH:MM, optional fraction; 'T' or ' ')
 * into the canonical UTC form. Returns 1 and fills out (>= 40 bytes) when
 * `s` is one, 0 when it is not a date-time (out untouched). */
int canon_time(const char *s, char *out, size_t size);
/* The canonical text of a number (buf >= 32 bytes). */
void canon_number(double d, char *buf, size_t size);

#endif
