// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * PAGE_EXT_GIGANTIC_OVERRUN: a folio larger than a section (1 GiB = 8
 * sections of 128 MiB) whose page_owner record was written linearly past the
 * end of its first section's page_ext table.  Since cf54f310d0d3 (v6.11,
 * gigantic hugetlb folios allocated with __GFP_COMP) post_alloc_hook() sets
 * page_owner for the whole order, and until the v6.15 iteration API
 * (9039b9096ea2 "mm: page_ext: add an iteration API for page extensions",
 * 4e30b94cdad6 page_table_check, 3a812bed3d32 page_owner) every walk used
 * page_ext_next() = entry + page_ext_size across the section boundary.
 *
 * Signature, per section start q = pfn + j * PAGES_PER_SECTION (j >= 1):
 * the section's own entry lacks the folio's record (order, handle) while
 * the linear extrapolation head_entry + j * PAGES_PER_SECTION * page_ext_size
 * holds it.  A gigantic folio starts at a section start, so only those
 * entries are read.
 */
#include <stdlib.h>

#include "memsect/findings.h"
#include "memsect/page_owner.h"
#include "memsect/sections.h"

/* Bound on a corrupt order: no folio spans more than 2^12 sections. */
#define MAX_SECTIONS_ORDER 12

static bool same_record(const struct ms_page_owner *a, const struct ms_page_owner *b)
{
	return a->owner && a->order == b->order && a->handle == b->handle;
}

static void check_folio(struct ms_ctx *c, const struct ms_po_layout *pl,
			const struct ms_page_owner *head, unsigned sec_order,
			uint64_t table_end, struct ms_findings *f)
{
	uint64_t pps = c->L.pages_per_section;
	uint64_t nsec = 1ull << (head->order - sec_order);
	unsigned missing = 0, linear = 0, unreadable = 0;
	unsigned char *e = malloc(pl->ext_size);
	struct ms_finding *x;

	if (!e)
		return;

	for (uint64_t j = 1; j < nsec; j++) {
		struct ms_page_owner own, lin = { 0 };

		if (ms_page_owner_read(c, pl, head->pfn + j * pps, &own) != 0 ||
		    !same_record(&own, head))
			missing++;
		if (ms_read_quiet(c, MS_KVADDR, head->entry + j * pps * pl->ext_size,
				  e, pl->ext_size, NULL)) {
			unreadable++;
			continue;
		}
		ms_page_owner_decode(pl, e, &lin);
		linear += same_record(&lin, head);
	}
	free(e);
	if (!missing || !linear)
		return;
	x = ms_finding_add(f, MS_F_PAGE_EXT_GIGANTIC_OVERRUN,
			   head->pfn, head->pfn + (1ull << head->order),
			   "order-%u folio at pfn 0x%llx: page_owner records written past section %llu's page_ext table; kernel lacks 9039b9096ea2 (v6.15)",
			   head->order, (unsigned long long)head->pfn,
			   (unsigned long long)head->section);
	ms_ev_uint(x, MS_K_order, head->order);
	ms_ev_uint(x, MS_K_sections, nsec);
	ms_ev_uint(x, MS_K_sections_missing_record, missing);
	ms_ev_uint(x, MS_K_records_past_table, linear);
	ms_ev_uint(x, MS_K_unreadable_past_table, unreadable);
	ms_ev_addr(x, MS_K_table_end, table_end);
	ms_ev_addr(x, MS_K_handle, head->handle);
	ms_ev_str(x, MS_K_missing_fix, "9039b9096ea2 4e30b94cdad6 3a812bed3d32");
}

void ms_check_page_ext_gigantic_overrun(struct ms_ctx *c, struct ms_findings *f)
{
	struct ms_sections *s = ms_get_sections(c);
	unsigned sec_order = c->L.section_size_bits - c->L.page_shift;
	const struct ms_po_layout *pl;

	if (!s || !c->L.has_page_ext || !c->L.page_ext_size_known)
		return;
	pl = ms_get_po_layout(c);
	if (!pl->ok)
		return;
	for (size_t i = 0; i < s->n; i++) {
		const struct ms_section *sec = &s->v[i];
		struct ms_page_owner head;

		if (sec->pe_state != MS_PE_VALID ||
		    ms_page_owner_read(c, pl, sec->start_pfn, &head) != 0)
			continue;
		if (!head.owner || !head.allocated || !head.handle ||
		    head.order <= sec_order || head.order > sec_order + MAX_SECTIONS_ORDER)
			continue;
		check_folio(c, pl, &head, sec_order,
			    sec->page_ext_table + pl->ext_size * c->L.pages_per_section, f);
	}
}
