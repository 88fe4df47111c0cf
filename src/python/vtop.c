// SPDX-License-Identifier: GPL-2.0-or-later
/* x86_64 kernel page-table walk over a target's reads (vtop.h). */
#include <stdlib.h>
#include <string.h>

#include "vtop.h"

#define PTE_PRESENT 0x1ULL
#define PTE_PSE 0x80ULL			/* leaf at PMD (2 MiB) or PUD (1 GiB) */
#define PTE_ADDR 0x000ffffffffff000ULL	/* bits 51:12; NX and flags off */

/*
 * init_top_pgt since 4.13 (65ade2f872b4 "x86/boot/64: Rename
 * init_level4_pgt and early_level4_pgt"), init_level4_pgt before; 5-level
 * paging (4.14+) when VMCOREINFO has NUMBER(pgtable_l5_enabled)=1.
 */
static void resolve(struct py_vtop *p, struct ms_target *t)
{
	const char *l5;

	p->levels = -1;
	if (t->ops->symbol(t->priv, "init_top_pgt", &p->root) &&
	    t->ops->symbol(t->priv, "init_level4_pgt", &p->root))
		return;
	l5 = t->ops->vmcoreinfo(t->priv, "NUMBER(pgtable_l5_enabled)");
	p->levels = l5 && strtol(l5, NULL, 10) == 1 ? 5 : 4;
}

/* Entry @index of the table at @addr, through the level's cached copy. */
static int entry_at(struct py_vtop_table *c, struct ms_target *t,
		    enum ms_addrspace as, uint64_t addr, unsigned index,
		    uint64_t *entry)
{
	size_t done;

	if (!c->valid || c->addr != addr || c->as != as) {
		c->valid = 0;
		if (t->ops->read(t->priv, as, addr, c->e, sizeof(c->e), &done))
			/* not the whole table: this entry alone */
			return t->ops->read(t->priv, as, addr + index * 8ULL,
					    entry, 8, &done);
		c->addr = addr;
		c->as = as;
		c->valid = 1;
	}
	*entry = c->e[index];
	return 0;
}

/*
 * Bounded by the level count, and failing, rather than translating, on
 * what no kernel page table holds: a PSE bit above the PUD, or an entry
 * that leads back to a table of this walk.
 */
int py_vtop(struct py_vtop *p, struct ms_target *t, uint64_t vaddr,
	    uint64_t *paddr, struct ms_pte *leaf)
{
	uint64_t tables[5], table, entry;
	enum ms_addrspace as = MS_KVADDR;
	int ntables = 0;

	if (!p->levels)
		resolve(p, t);
	if (p->levels < 0)
		return MS_ERROR;
	table = p->root;
	for (int level = p->levels; level >= 1; level--) {
		unsigned shift = 12 + 9 * (unsigned)(level - 1);
		unsigned index = (vaddr >> shift) & 511;
		uint64_t size = 1ULL << shift, next;

		if (as == MS_PADDR)
			tables[ntables++] = table;
		if (entry_at(&p->table[level - 1], t, as, table, index, &entry) ||
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
		as = MS_PADDR;
	}
	return MS_ERROR;
}
