/* widgets — text measured in display columns (wcwidth), not bytes, so
 * accounts named in any script line up; block-element sparklines with an
 * ASCII fallback for terminals whose locale is not UTF-8. */
#include "warroom/widgets.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "warroom/units.h"

/* Decodes one UTF-8 sequence; returns its length (1 for an invalid byte,
 * whose *wc is then U+FFFD). */
static size_t utf8_next(const char *s, wchar_t *wc)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t len;
	unsigned cp;
	if (u[0] < 0x80) {
		*wc = u[0];
		return 1;
	} else if ((u[0] & 0xe0) == 0xc0) {
		len = 2;
		cp = u[0] & 0x1f;
	} else if ((u[0] & 0xf0) == 0xe0) {
		len = 3;
		cp = u[0] & 0x0f;
	} else if ((u[0] & 0xf8) == 0xf0) {
		len = 4;
		cp = u[0] & 0x07;
	} else {
		*wc = 0xfffd;
		return 1;
	}
	for (size_t i = 1; i < len; i++) {
		if ((u[i] & 0xc0) != 0x80) {
			*wc = 0xfffd;
			return 1;
		}
		cp = (cp << 6) | (u[i] & 0x3f);
	}
	*wc = (wchar_t)cp;
	return len;
}

static int char_width(wchar_t wc)
{
	if (wc < 0x20 || wc == 0x7f)
		return 1; /* drawn as a placeholder */
	int w = wcwidth(wc);
	return w < 0 ? 1 : w;
}

int widgets_width(const char *s)
{
	int w = 0;
	wchar_t wc;
	while (*s) {
		s += utf8_next(s, &wc);
		w += char_width(wc);
	}
	return w;
}

/* Appends one character; control characters become '?' so a hostile value
 * cannot move the cursor or change the terminal's state. */
/* Without a UTF-8 locale the symbols the console itself uses get their
 * ASCII forms; any other non-ASCII character becomes '?'. */
static const struct {
	wchar_t wc;
	char ascii;
} ascii_forms[] = {
	{0x2014, '-'}, {0x2013, '-'}, {0x2026, '~'}, {0x00b7, '.'}, {0x2713, '+'},
	{0x2717, 'x'}, {0x25b6, '>'}, {0x2502, '|'}, {0x2500, '-'}, {0x25cb, 'o'},
};

static void add_char(struct strbuf *sb, const char *s, size_t len, wchar_t wc, int utf8)
{
	if (wc < 0x20 || wc == 0x7f || wc == 0xfffd || (wc >= 0x80 && wc < 0xa0)) {
		sb_addc(sb, '?');
	} else if (!utf8 && wc >= 0x80) {
		char c = '?';
		for (size_t i = 0; i < ARRAY_SIZE(ascii_forms); i++)
			if (ascii_forms[i].wc == wc)
				c = ascii_forms[i].ascii;
		sb_addc(sb, c);
	} else {
		sb_add(sb, s, len);
	}
}

static void fit(struct strbuf *sb, const char *s, int width, const char *ellipsis, int align_right)
{
	if (width <= 0)
		return;
	if (!s)
		s = "";
	int total = widgets_width(s);
	if (total <= width) {
		if (align_right)
			for (int i = total; i < width; i++)
				sb_addc(sb, ' ');
		wchar_t wc;
		while (*s) {
			size_t len = utf8_next(s, &wc);
			add_char(sb, s, len, wc, 1);
			s += len;
		}
		if (!align_right)
			for (int i = total; i < width; i++)
				sb_addc(sb, ' ');
		return;
	}
	int w = 0;
	wchar_t wc;
	while (*s) {
		size_t len = utf8_next(s, &wc);
		int cw = char_width(wc);
		if (w + cw > width - 1)
			break;
		add_char(sb, s, len, wc, 1);
		w += cw;
		s += len;
	}
	sb_adds(sb, ellipsis);
	for (w++; w < width; w++)
		sb_addc(sb, ' ');
}

void widgets_fit(struct strbuf *sb, const char *s, int width, int utf8, int align_right)
{
	if (width <= 0)
		return;
	if (utf8) {
		fit(sb, s ? s : "", width, "\xe2\x80\xa6", align_right);
		return;
	}
	/* ASCII forms first, so every character is one column when fitting */
	struct strbuf ascii = {0};
	wchar_t wc;
	for (const char *p = s ? s : ""; *p;) {
		size_t len = utf8_next(p, &wc);
		add_char(&ascii, p, len, wc, 0);
		p += len;
	}
	fit(sb, sb_str(&ascii), width, "~", align_right);
	sb_release(&ascii);
}

size_t widgets_wrap(const char *s, int width, char ***lines)
{
	size_t n = 0, cap = 0;
	*lines = NULL;
	if (width < 1)
		width = 1;
	if (!s)
		s = "";
	do {
		/* one line: as many characters as fit, then back up to a space */
		const char *p = s, *last_space = NULL;
		int w = 0;
		wchar_t wc;
		while (*p && *p != '\n') {
			size_t len = utf8_next(p, &wc);
			int cw = char_width(wc);
			if (w + cw > width)
				break;
			if (wc == ' ')
				last_space = p;
			w += cw;
			p += len;
		}
		const char *end = p;
		if (*p && *p != '\n' && last_space && last_space > s)
			end = last_space;
		if (end == s && *p && *p != '\n') /* a character wider than the line */
			end = s + utf8_next(s, &wc);
		VEC_PUSH(*lines, n, cap, xstrndup(s, (size_t)(end - s)));
		s = end;
		if (*s == ' ' || *s == '\n')
			s++;
	} while (*s);
	return n;
}

void widgets_lines_free(char **lines, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
}

