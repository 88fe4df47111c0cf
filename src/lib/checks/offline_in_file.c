// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * PAGEOFFLINE_IN_DUMP: the dump file holds the contents of PageOffline
 * pages.  They belong to the hypervisor or a driver (makedumpfile excludes
 * them at every dump level via PAGE_OFFLINE_MAPCOUNT_VALUE; /proc/kcore
 * zero-fills them): a dumper that keeps them did not recognise them.
 */
#include "memsect/findings.h"
#include "memsect/offline.h"

void ms_check_offline_in_file(struct ms_ctx *c, struct ms_findings *f)
{
	struct ms_offline *o = ms_get_offline(c);

	if (!o || o->in_file < 0)
		return;
	for (size_t i = 0; i < o->n; i++) {
		const struct ms_offline_range *r = &o->v[i];
		struct ms_finding *x;

		if (r->in_file <= 0)
			continue;
		x = ms_finding_add(f, MS_F_PAGEOFFLINE_IN_DUMP,
				   r->start_pfn, r->end_pfn,
				   "the dump file holds %lld of %llu PageOffline pages in pfns 0x%llx-0x%llx",
				   (long long)r->in_file,
				   (unsigned long long)(r->end_pfn - r->start_pfn),
				   (unsigned long long)r->start_pfn,
				   (unsigned long long)r->end_pfn);
		ms_ev_int(x, MS_K_in_file, r->in_file);
		ms_ev_uint(x, MS_K_pages, r->end_pfn - r->start_pfn);
	}
}
