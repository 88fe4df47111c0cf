// SPDX-License-Identifier: GPL-2.0-or-later
/* The synthetic target (see synth.h). */
#include <stdlib.h>
#include <string.h>

#include "synth.h"

#define MAX_REGIONS 64
#define MAX_KV 96

struct region {
	uint64_t va;
	size_t size;
	unsigned char *data;
};

struct kv {
	char key[64];
	char value[64];
	int64_t num;
};

struct synth {
	enum synth_gen gen;
	int five_level;
	struct region r[MAX_REGIONS];
	int nr;
	struct kv vmci[MAX_KV], enums[MAX_KV], syms[MAX_KV];
	int nvmci, nenums, nsyms;
	uint64_t nr_roots;
	unsigned char *roots;
	unsigned char *blocks_node;
	uint64_t file_start[16], file_end[16];
	int nfile;
	int use_vtop;
	uint64_t hole;
	unsigned long vtop_calls;
	struct ms_target t;
};

int synth_failures;

int synth_done(const char *name)
{
	fprintf(stderr, "%s: %s\n", name, synth_failures ? "FAILED" : "ok");
	return synth_failures ? 1 : 0;
}

static struct kv *find(struct kv *v, int n, const char *key)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(v[i].key, key))
			return &v[i];
	return NULL;
}

static void put(struct kv *v, int *n, const char *key, const char *value,
		int64_t num)
{
	struct kv *e = find(v, *n, key);

	if (!e) {
		if (*n == MAX_KV)
			abort();
		e = &v[(*n)++];
	}
	snprintf(e->key, sizeof(e->key), "%s", key);
	snprintf(e->value, sizeof(e->value), "%s", value ? value : "");
	e->num = num;
}

static struct region *region_of(struct synth *s, uint64_t va)
{
	for (int i = 0; i < s->nr; i++)
		if (va >= s->r[i].va && va - s->r[i].va < s->r[i].size)
			return &s->r[i];
	return NULL;
}

static int s_read(void *priv, enum ms_addrspace as, uint64_t addr, void *buf,
		  size_t len, size_t *done)
{
	struct synth *s = priv;

	*done = 0;
	/* Physical reads reach the vmemmap's backing; with vtop on, the vmemmap is physical-only. */
	if (as == MS_PADDR)
		addr += SYNTH_VMEMMAP - SYNTH_VMEMMAP_PHYS;
	else if (s->use_vtop && addr >= SYNTH_VMEMMAP && addr < SYNTH_VMEMMAP_END)
		return MS_ERROR;
	while (*done < len) {
		struct region *r = region_of(s, addr + *done);
		size_t off, n;

		if (!r)
			return MS_ERROR;
		off = addr + *done - r->va;
		n = r->size - off < len - *done ? r->size - off : len - *done;
		memcpy((unsigned char *)buf + *done, r->data + off, n);
		*done += n;
	}
	return 0;
}

struct member_row {
	const char *type, *member;
	size_t off, size;
};

