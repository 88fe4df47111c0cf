/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Kernel page-table walk for x86_64 (4- and 5-level), reading the tables
 * through crash's physical readmem().  crash's kvtop() translates but does
 * not say which level mapped the address, and the core needs the leaf.
 */
#ifndef MEMSECT_CRASH_VTOP_X86_64_H
#define MEMSECT_CRASH_VTOP_X86_64_H

#include "crash_target.h"

int vtop_x86_64(struct crash_target *ct, uint64_t vaddr, uint64_t *paddr,
		struct ms_pte *leaf);

#endif
