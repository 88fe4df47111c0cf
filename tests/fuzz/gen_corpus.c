// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Writes the seed corpus of the fuzz target: one well-formed synthetic dump
 * per kernel generation the core distinguishes (page_type encodings <= 6.10 /
 * 6.11 / 6.12+, section flags from the enum or the #defines, the page_owner
 * and stack depot handle layouts <= 6.0, 6.1-6.2, 6.3-6.7, 6.8+, 7.x, HVO
 * head-alias and shared-tail, a two-level memory-block xarray, a gigantic
 * folio's page_owner overrun, page_ext pointers in every state), in the
 * input format of fuzz_input.h.  The generation's values (PageOffline and
 * buddy page_type, memory block states) come from tests/unit/synth.c.
 *
 * usage: gen_corpus DIR
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_input.h"
#include "synth.h"

#define MAX_REG 48
#define ROOTPG(root) (SYNTH_ROOTPG_VA + (root) * 4096ULL)
#define BLOCK_VA(id) (SYNTH_BLOCKS_VA + 0x1000 + (id) * 64ULL)

struct reg {
	uint64_t va;
	size_t len;
	unsigned char *d;
};

struct img {
	uint8_t h[FZ_HDR_SIZE];
	enum synth_gen gen;
	struct reg r[MAX_REG];
	int n;
	uint64_t pps, ext_size, po_off;
	int po_gen, depot;
	unsigned npools;
	unsigned strs;		/* bytes used at FZ_G_STRINGS */
};

static void put64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static void put32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static void put16(unsigned char *p, uint16_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
}

/* The bytes at @va, mapping @len zeroed bytes there on first use. */
static unsigned char *at(struct img *m, uint64_t va, size_t len)
{
	for (int i = 0; i < m->n; i++)
		if (va >= m->r[i].va && va - m->r[i].va + len <= m->r[i].len)
			return m->r[i].d + (va - m->r[i].va);
	if (m->n == MAX_REG) {
		fprintf(stderr, "gen_corpus: too many regions\n");
		exit(1);
	}
	m->r[m->n].va = va;
	m->r[m->n].len = len;
	m->r[m->n].d = calloc(1, len);
	if (!m->r[m->n].d)
		abort();
	return m->r[m->n++].d;
}

#define G(off) (FZ_GLOBALS_VA + (off))

static void init(struct img *m, enum synth_gen gen, unsigned flags,
		 unsigned section_bits, int po_gen, int depot, unsigned po_flags)
{
	unsigned char *p;

	memset(m, 0, sizeof(*m));
	m->gen = gen;
	m->h[FZ_H_GEN] = (uint8_t)gen;
	m->h[FZ_H_FLAGS] = (uint8_t)flags;
	m->h[FZ_H_SECTION_BITS] = (uint8_t)(section_bits - 13);
	m->h[FZ_H_ROOTS] = 1;		/* two roots */
	m->h[FZ_H_DEPOT] = (uint8_t)depot;
	m->h[FZ_H_PO_GEN] = (uint8_t)po_gen;
	m->h[FZ_H_PO_FLAGS] = (uint8_t)po_flags;
	m->pps = 1ULL << (section_bits - 12);
	m->po_gen = po_gen;
	m->depot = depot;
	m->po_off = 8;
	m->ext_size = 8 + (po_gen ? fz_po_size(po_gen) : 0) +
		      (po_flags & FZ_PO_PTC ? 8 : 0) + (po_flags & FZ_PO_TAG ? 8 : 0);

	/* synth.c's parameter block: page_ext_size, sections_per_block, memory_blocks */
	p = at(m, FZ_PARAMS_VA, 64);
	put64(p, m->ext_size);
	put32(p + 16, 1);
	put64(p + 0x28, SYNTH_BLOCKS_VA | 2);
	at(m, SYNTH_ROOTS_VA, 16);

	p = at(m, FZ_GLOBALS_VA, 4096);
	put64(p + FZ_G_PAGE_OWNER_OPS, m->po_off);
	put32(p + FZ_G_PAGE_OWNER_INITED, 1);
	put64(p + FZ_G_PTC_OPS, 8 + fz_po_size(po_gen));
	put64(p + FZ_G_TAG_OPS, 8 + fz_po_size(po_gen) + (po_flags & FZ_PO_PTC ? 8 : 0));
	put64(p + FZ_G_BLOCK_SIZE_PROBED, 1ULL << section_bits);
}

