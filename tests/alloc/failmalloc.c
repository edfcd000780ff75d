/* failmalloc.c - LD_PRELOAD shim for allocation-failure tests.
 *
 * Counts every malloc, calloc, realloc, strdup, strndup, posix_memalign,
 * aligned_alloc and memalign call of the process (libraries included) and
 * makes one of them fail with ENOMEM:
 *
 *   FAILMALLOC_N=N        the N-th allocation (1-based) returns NULL, once;
 *                         later ones succeed again (set FAILMALLOC_STICKY=1
 *                         to fail every allocation from the N-th on)
 *   FAILMALLOC_COUNT=FILE at exit, write the number of allocations made to
 *                         FILE (counting mode; combine with FAILMALLOC_N to
 *                         learn whether the N-th was reached)
 *   FAILMALLOC_LOG=FILE   when the failure is injected, append a line
 *                         "failed allocation N (size S) in LIB FUNCTION"
 *                         to FILE (the caller, as dladdr(3) names it)
 *   FAILMALLOC_PROG=NAME  act only in the program called NAME (as in
 *                         argv[0], without the directory); others, such as
 *                         timeout(1) or env(1) in front of it, are left alone
 *
 * Build: cc -shared -fPIC -O2 -o failmalloc.so failmalloc.c
 * Calls the real allocator through glibc's __libc_* entry points, so no
 * dlsym (which itself allocates) is needed. Thread-safe: the counter is
 * atomic. realloc(p, 0) and free are passed through uncounted. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);

#define CALLER __builtin_return_address(0)

static atomic_long count;
static long fail_at = -2; /* -2: not read yet, -1: never */
static int sticky;

/* getenv does not allocate; read the settings on the first call */
static int active = -1; /* FAILMALLOC_PROG matches (or is unset) */

static int
is_active(void)
{
	if (active == -1) {
		const char *p = getenv("FAILMALLOC_PROG");

		active = p == NULL || *p == '\0' ||
		    (program_invocation_short_name != NULL &&
		    strcmp(p, program_invocation_short_name) == 0);
	}
	return active;
}

static long
target(void)
{
	if (fail_at == -2) {
		const char *s = getenv("FAILMALLOC_N");
		const char *k = getenv("FAILMALLOC_STICKY");

		sticky = k != NULL && *k == '1';
		fail_at = s != NULL && *s != '\0' ? strtol(s, NULL, 10) : -1;
	}
	return fail_at;
}

static void
note(const char *var, const char *what, long n, size_t size, void *caller)
{
	const char *path = getenv(var), *lib = "?", *fn = "?", *b;
	char line[512];
	Dl_info di;
	int fd, len;

	if (path == NULL || *path == '\0')
		return;
	if (caller != NULL && dladdr(caller, &di) != 0) {
		if (di.dli_fname != NULL)
			lib = (b = strrchr(di.dli_fname, '/')) ? b + 1 :
			    di.dli_fname;
		if (di.dli_sname != NULL)
			fn = di.dli_sname;
	}
	if (what != NULL)
		len = snprintf(line, sizeof line, "%s %ld (size %zu) in %s %s\n",
		    what, n, size, lib, fn);
	else
		len = snprintf(line, sizeof line, "%ld\n", n);
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | (what ? 0 : O_TRUNC),
	    0600);
	if (fd < 0)
		return;
	if (write(fd, line, (size_t)len) < 0) {
		/* nothing to do: a test harness reads the file */
	}
	close(fd);
}

/* fail reports whether this allocation must fail */
static int
fail(size_t size, void *caller)
{
	long n, t;

	if (!is_active())
		return 0;
	n = atomic_fetch_add(&count, 1) + 1;
	t = target();

	if (t <= 0 || (n != t && !(sticky && n > t)))
		return 0;
	if (n == t)
		note("FAILMALLOC_LOG", "failed allocation", n, size, caller);
	errno = ENOMEM;
	return 1;
}

__attribute__((destructor)) static void
report(void)
{
	if (is_active())
		note("FAILMALLOC_COUNT", NULL, atomic_load(&count), 0, NULL);
}

void *
malloc(size_t n)
{
	return fail(n, CALLER) ? NULL : __libc_malloc(n);
}

void *
calloc(size_t n, size_t size)
{
	return fail(n * size, CALLER) ? NULL : __libc_calloc(n, size);
}

void *
realloc(void *p, size_t n)
{
	if (p != NULL && n == 0)
		return __libc_realloc(p, n); /* a free, not an allocation */
	return fail(n, CALLER) ? NULL : __libc_realloc(p, n);
}

char *
strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = fail(n, CALLER) ? NULL : __libc_malloc(n);

	return d != NULL ? memcpy(d, s, n) : NULL;
}

char *
strndup(const char *s, size_t max)
{
	size_t n = strnlen(s, max);
	char *d = fail(n + 1, CALLER) ? NULL : __libc_malloc(n + 1);

	if (d == NULL)
		return NULL;
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

int
posix_memalign(void **p, size_t align, size_t n)
{
	void *q;

	if (fail(n, CALLER))
		return ENOMEM;
	if ((q = __libc_memalign(align, n)) == NULL)
		return ENOMEM;
	*p = q;
	return 0;
}

void *
aligned_alloc(size_t align, size_t n)
{
	return fail(n, CALLER) ? NULL : __libc_memalign(align, n);
}

void *
memalign(size_t align, size_t n)
{
	return fail(n, CALLER) ? NULL : __libc_memalign(align, n);
}
