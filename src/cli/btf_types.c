// SPDX-License-Identifier: GPL-2.0-or-later
/* Types from the dump's own BTF through libbpf (see btf_types.h). */
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "btf_types.h"

#define MAX_BTF (64u << 20)	/* a distribution kernel's BTF is 5-6 MiB */
#define MAX_ANON_DEPTH 8	/* like vmlinux.c */
#define MAX_MODIFIERS 32	/* typedef/const/volatile chain, libbpf's resolve depth */

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	return 0;
}

static int index_enum(struct btf_types *b, const struct btf_type *t)
{
	int n = btf_vlen(t);

	for (int i = 0; i < n; i++) {
		const char *name;
		int64_t v;

		if (btf_is_enum64(t)) {
			const struct btf_enum64 *e = btf_enum64(t) + i;

			name = btf__name_by_offset(b->btf, e->name_off);
			v = (int64_t)btf_enum64_value(e);
		} else {
			const struct btf_enum *e = btf_enum(t) + i;

			name = btf__name_by_offset(b->btf, e->name_off);
			/* kflag: signed enumerators (BTF_KIND_ENUM, pahole 1.24) */
			v = btf_kflag(t) ? (int64_t)e->val : (int64_t)(uint32_t)e->val;
		}
		if (name && *name && strmap_add(&b->enumerators, name, (uint64_t)v))
			return -1;
	}
	return 0;
}

/* One pass over every type: named structs and every enum's enumerators. */
static int build_index(struct btf_types *b)
{
	uint32_t n = btf__type_cnt(b->btf);

	for (uint32_t id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(b->btf, id);
		const char *name;

		if (!t)
			return -1;
		if (btf_is_any_enum(t)) {
			if (index_enum(b, t))
				return -1;
			continue;
		}
		if (!btf_is_struct(t))
			continue;
		name = btf__name_by_offset(b->btf, t->name_off);
		if (name && *name && strmap_add(&b->structs, name, id))
			return -1;
	}
	return 0;
}

int btf_types_load(struct btf_types *b, const struct ms_target *t,
		   uint64_t start, uint64_t stop)
{
	void *data;
	size_t done = 0;

	memset(b, 0, sizeof(*b));
	if (stop <= start || stop - start > MAX_BTF) {
		snprintf(b->err, sizeof(b->err),
			 "BTF: __start_BTF 0x%" PRIx64 " .. __stop_BTF 0x%" PRIx64
			 " is not a plausible range (at most %u MiB)",
			 start, stop, MAX_BTF >> 20);
		return MS_ERROR;
	}
	b->size = stop - start;
	data = malloc(b->size);
	if (!data) {
		snprintf(b->err, sizeof(b->err), "out of memory");
		return MS_ERROR;
	}
	if (t->ops->read(t->priv, MS_KVADDR, start, data, b->size, &done)) {
		snprintf(b->err, sizeof(b->err),
			 "BTF: cannot read __start_BTF .. __stop_BTF at 0x%" PRIx64
			 " (%zu of %" PRIu64 " bytes read)", start, done, b->size);
		free(data);
		return MS_ERROR;
	}
	libbpf_set_print(quiet);
	errno = 0;
	b->btf = btf__new(data, (uint32_t)b->size);	/* copies the bytes */
	free(data);
	if (!b->btf) {
		snprintf(b->err, sizeof(b->err),
			 "BTF: the %" PRIu64 " bytes at 0x%" PRIx64 " are not valid BTF (libbpf: %s)",
			 b->size, start, strerror(errno ? errno : EINVAL));
		return MS_ERROR;
	}
	if (build_index(b)) {
		snprintf(b->err, sizeof(b->err), "BTF: cannot index its types");
		return MS_ERROR;
	}
	return 0;
}

void btf_types_free(struct btf_types *b)
{
	btf__free(b->btf);
	strmap_free(&b->structs);
	strmap_free(&b->enumerators);
	memset(b, 0, sizeof(*b));
}

/* The struct or union behind typedefs and qualifiers, or NULL. */
static const struct btf_type *aggregate(const struct btf *btf, uint32_t id)
{
	for (int i = 0; i < MAX_MODIFIERS; i++) {
		const struct btf_type *t = btf__type_by_id(btf, id);

		if (!t)
			return NULL;
		if (btf_is_composite(t))
			return t;
		if (!btf_is_mod(t) && !btf_is_typedef(t))
			return NULL;
		id = t->type;
	}
	return NULL;
}

/*
 * Like vmlinux.c's DWARF walk: members in declaration order, an anonymous
 * struct/union searched in place where it is declared.  A bitfield's offset is that of its
 * storage unit (the declared type's size), as DWARF 4's
 * DW_AT_data_member_location gives it.
 */
static int find_member(const struct btf *btf, const struct btf_type *s,
		       const char *name, size_t base, size_t *offset,
		       size_t *size, int depth)
{
	int n = btf_vlen(s);

	if (depth > MAX_ANON_DEPTH)
		return MS_ABSENT;
	for (int i = 0; i < n; i++) {
		const struct btf_member *m = btf_members(s) + i;
		const char *mn = btf__name_by_offset(btf, m->name_off);
		size_t bit = btf_member_bit_offset(s, i);
		const struct btf_type *inner;

		if (mn && *mn) {
			long long sz;
			size_t off = bit / 8;

			if (strcmp(mn, name))
				continue;
			sz = btf__resolve_size(btf, m->type);
			if (sz < 0)
				sz = 0;
			if (btf_member_bitfield_size(s, i) && sz > 0)
				off = bit / 8 / (size_t)sz * (size_t)sz;
			*offset = base + off;
			*size = (size_t)sz;
			return 0;
		}
		inner = aggregate(btf, m->type);
		if (inner && find_member(btf, inner, name, base + bit / 8, offset,
					 size, depth + 1) == 0)
			return 0;
	}
	return MS_ABSENT;
}

static const struct btf_type *struct_type(const struct btf_types *b, const char *type)
{
	uint64_t id;

	if (strmap_get(&b->structs, type, &id))
		return NULL;
	return btf__type_by_id(b->btf, (uint32_t)id);
}

int btf_types_member(const struct btf_types *b, const char *type,
		     const char *member, size_t *offset, size_t *size)
{
	const struct btf_type *s = struct_type(b, type);

	if (!s)
		return MS_ABSENT;
	return find_member(b->btf, s, member, 0, offset, size, 0);
}

int btf_types_type_size(const struct btf_types *b, const char *type, size_t *size)
{
	const struct btf_type *s = struct_type(b, type);

	if (!s)
		return MS_ABSENT;
	*size = s->size;
	return 0;
}

int btf_types_enumerator(const struct btf_types *b, const char *name, int64_t *value)
{
	uint64_t u;

	if (strmap_get(&b->enumerators, name, &u))
		return MS_ABSENT;
	*value = (int64_t)u;
	return 0;
}
