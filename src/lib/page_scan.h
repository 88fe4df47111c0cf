/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The pass over every present section's struct pages (library-internal).
 * The scans that need struct pages (the PageOffline ranges, the hugetlb
 * folios behind HVO) are visitors of one pass: `diagnose` reads the memmap
 * once, whichever scans it needs.
 */
#ifndef MEMSECT_LIB_PAGE_SCAN_H
#define MEMSECT_LIB_PAGE_SCAN_H

#include "memsect/context.h"
#include "memsect/pages.h"
#include "memsect/sections.h"

/* The scans a pass can feed (ms_scan_struct_pages()'s @what). */
#define MS_SCAN_OFFLINE	(1u << 0)	/* c->offline, offline.c */
#define MS_SCAN_HVO	(1u << 1)	/* c->hvo, hvo.c */

struct ms_page_visitor {
	const char *name;	/* of the scan, for an error */
	/*
	 * Called for every present section in pfn order, before its struct
	 * pages (a section without a mem_map gets only this call); may be
	 * NULL.  MS_ERROR drops this visitor from the rest of the pass.
	 */
	int (*section)(struct ms_ctx *c, const struct ms_section *s, void *arg);
	/* The section's readable struct pages, in chunks; MS_ERROR drops it. */
	ms_pages_fn pages;
	/*
	 * After the pass (@seconds its wall time, @pages the struct pages it
	 * decoded): store the result in the context, free @arg.  @failed: the
	 * visitor was dropped (out of memory, recorded as an error that makes
	 * the results partial); store nothing.
	 */
	void (*finish)(struct ms_ctx *c, void *arg, bool failed, double seconds,
		       uint64_t pages);
	void *arg;
};

/*
 * Make the visitor of a scan: 0, or MS_ERROR when the scan cannot run on
 * this dump (its layout is missing) or memory ran out.  @hvo_in_pass: the
 * hugetlb scan shares the pass, and records the bad hugetlb heads both
 * scans meet (once).
 */
int ms_offline_visitor(struct ms_ctx *c, struct ms_page_visitor *v,
		       bool hvo_in_pass);
int ms_hvo_visitor(struct ms_ctx *c, struct ms_page_visitor *v);

/*
 * Run the scans of @what not tried yet on @c, in one pass over the struct
 * pages; each is tried once (c->scans_tried).  A scan that cannot run, or
 * ran out of memory (recorded), leaves its result NULL.
 */
void ms_scan_struct_pages(struct ms_ctx *c, unsigned what);

#endif
