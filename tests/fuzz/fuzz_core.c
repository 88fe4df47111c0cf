// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target over the core: the input (fuzz_input.h) becomes the
 * synthetic target of tests/unit/synth.c for one kernel generation plus a
 * memory image laid over it, and every core path a command runs is taken:
 * sections, memory blocks, the PageOffline scan, hvo, the page_owner walk
 * (owner report, text and JSON), page info for a few pfns, every check and
 * the text and JSON reports, all written to /dev/null.
 *
 * Deterministic: no clock or randomness reaches the output paths that are
 * compared (scan_seconds is printed but nothing branches on it), and the
 * image is capped (FZ_MAX_IMAGE, FZ_MAX_CHUNKS, <= 256 pages per section).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_input.h"
#include "memsect/blocks.h"
#include "memsect/command.h"
#include "memsect/findings.h"
#include "memsect/hvo.h"
#include "memsect/offline.h"
#include "memsect/page_info.h"
#include "memsect/page_owner.h"
#include "memsect/report.h"
#include "memsect/sections.h"
#include "synth.h"

/* The report envelope of every fuzzed dump. */
static const struct ms_report_info fuzz_info = { .dump_path = "fuzz" };

struct chunk {
	uint64_t va;
	size_t len;
	const uint8_t *data;
};

struct pt {
	uint64_t va, pa, entry;
};

struct fz {
	struct ms_target t;
	struct ms_target *base;		/* the synth */
	const uint8_t *h;		/* header, FZ_HDR_SIZE bytes */
	struct chunk ch[FZ_MAX_CHUNKS];
	int nch;
	struct pt pt[FZ_PT_MAX];
	int npt;
	int depot, po_gen, hugetlb;
	unsigned po_flags, hvo_flags, flags;
};

static uint64_t le(const uint8_t *p, int n)
{
	uint64_t v = 0;

	while (n--)
		v = (v << 8) | p[n];
	return v;
}

static const struct chunk *chunk_of(const struct fz *f, uint64_t va)
{
	for (int i = f->nch - 1; i >= 0; i--)	/* the last chunk wins */
		if (va >= f->ch[i].va && va - f->ch[i].va < f->ch[i].len)
			return &f->ch[i];
	return NULL;
}

/* The lowest chunk start above @va (to hand the gap below it to the synth),
 * UINT64_MAX if none. */
static uint64_t next_chunk(const struct fz *f, uint64_t va)
{
	uint64_t n = UINT64_MAX;

	for (int i = 0; i < f->nch; i++)
		if (f->ch[i].va > va && f->ch[i].va < n)
			n = f->ch[i].va;
	return n;
}

static int kv_read(struct fz *f, uint64_t addr, unsigned char *buf, size_t len,
		   size_t *done)
{
	*done = 0;
	while (*done < len) {
		uint64_t a = addr + *done;
		const struct chunk *c = chunk_of(f, a);
		uint64_t next = next_chunk(f, a);
		size_t n = len - *done, got;

		if (a < addr)
			return MS_ERROR;	/* wrapped around */
		if (c) {
			if (c->len - (a - c->va) < n)
				n = c->len - (a - c->va);
			memcpy(buf + *done, c->data + (a - c->va), n);
			*done += n;
			continue;
		}
		if (next != UINT64_MAX && next - a < n)
			n = next - a;	/* > 0: the next chunk starts above @a */
		/* synth.c: no vmemmap virtual reads when page tables are on */
		if (f->base->ops->read(f->base->priv, MS_KVADDR, a, buf + *done,
				       n, &got)) {
			*done += got;
			return MS_ERROR;
		}
		*done += n;
	}
	return 0;
}

static int f_read(void *priv, enum ms_addrspace as, uint64_t addr, void *buf,
		  size_t len, size_t *done)
{
	struct fz *f = priv;

	*done = 0;
	/* synth.c: physical memory is the vmemmap's backing */
	if (as == MS_PADDR)
		addr += SYNTH_VMEMMAP - SYNTH_VMEMMAP_PHYS;
	else if ((f->flags & FZ_F_VTOP) && addr >= SYNTH_VMEMMAP &&
		 addr < SYNTH_VMEMMAP_END)
		return MS_ERROR;
	return kv_read(f, addr, buf, len, done);
}

struct row {
	const char *name;
	uint64_t value;
};

