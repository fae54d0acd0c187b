/* fuzz_roster — roster.yaml from untrusted bytes, checked against a fixed
 * plan whose gate names approvers and a quorum, so role references resolve. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "warroom/plan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char plan[] = "migration_phases:\n"
			   "  - phase_id: p\n"
			   "    validation_gate:\n"
			   "      gate_id: g\n"
			   "      approvers: [SRE Lead]\n"
			   "      quorum: [{role: DBA Lead, count: 1}]\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diags d = {0};
	struct program *p = program_load_mem("plan.yaml", plan, strlen(plan), NULL, NULL, 0,
					      "roster.yaml", (const char *)data, size, &d);
	if (p) {
		size_t n;
		char *const *m = roster_role_members(&p->roster, "SRE Lead", &n);
		for (size_t i = 0; i < n; i++)
			if (!roster_has_role(&p->roster, m[i], "SRE Lead"))
				__builtin_trap();
		(void)roster_is_operator(&p->roster, "root");
	}
	program_free(p);
	diags_free(&d);
	return 0;
}
