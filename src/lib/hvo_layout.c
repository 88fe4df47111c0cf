// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * How this kernel marks a hugetlb folio, its order and its HVO flag, by
 * probing the debug info and VMCOREINFO.  Kept out of
 * layout.c because only the hugetlb-aware scans need it; resolved once per
 * dump, on first use.
 */
#include <stdlib.h>
#include <string.h>

#include "hvo_layout.h"
#include "probe.h"
#include "vmcoreinfo.h"

static int resolve(struct ms_ctx *c, struct ms_probe *p,
		   struct ms_hvo_layout *h)
{
	struct ms_target *t = c->t;
	size_t psz = c->L.page_struct_size;
	int64_t v, base;

	memset(h, 0, sizeof(*h));
	h->flag_bit = -1;
	if (ms_probe_bit(p, "PG_head", 64, &h->pg_head) ||
	    ms_probe_try_member(p, "page", "private", &h->private_off, NULL))
		return ms_probe_fail(p, "PG_head or page.private not in the debug info");
	/* enum hugetlb_page_flags (5.12+): a bit in the head's private. */
	ms_probe_bit(p, "HPG_vmemmap_optimized", 64, &h->flag_bit);

	if (ms_probe_try_enum(p, "PGTY_hugetlb", &v) == 0) {
		/*
		 * 6.12+: one PGTY_* value in the top byte of page_type
		 * ("mm: page_type: use a separate page_type field", 6.12).
		 */
		h->detect = MS_HUGETLB_PGTY;
		h->pgty = (uint32_t)v & 0xff;
	} else if (ms_vmci_number(t, "NUMBER(PAGE_HUGETLB_MAPCOUNT_VALUE)",
				  &v) == 0) {
		/*
		 * 6.9-6.11: hugetlb is an inverted page type
		 * (d99e3140a4d3 "mm: turn folio_test_hugetlb into a
		 * PageType", 6.9): the type bit is cleared under the base.
		 */
		base = (int64_t)MS_KD_OLD_PAGE_TYPE_BASE;
		ms_probe_try_enum(p, "PAGE_TYPE_BASE", &base);	/* 6.11 enum */
		h->detect = MS_HUGETLB_PGTYPE_INVERTED;
		h->inv_base = (uint32_t)base;
		h->inv_bit = ~(uint32_t)v & ~(uint32_t)base;
	} else if (ms_probe_bit(p, "PG_hugetlb", 64, &h->pg_hugetlb) == 0) {
		/*
		 * 6.6-6.8: PG_hugetlb (= PG_active) in page[1].flags
		 * ("mm: free up a word in the first tail page", 6.6).
		 */
		h->detect = MS_HUGETLB_PG_FLAG;
	} else if (ms_probe_try_member(p, "page", "compound_dtor", &h->dtor_off,
				   NULL) == 0 &&
		   (ms_vmci_number(t, "NUMBER(HUGETLB_PAGE_DTOR)", &v) == 0 ||
		    ms_probe_try_enum(p, "HUGETLB_PAGE_DTOR", &v) == 0)) {
		/* <= 6.5: page[1].compound_dtor == HUGETLB_PAGE_DTOR. */
		h->detect = MS_HUGETLB_DTOR;
		h->dtor = v;
	} else {
		return ms_probe_fail(p, "no hugetlb folio encoding this memsect knows in the debug info");
	}
	/*
	 * Order: page[1].compound_order up to 6.5; from 6.6 ("mm: free up a
	 * word in the first tail page") the low byte of page[1].flags.
	 */
	h->order_in_flags = ms_probe_try_member(p, "page", "compound_order",
					    &h->order_off, NULL) != 0;
	/* Every field read must lie inside the struct page that was read. */
	if (h->private_off + 8 > psz ||
	    (h->detect == MS_HUGETLB_DTOR && h->dtor_off >= psz) ||
	    (!h->order_in_flags && h->order_off >= psz))
		return ms_probe_fail(p, "a hugetlb field lies outside struct page");
	return 0;
}

const struct ms_hvo_layout *ms_get_hvo_layout(struct ms_ctx *c)
{
	struct ms_probe p;
	struct ms_hvo_layout *h;

	if (c->hvo_layout_tried)
		return c->hvo_layout;
	h = malloc(sizeof(*h));
	if (!h) {
		ms_ctx_error(c, MS_KVADDR, 0, "out of memory resolving the hugetlb layout");
		return NULL;
	}
	c->hvo_layout_tried = true;
	ms_probe_init(&p, c->t);
	if (resolve(c, &p, h)) {
		free(h);
		return NULL;
	}
	c->hvo_layout = h;
	return h;
}