static int lookup(const struct row *r, size_t n, const char *name, uint64_t *v)
{
	for (size_t i = 0; i < n; i++)
		if (r[i].name && !strcmp(r[i].name, name)) {
			*v = r[i].value;
			return 0;
		}
	return MS_ABSENT;
}

#define G(off) (FZ_GLOBALS_VA + (off))

static int f_symbol(void *priv, const char *name, uint64_t *addr)
{
	struct fz *f = priv;
	int d = f->depot;
	const struct row r[] = {
		{ f->po_gen ? "page_owner_ops" : NULL, G(FZ_G_PAGE_OWNER_OPS) },
		{ f->po_flags & FZ_PO_INITED ? "page_owner_inited" : NULL,
		  G(FZ_G_PAGE_OWNER_INITED) },
		{ f->po_flags & FZ_PO_PTC ? "page_table_check_ops" : NULL, G(FZ_G_PTC_OPS) },
		{ f->po_flags & FZ_PO_PTC ? "page_table_check_disabled" : NULL,
		  G(FZ_G_PTC_DISABLED) },
		{ f->po_flags & FZ_PO_TAG ? "page_alloc_tagging_ops" : NULL, G(FZ_G_TAG_OPS) },
		{ f->po_flags & FZ_PO_NAMES ? "gfpflag_names" : NULL, G(FZ_G_GFP_NAMES) },
		{ f->po_flags & FZ_PO_NAMES ? "migratetype_names" : NULL, G(FZ_G_MT_NAMES) },
		{ f->po_flags & FZ_PO_NAMES ? "migrate_reason_names" : NULL, G(FZ_G_MR_NAMES) },
		{ d >= FZ_DEPOT_6_1 ? "stack_depot_get_extra_bits" : NULL, FZ_TEXT_VA + 0x100 },
		{ d == FZ_DEPOT_6_0 || d == FZ_DEPOT_6_1 ? "depot_index" : NULL,
		  G(FZ_G_DEPOT_COUNT) },
		{ d == FZ_DEPOT_6_0 || d == FZ_DEPOT_6_1 ? "stack_slabs" : NULL,
		  G(FZ_G_STACK_POOLS) },
		{ d == FZ_DEPOT_6_3 ? "pool_index" : NULL, G(FZ_G_DEPOT_COUNT) },
		{ d >= FZ_DEPOT_6_8 ? "pools_num" : NULL, G(FZ_G_DEPOT_COUNT) },
		{ d >= FZ_DEPOT_6_3 ? "stack_pools" : NULL, G(FZ_G_STACK_POOLS) },
		{ d == FZ_DEPOT_7_X ? "stack_max_pools" : NULL, G(FZ_G_STACK_MAX_POOLS) },
		{ f->flags & FZ_F_BLOCK_SIZE_PROBED ? "memory_block_size_probed" : NULL,
		  G(FZ_G_BLOCK_SIZE_PROBED) },
	};

	if (lookup(r, sizeof(r) / sizeof(r[0]), name, addr) == 0)
		return 0;
	return f->base->ops->symbol(f->base->priv, name, addr);
}

