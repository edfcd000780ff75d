/* mkranks - build tool: writes a .tiktoken rank file's binary form (see
 * bpe_save in lib/bpe.h), which llm-tokens maps in one call at start-up.
 * Usage: mkranks IN.tiktoken OUT.ranks */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bpe.h"

int
main(int argc, char *argv[])
{
	struct bpe b, check;
	long line = 0;
	uint32_t r;
	size_t n1, n2;
	const unsigned char *t1, *t2;

	if (argc != 3) {
		fprintf(stderr, "usage: mkranks IN.tiktoken OUT.ranks\n");
		return 2;
	}
	if (bpe_load(&b, argv[1], &line) == -1) {
		fprintf(stderr, "mkranks: %s:%ld: %s\n", argv[1], line,
		    strerror(errno));
		return 1;
	}
	if (bpe_save(&b, argv[2]) == -1 || bpe_map(&check, argv[2]) == -1) {
		fprintf(stderr, "mkranks: %s: %s\n", argv[2], strerror(errno));
		return 1;
	}
	/* what is mapped is what was parsed */
	for (r = 0; r < b.n; r++) {
		t1 = bpe_token(&b, r, &n1);
		t2 = bpe_token(&check, r, &n2);
		if ((t1 == NULL) != (t2 == NULL) || (t1 && (n1 != n2 ||
		    memcmp(t1, t2, n1) != 0 || bpe_rank(&check, t2, n2) != r))) {
			fprintf(stderr, "mkranks: %s: rank %u differs\n",
			    argv[2], (unsigned)r);
			remove(argv[2]);
			return 1;
		}
	}
	bpe_free(&check);
	bpe_free(&b);
	return 0;
}
