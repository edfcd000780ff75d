/* parse-count.c - an LD_PRELOAD shim for tests/32: counts a process's
 * calls of libjq's jv_parse_sized and jv_object (every JSON text the full
 * path reads: libjq's parser, or lib/jscan's jscan_parse, which makes a
 * jv_object for each object it reads) and writes the count to the file
 * named by $PARSE_COUNT at exit, so a test can tell that the fast path
 * really took a stream's chunks. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

#include <jv.h>

static long calls;

jv
jv_parse_sized(const char *s, int len)
{
	static jv (*real)(const char *, int);

	if (real == NULL)
		*(void **)&real = dlsym(RTLD_NEXT, "jv_parse_sized");
	calls++;
	return real(s, len);
}

jv
jv_object(void)
{
	static jv (*real)(void);

	if (real == NULL)
		*(void **)&real = dlsym(RTLD_NEXT, "jv_object");
	calls++;
	return real();
}

__attribute__((destructor)) static void
report(void)
{
	const char *path = getenv("PARSE_COUNT");
	FILE *f;

	if (path == NULL || (f = fopen(path, "w")) == NULL)
		return;
	fprintf(f, "%ld\n", calls);
	fclose(f);
}
