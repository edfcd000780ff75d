/* tap.h - the TAP the unit tests print: ok() numbers each check and says
 * whether it held, tap_end() prints the plan and gives main's exit
 * status; and rand_next, the seeded numbers of their random inputs.
 * Header-only: each unit test is one program of one file. */
#ifndef LLMPIPE_TAP_H
#define LLMPIPE_TAP_H

#include <stdio.h>

static int t, failed;

static void
ok(int cond, const char *name)
{
	printf("%s %d - %s\n", cond ? "ok" : "not ok", ++t, name);
	if (!cond)
		failed++;
}

static int
tap_end(void)
{
	printf("1..%d\n", t);
	return failed != 0;
}

/* rand_next steps a 64-bit LCG and returns its high bits */
static inline unsigned long
rand_next(unsigned long *seed)
{
	*seed = *seed * 6364136223846793005UL + 1442695040888963407UL;
	return *seed >> 33;
}

#endif
