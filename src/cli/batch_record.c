// SPDX-License-Identifier: GPL-2.0-or-later
/* Reading back batch output lines (batch_record.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch_record.h"

struct cursor {
	const char *p, *end;
};

static bool eat(struct cursor *c, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(c->end - c->p) < n || memcmp(c->p, lit, n))
		return false;
	c->p += n;
	return true;
}

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/*
 * A JSON string as src/lib/json.c writes it: \" and \\ escapes, every other
 * byte below 0x20 or above 0x7e as \u00XX.  null gives "".
 */
static bool string(struct cursor *c, char *buf, size_t len)
{
	size_t n = 0;

	if (eat(c, "null")) {
		buf[0] = '\0';
		return true;
	}
	if (!eat(c, "\""))
		return false;
	while (c->p < c->end && *c->p != '"') {
		int ch = (unsigned char)*c->p++;

		if (ch == '\\') {
			if (c->p >= c->end)
				return false;
			ch = (unsigned char)*c->p++;
			if (ch == 'u') {
				int v = 0;

				for (int i = 0; i < 4; i++) {
					int h = c->p < c->end ? hexval(*c->p++) : -1;

					if (h < 0)
						return false;
					v = v * 16 + h;
				}
				if (v == 0 || v > 0xff)
					return false;
				ch = v;
			}
		}
		if (n + 1 >= len)
			return false;
		buf[n++] = (char)ch;
	}
	buf[n] = '\0';
	return eat(c, "\"");
}

static bool number(struct cursor *c, int64_t *v)
{
	char tmp[24], *e;
	size_t n = 0;

	while (c->p + n < c->end && n < sizeof(tmp) - 1 &&
	       (c->p[n] == '-' || (c->p[n] >= '0' && c->p[n] <= '9')))
		n++;
	if (!n)
		return false;
	memcpy(tmp, c->p, n);
	tmp[n] = '\0';
	*v = strtoll(tmp, &e, 10);
	c->p += n;
	return *e == '\0';
}

/* Move past the first @lit at or after the cursor, before @stop if given. */
static bool seek(struct cursor *c, const char *lit, const char *stop)
{
	const char *limit = stop ? stop : c->end;
	size_t n = strlen(lit);

	for (const char *q = c->p; q + n <= limit; q++)
		if (!memcmp(q, lit, n)) {
			c->p = q + n;
			return true;
		}
	return false;
}

static const char *find(const char *p, const char *end, const char *lit)
{
	size_t n = strlen(lit);

	for (; p + n <= end; p++)
		if (!memcmp(p, lit, n))
			return p;
	return NULL;
}

static void add_code(struct batch_record *r, const char *code)
{
	for (unsigned i = 0; i < r->ncodes; i++)
		if (!strcmp(r->codes[i], code))
			return;
	if (r->ncodes < BATCH_MAX_CODES)
		snprintf(r->codes[r->ncodes++], sizeof(r->codes[0]), "%s", code);
}

int batch_record_parse(const char *line, size_t len, struct batch_record *r)
{
	struct cursor c = { line, line + len };
	const char *report;
	int64_t v;

	memset(r, 0, sizeof(*r));
	if (!eat(&c, "{\"schema\":\"" BATCH_SCHEMA "\",\"dump\":{\"path\":") ||
	    !string(&c, r->path, sizeof(r->path)) || !eat(&c, ",\"size\":"))
		return -1;
	if (eat(&c, "null")) {
		if (!eat(&c, ",\"mtime\":null"))
			return -1;
	} else {
		if (!number(&c, &v) || v < 0 || !eat(&c, ",\"mtime\":") ||
		    !number(&c, &r->mtime))
			return -1;
		r->size = (uint64_t)v;
		r->have_stat = true;
	}
	/* the findings come before the report, which holds other "code" keys */
	report = find(c.p, c.end, ",\"report\":");
	if (!report)
		return -1;
	if (!seek(&c, "\"osrelease\":", report) ||
	    !string(&c, r->release, sizeof(r->release)) ||
	    !seek(&c, "\"status\":", report) ||
	    !string(&c, r->status, sizeof(r->status)) ||
	    !seek(&c, "\"findings\":[", report))
		return -1;
	while (seek(&c, "\"code\":", report)) {
		char code[40];

		if (!string(&c, code, sizeof(code)))
			return -1;
		add_code(r, code);
	}
	return 0;
}

int batch_status_rank(const char *status)
{
	static const char *const order[] = {
		"clean", "findings", "partial", "error", "timeout", "crashed",
	};

	for (int i = 0; i < (int)(sizeof(order) / sizeof(order[0])); i++)
		if (!strcmp(status, order[i]))
			return i;
	return 0;
}