static void set_pfns(struct img *m, int n, const uint32_t *pfn)
{
	m->h[FZ_H_NPFNS] = (uint8_t)n;
	for (int i = 0; i < n; i++)
		put32(m->h + FZ_H_PFNS + 4 * i, pfn[i]);
}

enum pe { PE_NONE, PE_VALID, PE_INVALID, PE_UNREADABLE, PE_BOGUS };

static uint64_t table_va(uint64_t nr)
{
	return FZ_PAGE_EXT_VA + nr * FZ_PAGE_EXT_STRIDE;
}

/* Present section @nr with flag bits (enum order) and a page_ext of @pe;
 * returns its struct pages when it has a mem_map.  @extra_tables: the
 * table is that many sections long (the gigantic overrun). */
static unsigned char *section(struct img *m, uint64_t nr, uint64_t flag_bits,
			      enum pe pe, unsigned extra_tables)
{
	uint64_t root = nr / 128, start = nr * m->pps;
	unsigned char *ms, *roots = at(m, SYNTH_ROOTS_VA, 16);
	uint64_t pe_raw = 0, table = table_va(nr);

	put64(roots + 8 * root, ROOTPG(root));
	ms = at(m, ROOTPG(root), 4096) + (nr % 128) * 32;
	put64(ms, (flag_bits & 2 ? SYNTH_VMEMMAP : 0) | flag_bits);
	put64(ms + FZ_MS_USAGE, FZ_USAGE_VA + nr * 64);
	at(m, FZ_USAGE_VA + nr * 64, 64);
	switch (pe) {
	case PE_NONE:
		break;
	case PE_VALID:
	case PE_INVALID:
		at(m, table, m->ext_size * m->pps * (1 + extra_tables));
		pe_raw = (table - m->ext_size * start) | (pe == PE_INVALID);
		break;
	case PE_UNREADABLE:
		pe_raw = table - m->ext_size * start;	/* never mapped */
		break;
	case PE_BOGUS:
		pe_raw = 0x0000123456789000ULL;		/* not a kernel address */
		break;
	}
	put64(ms + 16, pe_raw);
	if (!(flag_bits & 2))
		return NULL;
	return at(m, SYNTH_VMEMMAP + start * 64, m->pps * 64);
}

static void page(unsigned char *pages, uint64_t idx, uint64_t flags,
		 uint32_t page_type, int32_t refcount)
{
	unsigned char *pg = pages + idx * 64;

	put64(pg, flags);
	put32(pg + 48, page_type);
	put32(pg + 52, (uint32_t)refcount);
}

/* Memory block @id (one section per block) in the one-node xarray. */
static void block(struct img *m, uint64_t id, int64_t state)
{
	unsigned char *node = at(m, SYNTH_BLOCKS_VA, 40 + 512);
	unsigned char *b = at(m, BLOCK_VA(id), 64);

	put64(node + 40 + 8 * id, BLOCK_VA(id));
	put64(b, id);
	if (m->gen == GEN_6_1)
		put64(b + 8, (uint64_t)state);
	else
		put32(b + 8, (uint32_t)state);
}

/* A NUL-terminated string in the globals page. */
static uint64_t str(struct img *m, const char *s)
{
	unsigned char *p = at(m, G(FZ_G_STRINGS), 0x800);
	uint64_t va = G(FZ_G_STRINGS) + m->strs;

	if (m->strs + strlen(s) + 1 > 0x800)
		abort();
	memcpy(p + m->strs, s, strlen(s) + 1);
	m->strs += (unsigned)strlen(s) + 1;
	return va;
}

