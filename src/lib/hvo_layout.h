/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The hugetlb folio encoding of one kernel (library-internal). */
#ifndef MEMSECT_LIB_HVO_LAYOUT_H
#define MEMSECT_LIB_HVO_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "memsect/context.h"

enum ms_hugetlb_detect {
	MS_HUGETLB_PGTY,		/* 6.12+ */
	MS_HUGETLB_PGTYPE_INVERTED,	/* 6.9-6.11 */
	MS_HUGETLB_PG_FLAG,		/* 6.6-6.8 */
	MS_HUGETLB_DTOR,		/* <= 6.5 */
};

struct ms_hvo_layout {
	int pg_head;
	size_t private_off;
	int flag_bit;			/* HPG_vmemmap_optimized, -1 absent */
	enum ms_hugetlb_detect detect;
	uint32_t pgty;
	uint32_t inv_base, inv_bit;
	int pg_hugetlb;
	size_t dtor_off;
	int64_t dtor;
	bool order_in_flags;
	size_t order_off;
};

/*
 * This dump's hugetlb encoding, resolved on first use and held in @c;
 * NULL when the debug info lacks what hugetlb detection needs.
 */
const struct ms_hvo_layout *ms_get_hvo_layout(struct ms_ctx *c);
const char *ms_hvo_detect_name(enum ms_hugetlb_detect d);
bool ms_hvo_is_hugetlb(const struct ms_layout *L, const struct ms_hvo_layout *h,
		       const unsigned char *pg, const unsigned char *tail1);
enum ms_hvo_head {
	MS_HEAD_NONE,		/* not a hugetlb head (or page[1] unreadable) */
	MS_HEAD_FOLIO,		/* a hugetlb head of order *order */
	MS_HEAD_BAD_ORDER,	/* order 0 or above max_folio_order */
	MS_HEAD_MISALIGNED,	/* pfn not aligned to *order: a fake head? */
};

/*
 * What the struct page @pg of @pfn is (its section's struct pages start at
 * @mem_map for @start_pfn; @next is the following struct page, or NULL to
 * read it).  *@order receives the order page[1] claims.  With @record, a
 * failed read of page[1] and a bad order are recorded in @c; a scan that
 * shares its pass with the hugetlb scan (which records them) passes false.
 */
enum ms_hvo_head ms_hvo_head(struct ms_ctx *c, const struct ms_hvo_layout *h,
			     uint64_t mem_map, uint64_t start_pfn, uint64_t pfn,
			     const unsigned char *pg, const unsigned char *next,
			     unsigned *order, bool record);
/*
 * If @pg heads a hugetlb folio, return the folio's end pfn and its order
 * in *@order; else 0.  A bad order or a misaligned head is not taken for
 * a folio (with @record, it is recorded as invalid: ms_hvo_head()).
 */
uint64_t ms_hvo_folio_end(struct ms_ctx *c, const struct ms_hvo_layout *h,
			  uint64_t mem_map, uint64_t start_pfn, uint64_t pfn,
			  const unsigned char *pg, const unsigned char *next,
			  unsigned *order, bool record);
unsigned ms_hvo_order(const struct ms_layout *L, const struct ms_hvo_layout *h,
		      const unsigned char *tail1);

#endif