static int f_member(void *priv, const char *type, const char *member,
		    size_t *offset, size_t *size)
{
	struct fz *f = priv;
	int pg = f->po_gen, d = f->depot, newsr = d >= FZ_DEPOT_6_8;
	const struct {
		const char *type, *member;
		int on;
		size_t off, size;
	} rows[] = {
		{ "mem_section", "page_ext", !(f->flags & FZ_F_NO_PAGE_EXT), 16, 8 },
		{ "page", "private", 1, FZ_PAGE_PRIVATE, 8 },
		{ "page", "compound_head", !!(f->hvo_flags & FZ_HVO_COMPOUND_HEAD),
		  FZ_PAGE_COMPOUND_HEAD, 8 },
		{ "page", "compound_dtor", f->hugetlb == FZ_HUGETLB_DTOR, FZ_PAGE_DTOR, 1 },
		{ "page", "compound_order", f->hugetlb == FZ_HUGETLB_DTOR, FZ_PAGE_ORDER, 1 },
		{ "page_ext_operations", "offset", 1, 0, 8 },
		{ "page_owner", "order", pg >= FZ_PO_5_10, 0, 2 },
		{ "page_owner", "last_migrate_reason", pg >= FZ_PO_5_10, 2, 2 },
		{ "page_owner", "gfp_mask", pg >= FZ_PO_5_10, 4, 4 },
		{ "page_owner", "handle", pg >= FZ_PO_5_10, 8, 4 },
		{ "page_owner", "free_handle", pg >= FZ_PO_5_10, 12, 4 },
		{ "page_owner", "ts_nsec", pg >= FZ_PO_5_11, 16, 8 },
		{ "page_owner", "free_ts_nsec", pg >= FZ_PO_5_11, 24, 8 },
		{ "page_owner", "pid", pg == FZ_PO_5_11, 32, 4 },
		{ "page_owner", "comm", pg >= FZ_PO_5_18, 32, 16 },
		{ "page_owner", "pid", pg >= FZ_PO_5_18, 48, 4 },
		{ "page_owner", "tgid", pg >= FZ_PO_5_18, 52, 4 },
		{ "page_owner", "free_pid", pg >= FZ_PO_6_8, 56, 4 },
		{ "page_owner", "free_tgid", pg >= FZ_PO_6_8, 60, 4 },
		{ "stack_record", "size", d != FZ_DEPOT_NONE,
		  newsr ? FZ_SR_SIZE_NEW : FZ_SR_SIZE_OLD, 4 },
		{ "stack_record", "entries", d != FZ_DEPOT_NONE,
		  newsr ? FZ_SR_ENTRIES_NEW : FZ_SR_ENTRIES_OLD, 0 },
		{ "stack_record", "count", newsr, FZ_SR_COUNT_NEW, 4 },
		{ "mem_section", "usage", !!(f->po_flags & (FZ_PO_PB | FZ_PO_PB_7X)),
		  FZ_MS_USAGE, 8 },
		{ "mem_section_usage", "pageblock_flags", 1, FZ_USAGE_PB_FLAGS, 0 },
		{ "codetag", "lineno", !!(f->po_flags & FZ_PO_TAG), 4, 4 },
		{ "codetag", "function", !!(f->po_flags & FZ_PO_TAG), 16, 8 },
		{ "codetag", "filename", !!(f->po_flags & FZ_PO_TAG), 24, 8 },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (rows[i].on && !strcmp(rows[i].type, type) &&
		    !strcmp(rows[i].member, member)) {
			*offset = rows[i].off;
			*size = rows[i].size;
			return 0;
		}
	if (!strcmp(type, "mem_section") && !strcmp(member, "page_ext"))
		return MS_ABSENT;
	return f->base->ops->member(f->base->priv, type, member, offset, size);
}

static int f_type_size(void *priv, const char *type, size_t *size)
{
	struct fz *f = priv;

	if (!strcmp(type, "page_owner")) {
		if (!f->po_gen)
			return MS_ABSENT;
		*size = fz_po_size(f->po_gen);
		return 0;
	}
	return f->base->ops->type_size(f->base->priv, type, size);
}

static int f_enumerator(void *priv, const char *name, int64_t *value)
{
	struct fz *f = priv;
	int hb = f->hugetlb, pb7 = !!(f->po_flags & FZ_PO_PB_7X);
	const struct row r[] = {
		{ f->po_gen ? "PAGE_EXT_OWNER" : NULL, FZ_PAGE_EXT_OWNER },
		{ f->po_gen ? "PAGE_EXT_OWNER_ALLOCATED" : NULL, FZ_PAGE_EXT_OWNER_ALLOCATED },
		{ f->po_flags & (FZ_PO_PB | FZ_PO_PB_7X) ? "MIGRATE_ISOLATE" : NULL,
		  FZ_MIGRATE_ISOLATE },
		{ f->po_flags & FZ_PO_PB && !pb7 ? "NR_PAGEBLOCK_BITS" : NULL, 4 },
		{ pb7 ? "__NR_PAGEBLOCK_BITS" : NULL, 5 },
		{ pb7 ? "PB_migrate_isolate" : NULL, 4 },
		{ hb ? "PG_head" : NULL, FZ_PG_HEAD },
		{ hb && f->hvo_flags & FZ_HVO_FLAG_ENUM ? "HPG_vmemmap_optimized" : NULL,
		  FZ_HPG_OPT },
		{ hb == FZ_HUGETLB_PGTY ? "PGTY_hugetlb" : NULL, FZ_PGTY_HUGETLB },
		{ hb == FZ_HUGETLB_PG_FLAG ? "PG_hugetlb" : NULL, FZ_PG_HUGETLB },
	};
	uint64_t v;

	if (lookup(r, sizeof(r) / sizeof(r[0]), name, &v) == 0) {
		*value = (int64_t)v;
		return 0;
	}
	return f->base->ops->enumerator(f->base->priv, name, value);
}

static const char *f_vmcoreinfo(void *priv, const char *key)
{
	struct fz *f = priv;

	return f->base->ops->vmcoreinfo(f->base->priv, key);
}

/* The overrides at FZ_PT_VA, read once per input: { va, pa, entry }. */
static void load_pt(struct fz *f)
{
	unsigned char e[24];
	size_t done;

	for (f->npt = 0; f->npt < FZ_PT_MAX; f->npt++) {
		struct pt *p = &f->pt[f->npt];

		if (kv_read(f, FZ_PT_VA + 24ULL * f->npt, e, 24, &done) || !le(e, 8))
			break;
		p->va = le(e, 8) & ~4095ULL;
		p->pa = le(e + 8, 8);
		p->entry = le(e + 16, 8);
	}
}

/* A 2 MiB range with an override is split into 4 KiB PTEs (pa ~0: not
 * mapped); the rest maps linearly through RW 2 MiB PMDs. */
static int f_vtop(void *priv, uint64_t va, uint64_t *pa, struct ms_pte *leaf)
{
	struct fz *f = priv;
	int split = 0;

	if (va < SYNTH_VMEMMAP || va >= SYNTH_VMEMMAP_END)
		return MS_ERROR;
	for (int i = 0; i < f->npt; i++) {
		if (f->pt[i].va == (va & ~4095ULL)) {
			if (f->pt[i].pa == UINT64_MAX)
				return MS_ERROR;
			*pa = (f->pt[i].pa & ~4095ULL) | (va & 4095);
			leaf->entry = f->pt[i].entry;
			leaf->level = 1;
			leaf->leaf_size = 4096;
			return 0;
		}
		split |= (f->pt[i].va >> 21) == (va >> 21);
	}
	*pa = va - SYNTH_VMEMMAP + SYNTH_VMEMMAP_PHYS;
	leaf->entry = split ? 0x8000000000000063ULL | (*pa & ~4095ULL) :
			      0x80000000000000e3ULL | (*pa & ~((2ULL << 20) - 1));
	leaf->level = split ? 1 : 2;
	leaf->leaf_size = split ? 4096 : 2ULL << 20;
	return 0;
}

static int f_pfns_in_file(void *priv, uint64_t start, uint64_t end,
			  uint64_t *stored)
{
	struct fz *f = priv;
	unsigned char e[16];
	size_t done;

	*stored = 0;
	for (int i = 0; i < FZ_FILE_MAX; i++) {
		uint64_t a, b;

		if (kv_read(f, FZ_FILE_VA + 16ULL * i, e, 16, &done))
			break;
		a = le(e, 8) > start ? le(e, 8) : start;
		b = le(e + 8, 8) < end ? le(e + 8, 8) : end;
		if (a < b)
			*stored += b - a;
	}
	return 0;
}

static int f_addr_symbol(void *priv, uint64_t addr, char *buf, size_t len)
{
	(void)priv;
	if (addr < FZ_TEXT_VA || addr - FZ_TEXT_VA >= (16ULL << 20))
		return MS_ABSENT;
	snprintf(buf, len, "fz_fn_%llu+0x%llx/0x100",
		 (unsigned long long)((addr - FZ_TEXT_VA) >> 8),
		 (unsigned long long)(addr & 0xff));
	return 0;
}

static const char *f_errmsg(void *priv)
{
	(void)priv;
	return "synthetic read failure";
}

#define OPS(name, vt, file) static const struct ms_target_ops name = { \
	.read = f_read, .symbol = f_symbol, .member = f_member, \
	.type_size = f_type_size, .enumerator = f_enumerator, \
	.vmcoreinfo = f_vmcoreinfo, .vtop = vt, .pfns_in_file = file, \
	.errmsg = f_errmsg, .addr_symbol = f_addr_symbol }
