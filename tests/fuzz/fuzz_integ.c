/* fuzz_integ — the integration-health answer from untrusted bytes: parsing
 * ends in a report that keeps its own promises (healthy counted right, no
 * more failures than deliveries, a reason for every unhealthy one) or in a
 * message with nothing kept, never a crash. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "warroom/integ.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct integ_report r;
	struct err e = {{0}};
	if (integ_parse((const char *)data, size, &r, &e) < 0) {
		if (!e.msg[0] || r.n || r.items || r.healthy)
			__builtin_trap(); /* silent, or half an answer kept */
		return 0;
	}
	size_t healthy = 0;
	for (size_t i = 0; i < r.n; i++) {
		const struct integ_item *it = &r.items[i];
		if (!it->id || !it->id[0] || !it->name || !it->type || it->failures > it->deliveries ||
		    it->failures < 0 || (it->status != INTEG_HEALTHY) != (it->reason != NULL))
			__builtin_trap();
		healthy += it->status == INTEG_HEALTHY;
	}
	if (healthy != r.healthy || r.n > INTEG_MAX_ITEMS)
		__builtin_trap();
	cJSON *j = integ_report_json(&r, 0);
	if (!j)
		__builtin_trap();
	cJSON_Delete(j);
	integ_report_free(&r);
	return 0;
}
