// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Find every hugetlb folio in the memmap and walk the page tables behind its
 * vmemmap (mm/hugetlb_vmemmap.c).  The struct page scan goes up in pfn order
 * and skips a hugetlb folio's tails by order, so the fake heads HVO leaves
 * at every 64th tail (5.18 .. 7.0) are counted, never taken for folios.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hvo_layout.h"
#include "hvo_node.h"
#include "memsect/hvo.h"
#include "memsect/pages.h"
#include "memsect/sections.h"
#include "page_scan.h"
#include "pgtable.h"

#define VMEMMAP_PAGE 4096ULL

struct scan {
	struct ms_hvo *h;
	size_t cap;
	const struct ms_hvo_layout *hl;
	const struct ms_section *s;
	uint64_t skip_until;		/* end pfn of the current folio */
	struct ms_hvo_folio *cur;
	/* 4 KiB vmemmap pages of the section behind an impossible leaf */
	unsigned char *bad;
	size_t bad_cap;
	uint64_t bad_base;		/* vmemmap address of bad[0] */
	/*
	 * The last folio whose order is invalid: its fake heads (byte copies
	 * of its head through the aliased vmemmap) are counted, not taken
	 * for more folios.
	 */
	size_t inv_folio;
	bool have_inv;
	unsigned char inv_head[4096];	/* layout.c bounds the struct page size */
};

const char *ms_vmemmap_leaf_problem(struct ms_ctx *c, uint64_t va, uint64_t pa,
				    const struct ms_pte *leaf)
{
	uint64_t pte = ms_level_size(c, 1), slot;

	/*
	 * vmemmap_populate(): vmemmap_populate_hugepages() maps 2 MiB PMDs,
	 * vmemmap_populate_basepages() 4 KiB PTEs; HVO splits a PMD into
	 * PTEs (vmemmap_split_pmd()).  No PUD or larger leaf.
	 */
	if (leaf->level != 1 && leaf->level != 2)
		return "a leaf at a level no vmemmap mapping uses";
	if (!pte)
		return NULL;	/* no architecture: no sizes to hold it to */
	if (leaf->leaf_size != ms_level_size(c, leaf->level))
		return "a leaf whose size does not match its level";
	if (leaf->level != 1 || !leaf->entry)
		return NULL;
	/*
	 * A PTE that maps its own table: the frame holds this very entry in
	 * the slot that translated @va (a target's own vtop; the core's walk
	 * refuses such a PTE itself).
	 */
	if (ms_read_quiet(c, MS_PADDR, (pa & ~(pte - 1)) +
			  ((va / pte) % (ms_level_size(c, 2) / pte)) * 8,
			  &slot, 8, NULL) == 0 &&
	    slot == leaf->entry)
		return "a PTE that maps its own page table";
	return NULL;
}

/* Grain of vmemmap address @va in sc->bad. */
static uint64_t grain(const struct scan *sc, uint64_t va)
{
	return (va - sc->bad_base) / VMEMMAP_PAGE;
}

/*
 * Before the scan reads the struct pages of @s: mark the vmemmap pages
 * that an impossible leaf maps (a 1 GiB PUD leaf, a PTE pointing at its own
 * table, ...).  What they hold is not struct pages: each such leaf is
 * recorded and its struct pages are not used.
 */
static int check_leaves(struct ms_ctx *c, struct scan *sc,
			const struct ms_section *s)
{
	uint64_t len = (s->end_pfn - s->start_pfn) * c->L.page_struct_size;
	uint64_t va = s->mem_map & ~(VMEMMAP_PAGE - 1), end = s->mem_map + len;
	size_t n = (size_t)((end - va + VMEMMAP_PAGE - 1) / VMEMMAP_PAGE);

	if (n > sc->bad_cap) {
		unsigned char *nb = realloc(sc->bad, n);

		if (!nb)
			return MS_ERROR;
		sc->bad = nb;
		sc->bad_cap = n;
	}
	memset(sc->bad, 0, n);
	sc->bad_base = va;
	if (!ms_vtop_available(c))
		return 0;
	while (va < end) {
		uint64_t pa, next = (va & ~(VMEMMAP_PAGE - 1)) + VMEMMAP_PAGE;
		struct ms_pte leaf;
		const char *why = NULL;
		int ret = ms_vtop(c, va, &pa, &leaf);

		/*
		 * An unmapped page is recorded by the struct page scan, bad
		 * tables (MS_ERROR) by the walk.
		 */
		if (ret != MS_ABSENT) {
			uint64_t size = leaf.leaf_size;

			if (size >= VMEMMAP_PAGE && !(size & (size - 1)))
				next = (va & ~(size - 1)) + size;
			if (ret == 0)
				why = ms_vmemmap_leaf_problem(c, va, pa, &leaf);
			if (why)
				ms_ctx_invalid(c, MS_KVADDR, va,
					       "vmemmap of section %llu: %s (entry 0x%llx, level %d); its struct pages are not used",
					       (unsigned long long)s->nr, why,
					       (unsigned long long)leaf.entry,
					       leaf.level);
			for (uint64_t g = grain(sc, va);
			     (why || ret) && g < n && g < grain(sc, next); g++)
				sc->bad[g] = 1;
		}
		if (next <= va)
			break;		/* the last leaf of the address space */
		va = next;
	}
	return 0;
}

