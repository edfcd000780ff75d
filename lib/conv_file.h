/* conv_file.h - conversation files on disk (llmpipe(7), "Conversation
 * files"): read and checked line by line (the bad line named), appended
 * one line at a time under a lock. The messages themselves are conv.h's.
 * lib/ never prints: errors go to the caller's err buffer. */
#ifndef LLMPIPE_CONV_FILE_H
#define LLMPIPE_CONV_FILE_H

#include <jv.h>
#include <stddef.h>

#define CONV_MAX ((size_t)64 << 20) /* largest conversation file read */

/* conv_load reads the conversation in path into *out (a new array, the
 * caller owns it): a missing or empty file is an empty conversation.
 * Refuses a symlink, a directory or anything not a regular file, a file
 * over CONV_MAX, and any line conv_check refuses. Returns 0, or -1 with
 * the reason in err (NUL-terminated, at most n bytes). */
int conv_load(const char *path, jv *out, char *err, size_t n);

/* conv_check validates conv (an array, consumed) and returns it
 * normalized (each tool call's arguments a JSON text, kept as written
 * when it was one, each tool result named after its call), or an invalid jv with "line N: why" in err:
 * not an object, an unknown role, content that is not a string, a tool
 * call without a name or with arguments that are not JSON, a tool result
 * whose call no earlier assistant message made, a newer "v". first_line
 * is the line number of conv[0]. */
jv conv_check(jv conv, int first_line, char *err, size_t n);

/* conv_append appends msg (consumed) to path as one line, with one
 * write(2) under an exclusive flock(2), creating the file (mode 0600)
 * when missing and never truncating it; a last line left without its
 * newline gets one first. Refuses a symlink, a directory or any other
 * non-regular file. Returns 0, or -1 with the reason in err. */
int conv_append(const char *path, jv msg, char *err, size_t n);

#endif