/* The generation's depot handle for record @k of pool @pool. */
static uint32_t handle(const struct img *m, unsigned pool, unsigned k)
{
	uint32_t off = k * (0x100 >> 4);	/* records 0x100 apart, DEPOT_STACK_ALIGN 4 */

	switch (m->depot) {
	case FZ_DEPOT_6_0:
		return pool | off << 21 | 1u << 31;
	case FZ_DEPOT_6_1:
	case FZ_DEPOT_6_3:
		return pool | off << 16 | 1u << 26;
	default:
		return (pool + 1) | off << 17;
	}
}

/* Stack record @k of pool @pool with @n frames; returns its handle. */
static uint32_t stack(struct img *m, unsigned pool, unsigned k, unsigned n)
{
	int newsr = m->depot >= FZ_DEPOT_6_8;
	unsigned char *g = at(m, FZ_GLOBALS_VA, 4096);
	unsigned char *r = at(m, FZ_POOLS_VA + pool * FZ_POOL_SIZE, FZ_POOL_SIZE) + k * 0x100;
	uint64_t arr = m->depot == FZ_DEPOT_7_X ? FZ_G_STACK_POOLS + 0x40 : FZ_G_STACK_POOLS;

	if (pool + 1 > m->npools)
		m->npools = pool + 1;
	put64(g + arr + 8 * pool, FZ_POOLS_VA + pool * FZ_POOL_SIZE);
	if (m->depot == FZ_DEPOT_7_X) {
		put64(g + FZ_G_STACK_POOLS, G(arr));
		put32(g + FZ_G_STACK_MAX_POOLS, 8);
	}
	/* <= 6.7 the last used index, 6.8+ the number of pools */
	put32(g + FZ_G_DEPOT_COUNT, newsr ? m->npools : m->npools - 1);
	put32(r + (newsr ? FZ_SR_SIZE_NEW : FZ_SR_SIZE_OLD), n);
	if (newsr)
		put32(r + FZ_SR_COUNT_NEW, k == 3 ? 0 : 1);	/* record 3 evicted */
	for (unsigned i = 0; i < n; i++)
		put64(r + (newsr ? FZ_SR_ENTRIES_NEW : FZ_SR_ENTRIES_OLD) + 8 * i,
		      FZ_TEXT_VA + 0x1000 * (k + 1) + 0x40 * i + 0x13);
	return handle(m, pool, k);
}

/* The page_owner record of pfn @pfn (section @nr's table). */
static void owner(struct img *m, uint64_t nr, uint64_t pfn, int allocated,
		  unsigned order, uint32_t gfp, uint32_t h, uint32_t fh,
		  int32_t pid, const char *comm)
{
	unsigned char *e = at(m, table_va(nr), m->ext_size * m->pps) +
			   m->ext_size * (pfn - nr * m->pps);
	unsigned char *p = e + m->po_off;

	put64(e, 1ULL << FZ_PAGE_EXT_OWNER |
		 (uint64_t)allocated << FZ_PAGE_EXT_OWNER_ALLOCATED);
	put16(p, (uint16_t)order);
	put16(p + 2, (uint16_t)-1);
	put32(p + 4, gfp);
	put32(p + 8, h);
	put32(p + 12, fh);
	if (m->po_gen >= FZ_PO_5_11) {
		put64(p + 16, 1000000 + pfn);
		put64(p + 24, fh ? 2000000 + pfn : 0);
	}
	if (m->po_gen == FZ_PO_5_11)
		put32(p + 32, (uint32_t)pid);
	if (m->po_gen >= FZ_PO_5_18) {
		memcpy(p + 32, comm, strlen(comm));
		put32(p + 48, (uint32_t)pid);
		put32(p + 52, (uint32_t)pid);
	}
	if (m->po_gen >= FZ_PO_6_8 && fh) {
		put32(p + 56, (uint32_t)pid + 1);
		put32(p + 60, (uint32_t)pid + 1);
	}
}