static int s_member(void *priv, const char *type, const char *member,
		    size_t *offset, size_t *size)
{
	struct synth *s = priv;
	const struct member_row rows[] = {
		{ "mem_section", "section_mem_map", 0, 8 },
		{ "mem_section", "page_ext", 16, 8 },
		{ "page", "flags", 0, 8 },
		{ "page", "_refcount", 52, 4 },
		{ "page", "_mapcount", 48, 4 },
		{ "page", "page_type", 48, 4 },
		{ "xarray", "xa_head", 8, 8 },
		{ "xa_node", "shift", 0, 1 },
		{ "xa_node", "slots", 40, 512 },
		{ "memory_block", "start_section_nr", 0, 8 },
		{ "memory_block", "state", 8, s->gen == GEN_6_1 ? 8 : 4 },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (!strcmp(rows[i].type, type) && !strcmp(rows[i].member, member)) {
			*offset = rows[i].off;
			*size = rows[i].size;
			return 0;
		}
	return MS_ABSENT;
}

static int s_type_size(void *priv, const char *type, size_t *size)
{
	(void)priv;
	if (!strcmp(type, "mem_section"))
		*size = 32;
	else if (!strcmp(type, "page"))
		*size = 64;
	else if (!strcmp(type, "page_ext"))
		*size = 8;
	else if (!strcmp(type, "page_owner"))	/* SYNTH_PAGE_EXT_SIZE - 8 */
		*size = SYNTH_PAGE_EXT_SIZE - 8;
	else
		return MS_ABSENT;
	return 0;
}

static int s_enumerator(void *priv, const char *name, int64_t *value)
{
	struct synth *s = priv;
	struct kv *e = find(s->enums, s->nenums, name);

	if (!e)
		return MS_ABSENT;
	*value = e->num;
	return 0;
}

static int s_symbol(void *priv, const char *name, uint64_t *addr)
{
	struct synth *s = priv;
	struct kv *e = find(s->syms, s->nsyms, name);

	if (!e)
		return MS_ABSENT;
	*addr = (uint64_t)e->num;
	return 0;
}

static const char *s_vmcoreinfo(void *priv, const char *key)
{
	struct synth *s = priv;
	struct kv *e = find(s->vmci, s->nvmci, key);

	return e ? e->value : NULL;
}

static int s_pfns_in_file(void *priv, uint64_t start, uint64_t end,
			  uint64_t *stored)
{
	struct synth *s = priv;

	*stored = 0;
	for (int i = 0; i < s->nfile; i++) {
		uint64_t a = start > s->file_start[i] ? start : s->file_start[i];
		uint64_t b = end < s->file_end[i] ? end : s->file_end[i];

		if (a < b)
			*stored += b - a;
	}
	return 0;
}

static const struct ms_target_ops synth_ops_vtop;

static int s_vtop(void *priv, uint64_t vaddr, uint64_t *paddr,
		  struct ms_pte *leaf)
{
	struct synth *s = priv;

	s->vtop_calls++;
	if (vaddr < SYNTH_VMEMMAP || vaddr >= SYNTH_VMEMMAP_END)
		return MS_ERROR;
	leaf->leaf_size = 2ULL << 20;
	leaf->level = 2;
	if (s->hole && (vaddr & ~(leaf->leaf_size - 1)) == (s->hole & ~(leaf->leaf_size - 1))) {
		/* the PMD holding the hole is split into 4 KiB PTEs */
		leaf->leaf_size = 4096;
		leaf->level = 1;
		if ((vaddr & ~4095ULL) == s->hole)
			return MS_ERROR;
	}
	leaf->entry = 0;
	*paddr = vaddr - SYNTH_VMEMMAP + SYNTH_VMEMMAP_PHYS;
	return 0;
}

void synth_use_vtop(struct synth *s, uint64_t hole)
{
	s->use_vtop = 1;
	s->hole = hole;
	s->t.ops = &synth_ops_vtop;
}

unsigned long synth_vtop_calls(struct synth *s)
{
	return s->vtop_calls;
}

/* Reader threads' handles: the synthetic memory is only read. */
static void *s_clone(void *priv)
{
	return priv;
}

static int s_clone_read(void *clone, uint64_t paddr, void *buf, size_t len,
			size_t *done)
{
	return s_read(clone, MS_PADDR, paddr, buf, len, done);
}

static void s_clone_free(void *clone)
{
	(void)clone;
}

static const struct ms_target_ops synth_ops = {
	.read = s_read,
	.symbol = s_symbol,
	.member = s_member,
	.type_size = s_type_size,
	.enumerator = s_enumerator,
	.vmcoreinfo = s_vmcoreinfo,
	.pfns_in_file = s_pfns_in_file,
};

static const struct ms_target_ops synth_ops_vtop = {
	.read = s_read,
	.symbol = s_symbol,
	.member = s_member,
	.type_size = s_type_size,
	.enumerator = s_enumerator,
	.vmcoreinfo = s_vmcoreinfo,
	.vtop = s_vtop,
	.pfns_in_file = s_pfns_in_file,
	.clone = s_clone,
	.clone_read = s_clone_read,
	.clone_free = s_clone_free,
};

unsigned char *synth_map(struct synth *s, uint64_t va, size_t size)
{
	struct region *r;

	if (s->nr == MAX_REGIONS)
		abort();
	r = &s->r[s->nr++];
	r->va = va;
	r->size = size;
	r->data = calloc(1, size);
	if (!r->data)
		abort();
	return r->data;
}

static void put_u64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static void put_u32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

void synth_set_vmcoreinfo(struct synth *s, const char *key, const char *value)
{
	put(s->vmci, &s->nvmci, key, value, 0);
}

void synth_set_enum(struct synth *s, const char *name, int64_t value)
{
	put(s->enums, &s->nenums, name, NULL, value);
}

static void set_sym(struct synth *s, const char *name, uint64_t addr)
{
	put(s->syms, &s->nsyms, name, NULL, (int64_t)addr);
}

void synth_drop(struct synth *s, const char *name)
{
	struct kv *lists[3] = { s->vmci, s->enums, s->syms };
	int *counts[3] = { &s->nvmci, &s->nenums, &s->nsyms };

	for (int l = 0; l < 3; l++) {
		struct kv *e = find(lists[l], *counts[l], name);

		if (e)
			*e = lists[l][--*counts[l]];
	}
}

uint32_t synth_offline_type(enum synth_gen gen)
{
	switch (gen) {
	case GEN_6_1:
		return 0xfffffeffu;
	case GEN_6_11:
		return 0xdfffffffu;
	default:
		return 0xf1000000u;
	}
}

uint32_t synth_buddy_type(enum synth_gen gen)
{
	switch (gen) {
	case GEN_6_1:
		return 0xffffff7fu;
	case GEN_6_11:
		return 0xbfffffffu;
	default:
		return 0xf0000000u;
	}
}

int64_t synth_state(enum synth_gen gen, int which)
{
	/* enum memory_block_state (6.12) vs #define MEM_* (1<<n) (6.1). */
	if (gen == GEN_6_1 || gen == GEN_6_11)
		return 1LL << which;
	return which;
}

struct synth *synth_new(enum synth_gen gen, int five_level)
{
	struct synth *s = calloc(1, sizeof(*s));
	unsigned char *p;
	char buf[32];

	if (!s)
		abort();
	s->gen = gen;
	s->five_level = five_level;
	s->t.ops = &synth_ops;
	s->t.priv = s;
	synth_set_vmcoreinfo(s, "OSRELEASE", "synthetic");
	synth_set_vmcoreinfo(s, "PAGESIZE", "4096");
	synth_set_vmcoreinfo(s, "NUMBER(SECTION_SIZE_BITS)", "27");
	synth_set_vmcoreinfo(s, "NUMBER(MAX_PHYSMEM_BITS)", five_level ? "52" : "46");
	/* An x86_64 dump (src/lib/arch/x86_64.c); no page tables to walk. */
	synth_set_vmcoreinfo(s, "NUMBER(pgtable_l5_enabled)", five_level ? "1" : "0");
	synth_set_vmcoreinfo(s, "SIZE(mem_section)", "32");
	synth_set_vmcoreinfo(s, "SIZE(page)", "64");
	synth_set_vmcoreinfo(s, "OFFSET(page._refcount)", "52");
	synth_set_vmcoreinfo(s, "OFFSET(page._mapcount)", "48");
	synth_set_vmcoreinfo(s, "OFFSET(page.flags)", "0");
	snprintf(buf, sizeof(buf), "%llx", (unsigned long long)SYNTH_ROOTS_VA);
	synth_set_vmcoreinfo(s, "SYMBOL(mem_section)", buf);
	s->nr_roots = (1ULL << ((five_level ? 52 : 46) - 27)) / 128;
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)s->nr_roots);
	synth_set_vmcoreinfo(s, "LENGTH(mem_section)", buf);
	s->roots = synth_map(s, SYNTH_ROOTS_VA, s->nr_roots * 8);

	/* include/linux/mmzone.h anonymous enum, 6.0+ with ZONE_DEVICE */
	synth_set_enum(s, "SECTION_MARKED_PRESENT_BIT", 0);
	synth_set_enum(s, "SECTION_HAS_MEM_MAP_BIT", 1);
	synth_set_enum(s, "SECTION_IS_ONLINE_BIT", 2);
	synth_set_enum(s, "SECTION_IS_EARLY_BIT", 3);
	synth_set_enum(s, "SECTION_TAINT_ZONE_DEVICE_BIT", 4);
	synth_set_enum(s, "SECTION_MAP_LAST_BIT", 5);

	switch (gen) {
	case GEN_6_1:
		synth_set_vmcoreinfo(s, "NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)", "-257");
		break;
	case GEN_6_11:
		synth_set_enum(s, "PAGE_TYPE_BASE", 0x80000000LL);
		synth_set_enum(s, "PG_offline", 0x20000000LL);
		synth_set_vmcoreinfo(s, "NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)", "-536870913");
		break;
	case GEN_7_3_SKIPPABLE:
		synth_set_enum(s, "PG_offline_skippable", 11);
		/* fall through */
	case GEN_6_12:
		synth_set_enum(s, "PGTY_buddy", 0xf0);
		synth_set_enum(s, "PGTY_offline", 0xf1);
		synth_set_vmcoreinfo(s, "NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)", "-251658240");
		break;
	}
	if (gen == GEN_6_12 || gen == GEN_7_3_SKIPPABLE) {
		static const char *const st[] = {
			"MEM_ONLINE", "MEM_GOING_OFFLINE", "MEM_OFFLINE",
			"MEM_GOING_ONLINE", "MEM_CANCEL_ONLINE", "MEM_CANCEL_OFFLINE",
			"MEM_PREPARE_ONLINE", "MEM_FINISH_OFFLINE",
		};

		for (int i = 0; i < 8; i++)
			synth_set_enum(s, st[i], i);
	}

	/* page_ext_size, sections_per_block, memory_blocks xarray (one node). */
	p = synth_map(s, 0xffffffff82000000ULL, 64);
	put_u64(p, SYNTH_PAGE_EXT_SIZE);
	set_sym(s, "page_ext_size", 0xffffffff82000000ULL);
	/* Its one client: page_owner (flags word + struct page_owner). */
	set_sym(s, "page_owner_ops", 0xffffffff82000030ULL);
	put_u32(p + 16, 1);
	set_sym(s, "sections_per_block", 0xffffffff82000010ULL);
	set_sym(s, "memory_blocks", 0xffffffff82000020ULL);
	s->blocks_node = synth_map(s, SYNTH_BLOCKS_VA, 40 + 512);
	put_u64(p + 0x20 + 8, SYNTH_BLOCKS_VA | 2);
	return s;
}

