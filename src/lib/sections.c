// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Walk the two-level mem_section array (SPARSEMEM_EXTREME): the root array
 * is read once, each non-NULL root page once; absent roots are skipped.
 */
#include <stdlib.h>
#include <string.h>

#include "memsect/sections.h"

const char *ms_page_ext_state_name(enum ms_page_ext_state s)
{
	static const char *const names[MS_PE_NSTATES] = {
		"absent", "null", "valid", "invalidated", "unreadable",
		"implausible",
	};

	return s < MS_PE_NSTATES ? names[s] : "?";
}

int ms_section_has(const struct ms_section *s, enum ms_section_flag f)
{
	return (s->flags >> f) & 1;
}

const struct ms_section *ms_find_section(const struct ms_sections *s,
					 uint64_t nr)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->v[mid].nr == nr)
			return &s->v[mid];
		if (s->v[mid].nr < nr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static uint32_t decode_flags(const struct ms_layout *L, uint64_t raw)
{
	uint32_t flags = 0;

	for (int i = 0; i < MS_SECTION_NFLAGS; i++)
		if (L->section_flag_bit[i] >= 0 &&
		    (raw >> L->section_flag_bit[i]) & 1)
			flags |= 1u << i;
	return flags;
}

/*
 * mem_section.page_ext is biased by the section's start pfn
 * (mm/page_ext.c init_section_page_ext(): base - page_ext_size * pfn);
 * bit 0 is PAGE_EXT_INVALID while offline_page_ext() runs (b1d5488a252d,
 * v6.1).  A table that is not at a kernel address (alloc_page_ext() takes
 * it from memblock, the page allocator or vmalloc) is implausible and never
 * read; a valid table is probed at its first entry.
 */
static void decode_page_ext(struct ms_ctx *c, struct ms_section *s,
			    const unsigned char *ms)
{
	const struct ms_layout *L = &c->L;
	unsigned char probe[8];
	uint64_t base;

	if (!L->has_page_ext) {
		s->pe_state = MS_PE_ABSENT;
		return;
	}
	s->page_ext_raw = ms_get_u64(ms, L->ms_page_ext_off);
	if (!s->page_ext_raw) {
		s->pe_state = MS_PE_NULL;
		return;
	}
	base = s->page_ext_raw & ~MS_KD_PAGE_EXT_INVALID;
	if (L->page_ext_size_known)
		s->page_ext_table = base + L->page_ext_size * s->start_pfn;
	if (L->page_ext_size_known && !ms_kaddr_plausible(s->page_ext_table)) {
		s->pe_state = MS_PE_IMPLAUSIBLE;
		ms_ctx_invalid(c, MS_KVADDR, s->addr + L->ms_page_ext_off,
			       "section %llu: page_ext table 0x%llx is not a kernel address",
			       (unsigned long long)s->nr,
			       (unsigned long long)s->page_ext_table);
		return;
	}
	if (s->page_ext_raw & MS_KD_PAGE_EXT_INVALID) {
		s->pe_state = MS_PE_INVALIDATED;
		return;
	}
	s->pe_state = MS_PE_VALID;
	if (L->page_ext_size_known && L->page_ext_size &&
	    ms_read_quiet(c, MS_KVADDR, s->page_ext_table, probe,
			  L->page_ext_size < 8 ? L->page_ext_size : 8,
			  &s->pe_fail_addr) != 0)
		s->pe_state = MS_PE_UNREADABLE;
}

static int add_section(struct ms_sections *out, size_t *cap,
		       const struct ms_section *s)
{
	if (out->n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 64;
		struct ms_section *nv = realloc(out->v, ncap * sizeof(*nv));

		if (!nv)
			return MS_ERROR;
		out->v = nv;
		*cap = ncap;
	}
	out->v[out->n++] = *s;
	return 0;
}

static void scan_root(struct ms_ctx *c, struct ms_sections *out, size_t *cap,
		      uint64_t root_nr, uint64_t root, const unsigned char *page)
{
	const struct ms_layout *L = &c->L;

	for (uint64_t i = 0; i < L->sections_per_root; i++) {
		const unsigned char *ms = page + i * L->ms_size;
		uint64_t nr = root_nr * L->sections_per_root + i;
		struct ms_section s = { 0 };

		if (nr >= L->nr_mem_sections)
			break;
		s.mem_map_raw = ms_get_u64(ms, L->ms_mem_map_off);
		s.flags = decode_flags(L, s.mem_map_raw);
		if (!ms_section_has(&s, MS_SECTION_MARKED_PRESENT))
			continue;
		s.nr = nr;
		s.start_pfn = nr * L->pages_per_section;
		s.end_pfn = s.start_pfn + L->pages_per_section;
		s.addr = root + i * L->ms_size;
		s.coded_mem_map = s.mem_map_raw & L->section_map_mask;
		/* sparse_decode_mem_map(): coded + section_nr_to_pfn(nr) pages. */
		if (ms_section_has(&s, MS_SECTION_HAS_MEM_MAP))
			s.mem_map = s.coded_mem_map +
				    s.start_pfn * L->page_struct_size;
		if (s.mem_map && !ms_kaddr_plausible(s.mem_map)) {
			ms_ctx_invalid(c, MS_KVADDR, s.addr + L->ms_mem_map_off,
				       "section %llu: mem_map 0x%llx is not a kernel address",
				       (unsigned long long)nr,
				       (unsigned long long)s.mem_map);
			s.mem_map = 0;
		}
		decode_page_ext(c, &s, ms);
		if (add_section(out, cap, &s))
			return;
		out->pe_count[s.pe_state]++;
		out->online += ms_section_has(&s, MS_SECTION_IS_ONLINE);
		out->early += ms_section_has(&s, MS_SECTION_IS_EARLY);
		out->has_mem_map += ms_section_has(&s, MS_SECTION_HAS_MEM_MAP);
	}
}

struct ms_sections *ms_get_sections(struct ms_ctx *c)
{
	const struct ms_layout *L = &c->L;
	struct ms_sections *out;
	unsigned char *roots, *page;
	size_t cap = 0;

	if (c->sections)
		return c->sections;
	if (!ms_kaddr_plausible(L->mem_section_roots)) {
		ms_ctx_invalid(c, MS_KVADDR, L->mem_section_roots,
			       "the mem_section root array 0x%llx is not a kernel address",
			       (unsigned long long)L->mem_section_roots);
		return NULL;
	}
	out = calloc(1, sizeof(*out));
	roots = malloc(L->nr_section_roots * 8);
	page = malloc(L->page_size);
	if (!out || !roots || !page)
		goto fail;
	if (ms_read(c, MS_KVADDR, L->mem_section_roots, roots,
		    L->nr_section_roots * 8, "mem_section root array", NULL))
		goto fail;
	for (uint64_t r = 0; r < L->nr_section_roots; r++) {
		uint64_t root = ms_get_u64(roots, r * 8);

		if (!root)
			continue;
		if (!ms_kaddr_plausible(root)) {
			ms_ctx_invalid(c, MS_KVADDR, L->mem_section_roots + r * 8,
				       "mem_section root %llu is 0x%llx, not a kernel address",
				       (unsigned long long)r,
				       (unsigned long long)root);
			continue;
		}
		out->roots_present++;
		if (ms_read(c, MS_KVADDR, root, page, L->page_size,
			    "mem_section root page", NULL))
			continue;
		scan_root(c, out, &cap, r, root, page);
	}
	/* A running kernel has at least the memory it runs in. */
	if (!out->n)
		ms_ctx_invalid(c, MS_KVADDR, L->mem_section_roots,
			       "no present memory section in the mem_section array");
	free(roots);
	free(page);
	c->sections = out;
	return out;
fail:
	free(roots);
	free(page);
	if (out)
		free(out->v);
	free(out);
	return NULL;
}