OPS(ops_plain, NULL, NULL);
OPS(ops_vtop, f_vtop, NULL);
OPS(ops_file, NULL, f_pfns_in_file);
OPS(ops_vtop_file, f_vtop, f_pfns_in_file);

static void set_vmci_num(struct synth *s, const char *key, long long v, int hex)
{
	char buf[32];

	snprintf(buf, sizeof(buf), hex ? "%llx" : "%lld", v);
	synth_set_vmcoreinfo(s, key, buf);
}

/* The layout knobs of the header, applied to the synth's tables. */
static void configure(struct fz *f, struct synth *s)
{
	static const char *const flag_enums[] = {
		"SECTION_MARKED_PRESENT_BIT", "SECTION_HAS_MEM_MAP_BIT",
		"SECTION_IS_ONLINE_BIT", "SECTION_IS_EARLY_BIT",
		"SECTION_TAINT_ZONE_DEVICE_BIT", "SECTION_MAP_LAST_BIT",
	};
	const uint8_t *h = f->h;
	unsigned key;

	set_vmci_num(s, "NUMBER(SECTION_SIZE_BITS)", 13 + h[FZ_H_SECTION_BITS] % 8, 0);
	set_vmci_num(s, "LENGTH(mem_section)", 1 + h[FZ_H_ROOTS] % 4, 0);
	if (f->flags & FZ_F_FLAG_DEFINES)
		for (size_t i = 0; i < sizeof(flag_enums) / sizeof(flag_enums[0]); i++)
			synth_drop(s, flag_enums[i]);
	if (f->flags & FZ_F_NO_OFFLINE_VMCI)
		synth_drop(s, "NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)");
	if (f->flags & FZ_F_NO_BLOCKS)
		synth_drop(s, "memory_blocks");
	if (f->flags & FZ_F_BLOCK_SIZE_PROBED)
		synth_drop(s, "sections_per_block");
	if (f->hugetlb == FZ_HUGETLB_INVERTED)
		synth_set_vmcoreinfo(s, "NUMBER(PAGE_HUGETLB_MAPCOUNT_VALUE)",
				     FZ_HUGETLB_MAPCOUNT);
	if (f->hugetlb == FZ_HUGETLB_DTOR)
		set_vmci_num(s, "NUMBER(HUGETLB_PAGE_DTOR)", FZ_DTOR_VALUE, 0);
	if (f->hvo_flags & (FZ_HVO_CONTIG | FZ_HVO_NODE_DATA)) {
		set_vmci_num(s, "OFFSET(pglist_data.node_start_pfn)", FZ_PGDAT_START, 0);
		set_vmci_num(s, "OFFSET(pglist_data.node_spanned_pages)", FZ_PGDAT_SPANNED, 0);
		set_vmci_num(s, "OFFSET(pglist_data.node_id)", FZ_PGDAT_ID, 0);
	}
	if (f->hvo_flags & FZ_HVO_CONTIG) {
		set_vmci_num(s, "SYMBOL(contig_page_data)", (long long)G(FZ_G_PGDAT), 1);
	} else if (f->hvo_flags & FZ_HVO_NODE_DATA) {
		set_vmci_num(s, "SYMBOL(node_data)", (long long)G(FZ_G_NODE_DATA), 1);
		set_vmci_num(s, "LENGTH(node_data)", FZ_NODES, 0);
	}
	key = h[FZ_H_VMCI_KEY] % FZ_VMCI_NKEYS;
	if (key) {
		char v[FZ_H_END - FZ_H_VMCI_VALUE + 1];

		memcpy(v, h + FZ_H_VMCI_VALUE, sizeof(v) - 1);
		v[sizeof(v) - 1] = 0;
		if (v[0] == 0)
			synth_drop(s, fz_vmci_keys[key]);
		else
			synth_set_vmcoreinfo(s, fz_vmci_keys[key], v);
	}
}

