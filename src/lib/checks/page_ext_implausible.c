// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * PAGE_EXT_IMPLAUSIBLE: a section's page_ext pointer, un-biased, is not a
 * kernel address: no allocator the kernel uses for page_ext tables
 * (memblock, the page allocator, vmalloc) returns it.  The table is never
 * read, so none of its entries are reported.
 */
#include "memsect/findings.h"
#include "memsect/sections.h"

void ms_check_page_ext_implausible(struct ms_ctx *c, struct ms_findings *f)
{
	struct ms_sections *s = ms_get_sections(c);

	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++) {
		const struct ms_section *sec = &s->v[i];
		struct ms_finding *x;

		if (sec->pe_state != MS_PE_IMPLAUSIBLE)
			continue;
		x = ms_finding_add(f, "PAGE_EXT_IMPLAUSIBLE", MS_ERROR_SEV,
				   MS_PLACE_SECTION, sec->nr, 0,
				   "section %llu: page_ext table 0x%llx is not a kernel address",
				   (unsigned long long)sec->nr,
				   (unsigned long long)sec->page_ext_table);
		ms_ev_addr(x, "page_ext_raw", sec->page_ext_raw);
		ms_ev_addr(x, "page_ext_table", sec->page_ext_table);
	}
}
