// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The core's page-table walk (src/lib/pgtable.c) over x86_64 tables built
 * here by hand, 4- and 5-level: PTE, 2 MiB PMD and 1 GiB PUD leaves,
 * not-present entries, and tables the kernel never makes (a table entry
 * pointing back at its own table, a PTE mapping a table of its walk,
 * _PAGE_PSE in the P4D), which must end as one recorded invalid value.
 * Entry bits from the Intel SDM vol. 3, 4.5: P bit 0, R/W bit 1, PS bit 7,
 * address bits 51:12.
 */
#include <string.h>

#include "pgtable.h"
#include "synth.h"

#define P 0x1ULL
#define RW 0x2ULL
#define PS 0x80ULL
#define NX (1ULL << 63)
#define KERNEL_MAP 0xffffffff80000000ULL	/* __START_KERNEL_map */
#define ROOT_SYM 0xffffffff83000000ULL		/* "init_top_pgt" */
#define TABLES (SYNTH_VMEMMAP_PHYS + 0x100000)	/* first table's pa */
#define VA4 0xffffea0004001000ULL		/* a 4-level vmemmap address */
#define VA5 0xffd1173cc4001000ULL		/* a 5-level one */

struct link {
	uint64_t slot, table;	/* a table entry made here, the table it points at */
};

struct tables {
	struct synth *s;
	uint64_t next;		/* physical address of the next new table */
	int levels;
	struct link links[16];
	int nlinks;
};

/* Tables for @levels with the root at ROOT_SYM's __pa_symbol(). */
static struct synth *tables_new(struct tables *t, int levels)
{
	char buf[32];

	memset(t, 0, sizeof(*t));
	t->s = synth_new(GEN_6_12, levels == 5);
	t->next = TABLES;
	t->levels = levels;
	snprintf(buf, sizeof(buf), "%llx", (unsigned long long)ROOT_SYM);
	synth_set_vmcoreinfo(t->s, "SYMBOL(init_top_pgt)", buf);
	/* phys_base such that the root lands on the first table */
	snprintf(buf, sizeof(buf), "%llu",
		 (unsigned long long)(TABLES - (ROOT_SYM - KERNEL_MAP)));
	synth_set_vmcoreinfo(t->s, "NUMBER(phys_base)", buf);
	synth_pgt_table(t->s, &t->next);
	return t->s;
}

/* Map @va with a leaf @entry at @leaf_level; returns the leaf's table. */
static uint64_t map(struct tables *t, uint64_t va, int leaf_level,
		    uint64_t entry)
{
	uint64_t tbl = TABLES;

	for (int level = t->levels; level > leaf_level; level--) {
		uint64_t slot = synth_pgt_slot(tbl, va, level), nxt = 0;

		for (int i = 0; i < t->nlinks; i++)
			if (t->links[i].slot == slot)
				nxt = t->links[i].table;
		if (!nxt) {
			nxt = synth_pgt_table(t->s, &t->next);
			synth_pgt_set(t->s, synth_pgt_slot(tbl, va, level), nxt | P | RW);
			t->links[t->nlinks++] = (struct link){ slot, nxt };
		}
		tbl = nxt;
	}
	synth_pgt_set(t->s, synth_pgt_slot(tbl, va, leaf_level), entry);
	return tbl;
}

static void test_leaves(int levels, uint64_t va)
{
	struct tables t;
	struct synth *s = tables_new(&t, levels);
	uint64_t pte = 0x17dc00000ULL | P | NX | 0x160, pa;
	uint64_t pmd = 0x140000000ULL | P | RW | PS;
	uint64_t pud = 0x40000000ULL | P | RW | PS;
	uint64_t va2 = va + (1ULL << 30), va3 = va + (2ULL << 39);
	struct ms_pte leaf;
	struct ms_ctx c;

	map(&t, va, 1, pte);
	map(&t, va2, 2, pmd);
	map(&t, va3, 3, pud);
	synth_ctx(s, &c);
	CHECK(ms_vtop_available(&c));
	CHECK_EQ(c.pgt_levels, levels);
	CHECK_EQ(ms_vtop(&c, va + 0x40, &pa, &leaf), 0);
	CHECK_EQ(pa, 0x17dc00040ULL);
	CHECK_EQ(leaf.entry, pte);
	CHECK_EQ(leaf.level, 1);
	CHECK_EQ(leaf.leaf_size, 4096);
	CHECK(!ms_pte_writable(&c, pte));
	CHECK_EQ(ms_vtop(&c, va2, &pa, &leaf), 0);
	CHECK_EQ(pa, 0x140000000ULL | (va2 & 0x1fffff));
	CHECK_EQ(leaf.level, 2);
	CHECK_EQ(leaf.leaf_size, 2ULL << 20);
	CHECK(ms_pte_writable(&c, leaf.entry));
	CHECK_EQ(ms_vtop(&c, va3, &pa, &leaf), 0);
	CHECK_EQ(pa, 0x40000000ULL | (va3 & 0x3fffffff));
	CHECK_EQ(leaf.level, 3);
	CHECK_EQ(leaf.leaf_size, 1ULL << 30);
	/* Not present: the next 4 KiB page, and a top-level slot never set. */
	CHECK_EQ(ms_vtop(&c, va + 4096, &pa, &leaf), MS_ABSENT);
	CHECK_EQ(ms_vtop(&c, 0xffffffffc0000000ULL, &pa, &leaf), MS_ABSENT);
	CHECK_EQ(c.nerrors, 0);
	ms_ctx_fini(&c);
	synth_free(s);
}

