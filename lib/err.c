#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *progname = "llmpipe";
static const char *usage_synopsis;

void
err_init(char *argv[])
{
	char *slash;

	if (argv[0] == NULL || *argv[0] == '\0')
		return;
	slash = strrchr(argv[0], '/');
	if (slash != NULL)
		argv[0] = slash + 1; /* so getopt's messages name it the same */
	progname = argv[0];
}

static void
vwarn(const char *fmt, va_list ap)
{
	char msg[1024];

	/* One fprintf per message so lines from parallel tools do not mix. */
	vsnprintf(msg, sizeof msg, fmt, ap);
	fprintf(stderr, "%s: %s\n", progname, msg);
}

void
die(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn(fmt, ap);
	va_end(ap);
	exit(status);
}

void
warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn(fmt, ap);
	va_end(ap);
}

void
usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn(fmt, ap);
	va_end(ap);
	usage_hint();
}

void
err_usage(const char *usage_text)
{
	usage_synopsis = usage_text;
}

/* synopsis_len is the length of the synopsis at the start of text: the
 * "Usage:" line and each following line that is blanks and the tool's
 * name (an alternative form). */
static size_t
synopsis_len(const char *text)
{
	const char *p = text, *nl;
	size_t n = strlen(progname);

	if (strncmp(p, "Usage:", 6) != 0)
		return 0;
	for (;;) {
		nl = strchr(p, '\n');
		if (nl == NULL)
			return strlen(text);
		p = nl + 1;
		while (*p == ' ' || *p == '\t')
			p++;
		if (p == nl + 1 || strncmp(p, progname, n) != 0 || p[n] != ' ')
			return (size_t)(nl + 1 - text);
	}
}

void
usage_hint(void)
{
	size_t n = usage_synopsis ? synopsis_len(usage_synopsis) : 0;

	if (n > 0)
		fprintf(stderr, "%.*s%s", (int)n, usage_synopsis,
		    usage_synopsis[n - 1] == '\n' ? "" : "\n");
	fprintf(stderr, "Try '%s --help' for more information.\n", progname);
	exit(LP_EXIT_USAGE);
}
