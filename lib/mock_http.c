/* mock_http.c - CORS and the listening rule of llm-mock (mock_http.h). */
#include "mock_http.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#define MAX_ORIGINS 32

static const char *origins[MAX_ORIGINS];
static int norigins, any_origin;

/* What a page may read of an answer besides the CORS-safelisted
 * headers: the ones the SDKs read (retries, request ids, limits). */
#define EXPOSE "Retry-After, Retry-After-Ms, Request-Id, X-Request-Id, " \
	"X-Ratelimit-Limit-Requests, X-Ratelimit-Remaining-Requests, " \
	"X-Ratelimit-Reset-Requests, X-Ratelimit-Limit-Tokens, " \
	"X-Ratelimit-Remaining-Tokens, X-Ratelimit-Reset-Tokens"

int
mock_cors_allow(const char *origin)
{
	const char *h;

	if (strcmp(origin, "*") == 0) {
		any_origin = 1;
		return 0;
	}
	/* scheme://host[:port], no path, nothing a header could not hold */
	h = strstr(origin, "://");
	if (h == NULL || h == origin || h[3] == '\0' ||
	    strchr(h + 3, '/') || strpbrk(origin, " \t\r\n,") ||
	    norigins == MAX_ORIGINS)
		return -1;
	origins[norigins++] = origin;
	return 0;
}

int
mock_cors_on(void)
{
	return any_origin || norigins > 0;
}

/* allowed: the value of Access-Control-Allow-Origin for c, or NULL. */
static const char *
allowed(struct MHD_Connection *c)
{
	const char *o = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    "Origin");
	int i;

	if (o == NULL || !mock_cors_on())
		return NULL;
	if (any_origin)
		return "*";
	for (i = 0; i < norigins; i++)
		if (strcasecmp(o, origins[i]) == 0)
			return origins[i];
	return NULL;
}

enum MHD_Result
mock_queue(struct MHD_Connection *c, unsigned status, struct MHD_Response *rs)
{
	const char *a = allowed(c);

	if (a) {
		MHD_add_response_header(rs, "Access-Control-Allow-Origin", a);
		MHD_add_response_header(rs, "Access-Control-Expose-Headers",
		    EXPOSE);
		if (!any_origin)
			MHD_add_response_header(rs, "Vary", "Origin");
	}
	return MHD_queue_response(c, status, rs);
}

/* token_list: s is a comma-separated list of header names (what
 * Access-Control-Request-Headers holds), safe to send back. */
static int
token_list(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || *s == '-' || *s == '_' ||
		    *s == ',' || *s == ' '))
			return 0;
	return 1;
}

int
mock_cors_preflight(struct MHD_Connection *c, const char *method,
    enum MHD_Result *rc)
{
	struct MHD_Response *rs;
	const char *h;

	if (!mock_cors_on() || strcmp(method, "OPTIONS") != 0)
		return 0;
	rs = MHD_create_response_from_buffer(0, (void *)"",
	    MHD_RESPMEM_PERSISTENT);
	if (rs == NULL) {
		*rc = MHD_NO;
		return 1;
	}
	if (allowed(c)) {
		MHD_add_response_header(rs, "Access-Control-Allow-Methods",
		    "GET, POST, OPTIONS");
		/* the SDKs send headers of their own (x-stainless-*, the
		 * providers' version headers): what the browser asks for is
		 * allowed, the key headers among them */
		h = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
		    "Access-Control-Request-Headers");
		if (h && *h && token_list(h))
			MHD_add_response_header(rs,
			    "Access-Control-Allow-Headers", h);
		MHD_add_response_header(rs, "Access-Control-Max-Age", "600");
	}
	*rc = mock_queue(c, 204, rs);
	MHD_destroy_response(rs);
	return 1;
}

int
mock_fd_is_loopback(int fd)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;

	if (getsockname(fd, (struct sockaddr *)&ss, &sl) == -1)
		return 0;
	if (ss.ss_family == AF_INET)
		return (ntohl(((struct sockaddr_in *)&ss)->sin_addr.s_addr) >>
		    24) == 127;
	if (ss.ss_family == AF_INET6) {
		const struct in6_addr *a =
		    &((struct sockaddr_in6 *)&ss)->sin6_addr;

		if (IN6_IS_ADDR_LOOPBACK(a))
			return 1;
		return IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127;
	}
	return 0;
}