/* Tables built for 4 levels do not translate when VMCOREINFO says 5. */
static void test_level_count(void)
{
	struct tables t;
	struct synth *s = tables_new(&t, 4);
	struct ms_pte leaf;
	struct ms_ctx c;
	uint64_t pa;

	map(&t, VA4, 1, 0x17dc00000ULL | P);
	synth_set_vmcoreinfo(s, "NUMBER(pgtable_l5_enabled)", "1");
	synth_ctx(s, &c);
	CHECK_EQ(c.pgt_levels, 5);
	CHECK(ms_vtop(&c, VA4, &pa, &leaf) != 0);
	ms_ctx_fini(&c);
	synth_free(s);
}

/* One invalid value recorded at @va, however often the walk passes it. */
static void expect_invalid(struct ms_ctx *c, uint64_t va, const char *what)
{
	struct ms_pte leaf;
	uint64_t pa;

	for (int i = 0; i < 3; i++)
		CHECK_EQ(ms_vtop(c, va, &pa, &leaf), MS_ERROR);
	CHECK_EQ(c->ninvalid, 1);
	CHECK_EQ(c->nerrors, 1);
	if (c->nerrors) {
		CHECK_EQ(c->errors[0].address, va);
		CHECK(strstr(c->errors[0].what, what) != NULL);
	}
}

static void test_table_loop(void)
{
	struct tables t;
	struct synth *s = tables_new(&t, 4);
	struct ms_ctx c;

	/* The PUD entry points back at the root table. */
	map(&t, VA4, 3, TABLES | P | RW);
	synth_ctx(s, &c);
	expect_invalid(&c, VA4, "points back at a table");
	ms_ctx_fini(&c);
	synth_free(s);
}

static void test_pte_maps_its_table(void)
{
	struct tables t;
	struct synth *s = tables_new(&t, 5);
	uint64_t pt = map(&t, VA5, 1, 0);
	struct ms_ctx c;

	synth_pgt_set(t.s, synth_pgt_slot(pt, VA5, 1), pt | P | RW);
	synth_ctx(s, &c);
	expect_invalid(&c, VA5, "maps a page table");
	ms_ctx_fini(&c);
	synth_free(s);
}

static void test_leaf_above_pud(void)
{
	struct tables t;
	struct synth *s = tables_new(&t, 5);
	struct ms_ctx c;

	map(&t, VA5, 4, 0x40000000ULL | P | RW | PS);
	synth_ctx(s, &c);
	expect_invalid(&c, VA5, "above the highest level");
	ms_ctx_fini(&c);
	synth_free(s);
}

/* A root that is no page of the kernel image: recorded, no walk. */
static void test_bad_root(void)
{
	struct tables t;
	struct synth *s = tables_new(&t, 4);
	struct ms_ctx c;

	synth_set_vmcoreinfo(s, "NUMBER(phys_base)", "4097");
	synth_ctx(s, &c);
	CHECK(!ms_vtop_available(&c));
	CHECK_EQ(c.ninvalid, 1);
	ms_ctx_fini(&c);
	synth_free(s);
}

int main(void)
{
	test_leaves(4, VA4);
	test_leaves(5, VA5);
	test_level_count();
	test_table_loop();
	test_pte_maps_its_table();
	test_leaf_above_pud();
	test_bad_root();
	return synth_done("pgtable");
}
