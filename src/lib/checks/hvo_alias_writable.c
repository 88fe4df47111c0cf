// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * HVO_ALIAS_WRITABLE: a vmemmap page after the first that shares its frame
 * is mapped writable.  Every HVO generation maps the aliases PAGE_KERNEL_RO
 * (6.1 vmemmap_remap_pte; 6.2+ 11aad2631bf7; the 7.1 shared tail page), so
 * a write through a tail struct page would change every folio's copy.
 */
#include "memsect/findings.h"
#include "memsect/hvo.h"

void ms_check_hvo_alias_writable(struct ms_ctx *c, struct ms_findings *f)
{
	struct ms_hvo *h = ms_get_hvo(c);

	if (!h || !h->walked)
		return;
	for (size_t i = 0; i < h->n; i++) {
		const struct ms_hvo_folio *v = &h->v[i];
		struct ms_finding *x;

		if (!v->aliased_writable)
			continue;
		x = ms_finding_add(f, MS_F_HVO_ALIAS_WRITABLE, v->pfn,
				   v->pfn + (1ULL << v->order),
				   "hugetlb folio pfn 0x%llx: %llu aliased vmemmap pages are writable",
				   (unsigned long long)v->pfn,
				   (unsigned long long)v->aliased_writable);
		ms_ev_uint(x, MS_K_order, v->order);
		ms_ev_uint(x, MS_K_aliased_pages, v->aliased_pages);
		ms_ev_uint(x, MS_K_aliased_writable, v->aliased_writable);
		ms_ev_addr(x, MS_K_alias_frame, v->alias_frame);
		ms_ev_addr(x, MS_K_alias_pte, v->alias_pte);
	}
}