static void names(struct img *m)
{
	static const char *const gfp[][2] = {
		{ "0x400", "__GFP_IO" }, { "0x800", "__GFP_FS" }, { "0x8", "__GFP_MOVABLE" },
		{ "0x40000", "__GFP_COMP" },
	};
	static const char *const mt[] = { "Unmovable", "Movable", "Reclaimable",
					  "HighAtomic", "CMA", "Isolate" };
	unsigned char *g = at(m, FZ_GLOBALS_VA, 4096);

	for (unsigned i = 0; i < 4; i++) {
		put64(g + FZ_G_GFP_NAMES + 16 * i, strtoull(gfp[i][0], NULL, 16));
		put64(g + FZ_G_GFP_NAMES + 16 * i + 8, str(m, gfp[i][1]));
	}
	for (unsigned i = 0; i < 6; i++)
		put64(g + FZ_G_MT_NAMES + 8 * i, str(m, mt[i]));
	put64(g + FZ_G_MR_NAMES, str(m, "compaction"));
	put64(g + FZ_G_MR_NAMES + 8, str(m, "memory_failure"));
	m->h[FZ_H_PO_FLAGS] |= FZ_PO_NAMES;
}

/* pageblock migratetype of section @nr's first block */
static void pageblock(struct img *m, uint64_t nr, uint64_t word)
{
	put64(at(m, FZ_USAGE_VA + nr * 64, 64) + FZ_USAGE_PB_FLAGS, word);
}

static void alloc_tag(struct img *m, uint64_t nr, uint64_t pfn)
{
	unsigned char *ct = at(m, FZ_CODETAG_VA, 64);
	uint64_t tag_off = 8 + fz_po_size(m->po_gen) +
			   (m->h[FZ_H_PO_FLAGS] & FZ_PO_PTC ? 8 : 0);

	put32(ct + 4, 1234);
	put64(ct + 16, str(m, "kmalloc_fuzz"));
	put64(ct + 24, str(m, "mm/fuzz.c"));
	put64(at(m, table_va(nr), m->ext_size * m->pps) +
	      m->ext_size * (pfn - nr * m->pps) + tag_off, FZ_CODETAG_VA);
}

static void nodes(struct img *m, int numa)
{
	unsigned char *g = at(m, FZ_GLOBALS_VA, 4096);

	put64(g + FZ_G_PGDAT + FZ_PGDAT_START, 0);
	put64(g + FZ_G_PGDAT + FZ_PGDAT_SPANNED, 1ULL << 20);
	put32(g + FZ_G_PGDAT + FZ_PGDAT_ID, 0);
	put64(g + FZ_G_NODE_DATA, G(FZ_G_PGDAT));
	m->h[FZ_H_HVO_FLAGS] |= numa ? FZ_HVO_NODE_DATA : FZ_HVO_CONTIG;
}

static void pte(struct img *m, int i, uint64_t va, uint64_t pa, uint64_t entry)
{
	unsigned char *p = at(m, FZ_PT_VA, 24 * FZ_PT_MAX) + 24 * i;

	put64(p, va);
	put64(p + 8, pa);
	put64(p + 16, entry);
}

static void write_seed(struct img *m, const char *dir, const char *name)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f) {
		perror(path);
		exit(1);
	}
	fwrite(m->h, 1, FZ_HDR_SIZE, f);
	for (int i = 0; i < m->n; i++) {
		unsigned char ch[FZ_CHUNK_HDR];

		put64(ch, m->r[i].va);
		put32(ch + 8, (uint32_t)m->r[i].len);
		fwrite(ch, 1, FZ_CHUNK_HDR, f);
		fwrite(m->r[i].d, 1, m->r[i].len, f);
		free(m->r[i].d);
	}
	if (fclose(f)) {
		perror(path);
		exit(1);
	}
	m->n = 0;
}

#define PG_HEAD_BIT (1ULL << FZ_PG_HEAD)
#define RO_PTE 0x8000000000000161ULL
#define RW_PTE 0x8000000000000163ULL

/*
 * The common scene: sections 0-3 present with mem_map (0-2 online, early 0),
 * section 3 offline in a going-offline block; PageOffline runs with every
 * refcount, a buddy page; page_owner records with stacks; blocks 0-3.
 */
