/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * An architecture's kernel page-table format and the few layout facts
 * VMCOREINFO does not carry (library-internal).  The core's one page-table
 * walk (pgtable.c) and the layout resolver know nothing else about an
 * architecture; a port adds one src/lib/arch/<name>.c that fills a struct
 * ms_arch and one line in ms_arch_detect().
 *
 * Levels count from the leaf end: 1 is the last-level table (PTE), 2 the
 * one above it (PMD), up to the root.  Every table is one base page of
 * 8-byte entries indexed by index_bits bits of the virtual address.
 */
#ifndef MEMSECT_LIB_ARCH_H
#define MEMSECT_LIB_ARCH_H

#include <stdbool.h>
#include <stdint.h>

#include "memsect/target.h"

#define MS_PGT_MAX_LEVELS 5

/* The kernel page tables of one dump: where the root is, how deep they go. */
struct ms_pgt {
	uint64_t root;		/* physical address of the top-level table */
	int levels;		/* 0: no walk (the root is unknown) */
};

struct ms_arch {
	const char *name;
	/* Whether the dump's VMCOREINFO is this architecture's. */
	bool (*detect)(struct ms_target *t);
	unsigned page_shift;	/* base page: 1 << page_shift bytes */
	unsigned index_bits;	/* virtual address bits per level */
	int max_leaf_level;	/* the highest level an entry may map memory at */
	/*
	 * Whether the kernel maps its own page tables with PTEs: then a PTE
	 * pointing at a table of the walk that reached it is no sign of
	 * corrupt tables (arm64 maps the image and, with rodata=full, the
	 * linear map page by page; x86_64 maps both with large pages).
	 */
	bool ptes_map_tables;
	/*
	 * Find the root table and the level count from VMCOREINFO.  0, or
	 * MS_ERROR with why in @err (a value in the dump that cannot be
	 * right); MS_ABSENT when the dump does not say (no walk, no error).
	 */
	int (*pgt_setup)(struct ms_target *t, struct ms_pgt *pgt, char *err,
			 size_t errlen);
	bool (*present)(uint64_t entry);
	/* Whether a present entry at @level > 1 maps memory, not a table. */
	bool (*leaf)(uint64_t entry, int level);
	bool (*writable)(uint64_t entry);
	/* The physical address an entry points at (a table, or a leaf's frame). */
	uint64_t (*frame)(uint64_t entry);
	/*
	 * Layout facts VMCOREINFO may lack: MAX_PHYSMEM_BITS from what it
	 * does say (0: unknown), and a variable holding the memory block
	 * size in bytes (NULL: none).
	 */
	unsigned (*max_physmem_bits)(struct ms_target *t);
	const char *block_size_symbol;
};

/* The dump's architecture from its VMCOREINFO, or NULL when unknown. */
const struct ms_arch *ms_arch_detect(struct ms_target *t);

#endif
