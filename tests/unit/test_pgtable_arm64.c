// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The core's page-table walk (src/lib/pgtable.c) over arm64 4 KiB-granule
 * tables built here by hand (src/lib/arch/arm64.c): 3 and 4 levels from
 * VA_BITS or TCR_EL1.T1SZ, pages, 2 MiB and 1 GiB blocks, writability from
 * PTE_RDONLY and PTE_DBM, and what the kernel never makes (a block
 * descriptor in the top level, a root below PHYS_OFFSET, 52-bit VAs).
 * Descriptor bits from arch/arm64/include/asm/pgtable-hwdef.h (6.1):
 * bits[1:0] 0b11 table/page, 0b01 block; AP[2] bit 7; DBM bit 51;
 * output address bits 47:12.
 */
#include <stdio.h>
#include <string.h>

#include "arch.h"
#include "pgtable.h"
#include "synth.h"

#define TABLE 0x3ULL
#define PAGE 0x3ULL
#define BLOCK 0x1ULL
#define AF (1ULL << 10)
#define RDONLY (1ULL << 7)
#define DBM (1ULL << 51)
#define PXN (3ULL << 53)
#define ROOT_SYM 0xffff800009f58000ULL		/* "swapper_pg_dir" */
#define TABLES (SYNTH_VMEMMAP_PHYS + 0x100000)	/* first table's pa */
#define VA48 0xfffffc0000401000ULL		/* an arm64 vmemmap address */
#define VA39 0xfffffffe00401000ULL		/* one with 39-bit VAs */

struct tables {
	struct synth *s;
	uint64_t next;
	int levels;
	uint64_t slots[16], tbls[16];
	int n;
};

static void vmci(struct synth *s, const char *key, unsigned long long v,
		 const char *fmt)
{
	char buf[32];

	snprintf(buf, sizeof(buf), fmt, v);
	synth_set_vmcoreinfo(s, key, buf);
}

/* An arm64 dump with @va_bits; the root is swapper_pg_dir's __pa_symbol(). */
static struct synth *tables_new(struct tables *t, int va_bits)
{
	memset(t, 0, sizeof(*t));
	t->s = synth_new(GEN_6_12, 0);
	t->next = TABLES;
	t->levels = (va_bits - 4) / 9;
	/* not x86_64: no pgtable_l5_enabled (an empty value is absent) */
	synth_set_vmcoreinfo(t->s, "NUMBER(pgtable_l5_enabled)", "");
	vmci(t->s, "SYMBOL(swapper_pg_dir)", ROOT_SYM, "%llx");
	vmci(t->s, "NUMBER(kimage_voffset)", ROOT_SYM - TABLES, "0x%llx");
	vmci(t->s, "NUMBER(PHYS_OFFSET)", SYNTH_VMEMMAP_PHYS, "0x%llx");
	vmci(t->s, "NUMBER(VA_BITS)", (unsigned long long)va_bits, "%llu");
	synth_pgt_table(t->s, &t->next);
	return t->s;
}

static uint64_t map(struct tables *t, uint64_t va, int leaf_level,
		    uint64_t entry)
{
	uint64_t tbl = TABLES;

	for (int level = t->levels; level > leaf_level; level--) {
		uint64_t slot = synth_pgt_slot(tbl, va, level), nxt = 0;

		for (int i = 0; i < t->n; i++)
			if (t->slots[i] == slot)
				nxt = t->tbls[i];
		if (!nxt) {
			nxt = synth_pgt_table(t->s, &t->next);
			synth_pgt_set(t->s, slot, nxt | TABLE);
			t->slots[t->n] = slot;
			t->tbls[t->n++] = nxt;
		}
		tbl = nxt;
	}
	synth_pgt_set(t->s, synth_pgt_slot(tbl, va, leaf_level), entry);
	return tbl;
}

static void test_leaves(int va_bits, uint64_t va)
{
	struct tables t;
	struct synth *s = tables_new(&t, va_bits);
	uint64_t pte = 0x7dc00000ULL | PAGE | AF | RDONLY | PXN, pa;
	uint64_t pmd = 0x60000000ULL | BLOCK | AF;
	uint64_t pud = 0x40000000ULL | BLOCK | AF | RDONLY | DBM;
	uint64_t va2 = va + (1ULL << 30), va3 = va + (2ULL << 30);
	struct ms_pte leaf;
	struct ms_ctx c;

	map(&t, va, 1, pte);
	map(&t, va2, 2, pmd);
	map(&t, va3, 3, pud);
	synth_ctx(s, &c);
	CHECK(c.arch && !strcmp(c.arch->name, "arm64"));
	CHECK(ms_vtop_available(&c));
	CHECK_EQ(c.pgt_levels, t.levels);
	CHECK_EQ(ms_vtop(&c, va + 0x40, &pa, &leaf), 0);
	CHECK_EQ(pa, 0x7dc00040ULL);
	CHECK_EQ(leaf.entry, pte);
	CHECK_EQ(leaf.level, 1);
	CHECK_EQ(leaf.leaf_size, 4096);
	CHECK(!ms_pte_writable(&c, pte));
	CHECK_EQ(ms_vtop(&c, va2, &pa, &leaf), 0);
	CHECK_EQ(pa, 0x60000000ULL | (va2 & 0x1fffff));
	CHECK_EQ(leaf.level, 2);
	CHECK_EQ(leaf.leaf_size, 2ULL << 20);
	CHECK(ms_pte_writable(&c, leaf.entry));
	CHECK_EQ(ms_vtop(&c, va3, &pa, &leaf), 0);
	CHECK_EQ(pa, 0x40000000ULL | (va3 & 0x3fffffff));
	CHECK_EQ(leaf.level, 3);
	CHECK_EQ(leaf.leaf_size, 1ULL << 30);
	/* writable-clean: PTE_RDONLY with PTE_DBM (PTE_WRITE) */
	CHECK(ms_pte_writable(&c, leaf.entry));
	CHECK_EQ(ms_vtop(&c, va + 4096, &pa, &leaf), MS_ABSENT);
	CHECK_EQ(c.nerrors, 0);
	ms_ctx_fini(&c);
	synth_free(s);
}