static void scene(struct img *m, enum pe pe3)
{
	enum synth_gen g = m->gen;
	uint32_t off = synth_offline_type(g), buddy = synth_buddy_type(g);
	unsigned char *p[4];
	uint32_t h0, h1, h2, h3;
	uint32_t pfns[4] = { 1, (uint32_t)m->pps + 2, (uint32_t)(3 * m->pps), 7777777 };

	for (uint64_t nr = 0; nr < 4; nr++)
		p[nr] = section(m, nr, nr < 3 ? 0x7 | (nr == 0 ? 0x8 : 0) : 0x3,
				nr < 3 ? PE_VALID : pe3, 0);
	for (uint64_t i = 0; i < 4; i++)
		page(p[1], i, 0, off, (int32_t)i);	/* refcounts 0..3 */
	page(p[1], 5, 0, off, -1);
	page(p[2], 0, 0, buddy, 0);
	for (uint64_t i = 0; i < m->pps; i++)
		page(p[3], i, g == GEN_7_3_SKIPPABLE ? 1ULL << 11 : 0, off, i & 1);
	block(m, 0, synth_state(g, 0));
	block(m, 1, synth_state(g, 0));
	block(m, 2, synth_state(g, 2));		/* offline block, online section */
	block(m, 3, synth_state(g, 1));		/* going-offline */

	if (m->po_gen && m->depot) {
		h0 = stack(m, 0, 0, 5);
		h1 = stack(m, 0, 1, 64);
		h2 = stack(m, 1, 2, 3);
		h3 = stack(m, 1, 3, 2);
		owner(m, 0, 0, 1, 0, 0xcc0, h0, 0, 1, "swapper/0");
		owner(m, 0, 2, 1, 1, 0x140cca, h1, h2, 42, "bash");
		owner(m, 0, 4, 0, 2, 0x400, h2, h3, 1, "init");
		owner(m, 1, m->pps, 1, 0, 0x48, h3, 0, 7, "kworker/0:1");
		owner(m, 1, m->pps + 1, 0, 0, 0, 0, h0, 0, "");
		if (pe3 == PE_INVALID)
			owner(m, 3, 3 * m->pps, 1, 0, 0xcc0, h0, 0, 9, "virtio_mem");
		pageblock(m, 0, 0x1);
		pageblock(m, 1, 0x5);
	}
	set_pfns(m, 4, pfns);
}

/* An order-@order hugetlb folio at struct page @idx of @pages. */
static void hugetlb(unsigned char *pages, uint64_t idx, unsigned order,
		    int flag, int detect)
{
	unsigned char *head = pages + idx * 64, *t1 = head + 64;
	uint32_t type = detect == FZ_HUGETLB_PGTY ? 0xf4000000u :
			detect == FZ_HUGETLB_INVERTED ? ~0x800u : 0xffffffffu;

	page(pages, idx, PG_HEAD_BIT, type, 1);
	put64(head + FZ_PAGE_PRIVATE, flag ? 1ULL << FZ_HPG_OPT : 0);
	if (detect == FZ_HUGETLB_DTOR) {
		t1[FZ_PAGE_DTOR] = FZ_DTOR_VALUE;
		t1[FZ_PAGE_ORDER] = (unsigned char)order;
	} else {
		put64(t1, order | (detect == FZ_HUGETLB_PG_FLAG ? 1ULL << FZ_PG_HUGETLB : 0));
	}
	for (uint64_t i = 1; i < (1ULL << order); i++)
		put64(head + i * 64 + FZ_PAGE_COMPOUND_HEAD,
		      (SYNTH_VMEMMAP + idx * 64) | 1);
}

/*
 * HVO: two order-9 folios over sections of 256 pages (section bits 20), at
 * pfn 0 and 512, their vmemmap remapped as the kernel generation does:
 * head-alias (<= 7.0) tails 1..7 onto the head frame read-only,
 * shared-tail (7.1+) tails 1..7 onto one shared frame for both folios.
 */
