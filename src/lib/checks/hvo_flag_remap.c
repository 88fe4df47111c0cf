// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * HVO_FLAG_WITHOUT_REMAP / HVO_REMAP_WITHOUT_FLAG: the folio flag
 * (HPG_vmemmap_optimized) and the vmemmap page tables disagree.  The kernel
 * sets the flag after remapping and clears it after restoring
 * (hugetlb_vmemmap_optimize_folio / hugetlb_vmemmap_restore_folio), so a
 * disagreement in a quiescent dump is a half-done operation or corruption.
 */
#include "memsect/findings.h"
#include "memsect/hvo.h"

void ms_check_hvo_flag_remap(struct ms_ctx *c, struct ms_findings *f)
{
	struct ms_hvo *h = ms_get_hvo(c);

	if (!h || !h->walked || h->flag_bit < 0)
		return;
	for (size_t i = 0; i < h->n; i++) {
		const struct ms_hvo_folio *v = &h->v[i];
		uint64_t end = v->pfn + (1ULL << v->order);
		struct ms_finding *x;
		bool remapped;

		if (v->scheme == MS_HVO_UNKNOWN)
			continue;
		remapped = v->scheme != MS_HVO_NONE;
		if (v->flag == remapped)
			continue;
		if (v->flag)
			x = ms_finding_add(f, MS_F_HVO_FLAG_WITHOUT_REMAP,
					   v->pfn, end,
					   "hugetlb folio pfn 0x%llx order %u has HPG_vmemmap_optimized but its vmemmap is not aliased",
					   (unsigned long long)v->pfn, v->order);
		else
			x = ms_finding_add(f, MS_F_HVO_REMAP_WITHOUT_FLAG,
					   v->pfn, end,
					   "hugetlb folio pfn 0x%llx order %u has aliased vmemmap without HPG_vmemmap_optimized",
					   (unsigned long long)v->pfn, v->order);
		ms_ev_uint(x, MS_K_order, v->order);
		ms_ev_addr(x, MS_K_head_vaddr, v->head_vaddr);
		ms_ev_uint(x, MS_K_vmemmap_pages, v->vmemmap_pages);
		ms_ev_uint(x, MS_K_distinct_frames, v->distinct_frames);
		ms_ev_uint(x, MS_K_aliased_pages, v->aliased_pages);
		ms_ev_uint(x, MS_K_pte_mapped, v->pte_mapped);
	}
}
