/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Bulk struct page reading: the vmemmap of a section is translated once per
 * page-table leaf and read with large physical reads, on reader threads
 * when the context asks for them (ms_ctx.threads).
 */
#ifndef MEMSECT_PAGES_H
#define MEMSECT_PAGES_H

#include <stddef.h>
#include <stdint.h>

#include "context.h"
#include "sections.h"

/* Called with @n struct pages for pfns [pfn, pfn + n) in @buf. */
typedef int (*ms_pages_fn)(struct ms_ctx *c, uint64_t pfn, uint64_t n,
			   const unsigned char *buf, void *arg);

/*
 * A pass over the struct pages of the sections @secs[0..@n), in order:
 * ms_memmap_pass_section() for each section (or for each up to where the
 * pass stops).  With @c->threads > 1 and a target with clone(), reader
 * threads read ahead of the calls; the results and the errors recorded are
 * the same as without.  NULL when out of memory.
 */
struct ms_memmap_pass;
struct ms_memmap_pass *ms_memmap_pass_new(struct ms_ctx *c,
					  const struct ms_section *secs,
					  size_t n);
/*
 * Read section @s's struct pages (the next section of the pass) in chunks
 * and call @fn for each.  Unreadable parts are recorded as errors and
 * skipped.  Returns 0, MS_ERROR when out of memory, or the first non-zero
 * value @fn returned.
 */
int ms_memmap_pass_section(struct ms_memmap_pass *p, const struct ms_section *s,
			   ms_pages_fn fn, void *arg);
void ms_memmap_pass_free(struct ms_memmap_pass *p);

/*
 * The physical runs that hold section @s's struct pages, as the pass reads
 * them (none without page tables): @run(pa, len, arg) for each, until it
 * returns non-zero, which is returned.  What cannot be translated is left
 * out and not recorded.  For measuring the read limit (bench/).
 */
int ms_memmap_runs(struct ms_ctx *c, const struct ms_section *s,
		   int (*run)(uint64_t pa, uint64_t len, void *arg), void *arg);

/* The same for one section alone. */
int ms_for_each_page_chunk(struct ms_ctx *c, const struct ms_section *s,
			   ms_pages_fn fn, void *arg);

#endif