static void hvo_scene(struct img *m, int detect, int shared_tail)
{
	unsigned char *p[4];
	uint64_t shared = SYNTH_VMEMMAP_PHYS + 0x100000;	/* a free frame */
	int n = 0;

	m->h[FZ_H_HUGETLB] = (uint8_t)detect;
	m->h[FZ_H_HVO_FLAGS] |= FZ_HVO_FLAG_ENUM | FZ_HVO_COMPOUND_HEAD;
	m->h[FZ_H_FLAGS] |= FZ_F_VTOP;
	at(m, SYNTH_VMEMMAP, 4 * m->pps * 64);	/* one vmemmap for the folios */
	for (uint64_t nr = 0; nr < 4; nr++)
		p[nr] = section(m, nr, 0x7, PE_VALID, 0);
	hugetlb(p[0], 0, 9, 1, detect);
	hugetlb(p[2], 0, 9, 1, detect);
	for (int f = 0; f < 2; f++) {
		uint64_t va = SYNTH_VMEMMAP + f * 512 * 64ULL;
		uint64_t head_pa = va - SYNTH_VMEMMAP + SYNTH_VMEMMAP_PHYS;

		pte(m, n++, va, head_pa, RW_PTE);
		for (int k = 1; k < 8; k++)
			pte(m, n++, va + 4096ULL * k, shared_tail ? shared : head_pa, RO_PTE);
	}
	/* head-alias: every 64th tail reads the head through the alias (fake heads) */
	if (shared_tail)
		at(m, SYNTH_VMEMMAP + 0x100000, 4096);
	for (int i = 0; i < 4; i++)
		block(m, (uint64_t)i, synth_state(m->gen, 0));
	nodes(m, detect == FZ_HUGETLB_PGTY);
}

/*
 * What no kernel leaves behind, one folio each (order 9, sections of 256
 * pages): pfn 0 with its tails aliasing the head frame through writable
 * PTEs, pfn 512 flagged but never remapped, pfn 1024 remapped onto pfn 0's
 * head frame without the flag.
 */
