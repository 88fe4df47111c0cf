// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * PAGEOFFLINE_REFCOUNT: PageOffline pages whose refcount breaks what memory
 * offlining requires (see struct ms_offline_range.refcount_unexpected), or
 * is negative.
 */
#include "memsect/findings.h"
#include "memsect/offline.h"

void ms_check_offline_refcount(struct ms_ctx *c, struct ms_findings *f)
{
	struct ms_offline *o = ms_get_offline(c);

	if (!o)
		return;
	for (size_t i = 0; i < o->n; i++) {
		const struct ms_offline_range *r = &o->v[i];
		struct ms_finding *x;

		if (!r->refcount_unexpected && !r->refcount_negative)
			continue;
		x = ms_finding_add(f, MS_F_PAGEOFFLINE_REFCOUNT,
				   r->start_pfn, r->end_pfn,
				   "%llu PageOffline pages in pfns 0x%llx-0x%llx have a refcount memory offlining does not expect",
				   (unsigned long long)(r->refcount_unexpected +
							(uint64_t)r->refcount_negative),
				   (unsigned long long)r->start_pfn,
				   (unsigned long long)r->end_pfn);
		ms_ev_uint(x, MS_K_unexpected, r->refcount_unexpected);
		ms_ev_int(x, MS_K_negative, r->refcount_negative);
		ms_ev_int(x, MS_K_skippable, r->skippable);
		ms_ev_int(x, MS_K_in_going_offline, r->in_going_offline);
	}
}
