// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A section's page_ext table that cannot be used:
 * PAGE_EXT_UNREADABLE: a valid-looking pointer whose table cannot be read
 * from the dump (freed, never allocated, or filtered out);
 * PAGE_EXT_IMPLAUSIBLE: the un-biased table is not a kernel address, which
 * no allocator the kernel uses for page_ext tables (memblock, the page
 * allocator, vmalloc) returns; it is never read.
 */
#include "memsect/findings.h"
#include "memsect/sections.h"

static void bad_tables(struct ms_ctx *c, struct ms_findings *f,
		       enum ms_page_ext_state state,
		       enum ms_finding_code code)
{
	struct ms_sections *s = ms_get_sections(c);

	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++) {
		const struct ms_section *sec = &s->v[i];
		struct ms_finding *x;

		if (sec->pe_state != state)
			continue;
		if (state == MS_PE_UNREADABLE)
			x = ms_finding_add(f, code, sec->nr, 0,
					   "section %llu: page_ext table unreadable at 0x%llx",
					   (unsigned long long)sec->nr,
					   (unsigned long long)sec->pe_fail_addr);
		else
			x = ms_finding_add(f, code, sec->nr, 0,
					   "section %llu: page_ext table 0x%llx is not a kernel address",
					   (unsigned long long)sec->nr,
					   (unsigned long long)sec->page_ext_table);
		ms_ev_addr(x, MS_K_page_ext_raw, sec->page_ext_raw);
		ms_ev_addr(x, MS_K_page_ext_table, sec->page_ext_table);
		if (state == MS_PE_UNREADABLE)
			ms_ev_addr(x, MS_K_failed_address, sec->pe_fail_addr);
	}
}

void ms_check_page_ext_unreadable(struct ms_ctx *c, struct ms_findings *f)
{
	bad_tables(c, f, MS_PE_UNREADABLE, MS_F_PAGE_EXT_UNREADABLE);
}

void ms_check_page_ext_implausible(struct ms_ctx *c, struct ms_findings *f)
{
	bad_tables(c, f, MS_PE_IMPLAUSIBLE, MS_F_PAGE_EXT_IMPLAUSIBLE);
}
