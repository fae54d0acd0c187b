/* fuzz_plan — plan.yaml from untrusted bytes: the YAML reader, the schema
 * walk and every cross-check must end in a model or in messages, never in a
 * crash, a hang or unbounded memory. */
#include <stddef.h>
#include <stdint.h>

#include "warroom/plan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diags d = {0};
	struct program *p = program_load_mem("plan.yaml", (const char *)data, size, NULL, NULL, 0,
					      NULL, NULL, 0, &d);
	if (p) {
		/* The lookups the engine uses must hold on whatever loaded. */
		for (size_t i = 0; i < p->plan->n_phases; i++) {
			const struct plan_phase *ph = &p->plan->phases[i];
			if (plan_find_phase(p->plan, ph->phase_id) == NULL)
				__builtin_trap();
			for (size_t j = 0; j < ph->n_steps; j++)
				if (!plan_find_step(p->plan, ph->steps[j].step_id, NULL))
					__builtin_trap();
		}
	}
	program_free(p);
	diags_free(&d);
	return 0;
}
