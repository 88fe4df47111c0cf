// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * PAGE_EXT_UNREADABLE: a valid-looking page_ext pointer whose table cannot
 * be read from the dump (freed, never allocated, or filtered out).
 */
#include "memsect/findings.h"
#include "memsect/sections.h"

void ms_check_page_ext_unreadable(struct ms_ctx *c, struct ms_findings *f)
{
	struct ms_sections *s = ms_get_sections(c);

	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++) {
		const struct ms_section *sec = &s->v[i];
		struct ms_finding *x;

		if (sec->pe_state != MS_PE_UNREADABLE)
			continue;
		x = ms_finding_add(f, "PAGE_EXT_UNREADABLE", MS_ERROR_SEV,
				   MS_PLACE_SECTION, sec->nr, 0,
				   "section %llu: page_ext table unreadable at 0x%llx",
				   (unsigned long long)sec->nr,
				   (unsigned long long)sec->pe_fail_addr);
		ms_ev_addr(x, "page_ext_raw", sec->page_ext_raw);
		ms_ev_addr(x, "page_ext_table", sec->page_ext_table);
		ms_ev_addr(x, "failed_address", sec->pe_fail_addr);
	}
}
