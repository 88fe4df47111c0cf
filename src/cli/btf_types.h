/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kernel's BTF, read from the dump (the bytes between __start_BTF and
 * __stop_BTF that a CONFIG_DEBUG_INFO_BTF kernel keeps in memory) and
 * parsed by libbpf: struct layouts and enumerators for dumps analysed
 * without their vmlinux, answering like vmlinux.c does from DWARF.
 */
#ifndef MEMSECT_CLI_BTF_TYPES_H
#define MEMSECT_CLI_BTF_TYPES_H

#include <stddef.h>
#include <stdint.h>

#include "memsect/target.h"
#include "strmap.h"

struct btf;

struct btf_types {
	struct btf *btf;
	uint64_t size;			/* bytes of BTF read from the dump */
	struct strmap structs;		/* name -> type id, the first struct of each name */
	struct strmap enumerators;	/* name -> value, the first of each name */
	char err[256];
};

/*
 * Read [@start, @stop) through @t and parse it.  0, or MS_ERROR with a
 * one-line reason in b->err (too large, unreadable, rejected by libbpf).
 */
int btf_types_load(struct btf_types *b, const struct ms_target *t,
		   uint64_t start, uint64_t stop);
void btf_types_free(struct btf_types *b);

/* The target-interface convention: 0, MS_ABSENT or MS_ERROR. */
int btf_types_member(const struct btf_types *b, const char *type,
		     const char *member, size_t *offset, size_t *size);
int btf_types_type_size(const struct btf_types *b, const char *type, size_t *size);
int btf_types_enumerator(const struct btf_types *b, const char *name, int64_t *value);

#endif
