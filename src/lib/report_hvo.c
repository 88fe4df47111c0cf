// SPDX-License-Identifier: GPL-2.0-or-later
/* The "hvo" object of the JSON report and the hvo text listing. */
#include <inttypes.h>

#include "memsect/hvo.h"
#include "report_hvo.h"

static void folio_json(struct json *j, const struct ms_hvo *h,
		       const struct ms_hvo_folio *f, uint64_t per_page)
{
	json_obj(j, NULL);
	json_uint(j, "pfn", f->pfn);
	if (f->order_invalid)
		json_null(j, "order");
	else
		json_uint(j, "order", f->order);
	/* Only on a folio the dump gets wrong: clean documents stay as they were. */
	if (f->problem[0])
		json_str(j, "problem", f->problem);
	if (f->node >= 0)
		json_uint(j, "node", (uint64_t)f->node);
	else
		json_null(j, "node");
	json_bool(j, "flag", f->flag);
	json_str(j, "scheme", ms_hvo_scheme_name(f->scheme));
	json_addr(j, "head_vaddr", f->head_vaddr);
	json_uint(j, "vmemmap_pages", f->vmemmap_pages);
	/* Not walked: no page tables, or an order that sizes no vmemmap. */
	if (!h->walked || f->order_invalid) {
		json_obj_end(j);
		return;
	}
	json_uint(j, "pte_mapped", f->pte_mapped);
	json_bool(j, "pmd_split", f->pte_mapped == f->vmemmap_pages);
	json_uint(j, "unmapped", f->unmapped);
	if (f->bad_leaves)
		json_uint(j, "bad_leaves", f->bad_leaves);
	json_uint(j, "distinct_frames", f->distinct_frames);
	json_addr(j, "head_frame", f->head_frame);
	json_addr(j, "head_pte", f->head_pte);
	json_uint(j, "head_level", (uint64_t)f->head_level);
	json_bool(j, "head_writable", f->head_writable);
	if (f->alias_frame) {
		json_addr(j, "alias_frame", f->alias_frame);
		json_addr(j, "alias_pte", f->alias_pte);
		json_uint(j, "alias_level", (uint64_t)f->alias_level);
		json_bool(j, "alias_writable", f->alias_writable);
	} else {
		json_null(j, "alias_frame");
		json_null(j, "alias_pte");
		json_null(j, "alias_level");
		json_null(j, "alias_writable");
	}
	json_uint(j, "aliased_pages", f->aliased_pages);
	json_uint(j, "aliased_writable", f->aliased_writable);
	json_uint(j, "aliased_struct_pages", f->aliased_pages * per_page);
	json_uint(j, "fake_heads", f->fake_heads);
	json_arr(j, "aliased_frames");
	for (unsigned i = 0; i < f->nframes; i++) {
		json_obj(j, NULL);
		json_addr(j, "frame", f->frames[i].frame);
		json_uint(j, "first_page", f->frames[i].first_page);
		json_uint(j, "pages", f->frames[i].pages);
		json_uint(j, "writable", f->frames[i].writable);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_uint(j, "aliased_frames_more", f->frames_more);
	json_obj_end(j);
}

void ms_hvo_json(struct json *j, struct ms_ctx *c)
{
	struct ms_hvo *h = ms_get_hvo(c);
	uint64_t per_page = 4096 / c->L.page_struct_size;

	if (!h) {
		json_null(j, "hvo");
		return;
	}
	json_obj(j, "hvo");
	json_str(j, "hugetlb_detect", h->detect);
	if (h->flag_bit >= 0)
		json_uint(j, "flag_bit", (uint64_t)h->flag_bit);
	else
		json_null(j, "flag_bit");
	json_bool(j, "walked", h->walked);
	json_uint(j, "aliased_struct_pages", h->aliased_struct_pages);
	json_uint(j, "fake_heads", h->fake_heads);
	json_arr(j, "folios");
	for (size_t i = 0; i < h->n; i++)
		folio_json(j, h, &h->v[i], per_page);
	json_arr_end(j);
	json_arr(j, "shared_frames");
	for (size_t i = 0; i < h->nshares; i++) {
		const struct ms_hvo_share *s = &h->shares[i];

		json_obj(j, NULL);
		json_addr(j, "frame", s->frame);
		json_uint(j, "folios", s->nfolios);
		json_uint(j, "first_pfn", s->first_pfn);
		json_uint(j, "second_pfn", s->second_pfn);
		json_str(j, "role", s->head ? "head" : "tail");
		json_bool(j, "orders_differ", s->orders_differ);
		json_bool(j, "expected", s->expected);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_obj_end(j);
}

void ms_hvo_text_summary(FILE *out, struct ms_ctx *c)
{
	struct ms_hvo *h = ms_get_hvo(c);

	if (!h) {
		fprintf(out, "hvo: hugetlb folios cannot be recognised in this kernel's debug info\n");
		return;
	}
	fprintf(out, "hugetlb folios: %zu (by %s); struct pages a naive scan misreads: %" PRIu64
		" (fake heads %" PRIu64 ")%s\n", h->n, h->detect,
		h->aliased_struct_pages, h->fake_heads,
		h->walked ? "" : "; no page-table walk (page tables unknown)");
}

void ms_hvo_text(FILE *out, struct ms_ctx *c)
{
	struct ms_hvo *h = ms_get_hvo(c);

	ms_hvo_text_summary(out, c);
	if (!h)
		return;
	if (h->n)
		fprintf(out, "  %-10s %5s %4s %4s %-11s %6s %6s %-14s %-3s %-14s %-3s\n",
			"pfn", "order", "node", "flag", "scheme", "vmemmap", "frames",
			"head frame", "rw", "alias frame", "rw");
	for (size_t i = 0; i < h->n; i++) {
		const struct ms_hvo_folio *f = &h->v[i];

		fprintf(out, "  0x%-8" PRIx64 " %5u %4d %4s %-11s %6" PRIu64 " %6" PRIu64
			" 0x%-12" PRIx64 " %-3s ", f->pfn, f->order, f->node,
			f->flag ? "yes" : "no", ms_hvo_scheme_name(f->scheme),
			f->vmemmap_pages, f->distinct_frames, f->head_frame,
			f->head_writable ? "rw" : "ro");
		if (f->alias_frame)
			fprintf(out, "0x%-12" PRIx64 " %s\n", f->alias_frame,
				f->alias_writable ? "rw" : "ro");
		else
			fprintf(out, "%-14s -\n", "-");
		if (f->problem[0])
			fprintf(out, "    invalid: %s\n", f->problem);
		if (f->unmapped || f->bad_leaves)
			fprintf(out, "    vmemmap pages not mapped: %" PRIu64
				", through an impossible leaf: %" PRIu64 "\n",
				f->unmapped, f->bad_leaves);
	}
	for (size_t i = 0; i < h->nshares; i++)
		fprintf(out, "  frame 0x%" PRIx64 " shared by %zu folios (%s%s)\n",
			h->shares[i].frame, h->shares[i].nfolios,
			h->shares[i].head ? "head frame" : "tail frame",
			h->shares[i].expected ? ", 7.1+ shared tail page" : "");
}
