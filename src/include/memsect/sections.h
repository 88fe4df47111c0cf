/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Present memory sections and the state of their page_ext pointer. */
#ifndef MEMSECT_SECTIONS_H
#define MEMSECT_SECTIONS_H

#include <stddef.h>
#include <stdint.h>

#include "context.h"

enum ms_page_ext_state {
	MS_PE_ABSENT,		/* kernel without CONFIG_PAGE_EXTENSION */
	MS_PE_NULL,		/* no table */
	MS_PE_VALID,		/* table at page_ext_table */
	MS_PE_INVALIDATED,	/* bit 0 set: offline in progress (6.1+) */
	MS_PE_UNREADABLE,	/* the table (or the pointer) could not be read */
	MS_PE_IMPLAUSIBLE,	/* the table is not at a kernel address */
	MS_PE_NSTATES
};

struct ms_section {
	uint64_t nr;
	uint64_t start_pfn, end_pfn;	/* [start, end) */
	uint64_t addr;			/* &mem_section[nr] */
	uint64_t mem_map_raw;		/* section_mem_map as stored */
	uint32_t flags;			/* bit n = enum ms_section_flag n */
	uint64_t coded_mem_map;		/* raw & SECTION_MAP_MASK */
	uint64_t mem_map;		/* struct page of start_pfn, 0 if none */
	enum ms_page_ext_state pe_state;
	uint64_t page_ext_raw;
	uint64_t page_ext_table;	/* un-biased table start, 0 if none */
	uint64_t pe_fail_addr;		/* MS_PE_UNREADABLE: failing address */
};

struct ms_sections {
	struct ms_section *v;
	size_t n;
	size_t roots_present;		/* non-NULL root pointers */
	unsigned pe_count[MS_PE_NSTATES];
	unsigned online, early, has_mem_map;
};

/* Scan (once; cached in the context).  NULL only when the roots are unreadable. */
struct ms_sections *ms_get_sections(struct ms_ctx *c);
const struct ms_section *ms_find_section(const struct ms_sections *s,
					 uint64_t nr);
const char *ms_page_ext_state_name(enum ms_page_ext_state s);
/* A section-flag test by our enum; false when the kernel has no such bit. */
int ms_section_has(const struct ms_section *s, enum ms_section_flag f);

#endif
