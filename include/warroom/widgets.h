/* widgets — the console's small drawing parts: text fitted to a display
 * width, word wrap, sparklines, progress bars, state badges and box
 * drawing, each in a UTF-8 and an ASCII form. The text builders are pure
 * (tested without a terminal); the widgets_draw_* helpers put them on a
 * curses window in a theme role. */
#ifndef WARROOM_WIDGETS_H
#define WARROOM_WIDGETS_H

#include <stddef.h>

#include "warroom/theme.h"
#include "warroom/util.h"

/* Display columns of a UTF-8 string (invalid bytes count one each). */
int widgets_width(const char *s);
/* Appends s cut or padded to exactly `width` columns; a cut string ends in
 * an ellipsis ("…" or "~"). align_right pads on the left. */
void widgets_fit(struct strbuf *sb, const char *s, int width, int utf8, int align_right);
/* Splits s into lines of at most `width` columns, at spaces where it can,
 * through words when it must; returns the number of lines (lines[] owned by
 * the caller: free each and the array). */
size_t widgets_wrap(const char *s, int width, char ***lines);
void widgets_lines_free(char **lines, size_t n);

/* One cell per value, scaled between lo and hi (lo == hi: auto from the
 * data). The newest `width` values are drawn. NaN values are gaps. */
void widgets_sparkline(struct strbuf *sb, const double *v, size_t n, double lo, double hi,
		       int width, int utf8);
/* "[#####.....]  50%" filling `width` columns; frac clamped to 0..1. */
void widgets_progress(struct strbuf *sb, double frac, int width, int utf8);

/* A state as colour AND symbol/word, so it reads in monochrome. */
struct widgets_badge {
	const char *state;  /* the state's name in the store */
	const char *symbol_utf8, *symbol_ascii;
	const char *word;   /* short, upper case */
	enum theme_role role;
};
/* The badge of a run/step/check state; an unknown state gets a "?" badge. */
const struct widgets_badge *widgets_badge(const char *state);

/* Box drawing characters for the locale. */
struct widgets_box {
	const char *h, *v, *tl, *tr, *bl, *br, *tee_l, *tee_r;
};
const struct widgets_box *widgets_box(int utf8);

#endif
