/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Bulk struct page reading: the vmemmap of a section is translated once per
 * page-table leaf and read with large physical reads.
 */
#ifndef MEMSECT_PAGES_H
#define MEMSECT_PAGES_H

#include <stdint.h>

#include "context.h"
#include "sections.h"

/* Called with @n struct pages for pfns [pfn, pfn + n) in @buf. */
typedef int (*ms_pages_fn)(struct ms_ctx *c, uint64_t pfn, uint64_t n,
			   const unsigned char *buf, void *arg);

/*
 * Read the struct pages of one section in chunks and call @fn for each.
 * Unreadable parts are recorded as errors and skipped.  Returns 0, or the
 * first non-zero value @fn returned.
 */
int ms_for_each_page_chunk(struct ms_ctx *c, const struct ms_section *s,
			   ms_pages_fn fn, void *arg);

#endif
