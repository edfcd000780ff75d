/* err.h - program name, exit statuses and the die/warn policy of all tools */
#ifndef LLMPIPE_ERR_H
#define LLMPIPE_ERR_H

#include <stdnoreturn.h>

/* One exit-status table for every llmpipe tool (see llmpipe(7)). */
enum {
	LP_EXIT_OK = 0,
	LP_EXIT_FAIL = 1,       /* I/O error, bad input */
	LP_EXIT_USAGE = 2,      /* bad option, bad argument value */
	LP_EXIT_INCOMPLETE = 3, /* stream ended without its terminal event */
	LP_EXIT_PROVIDER = 4,   /* HTTP error status or error event in the stream */
	LP_EXIT_NETWORK = 5,    /* network failure or timeout */
	LP_EXIT_SIGINT = 130
};

#define LLMPIPE_VERSION "0.1.0"

extern const char *progname;

/* err_init sets progname to argv[0]'s basename, and argv[0] to it, so
 * getopt_long's messages read "tool: ..." however the tool was run. */
void err_init(char *argv[]);

/* die prints "prog: <fmt>" on stderr and exits with status. */
noreturn void die(int status, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* warnx prints "prog: <fmt>" on stderr and returns. */
void warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* usage_error prints "prog: <fmt>" and "Try 'prog --help'." and exits 2. */
noreturn void usage_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/* usage_hint tells to try --help (getopt has said what was wrong) and
 * exits 2. After err_usage(text) it prints the text's synopsis (its
 * "Usage:" line and the lines below it naming the tool) first. */
noreturn void usage_hint(void);

/* err_usage registers the tool's --help text for usage_hint and
 * usage_error, so a usage error shows the usage line (its synopsis, the
 * lines that start with "Usage:" or the tool's name, which hold no
 * provider_usage markers). */
void err_usage(const char *usage_text);

#endif