static bool page_bad(const struct scan *sc, const struct ms_layout *L,
		     uint64_t pfn)
{
	uint64_t a = sc->s->mem_map + (pfn - sc->s->start_pfn) * L->page_struct_size;

	return sc->bad[grain(sc, a)] ||
	       sc->bad[grain(sc, a + L->page_struct_size - 1)];
}

const char *ms_hvo_scheme_name(enum ms_hvo_scheme s)
{
	static const char *const names[] = {
		[MS_HVO_NONE] = "none",
		[MS_HVO_HEAD_ALIAS] = "head-alias",
		[MS_HVO_SHARED_TAIL] = "shared-tail",
		[MS_HVO_MIXED] = "mixed",
		[MS_HVO_UNKNOWN] = "unknown",
	};

	return s <= MS_HVO_UNKNOWN ? names[s] : "?";
}

static struct ms_hvo_folio *add_folio(struct scan *sc)
{
	struct ms_hvo *h = sc->h;

	if (h->n == sc->cap) {
		size_t ncap = sc->cap ? sc->cap * 2 : 16;
		struct ms_hvo_folio *nv = realloc(h->v, ncap * sizeof(*nv));

		if (!nv)
			return NULL;
		h->v = nv;
		sc->cap = ncap;
	}
	memset(&h->v[h->n], 0, sizeof(h->v[0]));
	return &h->v[h->n++];
}

