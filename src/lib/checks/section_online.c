// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * SECTION_ONLINE_MISMATCH: a section's SECTION_IS_ONLINE flag disagrees
 * with its memory block's state (online_pages() sets the flag for every
 * section of the block, offline_pages() clears it); blocks in a transition
 * state are not judged here (BLOCK_IN_TRANSITION).
 */
#include "memsect/blocks.h"
#include "memsect/findings.h"
#include "memsect/sections.h"

void ms_check_section_online(struct ms_ctx *c, struct ms_findings *f)
{
	struct ms_sections *s = ms_get_sections(c);
	struct ms_blocks *b = ms_get_blocks(c);

	if (!s || !b || !b->available)
		return;
	for (size_t i = 0; i < s->n; i++) {
		const struct ms_section *sec = &s->v[i];
		const struct ms_block *blk = ms_block_of_section(c, b, sec->nr);
		int online = ms_section_has(sec, MS_SECTION_IS_ONLINE);
		struct ms_finding *x;

		if (!blk)
			continue;
		if (!((blk->state == MS_MEM_ONLINE && !online) ||
		      (blk->state == MS_MEM_OFFLINE && online)))
			continue;
		x = ms_finding_add(f, MS_F_SECTION_ONLINE_MISMATCH, sec->nr, 0,
				   "section %llu is %s but memory block %llu is %s",
				   (unsigned long long)sec->nr,
				   online ? "online" : "not online",
				   (unsigned long long)blk->id,
				   ms_block_state_name(blk->state));
		ms_ev_uint(x, MS_K_block, blk->id);
		ms_ev_str(x, MS_K_block_state, ms_block_state_name(blk->state));
		ms_ev_uint(x, MS_K_section_online, online);
	}
}