void synth_free(struct synth *s)
{
	for (int i = 0; i < s->nr; i++)
		free(s->r[i].data);
	free(s);
}

struct ms_target *synth_target(struct synth *s)
{
	return &s->t;
}

unsigned char *synth_section(struct synth *s, uint64_t nr, uint64_t flag_bits,
			     uint64_t page_ext_raw)
{
	uint64_t root = nr / 128, va = SYNTH_ROOTPG_VA + root * 4096;
	struct region *rp = region_of(s, va);
	unsigned char *ms;
	uint64_t coded = 0;

	if (!rp) {
		synth_map(s, va, 4096);
		rp = region_of(s, va);
		put_u64(s->roots + root * 8, va);
	}
	ms = rp->data + (nr % 128) * 32;
	if (flag_bits & 2)
		/* coded mem_map = vmemmap - start_pfn (in struct pages). */
		coded = SYNTH_VMEMMAP;
	put_u64(ms, coded | flag_bits);
	put_u64(ms + 16, page_ext_raw);
	if (!(flag_bits & 2))
		return NULL;
	return synth_map(s, SYNTH_VMEMMAP + nr * SYNTH_PPS * 64, SYNTH_PPS * 64);
}

uint64_t synth_pgt_table(struct synth *s, uint64_t *next)
{
	uint64_t pa = *next;

	synth_map(s, SYNTH_VMEMMAP + pa - SYNTH_VMEMMAP_PHYS, 4096);
	*next += 4096;
	return pa;
}

