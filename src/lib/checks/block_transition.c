// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * BLOCK_IN_TRANSITION: a memory block caught in a state other than online or
 * offline (going-offline, going-online, ...): a hotplug operation was in
 * progress when the dump was taken.
 */
#include "memsect/blocks.h"
#include "memsect/findings.h"

void ms_check_block_transition(struct ms_ctx *c, struct ms_findings *f)
{
	struct ms_blocks *b = ms_get_blocks(c);

	if (!b || !b->available)
		return;
	for (size_t i = 0; i < b->n; i++) {
		const struct ms_block *blk = &b->v[i];
		struct ms_finding *x;

		if (blk->state == MS_MEM_ONLINE || blk->state == MS_MEM_OFFLINE)
			continue;
		x = ms_finding_add(f, MS_F_BLOCK_IN_TRANSITION, blk->id, 0,
				   "memory block %llu is %s",
				   (unsigned long long)blk->id,
				   ms_block_state_name(blk->state));
		ms_ev_str(x, MS_K_state, ms_block_state_name(blk->state));
		ms_ev_uint(x, MS_K_state_raw, blk->state_raw);
		ms_ev_uint(x, MS_K_start_section, blk->start_section);
	}
}
