/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A minimal streaming JSON writer (library-internal). */
#ifndef MEMSECT_LIB_JSON_H
#define MEMSECT_LIB_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 16

struct json {
	FILE *out;
	int depth;
	int first[JSON_MAX_DEPTH];
};

void json_begin(struct json *j, FILE *out);
void json_obj(struct json *j, const char *key);		/* key NULL inside arrays */
void json_obj_end(struct json *j);
void json_arr(struct json *j, const char *key);
void json_arr_end(struct json *j);
void json_str(struct json *j, const char *key, const char *v);	/* NULL -> null */
void json_uint(struct json *j, const char *key, uint64_t v);
void json_int(struct json *j, const char *key, int64_t v);
void json_addr(struct json *j, const char *key, uint64_t v);	/* "0x..." */
void json_bool(struct json *j, const char *key, int v);
void json_null(struct json *j, const char *key);
/* @len bytes that are already one JSON value (a trailing newline is dropped). */
void json_raw(struct json *j, const char *key, const char *text, size_t len);
void json_end(struct json *j);

#endif
