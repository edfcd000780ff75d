/* args.h - parsing of option values shared by the tools */
#ifndef LLMPIPE_ARGS_H
#define LLMPIPE_ARGS_H

#include <stddef.h>

/* args_size parses a byte count with an optional K, M or G suffix
 * (powers of 1024). Returns 0, or -1 when s is not such a number. */
int args_size(const char *s, size_t *out);

/* args_long parses a decimal integer in [min, max]. Returns 0 or -1. */
int args_long(const char *s, long min, long max, long *out);

/* args_double parses a finite decimal number >= 0. Returns 0 or -1. */
int args_double(const char *s, double *out);

/* args_max_event parses the value of --max-event (the largest event or
 * line a reader accepts): a size from 1 byte to 1G, since libjq's strings
 * and parser take int lengths. Returns 0, or -1 with the reason in
 * why[0..n) (the caller's usage error). */
int args_max_event(const char *s, size_t *out, char *why, size_t n);

#endif
