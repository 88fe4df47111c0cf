// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * HVO_SHARED_FRAME: a vmemmap frame mapped by more than one hugetlb folio
 * where no kernel shares one.  Up to 7.0 each folio's aliases point at its
 * own head frame; from 7.1 ("Eliminate fake head pages from vmemmap
 * optimization", compound_info) the tails of all folios of one order in a
 * zone share one read-only page, but never a head frame and never across
 * orders.
 */
#include "memsect/findings.h"
#include "memsect/hvo.h"

void ms_check_hvo_shared_frame(struct ms_ctx *c, struct ms_findings *f)
{
	struct ms_hvo *h = ms_get_hvo(c);

	if (!h || !h->walked)
		return;
	for (size_t i = 0; i < h->nshares; i++) {
		const struct ms_hvo_share *s = &h->shares[i];
		struct ms_finding *x;

		if (s->expected)
			continue;
		x = ms_finding_add(f, MS_F_HVO_SHARED_FRAME, s->frame, 0,
				   "vmemmap frame 0x%llx is mapped by %zu hugetlb folios (pfn 0x%llx and 0x%llx)",
				   (unsigned long long)s->frame, s->nfolios,
				   (unsigned long long)s->first_pfn,
				   (unsigned long long)s->second_pfn);
		ms_ev_uint(x, MS_K_folios, s->nfolios);
		ms_ev_uint(x, MS_K_first_pfn, s->first_pfn);
		ms_ev_uint(x, MS_K_second_pfn, s->second_pfn);
		ms_ev_str(x, MS_K_role, s->head ? "head" : "tail");
		ms_ev_str(x, MS_K_orders, s->orders_differ ? "differ" : "same");
	}
}