const char *ms_hvo_detect_name(enum ms_hugetlb_detect d)
{
	switch (d) {
	case MS_HUGETLB_PGTY: return "page_type PGTY_hugetlb";
	case MS_HUGETLB_PGTYPE_INVERTED: return "page_type PG_hugetlb (inverted)";
	case MS_HUGETLB_PG_FLAG: return "page[1].flags PG_hugetlb";
	case MS_HUGETLB_DTOR: return "page[1].compound_dtor";
	}
	return "?";
}

/* Is the page at @pg (with its first tail @tail1) a hugetlb head? */
bool ms_hvo_is_hugetlb(const struct ms_layout *L, const struct ms_hvo_layout *h,
		       const unsigned char *pg, const unsigned char *tail1)
{
	uint32_t type = ms_get_u32(pg, L->page_type_off);

	switch (h->detect) {
	case MS_HUGETLB_PGTY:
		return (type >> 24) == h->pgty;
	case MS_HUGETLB_PGTYPE_INVERTED:
		return (type & (h->inv_base | h->inv_bit)) == h->inv_base;
	case MS_HUGETLB_PG_FLAG:
		return (ms_get_u64(tail1, L->page_flags_off) >> h->pg_hugetlb) & 1;
	case MS_HUGETLB_DTOR:
		return tail1[h->dtor_off] == (unsigned char)h->dtor;
	}
	return false;
}

enum ms_hvo_head ms_hvo_head(struct ms_ctx *c, const struct ms_hvo_layout *h,
			     uint64_t mem_map, uint64_t start_pfn, uint64_t pfn,
			     const unsigned char *pg, const unsigned char *next,
			     unsigned *order, bool record)
{
	const struct ms_layout *L = &c->L;
	size_t psz = L->page_struct_size;
	uint64_t tail1_va = mem_map + (pfn + 1 - start_pfn) * psz;
	unsigned char tail1[4096];	/* layout.c bounds the struct page size */
	unsigned o;

	if (!((ms_get_u64(pg, L->page_flags_off) >> h->pg_head) & 1))
		return MS_HEAD_NONE;
	if (next)
		memcpy(tail1, next, psz);
	else if (record ? ms_read(c, MS_KVADDR, tail1_va, tail1, psz,
				  "first tail struct page", NULL) :
			  ms_read_quiet(c, MS_KVADDR, tail1_va, tail1, psz, NULL))
		return MS_HEAD_NONE;
	if (!ms_hvo_is_hugetlb(L, h, pg, tail1))
		return MS_HEAD_NONE;
	o = ms_hvo_order(L, h, tail1);
	*order = o;
	/* A hugetlb folio is at least order 1 and at most PUD-sized. */
	if (!o || o > L->max_folio_order) {
		if (record)
			ms_ctx_invalid(c, MS_KVADDR, tail1_va,
				       "hugetlb folio pfn 0x%llx: order %u in its first tail is not 1..%u",
				       (unsigned long long)pfn, o, L->max_folio_order);
		return MS_HEAD_BAD_ORDER;
	}
	/* Folios are naturally aligned; else a fake head or corruption. */
	if (pfn & ((1ULL << o) - 1))
		return MS_HEAD_MISALIGNED;
	return MS_HEAD_FOLIO;
}

uint64_t ms_hvo_folio_end(struct ms_ctx *c, const struct ms_hvo_layout *h,
			  uint64_t mem_map, uint64_t start_pfn, uint64_t pfn,
			  const unsigned char *pg, const unsigned char *next,
			  unsigned *order, bool record)
{
	switch (ms_hvo_head(c, h, mem_map, start_pfn, pfn, pg, next, order,
			    record)) {
	case MS_HEAD_FOLIO:
		return pfn + (1ULL << *order);
	case MS_HEAD_MISALIGNED:
		if (record)
			ms_ctx_invalid(c, MS_KVADDR, mem_map + (pfn - start_pfn) *
				       c->L.page_struct_size,
				       "hugetlb head at pfn 0x%llx is not aligned to its order %u",
				       (unsigned long long)pfn, *order);
		return 0;
	default:
		return 0;
	}
}

unsigned ms_hvo_order(const struct ms_layout *L, const struct ms_hvo_layout *h,
		      const unsigned char *tail1)
{
	if (h->order_in_flags)
		return ms_get_u64(tail1, L->page_flags_off) & 0xff;
	return tail1[h->order_off];
}
