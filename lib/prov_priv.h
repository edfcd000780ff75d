/* prov_priv.h - what a provider file implements: its row's operations.
 * Only lib/ includes it; provider files include it and never each other.
 * A provider file exports exactly one struct prov_ops (prov_<name>). */
#ifndef LLMPIPE_PROV_PRIV_H
#define LLMPIPE_PROV_PRIV_H

#include "acc_priv.h"
#include "emit_priv.h"
#include "jsonw.h"
#include "provider.h"

struct prov_ops {
	/* detect: 1 when an event of SSE type `type` (NUL-terminated, "" when
	 * none) whose JSON data j (any kind) has the string field "type"
	 * dtype (or NULL) is this provider's. */
	int (*detect)(const char *type, const char *dtype, jv j);
	/* event: fold one event (j: its JSON, borrowed) into a. 0 or an
	 * ACC_ERR_*. */
	int (*event)(struct acc *a, struct ev *ev, jv j);
	/* native: the non-streaming body of what a holds (new reference). */
	jv (*native)(const struct acc *a);
	/* write: the whole stream of w->m; write_error: the in-stream error
	 * as the provider sends it after HTTP 200. */
	void (*write)(struct w *w);
	void (*write_error)(struct w *w);
	/* error_body: the HTTP error body for status (r: its vocabulary). */
	int (*error_body)(struct buf *b, int status, const struct status_row *r,
	    const char *message);
};

extern const struct prov_ops prov_chat, prov_responses, prov_anthropic,
    prov_gemini, prov_ollama;

#endif
