/* units — the plan's small value grammars: durations ("500ms", "5m",
 * "2h30m"), percentages ("0.5%") and plain numbers, parsed strictly so a
 * typo is an error rather than a zero. */
#ifndef WARROOM_UNITS_H
#define WARROOM_UNITS_H

#include <stdint.h>

/* "250ms" "30s" "5m" "2h" "1d" "1h30m"; a bare "0" is zero. Returns 0 or -1. */
int units_parse_duration_ms(const char *s, int64_t *ms);
/* "0.5%" -> 0.005; with allow_bare, "0.005" -> 0.005 too. Returns 0 or -1. */
int units_parse_percent(const char *s, int allow_bare, double *fraction);
/* A finite decimal number, whole string. Returns 0 or -1. */
int units_parse_number(const char *s, double *out);
/* Human form of a duration: "850ms", "42s", "3m05s", "2h10m". buf >= 16. */
void units_format_duration(int64_t ms, char *buf, unsigned size);
/* A fraction (0..1) as the whole percent every display of progress shows:
 * rounded to nearest, clamped to 0..100, NaN as 0; 100 only once complete
 * (0.996 is 99), so a step is never shown done before it is. */
int units_whole_percent(double fraction);
/* A count with thousands grouped: "1,000,000". buf >= 32. */
void units_format_count(int64_t n, char *buf, unsigned size);

#endif
