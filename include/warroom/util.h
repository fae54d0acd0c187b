/* util — allocation that cannot fail silently, growable strings and arrays,
 * errors carried as messages, clocks. The small base every module stands on;
 * it knows nothing of the domain. */
#ifndef WARROOM_UTIL_H
#define WARROOM_UTIL_H

#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))

/* Out of memory is not an error a console can explain: these print and exit. */
void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) PRINTF_LIKE(1, 2);

/* Grow *items so that index `need - 1` fits; capacity doubles. */
#define VEC_RESERVE(items, cap, need)                                          \
	do {                                                                   \
		if ((need) > (cap)) {                                          \
			size_t vec_nc_ = (cap) ? (cap) * 2 : 8;                \
			while (vec_nc_ < (need)) vec_nc_ *= 2;                 \
			(items) = xrealloc((items), vec_nc_ * sizeof(*(items))); \
			(cap) = vec_nc_;                                       \
		}                                                              \
	} while (0)
#define VEC_PUSH(items, n, cap, value)                                         \
	do {                                                                   \
		VEC_RESERVE(items, cap, (n) + 1);                              \
		(items)[(n)++] = (value);                                      \
	} while (0)

/* A growable NUL-terminated string. A zeroed struct is an empty buffer. */
struct strbuf {
	char *buf;
	size_t len, cap;
};
void sb_add(struct strbuf *sb, const char *s, size_t n);
void sb_adds(struct strbuf *sb, const char *s);
void sb_addc(struct strbuf *sb, char c);
void sb_addf(struct strbuf *sb, const char *fmt, ...) PRINTF_LIKE(2, 3);
void sb_vaddf(struct strbuf *sb, const char *fmt, va_list ap);
void sb_reset(struct strbuf *sb);
char *sb_detach(struct strbuf *sb); /* caller frees; never NULL */
void sb_release(struct strbuf *sb);
const char *sb_str(const struct strbuf *sb); /* "" when empty */

/* An error the user will read. Functions that can fail take `struct err *`
 * (may be NULL), fill it, and return -1 (or NULL). */
struct err {
	char msg[1024];
};
int err_set(struct err *e, const char *fmt, ...) PRINTF_LIKE(2, 3);
/* Prefix an existing message: "context: old message". */
int err_wrap(struct err *e, const char *fmt, ...) PRINTF_LIKE(2, 3);

/* Whole file into memory, NUL-terminated; refuses files over max_bytes. */
char *util_read_file(const char *path, size_t max_bytes, size_t *len, struct err *e);
/* The same from an open file (named `name` in messages), left open. */
char *util_read_fd(int fd, const char *name, size_t max_bytes, size_t *len, struct err *e);
/* Asks the kernel to back [p, p+len) with pages now, in one call, instead of
 * one fault a page on first touch (faults cost microseconds each on virtual
 * machines; a console's first frame touched thousands). Best effort: a
 * kernel without MADV_POPULATE_WRITE leaves it to faults. Worth it from a
 * few hundred kilobytes. */
void util_prefault(void *p, size_t len);
/* Write via a temporary file and rename, so readers never see half a file. */
/* Writes all of data to fd, through short writes and EINTR; -1 with errno. */
int util_write_all(int fd, const void *data, size_t len);
int util_write_file_atomic(const char *path, const void *data, size_t len, struct err *e);

/* Clocks. */
int64_t util_now_ms(void);      /* wall clock, ms since the epoch */
int64_t util_mono_ms(void);     /* monotonic, for durations and timeouts */
int64_t util_mono_us(void);
/* ISO 8601 UTC with milliseconds: 2026-11-23T10:52:22.123Z (buf >= 32). */
void util_iso8601(int64_t ms, char *buf, size_t size);

/* Threads. A worker that blocks on the network takes no asynchronous signal
 * (a quit, a resize, a child's exit): those stay with the thread that polls
 * for them. Returns pthread_create's result. */
int util_thread_start(pthread_t *thread, void *(*fn)(void *), void *arg);

/* Strings. */
int util_streq(const char *a, const char *b); /* NULL-safe */
int util_has_prefix(const char *s, const char *prefix);
/* Levenshtein distance, capped: returns cap+1 when it exceeds cap. */
size_t util_edit_distance(const char *a, const char *b, size_t cap);
/* Lower-case hex of n bytes into out (2n+1 bytes). */
void util_hex(const unsigned char *in, size_t n, char *out);

#endif