/* /dev/null; stdout with MEMSECT_FUZZ_PRINT set (to see what an input is) */
static FILE *devnull(void)
{
	static FILE *out;

	if (!out)
		out = getenv("MEMSECT_FUZZ_PRINT") ? stdout : fopen("/dev/null", "w");
	if (!out)
		abort();
	return out;
}

static void report(struct ms_ctx *c, const char *command,
		   void (*checks)(struct ms_ctx *, struct ms_findings *))
{
	struct ms_report_info ri = { .cmd = ms_command_find(command), .dump_path = "fuzz",
				     .dump_format = "synthetic", .vmlinux_path = "fuzz" };
	struct ms_findings f = { 0 };
	int any;

	checks(c, &f);
	ms_findings_worst(&f, &any);
	ms_report_text(devnull(), c, &ri, &f);
	ms_report_json(devnull(), c, &ri, &f);
	ms_findings_free(&f);
}

/* What the commands run, in the CLI's order (src/cli). */
static void run(struct fz *f, struct ms_ctx *c)
{
	const struct ms_blocks *b;
	struct ms_sections *ss;
	uint64_t pfns[4];
	size_t npfns = f->h[FZ_H_NPFNS] % 5;

	ss = ms_get_sections(c);
	if (!ss)
		return;		/* the CLI stops here: exit status 3 */
	b = ms_get_blocks(c);
	if (b)
		for (size_t i = 0; i < ss->n; i++)
			ms_block_of_section(c, b, ss->v[i].nr);
	ms_get_offline(c);
	ms_get_hvo(c);

	report(c, "sections", ms_checks_sections);
	report(c, "offline", ms_checks_offline);
	report(c, "diagnose", ms_checks_all);
	report(c, "hvo", ms_checks_hvo);

	ms_owner_report(devnull(), c, MS_OWNER_ALLOCATED, -1, false, &fuzz_info);
	ms_owner_report(devnull(), c, MS_OWNER_ALLOCATED, -1, true, &fuzz_info);
	ms_owner_report(devnull(), c, MS_OWNER_FREED, -1, false, &fuzz_info);
	ms_owner_report(devnull(), c, MS_OWNER_FREED, 1, true, &fuzz_info);

	for (size_t i = 0; i < npfns; i++)
		pfns[i] = le(f->h + FZ_H_PFNS + 4 * i, 4);
	ms_page_report(devnull(), c, pfns, npfns, false, &fuzz_info);
	ms_page_report(devnull(), c, pfns, npfns, true, &fuzz_info);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t hdr[FZ_HDR_SIZE] = { 0 };
	struct fz f = { 0 };
	struct synth *s;
	struct ms_ctx c;
	size_t off = FZ_HDR_SIZE, image = 0;
	char err[256];

	memcpy(hdr, data, size < FZ_HDR_SIZE ? size : FZ_HDR_SIZE);
	f.h = hdr;
	f.flags = hdr[FZ_H_FLAGS];
	f.depot = hdr[FZ_H_DEPOT] % FZ_DEPOT_N;
	f.po_gen = hdr[FZ_H_PO_GEN] % FZ_PO_N;
	f.po_flags = hdr[FZ_H_PO_FLAGS];
	f.hugetlb = hdr[FZ_H_HUGETLB] % FZ_HUGETLB_N;
	f.hvo_flags = hdr[FZ_H_HVO_FLAGS];
	while (off + FZ_CHUNK_HDR <= size && f.nch < FZ_MAX_CHUNKS &&
	       image < FZ_MAX_IMAGE) {
		struct chunk *ch = &f.ch[f.nch++];

		ch->va = le(data + off, 8);
		ch->len = (size_t)le(data + off + 8, 4);
		off += FZ_CHUNK_HDR;
		if (ch->len > size - off)
			ch->len = size - off;
		if (ch->len > FZ_MAX_IMAGE - image)
			ch->len = FZ_MAX_IMAGE - image;
		ch->data = data + off;
		off += ch->len;
		image += ch->len;
	}

	s = synth_new((enum synth_gen)(hdr[FZ_H_GEN] % 4), f.flags & FZ_F_FIVE_LEVEL);
	configure(&f, s);
	f.base = synth_target(s);
	if (f.flags & FZ_F_VTOP)
		load_pt(&f);
	f.t.priv = &f;
	f.t.ops = f.flags & FZ_F_VTOP ?
		  (f.flags & FZ_F_FILE_MAP ? &ops_vtop_file : &ops_vtop) :
		  (f.flags & FZ_F_FILE_MAP ? &ops_file : &ops_plain);

	if (ms_ctx_init(&c, &f.t, err, sizeof(err)) == 0) {
		run(&f, &c);
		ms_ctx_fini(&c);
	}
	synth_free(s);
	return 0;
}
