// SPDX-License-Identifier: GPL-2.0-or-later
/* The finding list, checked against the finding table (findings.def). */
#include <assert.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memsect/findings.h"

#define MS_SEV_INFO MS_INFO
#define MS_SEV_WARNING MS_WARNING
#define MS_SEV_ERROR MS_ERROR_SEV

static const struct ms_finding_def table[MS_F_NCODES] = {
#define MS_FINDING(code, severity, place, when) \
	[MS_F_##code] = { #code, MS_SEV_##severity, MS_PLACE_##place, when },
#include "memsect/findings.def"
};

static const struct {
	const char *name;
	enum ms_ev_type type;
} keys[MS_K_NKEYS] = {
#define MS_KEY(key, type) [MS_K_##key] = { #key, MS_EV_##type },
#include "memsect/findings.def"
};

static const struct {
	enum ms_finding_code code;
	enum ms_ev_key key;
} evidence[] = {
#define MS_EVIDENCE(code, key) { MS_F_##code, MS_K_##key },
#include "memsect/findings.def"
};

const struct ms_finding_def *ms_finding_def(enum ms_finding_code code)
{
	return code < MS_F_NCODES ? &table[code] : NULL;
}

const char *ms_ev_key_name(enum ms_ev_key key)
{
	return key < MS_K_NKEYS ? keys[key].name : "?";
}

static bool has_key(enum ms_finding_code code, enum ms_ev_key key)
{
	for (size_t i = 0; i < sizeof(evidence) / sizeof(evidence[0]); i++)
		if (evidence[i].code == code && evidence[i].key == key)
			return true;
	return false;
}

struct ms_finding *ms_finding_add(struct ms_findings *f,
				  enum ms_finding_code code,
				  uint64_t a, uint64_t b, const char *fmt, ...)
{
	struct ms_finding *x;
	va_list ap;

	assert(code < MS_F_NCODES);

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
	x->id = code;
	x->code = table[code].code;
	x->severity = table[code].severity;
	x->place = table[code].place;
	x->a = a;
	x->b = b;
	va_start(ap, fmt);
	vsnprintf(x->message, sizeof(x->message), fmt, ap);
	va_end(ap);
	return x;
}

static struct ms_evidence *ev(struct ms_finding *x, enum ms_ev_key key,
			      enum ms_ev_type type)
{
	struct ms_evidence *e;

	if (!x)
		return NULL;
	/* A check adding a key the table does not give its code is a bug. */
	assert(key < MS_K_NKEYS && keys[key].type == type && has_key(x->id, key));
	if (x->nev >= MS_MAX_EVIDENCE)
		return NULL;
	e = &x->ev[x->nev++];
	e->key = keys[key].name;
	e->type = type;
	return e;
}

void ms_ev_uint(struct ms_finding *x, enum ms_ev_key key, uint64_t v)
{
	struct ms_evidence *e = ev(x, key, MS_EV_UINT);

	if (e)
		e->u = v;
}

void ms_ev_int(struct ms_finding *x, enum ms_ev_key key, int64_t v)
{
	struct ms_evidence *e = ev(x, key, MS_EV_INT);

	if (e)
		e->i = v;
}

void ms_ev_addr(struct ms_finding *x, enum ms_ev_key key, uint64_t v)
{
	struct ms_evidence *e = ev(x, key, MS_EV_ADDR);

	if (e)
		e->u = v;
}

void ms_ev_str(struct ms_finding *x, enum ms_ev_key key, const char *v)
{
	struct ms_evidence *e = ev(x, key, MS_EV_STR);

	if (e)
		snprintf(e->s, sizeof(e->s), "%s", v);
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
