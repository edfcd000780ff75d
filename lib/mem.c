#include "mem.h"
#include "err.h"

#include <jv.h>
#include <stdlib.h>
#include <string.h>

static long fail_at = -1; /* LLMPIPE_FAIL_ALLOC: fail this allocation */
static long alloc_count;

static void *
checked(void *p, size_t n)
{
	if (fail_at >= 0 && ++alloc_count == fail_at) {
		free(p);
		p = NULL;
	}
	if (p == NULL && n != 0)
		die(LP_EXIT_FAIL, "out of memory");
	return p;
}

void *
xmalloc(size_t n)
{
	return checked(malloc(n ? n : 1), 1);
}

void *
xcalloc(size_t n, size_t size)
{
	return checked(calloc(n ? n : 1, size ? size : 1), 1);
}

void *
xrealloc(void *p, size_t n)
{
	void *q;

	if (fail_at >= 0 && alloc_count + 1 == fail_at) {
		alloc_count++;
		die(LP_EXIT_FAIL, "out of memory");
	}
	q = realloc(p, n ? n : 1);
	if (q == NULL)
		die(LP_EXIT_FAIL, "out of memory");
	return q;
}

char *
xmemdup(const void *p, size_t n)
{
	char *s = xmalloc(n + 1);

	memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

char *
xstrdup(const char *s)
{
	return xmemdup(s, strlen(s));
}

static void
jv_nomem(void *data)
{
	(void)data;
	die(LP_EXIT_FAIL, "out of memory (in libjq)");
}

void
mem_init(void)
{
	const char *s = getenv("LLMPIPE_FAIL_ALLOC");

	if (s != NULL && *s != '\0')
		fail_at = strtol(s, NULL, 10);
	jv_nomem_handler(jv_nomem, NULL);
}
