// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * PAGE_EXT_MISSING: an online section without a page_ext table while other
 * sections have one.  page_ext clients need an entry for every online pfn;
 * online_page_ext() allocates it in MEM_GOING_ONLINE.  When no section has
 * a table (no client enabled, e.g. Debian's stock kernels) nothing is
 * reported.
 */
#include "memsect/findings.h"
#include "memsect/sections.h"

void ms_check_page_ext_missing(struct ms_ctx *c, struct ms_findings *f)
{
	struct ms_sections *s = ms_get_sections(c);
	unsigned with_table;

	if (!s)
		return;
	with_table = s->pe_count[MS_PE_VALID] + s->pe_count[MS_PE_INVALIDATED] +
		     s->pe_count[MS_PE_UNREADABLE];
	if (!with_table)
		return;
	for (size_t i = 0; i < s->n; i++) {
		const struct ms_section *sec = &s->v[i];
		struct ms_finding *x;

		if (sec->pe_state != MS_PE_NULL ||
		    !ms_section_has(sec, MS_SECTION_IS_ONLINE))
			continue;
		x = ms_finding_add(f, MS_F_PAGE_EXT_MISSING, sec->nr, 0,
				   "section %llu is online but has no page_ext table",
				   (unsigned long long)sec->nr);
		ms_ev_uint(x, MS_K_sections_with_table, with_table);
	}
}
