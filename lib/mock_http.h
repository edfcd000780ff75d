/* mock_http.h - llm-mock's HTTP policy shared by its answers: CORS for
 * pages from other origins (--cors), and the listening address's rule
 * (a relay is never open: loopback, or a client token).
 *
 * The allowed origins are set before the server starts and only read
 * afterwards (thread-safe then). */
#ifndef LLMPIPE_MOCK_HTTP_H
#define LLMPIPE_MOCK_HTTP_H

#include <microhttpd.h>

/* mock_cors_allow adds ORIGIN ("*": any) to the allowed origins. Returns
 * 0, or -1 when it is no origin ("scheme://host[:port]" with no path, or
 * "*"). */
int mock_cors_allow(const char *origin);

/* mock_cors_on: some origin is allowed. */
int mock_cors_on(void);

/* mock_cors_preflight: when CORS is on and the request is a preflight
 * (OPTIONS), queues its answer (204: the methods, the headers asked for,
 * a max age; no Access-Control-Allow-Origin for an origin not allowed,
 * which the browser then refuses) into *rc and returns 1; else 0. */
int mock_cors_preflight(struct MHD_Connection *c, const char *method,
    enum MHD_Result *rc);

/* mock_queue queues rs as the answer (status) of c, with
 * Access-Control-Allow-Origin and Access-Control-Expose-Headers added
 * when the request's Origin is allowed: every answer, errors and
 * streams alike, goes through it. Does not destroy rs. */
enum MHD_Result mock_queue(struct MHD_Connection *c, unsigned status,
    struct MHD_Response *rs);

/* mock_fd_is_loopback: the listening socket fd is bound to a loopback
 * address (127.0.0.0/8 or ::1), not to a wildcard or another one. */
int mock_fd_is_loopback(int fd);

#endif