static const char *const spark_utf8[] = {
	"\xe2\x96\x81", "\xe2\x96\x82", "\xe2\x96\x83", "\xe2\x96\x84",
	"\xe2\x96\x85", "\xe2\x96\x86", "\xe2\x96\x87", "\xe2\x96\x88",
};
static const char spark_ascii[] = "_.-~=+*#";

void widgets_sparkline(struct strbuf *sb, const double *v, size_t n, double lo, double hi,
		       int width, int utf8)
{
	if (width <= 0)
		return;
	size_t start = n > (size_t)width ? n - (size_t)width : 0;
	if (lo == hi) {
		int any = 0;
		for (size_t i = start; i < n; i++) {
			if (isnan(v[i]))
				continue;
			if (!any || v[i] < lo)
				lo = v[i];
			if (!any || v[i] > hi)
				hi = v[i];
			any = 1;
		}
	}
	int drawn = 0;
	for (size_t i = start; i < n; i++, drawn++) {
		if (isnan(v[i])) {
			sb_addc(sb, ' ');
			continue;
		}
		int level = 0;
		if (hi > lo) {
			double f = (v[i] - lo) / (hi - lo);
			f = f < 0 ? 0 : f > 1 ? 1 : f;
			level = (int)lround(f * 7);
		} else if (v[i] > 0) {
			level = 3; /* a flat, non-zero series draws mid-height */
		}
		if (utf8)
			sb_adds(sb, spark_utf8[level]);
		else
			sb_addc(sb, spark_ascii[level]);
	}
	for (; drawn < width; drawn++)
		sb_addc(sb, ' ');
}

void widgets_progress(struct strbuf *sb, double frac, int width, int utf8)
{
	if (isnan(frac) || frac < 0)
		frac = 0;
	if (frac > 1)
		frac = 1;
	/* the runner's output says the same percent (units_whole_percent) */
	int pct = units_whole_percent(frac);
	int bar = width - 7; /* "[" "]" and " 100%" */
	if (bar < 1) {
		sb_addf(sb, "%*d%%", width > 1 ? width - 1 : 0, pct);
		return;
	}
	int full = pct * bar / 100; /* the bar is full only at 100 % */
	sb_addc(sb, '[');
	for (int i = 0; i < bar; i++) {
		if (utf8)
			sb_adds(sb, i < full ? "\xe2\x96\x88" : "\xc2\xb7");
		else
			sb_addc(sb, i < full ? '#' : '.');
	}
	sb_addf(sb, "] %3d%%", pct);
}

static const struct widgets_badge badges[] = {
	{"pending", "\xc2\xb7", ".", "TODO", ROLE_PENDING},
	{"running", "\xe2\x96\xb6", ">", "RUN", ROLE_RUNNING},
	{"succeeded", "\xe2\x9c\x93", "+", "OK", ROLE_OK},
	{"failed", "\xe2\x9c\x97", "x", "FAIL", ROLE_FAIL},
	{"rolling_back", "\xe2\x86\xba", "<", "RBK", ROLE_WARN},
	{"rolled_back", "\xe2\x86\xa9", "<", "RBKD", ROLE_WARN},
	{"skipped", "\xe2\x80\x93", "-", "SKIP", ROLE_DIM},
	{"unknown", "?", "?", "UNKN", ROLE_FAIL},
	{"halted", "\xe2\x96\xa0", "#", "HALT", ROLE_FAIL},
	{"postponed", "\xe2\x80\x96", "=", "POST", ROLE_WARN},
	{"waiting", "\xe2\x80\xa6", "~", "WAIT", ROLE_WARN},
	{"completed", "\xe2\x9c\x93", "+", "DONE", ROLE_OK},
	{"done", "\xe2\x9c\x93", "+", "DONE", ROLE_OK},
	{"idle", "\xc2\xb7", ".", "IDLE", ROLE_PENDING},
	{"passed", "\xe2\x9c\x93", "+", "PASS", ROLE_OK},
	{"successful", "\xe2\x9c\x93", "+", "PASS", ROLE_OK},
	{"inconclusive", "?", "?", "INCON", ROLE_WARN},
	{"Successful", "\xe2\x9c\x93", "+", "PASS", ROLE_OK},
	{"Failed", "\xe2\x9c\x97", "x", "FAIL", ROLE_FAIL},
	{"Inconclusive", "?", "?", "INCON", ROLE_WARN},
	{"signed", "\xe2\x9c\x93", "+", "SIGNED", ROLE_OK},
	{"rejected", "\xe2\x9c\x97", "x", "REJECTED", ROLE_FAIL},
	{"stale", "!", "!", "STALE", ROLE_WARN},
	{"expired", "!", "!", "EXPIRED", ROLE_FAIL},
	{"open", "\xe2\x97\x8b", "o", "OPEN", ROLE_WARN},
	{"closed", "\xe2\x80\x93", "-", "CLOSED", ROLE_DIM},
};
static const struct widgets_badge badge_unknown = {"", "?", "?", "?", ROLE_DIM};

const struct widgets_badge *widgets_badge(const char *state)
{
	if (state)
		for (size_t i = 0; i < ARRAY_SIZE(badges); i++)
			if (!strcmp(badges[i].state, state))
				return &badges[i];
	return &badge_unknown;
}

static const struct widgets_box box_utf8 = {
	"\xe2\x94\x80", "\xe2\x94\x82", "\xe2\x94\x8c", "\xe2\x94\x90",
	"\xe2\x94\x94", "\xe2\x94\x98", "\xe2\x94\x9c", "\xe2\x94\xa4",
};
static const struct widgets_box box_ascii = {"-", "|", "+", "+", "+", "+", "+", "+"};

const struct widgets_box *widgets_box(int utf8)
{
	return utf8 ? &box_utf8 : &box_ascii;
}
