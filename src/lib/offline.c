// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Find PageOffline pages in every present section's memmap and merge them
 * into pfn ranges (across section boundaries, like /proc/kpageflags
 * KPF_OFFLINE ranges), with refcounts, PG_offline_skippable, the memory
 * block state and whether the dump file holds the pages' contents.
 */
#include <stdlib.h>
#include <string.h>

#include "hvo_layout.h"
#include "memsect/blocks.h"
#include "memsect/offline.h"
#include "memsect/pages.h"
#include "memsect/pagetype.h"
#include "memsect/sections.h"
#include "page_scan.h"

struct scan {
	struct ms_offline *o;
	size_t cap;
	struct ms_offline_range *cur;	/* open range, or NULL */
	int64_t block;			/* of the section being scanned */
	int going_offline;
	uint64_t section;
	const struct ms_section *s;
	/*
	 * Hugetlb folios are never PageOffline; with HVO their tail struct
	 * pages are aliases of the head page (or, 7.1+, of a page shared by
	 * other folios), so they are skipped by order, not decoded.
	 */
	const struct ms_hvo_layout *hl;	/* NULL: hugetlb not recognisable */
	bool hvo_in_pass;		/* the hugetlb scan records bad heads */
	struct ms_blocks *blocks;	/* NULL: unknown */
	uint64_t hugetlb_end;
};

static struct ms_offline_range *open_range(struct scan *sc, uint64_t pfn)
{
	struct ms_offline *o = sc->o;
	struct ms_offline_range *r;

	if (o->n == sc->cap) {
		size_t ncap = sc->cap ? sc->cap * 2 : 16;
		struct ms_offline_range *nv = realloc(o->v, ncap * sizeof(*nv));

		if (!nv)
			return NULL;
		o->v = nv;
		sc->cap = ncap;
	}
	r = &o->v[o->n++];
	memset(r, 0, sizeof(*r));
	r->start_pfn = pfn;
	r->end_pfn = pfn;
	r->first_section = sc->section;
	r->first_block = sc->block;
	r->skippable = sc->o->skippable < 0 ? -1 : 0;
	r->in_file = -1;
	return r;
}

static int visit_pages(struct ms_ctx *c, uint64_t pfn, uint64_t n,
		       const unsigned char *buf, void *arg)
{
	const struct ms_layout *L = &c->L;
	struct scan *sc = arg;

	for (uint64_t i = 0; i < n; i++, pfn++) {
		const unsigned char *pg = buf + i * L->page_struct_size;
		uint32_t type = ms_get_u32(pg, L->page_type_off);
		int32_t ref;
		struct ms_offline_range *r;
		unsigned bin, order;
		uint64_t end;

		if (pfn < sc->hugetlb_end) {
			sc->cur = NULL;
			continue;
		}
		if (sc->hl) {
			end = ms_hvo_folio_end(c, sc->hl, sc->s->mem_map,
					       sc->s->start_pfn, pfn, pg,
					       i + 1 < n ? pg + L->page_struct_size : NULL,
					       &order, !sc->hvo_in_pass);
			if (end) {
				sc->hugetlb_end = end;
				sc->cur = NULL;
				continue;
			}
		}
		if (!ms_page_type_is_offline(L, type)) {
			sc->cur = NULL;
			continue;
		}
		r = sc->cur;
		if (!r || r->end_pfn != pfn) {
			r = open_range(sc, pfn);
			if (!r)
				return MS_ERROR;
			sc->cur = r;
		}
		r->end_pfn = pfn + 1;
		r->last_section = sc->section;
		r->last_block = sc->block;
		ref = (int32_t)ms_get_u32(pg, L->page_refcount_off);
		if (ref < 0) {
			r->refcount_negative++;
			sc->o->refcount_negative++;
		} else {
			bin = ref < MS_REFCOUNT_BINS ? (unsigned)ref :
						       MS_REFCOUNT_BINS - 1;
			r->refcount[bin]++;
			sc->o->refcount[bin]++;
		}
		if (L->pg_offline_skippable >= 0) {
			/*
			 * __offline_isolated_pages(): WARN_ON_ONCE(page_count
			 * != 1) for skippable pages.
			 */
			if ((ms_get_u64(pg, L->page_flags_off) >>
			     L->pg_offline_skippable) & 1) {
				r->skippable++;
				sc->o->skippable++;
				r->offlinable++;
				sc->o->offlinable++;
				r->refcount_unexpected += ref != 1;
			}
		} else if (sc->going_offline) {
			/*
			 * Before PG_offline_skippable, virtio-mem drops the
			 * refcount to 0 in MEM_GOING_OFFLINE and
			 * __offline_isolated_pages() has BUG_ON(page_count).
			 */
			r->refcount_unexpected += ref != 0;
			r->offlinable += ref == 0;
			sc->o->offlinable += ref == 0;
		}
		r->in_going_offline += sc->going_offline;
		sc->o->pages++;
	}
	return 0;
}

