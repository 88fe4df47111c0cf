// SPDX-License-Identifier: GPL-2.0-or-later
/* x86_64 kernel page-table walk over crash's readmem() (vtop_x86_64.h). */
#include "defs.h"

#include "vtop_x86_64.h"

#define PTE_PRESENT 0x1ULL
#define PTE_PSE 0x80ULL			/* leaf at PMD (2 MiB) or PUD (1 GiB) */
#define PTE_ADDR 0x000ffffffffff000ULL	/* bits 51:12; NX and flags off */

/*
 * Physical address of the kernel's top-level table: init_top_pgt since
 * 4.13 (65ade2f872b4 "x86/boot/64: Rename init_level4_pgt and
 * early_level4_pgt"), init_level4_pgt before.
 */
static int root_table(uint64_t *pa)
{
	static char *names[] = { "init_top_pgt", "init_level4_pgt" };
	physaddr_t p;

	for (int i = 0; i < 2; i++)
		if (symbol_exists(names[i]) &&
		    kvtop(NULL, symbol_value(names[i]), &p, 0)) {
			*pa = p;
			return 0;
		}
	return -1;
}

/* 5-level paging (4.14+): VMCOREINFO NUMBER(pgtable_l5_enabled)=1. */
static int table_levels(struct crash_target *ct)
{
	const char *v = ct->target.ops->vmcoreinfo(ct, "NUMBER(pgtable_l5_enabled)");

	return v && strtol(v, NULL, 10) == 1 ? 5 : 4;
}

/*
 * The walk is bounded by the level count (4 or 5), and fails, rather than
 * translate, on what no kernel page table holds: a PSE bit above the PUD
 * (reserved there), or an entry that leads back to a table of this walk (a
 * table pointing at itself or an ancestor, a PTE mapping one).
 */
int vtop_x86_64(struct crash_target *ct, uint64_t vaddr, uint64_t *paddr,
		struct ms_pte *leaf)
{
	uint64_t tables[5], table, entry;
	int ntables = 0;

	if (!ct->pgt_levels)
		ct->pgt_levels = root_table(&ct->pgt_root) ? -1 : table_levels(ct);
	if (ct->pgt_levels < 0)
		return MS_ERROR;
	table = ct->pgt_root;
	for (int level = ct->pgt_levels; level >= 1; level--) {
		unsigned shift = 12 + 9 * (unsigned)(level - 1);
		uint64_t slot = table + ((vaddr >> shift) & 511) * 8;
		uint64_t size = 1ULL << shift, next;

		tables[ntables++] = table;
		if (!readmem(slot, PHYSADDR, &entry, 8, "page table entry",
			     RETURN_ON_ERROR | QUIET) ||
		    !(entry & PTE_PRESENT))
			return MS_ERROR;
		if (level > 3 && (entry & PTE_PSE))
			return MS_ERROR;
		if (level == 1 || (entry & PTE_PSE)) {
			next = (entry & PTE_ADDR) & ~(size - 1);
			/* Large leaves of the direct map do cover tables. */
			for (int i = 0; level == 1 && i < ntables; i++)
				if (tables[i] == next)
					return MS_ERROR;
			leaf->entry = entry;
			leaf->level = level;
			leaf->leaf_size = size;
			*paddr = next | (vaddr & (size - 1));
			return 0;
		}
		next = entry & PTE_ADDR;
		for (int i = 0; i < ntables; i++)
			if (tables[i] == next)
				return MS_ERROR;
		table = next;
	}
	return MS_ERROR;
}
