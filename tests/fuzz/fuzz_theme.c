/* fuzz_theme — a theme file from untrusted bytes: loading must end in a
 * theme or in line:col diagnostics, never a crash; a loaded theme's colours
 * are all in the palette, and every colour maps down to 16 and 8 colours. */
#include <stddef.h>
#include <stdint.h>

#include "warroom/theme.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diags d = {0};
	struct theme t;
	int rc = theme_load_text("fuzz.yaml", (const char *)data, size, &t, &d);
	if (rc == 0 && d.errors)
		__builtin_trap(); /* loaded despite errors */
	if (rc < 0 && !d.errors)
		__builtin_trap(); /* refused without saying why */
	for (int r = 0; r < ROLE__COUNT; r++) {
		const struct theme_style *s = &t.style[r];
		if (s->fg < -1 || s->fg > 255 || s->bg < -1 || s->bg > 255)
			__builtin_trap();
		unsigned attrs = s->attrs;
		short c16 = theme_map_color(s->fg, 16, &attrs);
		short c8 = theme_map_color(s->bg, 8, &attrs);
		if (c16 < -1 || c16 > 15 || c8 < -1 || c8 > 7)
			__builtin_trap();
	}
	theme_free(&t);
	diags_free(&d);
	return 0;
}