/*
 * The kernel maps swapper_pg_dir in its image with a page: the walk for
 * that address ends in a PTE pointing at the root, a translation.
 */
static void test_pte_maps_root(void)
{
	struct tables t;
	struct synth *s = tables_new(&t, 48);
	struct ms_pte leaf;
	struct ms_ctx c;
	uint64_t pa;

	map(&t, ROOT_SYM, 1, TABLES | PAGE | AF | RDONLY);
	synth_ctx(s, &c);
	CHECK_EQ(ms_vtop(&c, ROOT_SYM + 8, &pa, &leaf), 0);
	CHECK_EQ(pa, TABLES + 8);
	CHECK_EQ(leaf.level, 1);
	CHECK_EQ(c.nerrors, 0);
	ms_ctx_fini(&c);
	synth_free(s);
}

/* TCR_EL1.T1SZ, the running kernel's VA size, wins over VA_BITS. */
static void test_t1sz(void)
{
	struct tables t;
	struct synth *s = tables_new(&t, 39);
	struct ms_pte leaf;
	struct ms_ctx c;
	uint64_t pa;

	map(&t, VA39, 1, 0x7dc00000ULL | PAGE | AF);
	synth_set_vmcoreinfo(s, "NUMBER(VA_BITS)", "48");
	synth_set_vmcoreinfo(s, "NUMBER(TCR_EL1_T1SZ)", "0x19");
	synth_ctx(s, &c);
	CHECK_EQ(c.pgt_levels, 3);
	CHECK_EQ(ms_vtop(&c, VA39, &pa, &leaf), 0);
	CHECK_EQ(pa, 0x7dc00000ULL);
	ms_ctx_fini(&c);
	synth_free(s);
}

/* A block descriptor in the top level of 4 (reserved with 4 KiB pages). */
static void test_block_in_pgd(void)
{
	struct tables t;
	struct synth *s = tables_new(&t, 48);
	struct ms_pte leaf;
	struct ms_ctx c;
	uint64_t pa;

	map(&t, VA48, 4, 0x40000000ULL | BLOCK | AF);
	synth_ctx(s, &c);
	for (int i = 0; i < 3; i++)
		CHECK_EQ(ms_vtop(&c, VA48, &pa, &leaf), MS_ERROR);
	CHECK_EQ(c.ninvalid, 1);
	CHECK(c.nerrors == 1 && strstr(c.errors[0].what, "above the highest level"));
	ms_ctx_fini(&c);
	synth_free(s);
}

/* No walk, one recorded reason: a root below PHYS_OFFSET, 52-bit VAs. */
static void test_bad_setup(const char *key, const char *value)
{
	struct tables t;
	struct synth *s = tables_new(&t, 48);
	struct ms_ctx c;

	synth_set_vmcoreinfo(s, key, value);
	synth_ctx(s, &c);
	CHECK(!ms_vtop_available(&c));
	CHECK_EQ(c.ninvalid, 1);
	ms_ctx_fini(&c);
	synth_free(s);
}

/* 64 KiB pages: not this architecture file's format, no walk, no error. */
static void test_other_granule(void)
{
	struct tables t;
	struct synth *s = tables_new(&t, 48);
	struct ms_ctx c;

	synth_set_vmcoreinfo(s, "PAGESIZE", "65536");
	synth_ctx(s, &c);
	CHECK(c.arch == NULL);
	CHECK(!ms_vtop_available(&c));
	ms_ctx_fini(&c);
	synth_free(s);
}

int main(void)
{
	test_leaves(48, VA48);
	test_leaves(39, VA39);
	test_pte_maps_root();
	test_t1sz();
	test_block_in_pgd();
	test_bad_setup("NUMBER(PHYS_OFFSET)", "0x80000000");
	test_bad_setup("NUMBER(VA_BITS)", "52");
	test_other_granule();
	return synth_done("pgtable_arm64");
}
