/* fuzz_accounts — accounts.yaml from untrusted bytes, checked against a
 * fixed plan that defines waves, so wave references are resolved too. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "warroom/plan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char plan[] = "waves:\n"
			   "  - {name: canary, order: 1}\n"
			   "  - {name: ramp, order: 2}\n"
			   "migration_phases: []\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diags d = {0};
	struct program *p = program_load_mem("plan.yaml", plan, strlen(plan), "accounts.yaml",
					      (const char *)data, size, NULL, NULL, 0, &d);
	if (p) {
		const struct account **in_wave;
		size_t n = program_wave_accounts(p, "canary", &in_wave);
		for (size_t i = 0; i < n; i++)
			if (!program_find_account(p, in_wave[i]->id))
				__builtin_trap();
		free(in_wave);
	}
	program_free(p);
	diags_free(&d);
	return 0;
}
