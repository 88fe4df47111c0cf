/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * x86_64 kernel page-table walk for the Python target, whose drgn
 * translates addresses but does not say which leaf mapped one (the HVO
 * check needs the leaf).  It reads through the target itself: the top
 * table by its virtual address, the rest physically.
 */
#ifndef MEMSECT_PY_VTOP_H
#define MEMSECT_PY_VTOP_H

#include "memsect/target.h"

#define PY_VTOP_ENTRIES 512

/*
 * The last table read at each level, whole: a walk of consecutive vmemmap
 * pages reads each table once instead of calling back into Python for
 * every entry (the tables of a dump do not change).
 */
struct py_vtop_table {
	uint64_t addr;
	enum ms_addrspace as;
	int valid;
	uint64_t e[PY_VTOP_ENTRIES];
};

struct py_vtop {
	int levels;		/* 0 not yet resolved, -1 no root table */
	uint64_t root;		/* virtual address of the top-level table */
	struct py_vtop_table table[5];	/* by level - 1 */
};

int py_vtop(struct py_vtop *p, struct ms_target *t, uint64_t vaddr,
	    uint64_t *paddr, struct ms_pte *leaf);

#endif
