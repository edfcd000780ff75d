/* provider.c - the table of providers (provider.h): one row each, from
 * the list in dialect.h, each row defined in its provider's file. What
 * is here works on any row (see HACKING, "Adding a provider"). */
#include "provider.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "jvx.h"
#include "mem.h"
#include "prov_priv.h"

/* The table: one row per provider, each defined in its file, in enum
 * dialect order (LLMPIPE_PROVIDERS in dialect.h): rows[d - 1] is d's. */
#define LLMPIPE_PROVIDER_ROW(e, f) &prov_##f,
static const struct provider *const rows[] = {
	LLMPIPE_PROVIDERS(LLMPIPE_PROVIDER_ROW)
};
#undef LLMPIPE_PROVIDER_ROW
#define NROWS (sizeof rows / sizeof rows[0])

const struct provider *
provider_get(enum dialect d)
{
	if ((unsigned)d < 1 || (unsigned)d > NROWS)
		return NULL;
	return rows[d - 1];
}

const struct provider *
provider_at(size_t i)
{
	return i < NROWS ? rows[i] : NULL;
}

int
provider_parse(const char *name, enum dialect *d)
{
	size_t i, k;

	for (i = 0; i < NROWS; i++) {
		int hit = strcmp(name, rows[i]->name) == 0;

		for (k = 0; !hit && rows[i]->alias[k]; k++)
			hit = strcmp(name, rows[i]->alias[k]) == 0;
		if (hit) {
			*d = rows[i]->id;
			return 0;
		}
	}
	return -1;
}

const char *
provider_names(const char *sep)
{
	static char out[256];
	size_t i, n = 0;

	out[0] = 0;
	for (i = 0; i < NROWS && n < sizeof out; i++)
		n += (size_t)snprintf(out + n, sizeof out - n, "%s%s",
		    i ? sep : "", rows[i]->name);
	return out;
}

enum dialect
provider_detect(const struct ev *ev, jv j)
{
	char type[64];
	const char *dt = NULL;
	size_t i, n = ev->type_len < sizeof type - 1 ? ev->type_len :
	    sizeof type - 1;
	jv f = jvx_get(j, "type");
	int pass;

	memcpy(type, ev->type ? ev->type : "", n);
	type[n] = 0;
	dt = jvx_str(f, NULL);
	/* the typed dialects first (their event types tell), in table
	 * order; last the rows whose chunks only their fields tell */
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < NROWS; i++)
			if (rows[i]->detect_last == pass &&
			    rows[i]->ops->detect(type, dt, j)) {
				jv_free(f);
				return rows[i]->id;
			}
	jv_free(f);
	return DIALECT_AUTO;
}

int
provider_model_in(const char *const *list, const char *model)
{
	if (model && strncmp(model, "models/", 7) == 0)
		model += 7;
	for (; model && list && *list; list++)
		if (strncmp(model, *list, strlen(*list)) == 0)
			return 1;
	return 0;
}

int
provider_family_in(const char *const *list, const char *model)
{
	size_t k;

	for (; model && list && *list; list++) {
		k = strlen(*list);
		if (strncmp(model, *list, k) == 0 &&
		    (model[k] == '\0' || model[k] == '-'))
			return 1;
	}
	return 0;
}

int
provider_reasoning_model(const struct provider *p, const char *model)
{
	const char *const *n;

	if (!provider_model_in(p->reasoning_models, model))
		return 0;
	for (n = p->not_reasoning; n && *n; n++)
		if (strstr(model, *n))
			return 0;
	return 1;
}

enum dialect
provider_infer(const char *model)
{
	size_t i;

	if (model == NULL)
		return DIALECT_OPENAI_CHAT;
	for (i = 0; i < NROWS; i++)
		if (provider_model_in(rows[i]->model_only, model))
			return rows[i]->id;
	if (strncmp(model, "models/", 7) == 0)
		model += 7;
	for (i = 0; i < NROWS; i++)
		if (rows[i]->model_prefix && strncmp(model, rows[i]->model_prefix,
		    strlen(rows[i]->model_prefix)) == 0)
			return rows[i]->id;
	return DIALECT_OPENAI_CHAT;
}

enum dialect
provider_choose(const char *model, const char *base, const char **from)
{
	enum dialect m = provider_infer(model), b = DIALECT_AUTO;
	size_t i;

	for (i = 0; base && i < NROWS && b == DIALECT_AUTO; i++)
		if (rows[i]->ops->req_claims && rows[i]->ops->req_claims(base))
			b = rows[i]->id;
	if (from)
		*from = model && *model ? "the model name" : "the default";
	/* an OpenAI-compatible base serves the Responses API too */
	if (b == DIALECT_AUTO || b == m || (b == DIALECT_OPENAI_CHAT &&
	    m == DIALECT_OPENAI_RESPONSES))
		return m;
	if (from)
		*from = "the base URL";
	return b;
}

void
provider_last_user(enum dialect d, jv body, struct buf *b)
{
	const struct provider *p = provider_get(d);

	if (p)
		p->ops->last_user(body, b);
}

static int
listed(const char *const *v, const char *s)
{
	for (; v && *v; v++)
		if (strcmp(*v, s) == 0)
			return 1;
	return 0;
}

