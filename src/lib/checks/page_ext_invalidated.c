// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * PAGE_EXT_INVALIDATED: mem_section.page_ext has PAGE_EXT_INVALID (bit 0)
 * set, which offline_page_ext() does between __invalidate_page_ext() and
 * __free_page_ext() (b1d5488a252d, v6.1): the dump caught a memory offline
 * in progress.
 */
#include "memsect/blocks.h"
#include "memsect/findings.h"
#include "memsect/sections.h"

void ms_check_page_ext_invalidated(struct ms_ctx *c, struct ms_findings *f)
{
	struct ms_sections *s = ms_get_sections(c);
	struct ms_blocks *b = ms_get_blocks(c);

	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++) {
		const struct ms_section *sec = &s->v[i];
		const struct ms_block *blk;
		struct ms_finding *x;

		if (sec->pe_state != MS_PE_INVALIDATED)
			continue;
		blk = ms_block_of_section(c, b, sec->nr);
		x = ms_finding_add(f, MS_F_PAGE_EXT_INVALIDATED, sec->nr, 0,
				   "section %llu: page_ext is invalidated (bit 0 set): memory offline in progress",
				   (unsigned long long)sec->nr);
		ms_ev_addr(x, MS_K_page_ext_raw, sec->page_ext_raw);
		ms_ev_addr(x, MS_K_page_ext_table, sec->page_ext_table);
		ms_ev_uint(x, MS_K_section_online,
			   ms_section_has(sec, MS_SECTION_IS_ONLINE));
		ms_ev_str(x, MS_K_block_state,
			  blk ? ms_block_state_name(blk->state) : "unknown");
	}
}
