/* fuzz_yaml_split — a file parsed whole and parsed in two halves (the cut a
 * big accounts.yaml takes) must give the same tree and the same diagnostics:
 * the split is an optimisation, never a second reading of the file. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "warroom/yaml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct yaml_limits whole = yaml_default_limits, cut = yaml_default_limits;
	whole.split_bytes = 0;
	cut.split_bytes = 1; /* every input large enough to have a list tail is cut */
	whole.max_nodes = cut.max_nodes = 20000; /* keep a run short; the limit still applies */
	struct diags d1 = {0}, d2 = {0};
	struct node_doc a = {0}, b = {0};
	int r1 = yaml_doc_parse("f.yaml", (const char *)data, size, &whole, &a, &d1);
	int r2 = yaml_doc_parse("f.yaml", (const char *)data, size, &cut, &b, &d2);
	char why[256] = "";
	if (r1 != r2 || d1.n != d2.n || !node_equal(a.root, b.root, why, sizeof(why))) {
		fprintf(stderr, "whole %d (%zu diags) vs halves %d (%zu diags): %s\n", r1, d1.n, r2,
			d2.n, why);
		__builtin_trap();
	}
	for (size_t i = 0; i < d1.n; i++) {
		const struct diag *p = &d1.v[i], *q = &d2.v[i];
		if (p->sev != q->sev || p->line != q->line || p->col != q->col ||
		    strcmp(p->msg, q->msg)) {
			fprintf(stderr, "diagnostic %zu differs:\n  %d:%d: %s\n  %d:%d: %s\n", i,
				p->line, p->col, p->msg, q->line, q->col, q->msg);
			__builtin_trap();
		}
	}
	node_doc_free(&a);
	node_doc_free(&b);
	diags_free(&d1);
	diags_free(&d2);
	return 0;
}
