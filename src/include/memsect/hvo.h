/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * HugeTLB Vmemmap Optimization (HVO): every hugetlb folio with its folio
 * flag (HPG_vmemmap_optimized in the head's private) and what the vmemmap
 * page tables say (which vmemmap pages share one physical frame, which
 * leaves are writable, whether the PMD was split).
 */
#ifndef MEMSECT_HVO_H
#define MEMSECT_HVO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "context.h"

/* How the tail vmemmap pages of an optimized folio are aliased. */
enum ms_hvo_scheme {
	MS_HVO_NONE,		/* no two vmemmap pages share a frame */
	MS_HVO_HEAD_ALIAS,	/* tails alias the head's frame: fake heads (<= 7.0) */
	MS_HVO_SHARED_TAIL,	/* tails alias one frame that is not the head's (7.1+) */
	MS_HVO_MIXED,		/* tails map to several shared frames: not a kernel scheme */
	MS_HVO_UNKNOWN,		/* the walk failed (no vtop, unmapped vmemmap, an
				 * impossible leaf) or the folio's order is invalid */
};

#define MS_HVO_MAX_FRAMES 8

/* A frame that several vmemmap pages of one folio map. */
struct ms_hvo_frame {
	uint64_t frame;
	uint64_t first_page;		/* lowest vmemmap page index mapping it */
	uint64_t pages;			/* vmemmap pages mapping it */
	uint64_t writable;		/* of them through a writable leaf */
};

#define MS_HVO_PROBLEM_LEN 128

struct ms_hvo_folio {
	uint64_t pfn;
	unsigned order;			/* 0 when order_invalid */
	bool order_invalid;		/* page[1] claims no possible order: not walked */
	/*
	 * Why the folio is not as the kernel leaves one ("" if it is): an
	 * invalid order, a head found only through its fake heads.  The
	 * context holds the matching invalid record.
	 */
	char problem[MS_HVO_PROBLEM_LEN];
	int node;			/* -1 unknown */
	bool flag;			/* HPG_vmemmap_optimized in head private */
	uint64_t head_vaddr;		/* &struct page of pfn */
	uint64_t vmemmap_pages;		/* 4 KiB vmemmap pages of the folio */
	uint64_t pte_mapped;		/* of them mapped by 4 KiB PTEs */
	uint64_t unmapped;		/* of them without a translation */
	uint64_t bad_leaves;		/* of them through a leaf no vmemmap has */
	uint64_t head_frame;		/* physical address of vmemmap page 0 */
	uint64_t head_pte;		/* leaf entry of vmemmap page 0 */
	int head_level;
	bool head_writable;		/* head_pte maps it writable */
	uint64_t alias_frame;		/* frame of vmemmap page 1, 0 if none */
	uint64_t alias_pte;		/* leaf entry of vmemmap page 1 */
	int alias_level;
	bool alias_writable;
	uint64_t distinct_frames;	/* over all vmemmap pages */
	uint64_t aliased_pages;		/* pages 1..N-1 sharing their frame */
	uint64_t aliased_writable;	/* of them writable */
	uint64_t fake_heads;		/* PG_head struct pages inside the tails */
	enum ms_hvo_scheme scheme;
	struct ms_hvo_frame frames[MS_HVO_MAX_FRAMES];	/* by first_page */
	unsigned nframes;
	uint64_t frames_more;		/* aliased frames beyond MS_HVO_MAX_FRAMES */
};

/* A vmemmap frame mapped by more than one folio. */
struct ms_hvo_share {
	uint64_t frame;
	size_t nfolios;
	uint64_t first_pfn, second_pfn;	/* the two lowest folios using it */
	bool head;			/* it is some folio's head frame */
	bool orders_differ;
	/* Allowed: 7.1+ shared tail page, same order, never a head frame. */
	bool expected;
};

struct ms_hvo {
	struct ms_hvo_folio *v;
	size_t n;
	struct ms_hvo_share *shares;
	size_t nshares;
	bool walked;			/* the page tables could be walked */
	int flag_bit;			/* HPG_vmemmap_optimized, -1 unknown */
	const char *detect;		/* how hugetlb folios were recognised */
	uint64_t aliased_struct_pages;	/* struct pages a naive scan misreads */
	uint64_t fake_heads;		/* extra "heads" a naive scan would count */
	uint64_t pages_scanned;
};

/*
 * Scan once (cached in the context).  NULL when the kernel's hugetlb
 * encoding cannot be resolved from its debug info or memory ran out.
 */
struct ms_hvo *ms_get_hvo(struct ms_ctx *c);
void ms_hvo_free(struct ms_hvo *h);
const char *ms_hvo_scheme_name(enum ms_hvo_scheme s);
/*
 * Why the leaf that translated vmemmap address @va to @pa cannot be one the
 * kernel made, or NULL: the vmemmap is mapped by 2 MiB PMDs or 4 KiB PTEs
 * (vmemmap_populate()), never at another level, and no PTE maps the page
 * table that holds it (a loop in the tables).
 */
const char *ms_vmemmap_leaf_problem(struct ms_ctx *c, uint64_t va, uint64_t pa,
				    const struct ms_pte *leaf);


/* The HVO checks (src/lib/checks/hvo_*.c) and the "hvo" command's group. */
struct ms_findings;
void ms_check_hvo_flag_remap(struct ms_ctx *c, struct ms_findings *f);
void ms_check_hvo_alias_writable(struct ms_ctx *c, struct ms_findings *f);
void ms_check_hvo_shared_frame(struct ms_ctx *c, struct ms_findings *f);
void ms_checks_hvo(struct ms_ctx *c, struct ms_findings *f);

#endif
