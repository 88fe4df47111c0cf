/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Everything libmemsect knows about one dump's kernel, resolved once by
 * ms_layout_resolve() from VMCOREINFO, types, enumerators and symbols.
 * The layouts only some scans need (hugetlb, page_owner, the stack depot,
 * the page_ext clients) are resolved on first use through the same probe
 * (src/lib/probe.h) and held in struct ms_ctx: nothing else in the library
 * asks the target about layout.
 */
#ifndef MEMSECT_LAYOUT_H
#define MEMSECT_LAYOUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#include "target.h"

/* mem_section->section_mem_map flag bits, in the kernel's order. */
enum ms_section_flag {
#define MS_SECTION_FLAG(name, enumerator, old_bit, json, letter) \
	MS_SECTION_##name,
#include "kernel_defines.def"
	MS_SECTION_NFLAGS
};

/* How PageOffline is encoded in page->page_type. */
enum ms_pagetype_scheme {
	MS_PGTYPE_INVERTED,	/* <= 6.10: base 0xf0000000, type bit cleared */
	MS_PGTYPE_INVERTED_6_11,/* 6.11: base 0x80000000, type bit cleared */
	MS_PGTYPE_TOPBYTE,	/* 6.12+: one PGTY_* value in the top byte */
};

/* struct memory_block state, normalised. */
enum ms_block_state {
	MS_MEM_UNKNOWN,
#define MS_BLOCK_STATE(name, enumerator, old_value, sysfs) MS_MEM_##name,
#include "kernel_defines.def"
	MS_MEM_NSTATES
};

/* What older kernels #define (kernel_defines.def): MS_KD_<name>. */
#define MS_KDEFINE(name, value) static const uint64_t MS_KD_##name = (value);
#include "kernel_defines.def"

struct ms_layout {
	char osrelease[72];
	char build_id[48];		/* VMCOREINFO BUILD-ID, "" if absent */

	/* geometry */
	unsigned page_shift;
	uint64_t page_size;
	unsigned section_size_bits;
	unsigned max_physmem_bits;
	uint64_t pages_per_section;
	uint64_t nr_mem_sections;
	uint64_t sections_per_root;
	uint64_t nr_section_roots;
	uint64_t mem_section_roots;	/* value of the mem_section pointer */
	/*
	 * The largest folio order a value read from the dump may claim: a
	 * PUD-sized folio (page tables of 8-byte entries: 2 * (page_shift - 3),
	 * 18 for 4 KiB pages, the 1 GiB hugetlb page of x86_64 and arm64).
	 * A larger order (page_owner record, hugetlb folio) is invalid.
	 */
	unsigned max_folio_order;

	/* struct mem_section */
	size_t ms_size;
	size_t ms_mem_map_off;
	bool has_page_ext;		/* CONFIG_PAGE_EXTENSION: member exists */
	size_t ms_page_ext_off;
	int section_flag_bit[MS_SECTION_NFLAGS];	/* -1: not in this kernel */
	uint64_t section_map_mask;
	bool section_flags_from_enum;

	/* struct page */
	size_t page_struct_size;
	size_t page_flags_off;
	size_t page_refcount_off;
	size_t page_type_off;
	enum ms_pagetype_scheme pgtype;
	uint32_t pgtype_base;		/* inverted schemes */
	uint32_t pgtype_offline;	/* inverted: bit; topbyte: PGTY_offline */
	bool offline_from_vmcoreinfo;
	int pg_offline_skippable;	/* bit in page->flags, -1 if absent */

	/* page_ext */
	bool page_ext_size_known;
	uint64_t page_ext_size;
	/*
	 * page_ext_size as read (in page_ext_size) is not a sum this kernel's
	 * page_ext clients can make: not used (page_ext_size_known false);
	 * ms_ctx_init() records it as an invalid value read at this address.
	 */
	bool page_ext_size_bad;
	uint64_t page_ext_size_addr;

	/* memory blocks (drivers/base/memory.c) */
	bool has_memory_blocks;
	uint64_t memory_blocks_addr;	/* &memory_blocks (struct xarray) */
	uint64_t sections_per_block;	/* 0 if unknown */
	size_t xa_head_off;
	size_t xa_node_shift_off;
	size_t xa_node_slots_off;
	unsigned xa_chunk_size;
	size_t mb_start_section_off;
	size_t mb_state_off;
	size_t mb_state_size;
	int64_t mb_state_value[MS_MEM_NSTATES];	/* kernel value per state, -1 absent */
};

/*
 * Resolve the layout.  Returns 0, or MS_ERROR with a one-line reason in
 * @err (something required is missing: the dump is not usable).
 */
int ms_layout_resolve(struct ms_target *t, struct ms_layout *L,
		      char *err, size_t errlen);

const char *ms_section_flag_name(enum ms_section_flag f);
const char *ms_block_state_name(enum ms_block_state s);
enum ms_block_state ms_block_state_decode(const struct ms_layout *L,
					  uint64_t raw);

#endif
