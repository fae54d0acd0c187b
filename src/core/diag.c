/* diag — the list of located problems a loader reports. Kept in the order
 * found; printing is the caller's choice so tests can inspect the list. */
#include "warroom/diag.h"

#include <stdarg.h>
#include <stdlib.h>

static const char *const severity_names[] = {
	[DIAG_ERROR] = "error",
	[DIAG_WARNING] = "warning",
	[DIAG_NOTE] = "note",
};

const char *diag_severity_name(enum diag_severity sev)
{
	return (size_t)sev < ARRAY_SIZE(severity_names) ? severity_names[sev] : "?";
}

void diag_add(struct diags *d, enum diag_severity sev, const char *file, int line,
	      int col, const char *fmt, ...)
{
	if (sev == DIAG_ERROR)
		d->errors++;
	else if (sev == DIAG_WARNING)
		d->warnings++;
	if (d->n >= DIAGS_MAX) {
		d->dropped++;
		return;
	}
	struct strbuf sb = {0};
	va_list ap;
	va_start(ap, fmt);
	sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	struct diag g = {
		.sev = sev,
		.file = xstrdup(file ? file : "<input>"),
		.line = line,
		.col = col,
		.msg = sb_detach(&sb),
	};
	VEC_PUSH(d->v, d->n, d->cap, g);
}

void diags_print(const struct diags *d, FILE *out)
{
	for (size_t i = 0; i < d->n; i++) {
		const struct diag *g = &d->v[i];
		if (g->line > 0)
			fprintf(out, "%s:%d:%d: %s: %s\n", g->file, g->line, g->col,
				diag_severity_name(g->sev), g->msg);
		else
			fprintf(out, "%s: %s: %s\n", g->file, diag_severity_name(g->sev), g->msg);
	}
	if (d->dropped)
		fprintf(out, "(%zu more not shown)\n", d->dropped);
	if (d->errors || d->warnings)
		fprintf(out, "%zu error%s, %zu warning%s\n", d->errors, d->errors == 1 ? "" : "s",
			d->warnings, d->warnings == 1 ? "" : "s");
}

void diags_free(struct diags *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].file);
		free(d->v[i].msg);
	}
	free(d->v);
	*d = (struct diags){0};
}