uint64_t synth_pgt_slot(uint64_t tbl, uint64_t va, int level)
{
	return tbl + ((va >> (12 + 9 * (level - 1))) & 511) * 8;
}

void synth_pgt_set(struct synth *s, uint64_t slot, uint64_t entry)
{
	synth_poke(s, SYNTH_VMEMMAP + slot - SYNTH_VMEMMAP_PHYS, entry, 8);
}

void synth_unmap(struct synth *s, uint64_t va)
{
	struct region *r = region_of(s, va);

	if (r)
		r->size = 0;
}

void synth_set_root(struct synth *s, uint64_t root, uint64_t va)
{
	put_u64(s->roots + root * 8, va);
}

uint64_t synth_page_ext_table(struct synth *s, uint64_t nr)
{
	uint64_t base = SYNTH_PAGE_EXT + nr * 0x1000000ULL;

	synth_map(s, base, 4096);	/* the probe reads only the first entry */
	return base - SYNTH_PAGE_EXT_SIZE * nr * SYNTH_PPS;
}

void synth_page(unsigned char *pages, uint64_t idx, uint64_t flags,
		uint32_t page_type, int32_t refcount)
{
	unsigned char *pg = pages + idx * 64;

	put_u64(pg, flags);
	put_u32(pg + 48, page_type);
	put_u32(pg + 52, (uint32_t)refcount);
}

