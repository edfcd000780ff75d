#include "err.h"
#include "out.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *progname = "llmpipe";

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
print_version(void)
{
	char line[256];
	int n;

	n = snprintf(line, sizeof line, "%s (llmpipe) %s\n", progname,
	    LLMPIPE_VERSION);
	out_write(line, (size_t)n);
	out_close();
	exit(LP_EXIT_OK);
}

void
print_help(const char *usage_text)
{
	out_puts(usage_text);
	out_close();
	exit(LP_EXIT_OK);
}

void
usage_hint(void)
{
	fprintf(stderr, "Try '%s --help' for more information.\n", progname);
	exit(LP_EXIT_USAGE);
}
