#include "args.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

int
args_size(const char *s, size_t *out)
{
	char *end;
	unsigned long long v;
	unsigned shift = 0;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	}
	if (*end != '\0' || v > ((unsigned long long)(size_t)-1 >> shift))
		return -1;
	*out = (size_t)(v << shift);
	return 0;
}

int
args_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	if (s == NULL || *s == '\0')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int
args_double(const char *s, double *out)
{
	char *end;
	double v;

	if (s == NULL || *s == '\0')
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end != '\0' || !isfinite(v) || v < 0)
		return -1;
	*out = v;
	return 0;
}

int
args_max_event(const char *s, size_t *out, char *why, size_t n)
{
	size_t v;

	if (args_size(s, &v) == -1 || v == 0) {
		snprintf(why, n, "not a size: '%s'", s);
		return -1;
	}
	if (v > (size_t)1 << 30) {
		snprintf(why, n, "'%s' is over the 1G limit", s);
		return -1;
	}
	*out = v;
	return 0;
}