void synth_block_at(struct synth *s, uint64_t va, uint64_t id, int64_t state)
{
	unsigned char *b = synth_map(s, va, 64);

	put_u64(b, id);		/* one section per block */
	if (s->gen == GEN_6_1)
		put_u64(b + 8, (uint64_t)state);
	else
		put_u32(b + 8, (uint32_t)state);
}

void synth_block(struct synth *s, uint64_t id, int64_t state)
{
	uint64_t va = SYNTH_BLOCKS_VA + 0x1000 + id * 64;

	synth_block_at(s, va, id, state);
	put_u64(s->blocks_node + 40 + id * 8, va);
}

void synth_blocks_head(struct synth *s, uint64_t head)
{
	put_u64(region_of(s, 0xffffffff82000028ULL)->data + 0x28, head);
}

void synth_file_range(struct synth *s, uint64_t start, uint64_t end)
{
	s->file_start[s->nfile] = start;
	s->file_end[s->nfile++] = end;
}

void synth_ctx(struct synth *s, struct ms_ctx *c)
{
	char err[256];

	if (ms_ctx_init(c, synth_target(s), err, sizeof(err))) {
		fprintf(stderr, "ms_ctx_init: %s\n", err);
		exit(1);
	}
}

void synth_poke(struct synth *s, uint64_t va, uint64_t value, size_t size)
{
	struct region *r = region_of(s, va);

	if (!r || va - r->va + size > r->size || size > 8)
		abort();
	for (size_t i = 0; i < size; i++)
		r->data[va - r->va + i] = (unsigned char)(value >> (8 * i));
}

void synth_set_symbol(struct synth *s, const char *name, uint64_t addr)
{
	set_sym(s, name, addr);
}

unsigned char *synth_blocks_node(struct synth *s)
{
	return s->blocks_node;
}
