// SPDX-License-Identifier: GPL-2.0-or-later
/* Streaming JSON: keys in the order written, numbers as JSON numbers. */
#include <inttypes.h>

#include "json.h"

void json_begin(struct json *j, FILE *out)
{
	j->out = out;
	j->depth = 0;
	j->first[0] = 1;
}

static void put_string(FILE *out, const char *v)
{
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(out, "\\%c", *p);
		else if (*p < 0x20 || *p >= 0x7f)
			fprintf(out, "\\u%04x", *p);
		else
			fputc(*p, out);
	}
	fputc('"', out);
}

/* The comma before a value and its key, if any. */
static void sep(struct json *j, const char *key)
{
	if (!j->first[j->depth])
		fputc(',', j->out);
	j->first[j->depth] = 0;
	if (key) {
		put_string(j->out, key);
		fputc(':', j->out);
	}
}

static void open_container(struct json *j, const char *key, int c)
{
	sep(j, key);
	fputc(c, j->out);
	if (j->depth + 1 < JSON_MAX_DEPTH)
		j->depth++;
	j->first[j->depth] = 1;
}

void json_obj(struct json *j, const char *key)
{
	open_container(j, key, '{');
}

void json_arr(struct json *j, const char *key)
{
	open_container(j, key, '[');
}

void json_obj_end(struct json *j)
{
	fputc('}', j->out);
	if (j->depth)
		j->depth--;
}

void json_arr_end(struct json *j)
{
	fputc(']', j->out);
	if (j->depth)
		j->depth--;
}

void json_str(struct json *j, const char *key, const char *v)
{
	sep(j, key);
	if (v)
		put_string(j->out, v);
	else
		fputs("null", j->out);
}

void json_uint(struct json *j, const char *key, uint64_t v)
{
	sep(j, key);
	fprintf(j->out, "%" PRIu64, v);
}

void json_int(struct json *j, const char *key, int64_t v)
{
	sep(j, key);
	fprintf(j->out, "%" PRId64, v);
}

void json_addr(struct json *j, const char *key, uint64_t v)
{
	sep(j, key);
	fprintf(j->out, "\"0x%" PRIx64 "\"", v);
}

void json_bool(struct json *j, const char *key, int v)
{
	sep(j, key);
	fputs(v ? "true" : "false", j->out);
}

void json_null(struct json *j, const char *key)
{
	sep(j, key);
	fputs("null", j->out);
}

void json_raw(struct json *j, const char *key, const char *text, size_t len)
{
	while (len && text[len - 1] == '\n')
		len--;
	sep(j, key);
	fwrite(text, 1, len, j->out);
}

void json_end(struct json *j)
{
	fputc('\n', j->out);
}
