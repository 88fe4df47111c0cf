/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The fuzz input: a header of layout knobs (which kernel generation the
 * synthetic target's debug info and VMCOREINFO describe) followed by the
 * memory image, a list of chunks { u64 va; u32 len; u8 data[len] } laid over
 * the synthetic target of tests/unit/synth.c.  Everything little endian.
 * Shared by the harness (fuzz_core.c) and the seed generator (gen_corpus.c).
 */
#ifndef MEMSECT_FUZZ_INPUT_H
#define MEMSECT_FUZZ_INPUT_H

#include <stdint.h>

#define FZ_HDR_SIZE	64
#define FZ_CHUNK_HDR	12
#define FZ_MAX_CHUNKS	48
#define FZ_MAX_IMAGE	(1u << 20)	/* bytes of chunk data taken */

/* header byte offsets */
enum {
	FZ_H_GEN,		/* enum synth_gen, modulo 4 */
	FZ_H_FLAGS,		/* FZ_F_* */
	FZ_H_SECTION_BITS,	/* SECTION_SIZE_BITS = 13 + v % 8 */
	FZ_H_ROOTS,		/* LENGTH(mem_section) = 1 + v % 4 */
	FZ_H_DEPOT,		/* enum fz_depot, modulo FZ_DEPOT_N */
	FZ_H_PO_GEN,		/* enum fz_po_gen, modulo FZ_PO_N */
	FZ_H_PO_FLAGS,		/* FZ_PO_* */
	FZ_H_HUGETLB,		/* enum fz_hugetlb, modulo FZ_HUGETLB_N */
	FZ_H_HVO_FLAGS,		/* FZ_HVO_* */
	FZ_H_NPFNS,		/* pfns for the page command: v % 5 */
	FZ_H_VMCI_KEY,		/* override one VMCOREINFO key: 0 none, else index into fz_vmci_keys */
	FZ_H_PFNS = 12,		/* 4 x u32 */
	FZ_H_VMCI_VALUE = 28,	/* 24 bytes, NUL-terminated by the harness */
	FZ_H_END = 52,
};

/* FZ_H_FLAGS */
#define FZ_F_FIVE_LEVEL		0x01	/* MAX_PHYSMEM_BITS 52 */
#define FZ_F_VTOP		0x02	/* vmemmap through page tables (FZ_PT_VA) */
#define FZ_F_FLAG_DEFINES	0x04	/* <= 5.19: no SECTION_*_BIT enum */
#define FZ_F_NO_OFFLINE_VMCI	0x08	/* no NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE) */
#define FZ_F_NO_PAGE_EXT	0x10	/* no mem_section.page_ext (CONFIG_PAGE_EXTENSION off) */
#define FZ_F_FILE_MAP		0x20	/* pfns_in_file from FZ_FILE_VA */
#define FZ_F_NO_BLOCKS		0x40	/* no memory_blocks symbol */
#define FZ_F_BLOCK_SIZE_PROBED	0x80	/* no sections_per_block: memory_block_size_probed */

/* stack depot handle layouts (lib/stackdepot.c) */
enum fz_depot {
	FZ_DEPOT_NONE,
	FZ_DEPOT_6_0,		/* stack_slabs, depot_index, slabindex:21 */
	FZ_DEPOT_6_1,		/* + 5 extra bits, slabindex:16 */
	FZ_DEPOT_6_3,		/* stack_pools, pool_index */
	FZ_DEPOT_6_8,		/* pool_index_plus_1, pools_num, stack_record.count */
	FZ_DEPOT_7_X,		/* void **stack_pools, stack_max_pools */
	FZ_DEPOT_N
};

/* struct page_owner generations */
enum fz_po_gen {
	FZ_PO_NONE,		/* CONFIG_PAGE_OWNER off */
	FZ_PO_5_10,		/* order, last_migrate_reason, gfp_mask, handle, free_handle */
	FZ_PO_5_11,		/* + ts_nsec, free_ts_nsec, pid */
	FZ_PO_5_18,		/* + comm, tgid */
	FZ_PO_6_8,		/* + free_pid, free_tgid */
	FZ_PO_N
};

/* FZ_H_PO_FLAGS */
#define FZ_PO_INITED		0x01	/* page_owner_inited enabled */
#define FZ_PO_PTC		0x02	/* page_table_check client */
#define FZ_PO_TAG		0x04	/* alloc tag client + struct codetag */
#define FZ_PO_NAMES		0x08	/* gfpflag/migratetype/migrate_reason names */
#define FZ_PO_PB		0x10	/* mem_section->usage->pageblock_flags, NR_PAGEBLOCK_BITS */
#define FZ_PO_PB_7X		0x20	/* __NR_PAGEBLOCK_BITS + PB_migrate_isolate */

/* how hugetlb folios are marked */
enum fz_hugetlb {
	FZ_HUGETLB_NONE,	/* no PG_head: hvo unresolvable */
	FZ_HUGETLB_PGTY,	/* 6.12+: PGTY_hugetlb */
	FZ_HUGETLB_INVERTED,	/* 6.9-6.11: NUMBER(PAGE_HUGETLB_MAPCOUNT_VALUE) */
	FZ_HUGETLB_PG_FLAG,	/* 6.6-6.8: PG_hugetlb in page[1].flags */
	FZ_HUGETLB_DTOR,	/* <= 6.5: page[1].compound_dtor/compound_order */
	FZ_HUGETLB_N
};

/* FZ_H_HVO_FLAGS */
#define FZ_HVO_FLAG_ENUM	0x01	/* HPG_vmemmap_optimized known */
#define FZ_HVO_CONTIG		0x02	/* SYMBOL(contig_page_data) */
#define FZ_HVO_NODE_DATA	0x04	/* SYMBOL(node_data), LENGTH(node_data) */
#define FZ_HVO_COMPOUND_HEAD	0x08	/* page.compound_head */

/* Fixed places of the synthetic kernel (beside synth.h's SYNTH_*). */
#define FZ_PARAMS_VA	0xffffffff82000000ULL	/* synth.c: page_ext_size, sections_per_block, memory_blocks */
#define FZ_GLOBALS_VA	0xffffffff82100000ULL	/* the globals below, one page */
#define FZ_G_PAGE_OWNER_OPS	0x000	/* struct page_ext_operations, offset at +0 */
#define FZ_G_PAGE_OWNER_INITED	0x010
#define FZ_G_PTC_OPS		0x020
#define FZ_G_PTC_DISABLED	0x030
#define FZ_G_TAG_OPS		0x040
#define FZ_G_DEPOT_COUNT	0x050	/* pools_num / pool_index / depot_index */
#define FZ_G_STACK_MAX_POOLS	0x058
#define FZ_G_BLOCK_SIZE_PROBED	0x068
#define FZ_G_STACK_POOLS	0x100	/* stack_pools[] / stack_slabs[] (7.x: a pointer) */
#define FZ_G_GFP_NAMES		0x200	/* { mask, name } x 16 */
#define FZ_G_MT_NAMES		0x300	/* char *[8] */
#define FZ_G_MR_NAMES		0x340	/* char *[8] */
#define FZ_G_PGDAT		0x400	/* contig_page_data */
#define FZ_G_NODE_DATA		0x500	/* pglist_data *[FZ_NODES] */
#define FZ_G_STRINGS		0x800
#define FZ_NODES		4
#define FZ_PGDAT_START		0x00	/* OFFSET(pglist_data.node_start_pfn) */
#define FZ_PGDAT_SPANNED	0x08
#define FZ_PGDAT_ID		0x10

#define FZ_POOLS_VA	0xffff888030000000ULL	/* depot pools, 16 KiB each */
#define FZ_POOL_SIZE	0x4000ULL
#define FZ_USAGE_VA	0xffff888040000000ULL	/* mem_section_usage, 64 bytes each */
#define FZ_CODETAG_VA	0xffff888050000000ULL
#define FZ_TEXT_VA	0xffffffff81000000ULL	/* stack entries symbolize here */
#define FZ_PAGE_EXT_VA	0xffffc90000000000ULL	/* + nr * FZ_PAGE_EXT_STRIDE */
#define FZ_PAGE_EXT_STRIDE 0x100000ULL

/*
 * Not memory but read the same way: the vmemmap page-table overrides
 * ({ u64 va; u64 pa; u64 entry }, pa ~0: not mapped) and the pfn ranges the
 * dump file holds ({ u64 start; u64 end }).
 */
#define FZ_PT_VA	0xfffffe0000000000ULL
#define FZ_PT_MAX	256
#define FZ_FILE_VA	0xfffffe0000100000ULL
#define FZ_FILE_MAX	16

/* struct member offsets the harness's debug info reports */
#define FZ_PAGE_COMPOUND_HEAD	8
#define FZ_PAGE_DTOR		16	/* page[1].compound_dtor (<= 6.5) */
#define FZ_PAGE_ORDER		17	/* page[1].compound_order (<= 6.5) */
#define FZ_PAGE_PRIVATE		40
#define FZ_MS_USAGE		8	/* mem_section.usage */
#define FZ_USAGE_PB_FLAGS	8	/* mem_section_usage.pageblock_flags */
#define FZ_PG_HEAD		6
#define FZ_PG_HUGETLB		8	/* 6.6-6.8 */
#define FZ_HPG_OPT		4
#define FZ_PGTY_HUGETLB		0xf4
#define FZ_DTOR_VALUE		2	/* HUGETLB_PAGE_DTOR */
#define FZ_HUGETLB_MAPCOUNT	"-2049"	/* ~0x800: PG_hugetlb 0x800, inverted */
#define FZ_PAGE_EXT_OWNER	0
#define FZ_PAGE_EXT_OWNER_ALLOCATED 1
#define FZ_MIGRATE_ISOLATE	5

/* struct page_owner offsets by generation: order 0, last_migrate_reason 2,
 * gfp_mask 4, handle 8, free_handle 12, ts_nsec 16, free_ts_nsec 24, then
 * 5.11: pid 32 (size 40); 5.18: comm 32, pid 48, tgid 52 (size 56); 6.8:
 * free_pid 56, free_tgid 60 (size 64). */
static inline unsigned fz_po_size(int gen)
{
	static const unsigned sz[FZ_PO_N] = { 0, 16, 40, 56, 64 };

	return sz[gen];
}

/* struct stack_record: size, entries, count (6.8+) offsets */
#define FZ_SR_SIZE_OLD		12
#define FZ_SR_ENTRIES_OLD	24
#define FZ_SR_SIZE_NEW		20
#define FZ_SR_COUNT_NEW		28
#define FZ_SR_ENTRIES_NEW	32

static const char *const fz_vmci_keys[] = {
	NULL,
	"PAGESIZE",
	"NUMBER(SECTION_SIZE_BITS)",
	"NUMBER(MAX_PHYSMEM_BITS)",
	"SYMBOL(mem_section)",
	"LENGTH(mem_section)",
	"SIZE(mem_section)",
	"SIZE(page)",
	"OFFSET(page._refcount)",
	"OFFSET(page._mapcount)",
	"OFFSET(page.flags)",
	"NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)",
	"NUMBER(PAGE_HUGETLB_MAPCOUNT_VALUE)",
	"NUMBER(HUGETLB_PAGE_DTOR)",
	"OFFSET(pglist_data.node_start_pfn)",
	"OFFSET(pglist_data.node_spanned_pages)",
	"OFFSET(pglist_data.node_id)",
	"SYMBOL(contig_page_data)",
	"SYMBOL(node_data)",
	"LENGTH(node_data)",
	"OSRELEASE",
	"BUILD-ID",
};
#define FZ_VMCI_NKEYS (sizeof(fz_vmci_keys) / sizeof(fz_vmci_keys[0]))

#endif
