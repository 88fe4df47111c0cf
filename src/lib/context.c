// SPDX-License-Identifier: GPL-2.0-or-later
/* The analysis context: checked reads and the read-error list. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memsect/blocks.h"
#include "memsect/context.h"
#include "memsect/hvo.h"
#include "memsect/offline.h"
#include "memsect/sections.h"
#include "pgtable.h"

int ms_ctx_init(struct ms_ctx *c, struct ms_target *t, char *err, size_t errlen)
{
	memset(c, 0, sizeof(*c));
	c->t = t;
	if (ms_layout_resolve(t, &c->L, err, errlen))
		return MS_ERROR;
	if (t->ops->file_size) {
		int ret = t->ops->file_size(t->priv, &c->file_size,
					    &c->file_expected);

		if (ret == 0)
			c->truncated = c->file_size < c->file_expected;
		else if (ret == MS_ERROR)
			ms_ctx_invalid(c, MS_PADDR, 0, "the dump file: %s",
				       t->ops->errmsg && t->ops->errmsg(t->priv) ?
				       t->ops->errmsg(t->priv) : "unreadable");
	}
	ms_pgtable_init(c);
	if (c->L.page_ext_size_bad)
		ms_ctx_invalid(c, MS_KVADDR, c->L.page_ext_size_addr,
			       "page_ext_size %llu is not a size this kernel's page_ext clients add up to",
			       (unsigned long long)c->L.page_ext_size);
	return 0;
}

void ms_ctx_fini(struct ms_ctx *c)
{
	if (c->sections)
		free(c->sections->v);
	free(c->sections);
	if (c->blocks)
		free(c->blocks->v);
	free(c->blocks);
	if (c->offline)
		free(c->offline->v);
	free(c->offline);
	ms_hvo_free(c->hvo);
	c->hvo = NULL;
	c->scans_tried = 0;
	free(c->hvo_layout);
	c->hvo_layout = NULL;
	c->hvo_layout_tried = false;
	free(c->po_layout);
	c->po_layout = NULL;
	free(c->depot);
	c->depot = NULL;
	free(c->page_clients);
	c->page_clients = NULL;
	c->sections = NULL;
	c->blocks = NULL;
	c->offline = NULL;
	c->progress = NULL;
}

const struct ms_read_error *ms_ctx_last_error(const struct ms_ctx *c)
{
	if (!c->nerrors || c->nerrors > MS_MAX_ERRORS)
		return NULL;
	return &c->errors[c->nerrors - 1];
}

static void keep(struct ms_ctx *c, const struct ms_read_error *e)
{
	if (c->nerrors < MS_MAX_ERRORS)
		c->errors[c->nerrors] = *e;
	c->nerrors++;
	if (e->kind == MS_ERR_INVALID)
		c->ninvalid++;
}

static bool hold(struct ms_error_hold *h, const struct ms_read_error *e,
		 const uint64_t *once_key)
{
	if (h->n == h->cap) {
		size_t ncap = h->cap ? h->cap * 2 : 8;
		struct ms_held_error *nv = realloc(h->v, ncap * sizeof(*nv));

		if (!nv) {
			h->nomem = true;
			return false;
		}
		h->v = nv;
		h->cap = ncap;
	}
	h->v[h->n].e = *e;
	h->v[h->n].once = once_key != NULL;
	h->v[h->n++].key = once_key ? *once_key : 0;
	return true;
}

/* Whether @key was recorded lately; remembers it if not. */
static bool seen_once(struct ms_ctx *c, uint64_t key)
{
	for (unsigned i = 0; i < MS_PGT_BAD_SLOTS && i < c->nonce; i++)
		if (c->once[i] == key)
			return true;
	c->once[c->nonce++ % MS_PGT_BAD_SLOTS] = key;
	return false;
}

static void add_error(struct ms_ctx *c, enum ms_error_kind kind,
		      enum ms_addrspace as, uint64_t address,
		      const uint64_t *once_key, const char *fmt, va_list ap)
{
	struct ms_read_error e = { .address = address, .as = as, .kind = kind };

	vsnprintf(e.what, sizeof(e.what), fmt, ap);
	if (c->hold)
		hold(c->hold, &e, once_key);
	else if (!once_key || !seen_once(c, *once_key))
		keep(c, &e);
}

void ms_ctx_release(struct ms_ctx *c, const struct ms_error_hold *h,
		    size_t from, size_t to)
{
	for (size_t i = from; i < to && i < h->n; i++)
		if (!h->v[i].once || !seen_once(c, h->v[i].key))
			keep(c, &h->v[i].e);
}

void ms_ctx_error(struct ms_ctx *c, enum ms_addrspace as, uint64_t address,
		  const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add_error(c, MS_ERR_READ, as, address, NULL, fmt, ap);
	va_end(ap);
}

void ms_ctx_invalid(struct ms_ctx *c, enum ms_addrspace as, uint64_t address,
		    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add_error(c, MS_ERR_INVALID, as, address, NULL, fmt, ap);
	va_end(ap);
}

void ms_ctx_invalid_once(struct ms_ctx *c, uint64_t key, enum ms_addrspace as,
			 uint64_t address, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add_error(c, MS_ERR_INVALID, as, address, &key, fmt, ap);
	va_end(ap);
}

bool ms_ctx_partial(const struct ms_ctx *c)
{
	return c->nerrors || c->truncated;
}

unsigned ms_ctx_read_errors(const struct ms_ctx *c)
{
	return c->nerrors - c->ninvalid;
}

const struct ms_read_error *ms_ctx_first(const struct ms_ctx *c,
					 enum ms_error_kind kind)
{
	unsigned kept = c->nerrors < MS_MAX_ERRORS ? c->nerrors : MS_MAX_ERRORS;

	for (unsigned i = 0; i < kept; i++)
		if (c->errors[i].kind == kind)
			return &c->errors[i];
	return NULL;
}

int ms_read_quiet(struct ms_ctx *c, enum ms_addrspace as, uint64_t addr,
		  void *buf, size_t len, uint64_t *fail)
{
	size_t done = 0;

	if (c->t->ops->read(c->t->priv, as, addr, buf, len, &done) == 0)
		return 0;
	if (done > len)
		done = 0;
	if (fail)
		*fail = addr + done;
	return MS_ERROR;
}

int ms_read(struct ms_ctx *c, enum ms_addrspace as, uint64_t addr, void *buf,
	    size_t len, const char *what, uint64_t *fail)
{
	uint64_t bad;

	const char *detail;

	if (ms_read_quiet(c, as, addr, buf, len, &bad) == 0)
		return 0;
	detail = c->t->ops->errmsg ? c->t->ops->errmsg(c->t->priv) : NULL;
	if (detail && *detail)
		ms_ctx_error(c, as, bad, "%s (%s)", what, detail);
	else
		ms_ctx_error(c, as, bad, "%s", what);
	if (fail)
		*fail = bad;
	return MS_ERROR;
}

bool ms_kaddr_plausible(uint64_t va)
{
	return (va >> 56) == 0xff;
}

/* Every supported architecture is little-endian: assemble values byte-wise. */
uint64_t ms_get_uint(const void *buf, size_t off, size_t size)
{
	const unsigned char *p = (const unsigned char *)buf + off;
	uint64_t v = 0;

	for (size_t i = size; i-- > 0;)
		v = (v << 8) | p[i];
	return v;
}

uint64_t ms_get_u64(const void *buf, size_t off)
{
	return ms_get_uint(buf, off, 8);
}

uint32_t ms_get_u32(const void *buf, size_t off)
{
	return (uint32_t)ms_get_uint(buf, off, 4);
}
