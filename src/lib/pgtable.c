// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The core's page-table walk (pgtable.h): bounded by the architecture's
 * level count, one physical read per level, and every table it passed
 * remembered, so that corrupt tables end the walk with a recorded reason
 * instead of a translation through garbage.
 */
#include <string.h>

#include "arch.h"
#include "pgtable.h"

void ms_pgtable_init(struct ms_ctx *c)
{
	struct ms_pgt pgt = { 0 };
	char err[160];

	c->arch = ms_arch_detect(c->t);
	if (!c->arch)
		return;
	switch (c->arch->pgt_setup(c->t, &pgt, err, sizeof(err))) {
	case 0:
		if (pgt.levels >= 2 && pgt.levels <= MS_PGT_MAX_LEVELS) {
			c->pgt_root = pgt.root;
			c->pgt_levels = pgt.levels;
		}
		break;
	case MS_ERROR:
		ms_ctx_invalid(c, MS_PADDR, pgt.root, "%s: %s; no page-table walk",
			       c->arch->name, err);
		break;
	}
}

bool ms_vtop_available(const struct ms_ctx *c)
{
	return c->t->ops->vtop || c->pgt_levels;
}

bool ms_pte_writable(const struct ms_ctx *c, uint64_t entry)
{
	return c->arch && c->arch->writable(entry);
}

uint64_t ms_level_size(const struct ms_ctx *c, int level)
{
	if (!c->arch || level < 1 || level > MS_PGT_MAX_LEVELS)
		return 0;
	return 1ULL << (c->arch->page_shift +
			c->arch->index_bits * (unsigned)(level - 1));
}

/* Record the bad entry at @slot once (the scans pass it many times). */
static int invalid(struct ms_ctx *c, uint64_t va, uint64_t slot,
		   const struct ms_pte *leaf, const char *why)
{
	ms_ctx_invalid_once(c, slot, MS_KVADDR, va,
			    "page table entry 0x%llx at 0x%llx (level %d) for 0x%llx: %s",
			    (unsigned long long)leaf->entry,
			    (unsigned long long)slot, leaf->level,
			    (unsigned long long)va, why);
	return MS_ERROR;
}

static bool seen(const uint64_t *tables, int n, uint64_t pa)
{
	for (int i = 0; i < n; i++)
		if (tables[i] == pa)
			return true;
	return false;
}

static int walk(struct ms_ctx *c, uint64_t va, uint64_t *pa,
		struct ms_pte *leaf)
{
	const struct ms_arch *a = c->arch;
	uint64_t tables[MS_PGT_MAX_LEVELS], table = c->pgt_root;
	uint64_t nentries = 1ULL << a->index_bits;

	for (int level = c->pgt_levels, n = 0; level >= 1; level--) {
		uint64_t size = ms_level_size(c, level);
		uint64_t slot = table + ((va / size) % nentries) * 8, next;
		unsigned char raw[8];

		tables[n++] = table;
		if (ms_read_quiet(c, MS_PADDR, slot, raw, 8, NULL))
			return MS_ABSENT;
		leaf->entry = ms_get_u64(raw, 0);
		leaf->level = level;
		leaf->leaf_size = size;
		if (!a->present(leaf->entry))
			return MS_ABSENT;
		next = a->frame(leaf->entry);
		if (level > 1 && !a->leaf(leaf->entry, level)) {
			if (seen(tables, n, next))
				return invalid(c, va, slot, leaf,
					       "it points back at a table of its own walk");
			table = next;
			continue;
		}
		if (level > a->max_leaf_level)
			return invalid(c, va, slot, leaf,
				       "a leaf above the highest level leaves may be at");
		/* Large leaves of the direct map do cover page tables. */
		if (level == 1 && !a->ptes_map_tables && seen(tables, n, next))
			return invalid(c, va, slot, leaf,
				       "a PTE that maps a page table of its own walk");
		*pa = (next & ~(size - 1)) | (va & (size - 1));
		return 0;
	}
	return MS_ABSENT;
}

int ms_vtop(struct ms_ctx *c, uint64_t va, uint64_t *pa, struct ms_pte *leaf)
{
	struct ms_target *t = c->t;

	if (t->ops->vtop)
		return t->ops->vtop(t->priv, va, pa, leaf) ? MS_ABSENT : 0;
	if (!c->pgt_levels)
		return MS_ABSENT;
	return walk(c, va, pa, leaf);
}
