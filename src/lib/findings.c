// SPDX-License-Identifier: GPL-2.0-or-later
/* The finding list. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memsect/findings.h"

struct ms_finding *ms_finding_add(struct ms_findings *f, const char *code,
				  enum ms_severity sev, enum ms_place_kind place,
				  uint64_t a, uint64_t b, const char *fmt, ...)
{
	struct ms_finding *x;
	va_list ap;

	if (f->n == f->cap) {
		size_t ncap = f->cap ? f->cap * 2 : 16;
		struct ms_finding *nv = realloc(f->v, ncap * sizeof(*nv));

		if (!nv)
			return NULL;
		f->v = nv;
		f->cap = ncap;
	}
	x = &f->v[f->n++];
	memset(x, 0, sizeof(*x));
	x->code = code;
	x->severity = sev;
	x->place = place;
	x->a = a;
	x->b = b;
	va_start(ap, fmt);
	vsnprintf(x->message, sizeof(x->message), fmt, ap);
	va_end(ap);
	return x;
}

static struct ms_evidence *ev(struct ms_finding *x, const char *key)
{
	if (!x || x->nev >= MS_MAX_EVIDENCE)
		return NULL;
	x->ev[x->nev].key = key;
	return &x->ev[x->nev++];
}

void ms_ev_uint(struct ms_finding *x, const char *key, uint64_t v)
{
	struct ms_evidence *e = ev(x, key);

	if (e) {
		e->type = MS_EV_UINT;
		e->u = v;
	}
}

void ms_ev_int(struct ms_finding *x, const char *key, int64_t v)
{
	struct ms_evidence *e = ev(x, key);

	if (e) {
		e->type = MS_EV_INT;
		e->i = v;
	}
}

void ms_ev_addr(struct ms_finding *x, const char *key, uint64_t v)
{
	struct ms_evidence *e = ev(x, key);

	if (e) {
		e->type = MS_EV_ADDR;
		e->u = v;
	}
}

void ms_ev_str(struct ms_finding *x, const char *key, const char *v)
{
	struct ms_evidence *e = ev(x, key);

	if (e) {
		e->type = MS_EV_STR;
		snprintf(e->s, sizeof(e->s), "%s", v);
	}
}

void ms_findings_free(struct ms_findings *f)
{
	free(f->v);
	memset(f, 0, sizeof(*f));
}

enum ms_severity ms_findings_worst(const struct ms_findings *f, int *any)
{
	enum ms_severity w = MS_INFO;

	*any = f->n > 0;
	for (size_t i = 0; i < f->n; i++)
		if (f->v[i].severity > w)
			w = f->v[i].severity;
	return w;
}

const char *ms_severity_name(enum ms_severity s)
{
	switch (s) {
	case MS_INFO:
		return "info";
	case MS_WARNING:
		return "warning";
	case MS_ERROR_SEV:
		return "error";
	}
	return "?";
}

const char *ms_place_name(enum ms_place_kind k)
{
	switch (k) {
	case MS_PLACE_DUMP:
		return "dump";
	case MS_PLACE_SECTION:
		return "section";
	case MS_PLACE_BLOCK:
		return "memory_block";
	case MS_PLACE_PFN_RANGE:
		return "pfn_range";
	case MS_PLACE_ADDRESS:
		return "address";
	}
	return "?";
}