static void hvo_inconsistent(struct img *m)
{
	unsigned char *p[6];
	uint64_t va0 = SYNTH_VMEMMAP, pa0 = SYNTH_VMEMMAP_PHYS;
	uint64_t va2 = SYNTH_VMEMMAP + 1024 * 64ULL;
	int n = 0;

	m->h[FZ_H_HUGETLB] = FZ_HUGETLB_PGTY;
	m->h[FZ_H_HVO_FLAGS] |= FZ_HVO_FLAG_ENUM | FZ_HVO_COMPOUND_HEAD;
	m->h[FZ_H_FLAGS] |= FZ_F_VTOP;
	at(m, SYNTH_VMEMMAP, 6 * m->pps * 64);
	for (uint64_t nr = 0; nr < 6; nr++)
		p[nr] = section(m, nr, 0x7, PE_NONE, 0);
	hugetlb(p[0], 0, 9, 1, FZ_HUGETLB_PGTY);
	hugetlb(p[2], 0, 9, 1, FZ_HUGETLB_PGTY);
	hugetlb(p[4], 0, 9, 0, FZ_HUGETLB_PGTY);
	pte(m, n++, va0, pa0, RW_PTE);
	for (int k = 1; k < 8; k++)
		pte(m, n++, va0 + 4096ULL * k, pa0, RW_PTE);
	for (int k = 0; k < 8; k++)
		pte(m, n++, va2 + 4096ULL * k, pa0, RO_PTE);
	for (int i = 0; i < 6; i++)
		block(m, (uint64_t)i, synth_state(m->gen, 0));
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : ".";
	struct img m;
	unsigned all = FZ_PO_INITED | FZ_PO_PTC | FZ_PO_TAG;

	/* <= 6.0: inverted page_type, section flag #defines, slab depot, 5.10 page_owner */
	init(&m, GEN_6_1, FZ_F_FLAG_DEFINES, 15, FZ_PO_5_10, FZ_DEPOT_6_0, FZ_PO_INITED);
	scene(&m, PE_NONE);
	write_seed(&m, dir, "gen-6.0-defines-depot-slabs");

	/* 6.1-6.2: flags enum, 5 extra handle bits, PAGE_EXT_INVALID */
	init(&m, GEN_6_1, 0, 16, FZ_PO_5_18, FZ_DEPOT_6_1, FZ_PO_INITED | FZ_PO_PB);
	scene(&m, PE_INVALID);
	names(&m);
	write_seed(&m, dir, "gen-6.1-depot-extra-bits-invalidated");

	/* 6.3-6.7: stack_pools, pool_index; 5.11 page_owner; unreadable page_ext */
	init(&m, GEN_6_1, FZ_F_FILE_MAP, 15, FZ_PO_5_11, FZ_DEPOT_6_3, FZ_PO_INITED | FZ_PO_PTC);
	scene(&m, PE_UNREADABLE);
	put64(at(&m, FZ_FILE_VA, 16 * 2), 0);
	put64(at(&m, FZ_FILE_VA, 16 * 2) + 8, 8);
	write_seed(&m, dir, "gen-6.3-depot-pools-unreadable");

	/* 6.11 page_type, 6.8 depot (pool_index_plus_1, refcount) */
	init(&m, GEN_6_11, 0, 15, FZ_PO_6_8, FZ_DEPOT_6_8, all | FZ_PO_PB);
	scene(&m, PE_BOGUS);
	names(&m);
	alloc_tag(&m, 0, 0);
	write_seed(&m, dir, "gen-6.11-depot-6.8-bogus-page-ext");

	/* 6.12+ top-byte page_type, enum block states */
	init(&m, GEN_6_12, FZ_F_FILE_MAP, 16, FZ_PO_6_8, FZ_DEPOT_6_8, all | FZ_PO_PB);
	scene(&m, PE_INVALID);
	names(&m);
	alloc_tag(&m, 1, 16);
	put64(at(&m, FZ_FILE_VA, 16), 16);
	put64(at(&m, FZ_FILE_VA, 16) + 8, 64);
	write_seed(&m, dir, "gen-6.12-topbyte");

	/* 7.x: void **stack_pools, PG_offline_skippable, PB_migrate_isolate */
	init(&m, GEN_7_3_SKIPPABLE, 0, 15, FZ_PO_6_8, FZ_DEPOT_7_X, all | FZ_PO_PB_7X);
	scene(&m, PE_VALID);
	names(&m);
	write_seed(&m, dir, "gen-7.x-depot-pointer-skippable");

	/* five-level paging, no CONFIG_PAGE_EXTENSION, sections_per_block probed */
	init(&m, GEN_6_12, FZ_F_FIVE_LEVEL | FZ_F_NO_PAGE_EXT | FZ_F_BLOCK_SIZE_PROBED,
	     17, FZ_PO_NONE, FZ_DEPOT_NONE, 0);
	scene(&m, PE_NONE);
	write_seed(&m, dir, "gen-6.12-l5-no-page-ext");

	/* no memory blocks, no PAGE_OFFLINE_MAPCOUNT_VALUE (pre-6.9 without hugetlb) */
	init(&m, GEN_6_1, FZ_F_NO_BLOCKS | FZ_F_NO_OFFLINE_VMCI, 18, FZ_PO_5_18,
	     FZ_DEPOT_6_3, FZ_PO_INITED);
	scene(&m, PE_VALID);
	write_seed(&m, dir, "gen-6.1-no-blocks-no-vmci");

	/* HVO head-alias: <= 6.5 compound_dtor, 6.6-6.8 PG_hugetlb, 6.9-6.11 inverted, 6.12+ */
	init(&m, GEN_6_1, 0, 20, FZ_PO_NONE, FZ_DEPOT_NONE, 0);
	hvo_scene(&m, FZ_HUGETLB_DTOR, 0);
	write_seed(&m, dir, "hvo-head-alias-dtor");
	init(&m, GEN_6_1, 0, 20, FZ_PO_NONE, FZ_DEPOT_NONE, 0);
	hvo_scene(&m, FZ_HUGETLB_PG_FLAG, 0);
	write_seed(&m, dir, "hvo-head-alias-pg-hugetlb");
	init(&m, GEN_6_11, 0, 20, FZ_PO_NONE, FZ_DEPOT_NONE, 0);
	hvo_scene(&m, FZ_HUGETLB_INVERTED, 0);
	write_seed(&m, dir, "hvo-head-alias-inverted");
	init(&m, GEN_6_12, 0, 20, FZ_PO_6_8, FZ_DEPOT_6_8, all);
	hvo_scene(&m, FZ_HUGETLB_PGTY, 0);
	write_seed(&m, dir, "hvo-head-alias-pgty");
	/* 7.1+ shared tail page */
	init(&m, GEN_7_3_SKIPPABLE, 0, 20, FZ_PO_6_8, FZ_DEPOT_7_X, all);
	hvo_scene(&m, FZ_HUGETLB_PGTY, 1);
	write_seed(&m, dir, "hvo-shared-tail");
	init(&m, GEN_6_12, 0, 20, FZ_PO_NONE, FZ_DEPOT_NONE, 0);
	hvo_inconsistent(&m);
	write_seed(&m, dir, "hvo-inconsistent");

	/* memory_blocks as a two-level xarray: head -> node (shift 6) -> leaves */
	init(&m, GEN_6_12, 0, 13, FZ_PO_NONE, FZ_DEPOT_NONE, 0);
	{
		uint64_t top = SYNTH_BLOCKS_VA + 0x8000, leaf1 = SYNTH_BLOCKS_VA + 0x9000;
		unsigned char *t = at(&m, top, 40 + 512);
		unsigned char *l1 = at(&m, leaf1, 40 + 512);

		for (uint64_t nr = 0; nr < 2; nr++)
			section(&m, nr, 0x7, PE_VALID, 0);
		section(&m, 64, 0x7, PE_NONE, 0);
		put64(at(&m, FZ_PARAMS_VA, 64) + 0x28, top | 2);
		t[0] = 6;
		put64(t + 40, SYNTH_BLOCKS_VA | 2);
		put64(t + 48, leaf1 | 2);
		block(&m, 0, synth_state(GEN_6_12, 0));
		block(&m, 1, synth_state(GEN_6_12, 3));
		put64(l1 + 40, BLOCK_VA(64));
		put64(at(&m, BLOCK_VA(64), 64), 64);
		put32(at(&m, BLOCK_VA(64), 64) + 8, (uint32_t)synth_state(GEN_6_12, 0));
	}
	write_seed(&m, dir, "blocks-xarray-two-level");

	/*
	 * A gigantic folio (order 4 over sections of 4 pages) whose page_owner
	 * record was written linearly past its first section's table (v6.11 -
	 * v6.14), the later sections' own entries empty.
	 */
	init(&m, GEN_6_12, 0, 14, FZ_PO_6_8, FZ_DEPOT_6_8, FZ_PO_INITED);
	{
		uint32_t h = stack(&m, 0, 0, 4);

		for (uint64_t nr = 4; nr < 8; nr++)
			section(&m, nr, 0x7, PE_VALID, nr == 4 ? 3 : 0);
		for (uint64_t k = 0; k < 16; k++) {
			unsigned char *e = at(&m, table_va(4), m.ext_size * 16) + m.ext_size * k;

			put64(e, 3);
			put16(e + 8, 4);
			put32(e + 16, h);
		}
		for (uint64_t nr = 4; nr < 8; nr++)
			block(&m, nr, synth_state(GEN_6_12, 0));
	}
	write_seed(&m, dir, "gigantic-page-owner-overrun");

	/* header only, one per generation: layout resolution and empty scans */
	for (int g = 0; g < 4; g++) {
		char name[32];

		init(&m, (enum synth_gen)g, 0, 15, FZ_PO_NONE, FZ_DEPOT_NONE, 0);
		snprintf(name, sizeof(name), "empty-gen-%d", g);
		write_seed(&m, dir, name);
	}
	return 0;
}
