/* units — strict parsers for durations, percentages and numbers as plans
 * write them. Strict because "5 minutes" silently read as 5 ms would be
 * worse than an error at load time. */
#include "warroom/units.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *suffix;
	int64_t ms;
} duration_units[] = {
	{"ms", 1}, {"s", 1000}, {"m", 60000}, {"h", 3600000}, {"d", 86400000},
};

int units_parse_duration_ms(const char *s, int64_t *ms)
{
	if (!s || !*s)
		return -1;
	if (strcmp(s, "0") == 0) {
		*ms = 0;
		return 0;
	}
	int64_t total = 0;
	const char *p = s;
	while (*p) {
		if (!isdigit((unsigned char)*p))
			return -1;
		int64_t n = 0;
		while (isdigit((unsigned char)*p)) {
			n = n * 10 + (*p++ - '0');
			if (n > 1000000000LL)
				return -1;
		}
		size_t best = 0, best_len = 0;
		for (size_t i = 0; i < sizeof(duration_units) / sizeof(duration_units[0]); i++) {
			size_t len = strlen(duration_units[i].suffix);
			if (strncmp(p, duration_units[i].suffix, len) == 0 && len > best_len) {
				best = i;
				best_len = len;
			}
		}
		if (!best_len)
			return -1;
		p += best_len;
		total += n * duration_units[best].ms;
	}
	*ms = total;
	return 0;
}

int units_parse_number(const char *s, double *out)
{
	if (!s || !*s || isspace((unsigned char)*s))
		return -1;
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || *end || !isfinite(v))
		return -1;
	/* strtod accepts hex and "inf"; plans mean decimal. */
	for (const char *p = s; *p; p++)
		if (!strchr("0123456789+-.eE", *p))
			return -1;
	*out = v;
	return 0;
}

int units_parse_percent(const char *s, int allow_bare, double *fraction)
{
	if (!s)
		return -1;
	size_t len = strlen(s);
	if (len > 1 && s[len - 1] == '%') {
		char buf[64];
		if (len - 1 >= sizeof(buf))
			return -1;
		memcpy(buf, s, len - 1);
		buf[len - 1] = '\0';
		double v;
		if (units_parse_number(buf, &v) < 0)
			return -1;
		*fraction = v / 100.0;
		return 0;
	}
	if (!allow_bare)
		return -1;
	return units_parse_number(s, fraction);
}

void units_format_duration(int64_t ms, char *buf, unsigned size)
{
	if (ms < 0)
		ms = 0;
	if (ms < 1000)
		snprintf(buf, size, "%lldms", (long long)ms);
	else if (ms < 60000)
		snprintf(buf, size, "%llds", (long long)(ms / 1000));
	else if (ms < 3600000)
		snprintf(buf, size, "%lldm%02llds", (long long)(ms / 60000),
			 (long long)(ms / 1000 % 60));
	else
		snprintf(buf, size, "%lldh%02lldm", (long long)(ms / 3600000),
			 (long long)(ms / 60000 % 60));
}

int units_whole_percent(double fraction)
{
	if (!(fraction > 0)) /* NaN too */
		return 0;
	if (fraction >= 1)
		return 100;
	int p = (int)(fraction * 100 + 0.5);
	return p > 99 ? 99 : p;
}

void units_format_count(int64_t n, char *buf, unsigned size)
{
	char digits[24], out[32];
	uint64_t v = n < 0 ? 0 - (uint64_t)n : (uint64_t)n;
	int len = snprintf(digits, sizeof(digits), "%llu", (unsigned long long)v);
	size_t k = 0;
	if (n < 0)
		out[k++] = '-';
	for (int i = 0; i < len; i++) {
		if (i && (len - i) % 3 == 0)
			out[k++] = ',';
		out[k++] = digits[i];
	}
	out[k] = '\0';
	snprintf(buf, size, "%s", out);
}
