/* fuzz_source_pagerduty — a list page from untrusted bytes, for every
 * endpoint of the source (the first byte picks one), or with the first
 * byte's high bit set a single-item answer of the entity type its low bits
 * pick: parsing ends in mapped items or in a message, never a crash; a
 * refused page leaves the sink and the cursor exactly as they were. fuzz_source_rootly.c and
 * fuzz_source_incidentio.c are this file with another FUZZ_SOURCE. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "warroom/source.h"

#ifndef FUZZ_SOURCE
#define FUZZ_SOURCE SOURCE_PAGERDUTY
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A single-item answer ({"service": {...}}, {"data": {...}}): mapped whole
 * (the one entity, with its verdict and provenance) or refused untouched. */
static int one_item(const uint8_t *data, size_t size)
{
	enum entity_type t = (enum entity_type)((data[0] & 0x7f) % ENTITY_TYPE_COUNT);
	struct entity_set set = {0};
	struct verdict_list v = {0};
	struct source_sink sink = {&set, &v, FUZZ_SOURCE, "https://example.test", 1};
	struct err e = {{0}};
	int rc = source_parse_one(FUZZ_SOURCE, t, (const char *)data + 1, size - 1, &sink, &e);
	if (rc < 0 && (!e.msg[0] || set.n || v.n))
		__builtin_trap(); /* silent, or half an answer kept */
	if (rc == 0 && v.n < set.n)
		__builtin_trap(); /* an entity without a verdict */
	for (size_t i = 0; rc == 0 && i < set.n; i++)
		if (!set.items[i]->id[0] || !set.items[i]->prov.system || !set.items[i]->prov.url)
			__builtin_trap(); /* lost its id or its provenance */
	entity_set_free(&set);
	verdict_list_free(&v);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (data[0] & 0x80)
		return one_item(data, size);
	size_t n;
	const struct source_endpoint_info *eps = source_endpoints(FUZZ_SOURCE, &n);
	size_t ep = data[0] % n;
	/* a per-parent list ("/teams/{id}/members") only feeds its parent */
	int parent_fed = strchr(eps[ep].path, '{') != NULL;
	struct entity_set set = {0};
	struct verdict_list v = {0};
	struct source_sink sink = {&set, &v, FUZZ_SOURCE, "https://example.test", 1};
	struct source_cursor c = {.offset = 7, .page = 3};
	struct err e = {{0}};
	int rc = source_parse_page(FUZZ_SOURCE, ep, (const char *)data + 1, size - 1, &sink, &c, &e);
	if (rc < 0) {
		if (!e.msg[0] || set.n || v.n || c.offset != 7 || c.page != 3 || c.after)
			__builtin_trap(); /* silent, or half a page kept */
	} else if (!parent_fed) {
		if (v.n < set.n)
			__builtin_trap(); /* an entity without a verdict */
		for (size_t i = 0; i < set.n; i++) {
			const struct entity *en = set.items[i];
			if (!en->id || !en->id[0] || !en->prov.system || strcmp(en->id, en->prov.source_id))
				__builtin_trap(); /* lost its id or its provenance */
		}
	}
	source_cursor_reset(&c);
	entity_set_free(&set);
	verdict_list_free(&v);
	return 0;
}
