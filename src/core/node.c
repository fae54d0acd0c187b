/* node — the arena behind parsed documents and the models built from them,
 * and small helpers over the tree. One arena per document keeps loading to
 * pointer bumps and makes every free path a single call. */
#include "warroom/node.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "warroom/util.h"

#define ARENA_BLOCK (64u * 1024)
/* Past ARENA_SMALL held, blocks are ARENA_BIG, mapped on huge-page bounds:
 * a big plan's tree is tens of megabytes, and touching it a 4 KiB page at a
 * time cost more than building it (half the load, in the benchmark). */
#define ARENA_SMALL (1024u * 1024)
#define ARENA_BIG (4u * 1024 * 1024)
#define HUGE_PAGE (2u * 1024 * 1024)

struct arena_block {
	struct arena_block *next;
	size_t size, used;
	size_t mapped; /* bytes mapped with mmap (0: from malloc) */
	_Alignas(16) unsigned char data[];
};

/* A block of `size` usable bytes: small ones from malloc, big ones mapped
 * whole and aligned so the kernel may back them with huge pages. */
static struct arena_block *block_new(size_t size)
{
	size_t total = sizeof(struct arena_block) + size;
	if (total >= ARENA_BIG) {
		size_t len = (total + HUGE_PAGE - 1) & ~(size_t)(HUGE_PAGE - 1);
		unsigned char *m = mmap(NULL, len + HUGE_PAGE, PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m != MAP_FAILED) {
			uintptr_t at = ((uintptr_t)m + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1);
			unsigned char *start = (unsigned char *)at;
			if (start > m)
				munmap(m, (size_t)(start - m));
			size_t tail = (size_t)(m + len + HUGE_PAGE - (start + len));
			if (tail)
				munmap(start + len, tail);
#ifdef MADV_HUGEPAGE
			(void)madvise(start, len, MADV_HUGEPAGE); /* a hint; small pages without */
#endif
			struct arena_block *b = (struct arena_block *)start;
			b->mapped = len;
			return b;
		}
	}
	struct arena_block *b = xmalloc(total);
	b->mapped = 0;
	return b;
}

static void block_free(struct arena_block *b)
{
	if (b->mapped)
		munmap(b, b->mapped);
	else
		free(b);
}

struct arena {
	struct arena_block *head;
	size_t bytes;
};

struct arena *arena_new(void)
{
	return xcalloc(1, sizeof(struct arena));
}

void arena_free(struct arena *a)
{
	if (!a)
		return;
	struct arena_block *b = a->head;
	while (b) {
		struct arena_block *next = b->next;
		block_free(b);
		b = next;
	}
	free(a);
}

/* n bytes at the given alignment (1 for strings, 16 for the rest). */
static void *arena_raw(struct arena *a, size_t n, size_t align)
{
	struct arena_block *b = a->head;
	if (b)
		b->used = (b->used + align - 1) & ~(align - 1);
	if (!b || b->used > b->size || b->size - b->used < n) {
		/* A request bigger than a block gets its own, behind the current
		 * head, so the head's free space is not wasted. */
		size_t base = a->bytes < ARENA_SMALL ? ARENA_BLOCK
						     : ARENA_BIG - sizeof(struct arena_block);
		size_t size = n > base / 4 ? n : base;
		struct arena_block *nb = block_new(size);
		nb->size = size;
		nb->used = 0;
		a->bytes += sizeof(*nb) + size;
		if (b && size != base) {
			nb->next = b->next;
			b->next = nb;
		} else {
			nb->next = b;
			a->head = nb;
		}
		b = nb;
	}
	void *p = b->data + b->used;
	b->used += n;
	return p;
}

void *arena_alloc(struct arena *a, size_t n)
{
	void *p = arena_raw(a, n, 16);
	memset(p, 0, n);
	return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_raw(a, n + 1, 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

/* Behind the head, so the head's free space stays in use. */
char *arena_printf(struct arena *a, const char *fmt, ...)
{
	char buf[256]; /* most strings fit: one format pass, one copy */
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return arena_strdup(a, "");
	if ((size_t)n < sizeof(buf))
		return arena_strndup(a, buf, (size_t)n);
	char *s = arena_raw(a, (size_t)n + 1, 1);
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}

void arena_adopt(struct arena *a, struct arena *from)
{
	if (!from)
		return;
	struct arena_block *last = from->head;
	if (last) {
		while (last->next)
			last = last->next;
		if (a->head) {
			last->next = a->head->next;
			a->head->next = from->head;
		} else {
			a->head = from->head;
		}
	}
	a->bytes += from->bytes;
	free(from);
}

size_t arena_bytes(const struct arena *a)
{
	return a ? a->bytes : 0;
}

const char *node_kind_article(enum node_kind k)
{
	static const char *const names[] = {
		[NODE_SCALAR] = "a scalar",
		[NODE_SEQ] = "a list",
		[NODE_MAP] = "a mapping",
	};
	return (size_t)k < ARRAY_SIZE(names) ? names[k] : "?";
}

bool node_is_null(const struct node *n)
{
	if (!n)
		return true;
	/* asked of every value of a load: the spellings are 0, 1 or 4 long */
	if (n->kind != NODE_SCALAR || n->quoted || n->n == 2 || n->n == 3 || n->n > 4)
		return false;
	static const char *const nulls[] = {"", "~", "null", "Null", "NULL"};
	for (size_t i = 0; i < ARRAY_SIZE(nulls); i++)
		if (strcmp(n->u.str, nulls[i]) == 0)
			return true;
	return false;
}

const struct node *node_get(const struct node *map, const char *key)
{
	if (!map || map->kind != NODE_MAP)
		return NULL;
	for (size_t i = 0; i < map->n; i++) {
		const struct node *k = map->u.pairs[i].key;
		if (k->kind == NODE_SCALAR && strcmp(k->u.str, key) == 0)
			return map->u.pairs[i].value;
	}
	return NULL;
}

bool node_equal(const struct node *a, const struct node *b, char *why, size_t why_size)
{
	if (!a || !b) {
		if (a != b)
			snprintf(why, why_size, "one tree ends where the other has a node at %d:%d",
				 a ? a->line : b->line, a ? a->col : b->col);
		return a == b;
	}
	if (a->kind != b->kind || a->line != b->line || a->col != b->col || a->n != b->n ||
	    a->quoted != b->quoted || a->alias != b->alias || a->weight != b->weight ||
	    (a->kind == NODE_SCALAR && memcmp(a->u.str, b->u.str, a->n) != 0)) {
		snprintf(why, why_size,
			 "%s at %d:%d (%u long, weight %u) differs from %s at %d:%d (%u long, weight %u)",
			 node_kind_article(a->kind), a->line, a->col, a->n, a->weight,
			 node_kind_article(b->kind), b->line, b->col, b->n, b->weight);
		return false;
	}
	for (uint32_t i = 0; i < a->n && a->kind != NODE_SCALAR; i++) {
		bool same = a->kind == NODE_SEQ
				    ? node_equal(a->u.items[i], b->u.items[i], why, why_size)
				    : node_equal(a->u.pairs[i].key, b->u.pairs[i].key, why, why_size) &&
					      node_equal(a->u.pairs[i].value, b->u.pairs[i].value, why,
							 why_size);
		if (!same)
			return false;
	}
	return true;
}

void node_doc_free(struct node_doc *doc)
{
	if (!doc)
		return;
	arena_free(doc->arena);
	*doc = (struct node_doc){0};
}