static void audit_file(struct ms_ctx *c, struct ms_offline *o)
{
	struct ms_target *t = c->t;

	if (!t->ops->pfns_in_file)
		return;
	o->in_file = 0;
	for (size_t i = 0; i < o->n; i++) {
		struct ms_offline_range *r = &o->v[i];
		uint64_t stored;

		if (t->ops->pfns_in_file(t->priv, r->start_pfn, r->end_pfn,
					 &stored) != 0) {
			o->in_file = -1;
			for (size_t k = 0; k < o->n; k++)
				o->v[k].in_file = -1;
			return;
		}
		r->in_file = (int64_t)stored;
		o->in_file += (int64_t)stored;
	}
}

/* Before each section's struct pages: where its block stands. */
static int visit_section(struct ms_ctx *c, const struct ms_section *s,
			 void *arg)
{
	struct scan *sc = arg;
	const struct ms_block *b = ms_block_of_section(c, sc->blocks, s->nr);

	if (!s->mem_map || (sc->cur && sc->cur->end_pfn != s->start_pfn))
		sc->cur = NULL;
	sc->section = s->nr;
	sc->s = s;
	/* The block id needs only sections_per_block, not the xarray. */
	sc->block = c->L.sections_per_block ?
		    (int64_t)(s->nr / c->L.sections_per_block) : -1;
	sc->going_offline = b && b->state == MS_MEM_GOING_OFFLINE;
	return 0;
}

static void finish(struct ms_ctx *c, void *arg, bool failed, double seconds,
		   uint64_t pages)
{
	struct scan *sc = arg;
	struct ms_offline *o = sc->o;

	free(sc);
	if (failed) {
		free(o->v);
		free(o);
		return;
	}
	o->seconds = seconds;
	o->pages_scanned = pages;
	audit_file(c, o);
	c->offline = o;
}

int ms_offline_visitor(struct ms_ctx *c, struct ms_page_visitor *v,
		       bool hvo_in_pass)
{
	struct scan *sc = calloc(1, sizeof(*sc));
	struct ms_offline *o = calloc(1, sizeof(*o));

	if (!sc || !o) {
		free(sc);
		free(o);
		return MS_ERROR;
	}
	o->skippable = c->L.pg_offline_skippable >= 0 ? 0 : -1;
	o->in_file = -1;
	sc->o = o;
	sc->hvo_in_pass = hvo_in_pass;
	sc->blocks = ms_get_blocks(c);
	sc->hl = ms_get_hvo_layout(c);
	*v = (struct ms_page_visitor){ "PageOffline", visit_section, visit_pages, finish, sc };
	return 0;
}

struct ms_offline *ms_get_offline(struct ms_ctx *c)
{
	ms_scan_struct_pages(c, MS_SCAN_OFFLINE);
	return c->offline;
}
