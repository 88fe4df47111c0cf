/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Kernel virtual to physical through the kernel page tables
 * (library-internal): the target's vtop when it has one, otherwise the
 * core's own walk over physical reads, in the format of the dump's
 * architecture (arch.h).
 */
#ifndef MEMSECT_LIB_PGTABLE_H
#define MEMSECT_LIB_PGTABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "memsect/context.h"

/* Whether ms_vtop() can translate at all. */
bool ms_vtop_available(const struct ms_ctx *c);

/*
 * Translate @va.  0: *@pa and *@leaf are filled.  MS_ABSENT: @va is not
 * mapped, or a table on the way cannot be read (the caller records it).
 * MS_ERROR: the tables are not ones the kernel made (a table entry pointing
 * back at a table of this walk, a PTE mapping one, a leaf above the
 * architecture's highest leaf level): recorded here as an invalid value
 * at @va, once per bad entry; *@leaf holds that entry, its level and the
 * bytes its slot covers, which no translation exists for.
 */
int ms_vtop(struct ms_ctx *c, uint64_t va, uint64_t *pa, struct ms_pte *leaf);

/* Whether a leaf entry maps its memory writable; false when unknown. */
bool ms_pte_writable(const struct ms_ctx *c, uint64_t entry);

/* Bytes one entry at @level maps, 0 when the architecture is unknown. */
uint64_t ms_level_size(const struct ms_ctx *c, int level);

/* Set up the architecture and its page tables at context init (context.c). */
void ms_pgtable_init(struct ms_ctx *c);

#endif