static void set_problem(struct ms_hvo_folio *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void set_problem(struct ms_hvo_folio *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(f->problem, sizeof(f->problem), fmt, ap);
	va_end(ap);
}

static struct ms_hvo_folio *new_folio(struct ms_ctx *c, struct scan *sc,
				      uint64_t pfn, const unsigned char *pg)
{
	struct ms_hvo_folio *f = add_folio(sc);
	const struct ms_section *s = sc->s;

	if (!f)
		return NULL;
	f->pfn = pfn;
	f->head_vaddr = s->mem_map + (pfn - s->start_pfn) * c->L.page_struct_size;
	f->flag = sc->hl->flag_bit >= 0 &&
		  ((ms_get_u64(pg, sc->hl->private_off) >> sc->hl->flag_bit) & 1);
	f->scheme = MS_HVO_UNKNOWN;
	return f;
}

/* Count a fake head of the folio @f. */
static void fake_head(struct scan *sc, struct ms_hvo_folio *f)
{
	f->fake_heads++;
	sc->h->fake_heads++;
}

static int visit(struct ms_ctx *c, uint64_t pfn, uint64_t n,
		 const unsigned char *buf, void *arg)
{
	const struct ms_layout *L = &c->L;
	size_t psz = L->page_struct_size;
	struct scan *sc = arg;
	const struct ms_section *s = sc->s;

	for (uint64_t i = 0; i < n; i++, pfn++) {
		const unsigned char *pg = buf + i * psz;
		bool head = (ms_get_u64(pg, L->page_flags_off) >> sc->hl->pg_head) & 1;
		struct ms_hvo_folio *f;
		uint64_t start;
		unsigned order;

		if (page_bad(sc, L, pfn))
			continue;
		if (pfn < sc->skip_until) {
			if (head)
				fake_head(sc, sc->cur);
			continue;
		}
		if (head && sc->have_inv && !memcmp(pg, sc->inv_head, psz)) {
			fake_head(sc, &sc->h->v[sc->inv_folio]);
			continue;
		}
		switch (ms_hvo_head(c, sc->hl, s->mem_map, s->start_pfn, pfn, pg,
				    i + 1 < n ? pg + psz : NULL, &order, true)) {
		case MS_HEAD_NONE:
			continue;
		case MS_HEAD_BAD_ORDER:
			/* Recorded; the head alone is taken, its extent is unknown. */
			f = new_folio(c, sc, pfn, pg);
			if (!f)
				return MS_ERROR;
			f->order_invalid = true;
			set_problem(f, "order %u in its first tail is not 1..%u",
				    order, L->max_folio_order);
			sc->inv_folio = sc->h->n - 1;
			sc->have_inv = true;
			memcpy(sc->inv_head, pg, psz);
			continue;
		case MS_HEAD_MISALIGNED:
			/*
			 * A fake head outside every folio found: its folio's
			 * head struct page was unreadable or does not head
			 * it.  The folio starts at the aligned pfn.
			 */
			start = pfn & ~((1ULL << order) - 1);
			if (start < sc->skip_until) {
				ms_ctx_invalid(c, MS_KVADDR, s->mem_map +
					       (pfn - s->start_pfn) * psz,
					       "hugetlb head at pfn 0x%llx is not aligned to its order %u",
					       (unsigned long long)pfn, order);
				continue;
			}
			f = new_folio(c, sc, start, pg);
			if (!f)
				return MS_ERROR;
			ms_ctx_invalid(c, MS_KVADDR, f->head_vaddr,
				       "hugetlb folio pfn 0x%llx order %u: found only through its fake head at pfn 0x%llx",
				       (unsigned long long)start, order,
				       (unsigned long long)pfn);
			set_problem(f, "no hugetlb head struct page; found through its fake head at pfn 0x%llx",
				    (unsigned long long)pfn);
			fake_head(sc, f);
			break;
		default:	/* MS_HEAD_FOLIO */
			f = new_folio(c, sc, pfn, pg);
			if (!f)
				return MS_ERROR;
			break;
		}
		f->order = order;
		sc->cur = f;
		sc->skip_until = f->pfn + (1ULL << order);
	}
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* How often @frame occurs in the sorted @v of @n. */
static uint64_t occurrences(const uint64_t *v, uint64_t n, uint64_t frame)
{
	uint64_t lo = 0, hi = n, k = 0;

	while (lo < hi) {
		uint64_t mid = (lo + hi) / 2;

		if (v[mid] < frame)
			lo = mid + 1;
		else
			hi = mid;
	}
	while (lo + k < n && v[lo + k] == frame)
		k++;
	return k;
}

/* Count vmemmap page @k in the entry of its (aliased) frame. */
static void note_frame(struct ms_hvo_folio *f, uint64_t k, uint64_t frame,
		       bool writable)
{
	struct ms_hvo_frame *x;

	for (unsigned i = 0; i < f->nframes; i++)
		if (f->frames[i].frame == frame) {
			f->frames[i].pages++;
			f->frames[i].writable += writable;
			return;
		}
	if (f->nframes == MS_HVO_MAX_FRAMES)
		return;		/* counted in frames_more */
	x = &f->frames[f->nframes++];
	x->frame = frame;
	x->first_page = k;
	x->pages = 1;
	x->writable = writable;
}

/*
 * Walk the vmemmap of @f page by page.  @frames receives the frame of each
 * vmemmap page (0 when unmapped).
 */
static void walk(struct ms_ctx *c, struct ms_hvo_folio *f, uint64_t *frames,
		 uint64_t *sorted, uint64_t *entries)
{
	uint64_t n = f->vmemmap_pages, first_tail = 0, aliased_frames = 0;
	bool tails_same = true;

	for (uint64_t k = 0; k < n; k++) {
		uint64_t va = f->head_vaddr + k * VMEMMAP_PAGE, pa;
		struct ms_pte leaf;

		const char *why;
		int ret = ms_vtop(c, va, &pa, &leaf);

		frames[k] = 0;
		entries[k] = 0;
		if (ret == MS_ABSENT) {
			ms_ctx_error(c, MS_KVADDR, va,
				     "vmemmap of hugetlb folio pfn 0x%llx not mapped",
				     (unsigned long long)f->pfn);
			f->unmapped++;
			continue;
		}
		if (ret) {	/* bad tables, recorded by the walk */
			f->bad_leaves++;
			continue;
		}
		why = ms_vmemmap_leaf_problem(c, va, pa, &leaf);
		if (why) {
			ms_ctx_invalid(c, MS_KVADDR, va,
				       "vmemmap page %llu of hugetlb folio pfn 0x%llx: %s (entry 0x%llx, level %d)",
				       (unsigned long long)k,
				       (unsigned long long)f->pfn, why,
				       (unsigned long long)leaf.entry, leaf.level);
			f->bad_leaves++;
			continue;
		}
		frames[k] = pa & ~(VMEMMAP_PAGE - 1);
		entries[k] = leaf.entry;
		f->pte_mapped += leaf.level == 1;
		if (k == 0) {
			f->head_frame = frames[0];
			f->head_pte = leaf.entry;
			f->head_level = leaf.level;
			f->head_writable = ms_pte_writable(c, leaf.entry);
		} else if (k == 1) {
			f->alias_frame = frames[1];
			f->alias_pte = leaf.entry;
			f->alias_level = leaf.level;
			f->alias_writable = ms_pte_writable(c, leaf.entry);
			first_tail = frames[1];
		} else if (frames[k] != first_tail) {
			tails_same = false;
		}
	}
	memcpy(sorted, frames, n * sizeof(*frames));
	qsort(sorted, n, sizeof(*sorted), cmp_u64);
	for (uint64_t k = 0; k < n; k++) {
		bool first = sorted[k] && (k == 0 || sorted[k] != sorted[k - 1]);

		f->distinct_frames += first;
		aliased_frames += first && k + 1 < n && sorted[k + 1] == sorted[k];
	}
	for (uint64_t k = 0; k < n; k++) {
		if (!frames[k] || occurrences(sorted, n, frames[k]) < 2)
			continue;
		bool rw = ms_pte_writable(c, entries[k]);

		note_frame(f, k, frames[k], rw);
		if (!k)
			continue;
		f->aliased_pages++;
		f->aliased_writable += rw;
	}
	f->frames_more = aliased_frames - f->nframes;
	if (f->unmapped || f->bad_leaves)
		f->scheme = MS_HVO_UNKNOWN;
	else if (!f->aliased_pages)
		f->scheme = MS_HVO_NONE;
	else if (!tails_same)
		f->scheme = MS_HVO_MIXED;
	else if (first_tail == f->head_frame)
		f->scheme = MS_HVO_HEAD_ALIAS;
	else
		f->scheme = MS_HVO_SHARED_TAIL;
	if (f->scheme == MS_HVO_NONE) {
		f->alias_frame = f->alias_pte = 0, f->alias_level = 0;
		f->alias_writable = false;
	}
}

struct use {
	uint64_t frame;
	size_t folio;
	bool head;
};

static int cmp_use(const void *a, const void *b)
{
	const struct use *x = a, *y = b;

	if (x->frame != y->frame)
		return x->frame < y->frame ? -1 : 1;
	return x->folio < y->folio ? -1 : x->folio > y->folio;
}

/* Frames that more than one folio maps (only aliased frames can be). */
static int find_shares(struct ms_hvo *h)
{
	struct use *u = calloc(h->n * 2 + 1, sizeof(*u));
	size_t nu = 0, cap = 0;

	if (!u)
		return MS_ERROR;
	for (size_t i = 0; i < h->n; i++) {
		const struct ms_hvo_folio *f = &h->v[i];

		if (f->scheme == MS_HVO_NONE || f->scheme == MS_HVO_UNKNOWN)
			continue;
		u[nu++] = (struct use){ f->head_frame, i, true };
		if (f->alias_frame != f->head_frame)
			u[nu++] = (struct use){ f->alias_frame, i, false };
	}
	qsort(u, nu, sizeof(*u), cmp_use);
	for (size_t i = 0, j; i < nu; i = j) {
		struct ms_hvo_share *s;
		bool head = false, differ = false;

		for (j = i; j < nu && u[j].frame == u[i].frame; j++) {
			head |= u[j].head;
			differ |= h->v[u[j].folio].order != h->v[u[i].folio].order;
		}
		if (j - i < 2)
			continue;
		if (h->nshares == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			struct ms_hvo_share *nv = realloc(h->shares,
							  ncap * sizeof(*nv));

			if (!nv) {
				free(u);
				return MS_ERROR;
			}
			h->shares = nv;
			cap = ncap;
		}
		s = &h->shares[h->nshares++];
		s->frame = u[i].frame;
		s->nfolios = j - i;
		s->first_pfn = h->v[u[i].folio].pfn;
		s->second_pfn = h->v[u[i + 1].folio].pfn;
		s->head = head;
		s->orders_differ = differ;
		s->expected = !head && !differ &&
			      h->v[u[i].folio].scheme == MS_HVO_SHARED_TAIL;
	}
	free(u);
	return 0;
}

static int walk_all(struct ms_ctx *c, struct ms_hvo *h)
{
	size_t psz = c->L.page_struct_size;
	uint64_t max = 0, *buf;

	for (size_t i = 0; i < h->n; i++) {
		struct ms_hvo_folio *f = &h->v[i];

		if (f->order_invalid)
			continue;
		f->vmemmap_pages = ((1ULL << f->order) * psz + VMEMMAP_PAGE - 1) /
				   VMEMMAP_PAGE;
		if (f->vmemmap_pages > max)
			max = f->vmemmap_pages;
	}
	h->walked = ms_vtop_available(c);
	if (!h->walked || !h->n)
		return 0;
	buf = malloc(3 * max * sizeof(*buf));
	if (!buf)
		return MS_ERROR;
	for (size_t i = 0; i < h->n; i++) {
		struct ms_hvo_folio *f = &h->v[i];

		if (f->order_invalid)
			continue;
		walk(c, f, buf, buf + max, buf + 2 * max);
		h->aliased_struct_pages += f->aliased_pages *
					   (VMEMMAP_PAGE / psz);
	}
	free(buf);
	return find_shares(h);
}

static void set_nodes(struct ms_ctx *c, struct ms_hvo *h)
{
	struct ms_node_span *spans;
	size_t n = h->n ? ms_node_spans(c, &spans) : 0;

	for (size_t i = 0; i < h->n; i++) {
		h->v[i].node = n ? ms_node_of_pfn(spans, n, h->v[i].pfn) : -1;
		if (n && h->v[i].node < 0)
			ms_ctx_invalid(c, MS_KVADDR, h->v[i].head_vaddr,
				       "hugetlb folio pfn 0x%llx lies in no node's pfn span",
				       (unsigned long long)h->v[i].pfn);
	}
	if (n)
		free(spans);
}

/* Before each section's struct pages: the leaves its vmemmap must not use. */
static int visit_section(struct ms_ctx *c, const struct ms_section *s,
			 void *arg)
{
	struct scan *sc = arg;

	sc->s = s;
	return s->mem_map ? check_leaves(c, sc, s) : 0;
}

static void finish(struct ms_ctx *c, void *arg, bool failed, double seconds,
		   uint64_t pages)
{
	struct scan *sc = arg;
	struct ms_hvo *h = sc->h;

	(void)seconds;
	free(sc->bad);
	free(sc);
	if (failed) {
		ms_hvo_free(h);
		return;
	}
	h->pages_scanned = pages;
	set_nodes(c, h);
	if (walk_all(c, h))
		ms_ctx_error(c, MS_KVADDR, 0,
			     "out of memory walking the hugetlb folios' vmemmap page tables");
	c->hvo = h;
}

int ms_hvo_visitor(struct ms_ctx *c, struct ms_page_visitor *v)
{
	struct scan *sc = calloc(1, sizeof(*sc));
	struct ms_hvo *h = calloc(1, sizeof(*h));

	if (!sc || !h || !(sc->hl = ms_get_hvo_layout(c))) {
		free(sc);
		free(h);
		return MS_ERROR;
	}
	h->flag_bit = sc->hl->flag_bit;
	h->detect = ms_hvo_detect_name(sc->hl->detect);
	sc->h = h;
	*v = (struct ms_page_visitor){ "hugetlb", visit_section, visit, finish, sc };
	return 0;
}

struct ms_hvo *ms_get_hvo(struct ms_ctx *c)
{
	ms_scan_struct_pages(c, MS_SCAN_HVO);
	return c->hvo;
}

void ms_hvo_free(struct ms_hvo *h)
{
	if (!h)
		return;
	free(h->v);
	free(h->shares);
	free(h);
}
