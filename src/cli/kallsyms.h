/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kernel's own symbol table, decoded from the dump: the kallsyms tables
 * that VMCOREINFO locates (SYMBOL(kallsyms_names), ...).  Gives the
 * name -> address index of the target's symbol() and the %pS text of stack
 * addresses, for dumps analysed without their vmlinux.  Every byte comes
 * from the dump and is checked: counts and lengths against the extent of
 * the table that holds them, token indexes against the token table.
 */
#ifndef MEMSECT_CLI_KALLSYMS_H
#define MEMSECT_CLI_KALLSYMS_H

#include <stddef.h>
#include <stdint.h>

#include "memsect/target.h"
#include "strmap.h"

struct kallsyms {
	size_t n;
	uint64_t *addr;		/* run-time addresses, in the kernel's (address) order */
	uint32_t *name_off;	/* into names */
	char *names;		/* NUL-terminated names, without the type letter */
	char *types;		/* the type letter of each symbol ('T', 'd', ...) */
	struct strmap byname;	/* the first symbol of each name by address */
	const char *encoding;	/* "absolute-percpu", "relative" or "absolute" */
	char err[256];
};

/*
 * Decode the tables through @t's read() and vmcoreinfo().  0; MS_ABSENT
 * when VMCOREINFO does not locate them; MS_ERROR when the tables cannot be
 * read or fail a check.  Both with a one-line reason in k->err.
 */
int kallsyms_load(struct kallsyms *k, const struct ms_target *t);
void kallsyms_free(struct kallsyms *k);

/* The target-interface convention: 0 or MS_ABSENT. */
int kallsyms_lookup(const struct kallsyms *k, const char *name, uint64_t *addr);
/*
 * "name+0xoff/0xsize" as the kernel's %pS prints a run-time address: the
 * first symbol at the highest address <= @addr, the size being the distance
 * to the next higher address (kallsyms_lookup_size_offset()).  MS_ABSENT
 * before the first symbol and at or past the last one.
 */
int kallsyms_format(const struct kallsyms *k, uint64_t addr, char *buf, size_t len);

#endif