void
provider_route(const char *url, struct provider_route *r)
{
	size_t i;

	memset(r, 0, sizeof *r);
	r->d = DIALECT_OPENAI_CHAT;
	r->stream = -1;
	for (i = 0; i < NROWS; i++)
		if (listed(rows[i]->paths, url) || (rows[i]->ops->route &&
		    rows[i]->ops->route(url, r))) {
			r->d = rows[i]->id;
			r->kind = PROUTE_GENERATE;
			return;
		}
	/* the first row listing a model-list path answers it */
	for (i = 0; i < NROWS; i++)
		if (listed(rows[i]->models_paths, url)) {
			r->d = rows[i]->id;
			r->kind = PROUTE_MODELS;
			return;
		}
}

int
provider_body_streams(enum dialect d, jv body)
{
	const struct provider *p = provider_get(d);
	jv st = jvx_get(body, "stream");
	int r = p && (p->stream_default ? jv_get_kind(st) != JV_KIND_FALSE :
	    jv_get_kind(st) == JV_KIND_TRUE);

	jv_free(st);
	return r;
}

void
provider_header_name(const char *line, char *out, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n && line[i] && line[i] != ':'; i++)
		out[i] = (line[i] >= 'A' && line[i] <= 'Z') ? line[i] + 32 :
		    line[i];
	if (n)
		out[i] = 0;
}

/* list: the marker's expansion into b (reset first). */
static void
list(struct buf *b, const char *marker)
{
	size_t i, n = 0;
	const char *v[2 * NROWS];

	buf_reset(b);
	for (i = 0; i < NROWS; i++) {
		const struct provider *p = rows[i];
		size_t k;
		int dup = 0;

		if (strcmp(marker, "@DIALECTS@") == 0)
			v[n++] = p->name;
		else if (strcmp(marker, "@POSTS@") == 0)
			v[n++] = p->route_doc ? p->route_doc : p->paths[0];
		else if (strcmp(marker, "@GETS@") == 0) {
			if (p->models_paths == NULL)
				continue;
			for (k = 0; k < n; k++)
				dup |= strcmp(v[k], p->models_paths[0]) == 0;
			if (!dup)
				v[n++] = p->models_paths[0];
		}
		else if (strcmp(marker, "@PROVIDERS@") == 0)
			v[n++] = p->alias[0] ? p->alias[0] : p->name;
		else if (p->key_env) {
			for (k = 0; k < n; k++)
				dup |= strcmp(v[k], p->key_env) == 0;
			if (!dup)
				v[n++] = p->key_env;
			if (p->key_env_alt)
				v[n++] = p->key_env_alt;
		}
	}
	for (i = 0; i < n; i++)
		buf_printf(b, "%s%s", i == 0 ? "" : i + 1 < n ||
		    strcmp(marker, "@KEY_VARS@") != 0 ? ", " : " or ", v[i]);
}

/* wrap appends line[0..n) to out, broken at spaces, continued at column
 * indent: option lines (indented) end by column 79, prose by 72, as the
 * tools' texts are written. */
static void
wrap(struct buf *out, const char *line, size_t n, size_t indent)
{
	size_t col = 0, i = 0, w, width = indent ? 79 : 72;

	while (i < n) {
		size_t sp = i;

		while (sp < n && line[sp] == ' ')
			sp++;
		w = sp;
		while (w < n && line[w] != ' ')
			w++;
		if (col > indent && col + (w - i) > width) {
			buf_putc(out, '\n');
			buf_printf(out, "%*s", (int)indent, "");
			col = indent;
			i = sp;
		}
		buf_append(out, line + i, w - i);
		col += w - i;
		i = w;
	}
}

static char *usage_kept; /* provider_usage's last text */

char *
provider_usage(const char *text)
{
	static const char *const markers[] = { "@DIALECTS@", "@PROVIDERS@",
		"@KEY_VARS@", "@POSTS@", "@GETS@" };
	struct buf out, line, l;
	const char *p = text, *e, *m;
	size_t k, indent;
	char *r;

	buf_init(&out, 0);
	buf_init(&line, 0);
	buf_init(&l, 0);
	for (; *p; p = *e ? e + 1 : e) {
		e = strchr(p, '\n');
		if (e == NULL)
			e = p + strlen(p);
		buf_reset(&line);
		buf_append(&line, p, (size_t)(e - p));
		indent = (size_t)-1;
		for (k = 0; k < sizeof markers / sizeof markers[0]; k++)
			while (line.p && (m = strstr(line.p, markers[k]))) {
				size_t at = (size_t)(m - line.p), ml;
				char *rest;

				if (indent == (size_t)-1)
					indent = line.p[0] == ' ' ? at : 0;
				list(&l, markers[k]);
				ml = strlen(markers[k]);
				rest = xstrdup(m + ml);
				line.len = at;
				buf_append(&line, l.p, l.len);
				buf_puts(&line, rest);
				free(rest);
			}
		if (indent == (size_t)-1)
			buf_append(&out, p, (size_t)(e - p));
		else
			wrap(&out, line.p, line.len, indent);
		if (*e)
			buf_putc(&out, '\n');
	}
	r = xmemdup(out.p ? out.p : "", out.len);
	buf_free(&out);
	buf_free(&line);
	buf_free(&l);
	/* the text is printed on the way to exit: keep it reachable, so
	 * that it is no leak, and free the one before */
	free(usage_kept);
	usage_kept = r;
	return r;
}
