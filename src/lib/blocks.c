// SPDX-License-Identifier: GPL-2.0-or-later
/* Memory blocks: the kernel's memory_blocks xarray of struct memory_block. */
#include <stdlib.h>
#include <string.h>

#include "memsect/blocks.h"

/* More blocks than any machine has (1 PiB of 128 MiB blocks). */
#define MAX_BLOCKS (1u << 23)

struct collect {
	struct ms_blocks *b;
	size_t cap;
};

static int visit_block(struct ms_ctx *c, uint64_t index, uint64_t entry,
		       void *arg)
{
	const struct ms_layout *L = &c->L;
	struct collect *col = arg;
	size_t len = L->mb_state_off + L->mb_state_size;
	unsigned char buf[64];
	struct ms_block *blk;

	if (L->mb_start_section_off + 8 > len)
		len = L->mb_start_section_off + 8;
	if (len > sizeof(buf)) {
		ms_ctx_invalid(c, MS_KVADDR, entry,
			       "struct memory_block fields end at %zu, past %zu bytes",
			       len, sizeof(buf));
		return 0;
	}
	if (!ms_kaddr_plausible(entry) || entry & 7) {
		ms_ctx_invalid(c, MS_KVADDR, entry,
			       "memory_blocks[%llu] 0x%llx is not a struct memory_block pointer",
			       (unsigned long long)index,
			       (unsigned long long)entry);
		return 0;
	}
	if (ms_read(c, MS_KVADDR, entry, buf, len, "struct memory_block", NULL))
		return 0;
	if (col->b->n == col->cap) {
		size_t ncap = col->cap ? col->cap * 2 : 64;
		struct ms_block *nv = realloc(col->b->v, ncap * sizeof(*nv));

		if (!nv)
			return MS_ERROR;
		col->b->v = nv;
		col->cap = ncap;
	}
	blk = &col->b->v[col->b->n++];
	blk->id = index;
	blk->addr = entry;
	blk->start_section = ms_get_u64(buf, L->mb_start_section_off);
	blk->state_raw = ms_get_uint(buf, L->mb_state_off, L->mb_state_size);
	blk->state = ms_block_state_decode(L, blk->state_raw);
	return 0;
}

/*
 * Without the symbol: start_section_nr = id * sections_per_block
 * (drivers/base/memory.c add_memory_block()), a power of two (the block
 * size is).  A value that breaks this is recorded and not used: it would
 * map sections to the wrong blocks.
 */
static void derive_sections_per_block(struct ms_ctx *c, struct ms_blocks *b)
{
	struct ms_layout *L = &c->L;
	uint64_t spb = 0, max = 1ULL << (L->max_physmem_bits - L->section_size_bits);

	for (size_t i = 0; i < b->n && !spb; i++)
		if (b->v[i].id)
			spb = b->v[i].start_section / b->v[i].id;
	if (!spb)
		return;
	for (size_t i = 0; i < b->n; i++)
		if (spb & (spb - 1) || spb > max ||
		    b->v[i].start_section != b->v[i].id * spb) {
			ms_ctx_invalid(c, MS_KVADDR,
				       b->v[i].addr + L->mb_start_section_off,
				       "memory block %llu starts at section %llu, not at a multiple of its id",
				       (unsigned long long)b->v[i].id,
				       (unsigned long long)b->v[i].start_section);
			b->complete = 0;
			return;
		}
	L->sections_per_block = spb;
}

struct ms_blocks *ms_get_blocks(struct ms_ctx *c)
{
	struct ms_layout *L = &c->L;
	struct collect col;
	struct ms_blocks *b;
	unsigned errors_before = c->nerrors;

	if (c->blocks)
		return c->blocks;
	b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	c->blocks = b;
	if (!L->has_memory_blocks)
		return b;
	col.b = b;
	col.cap = 0;
	if (ms_xa_for_each(c, L->memory_blocks_addr, MAX_BLOCKS, visit_block,
			   &col) < 0)
		return b;
	b->available = 1;
	b->complete = c->nerrors == errors_before;
	if (!L->sections_per_block)
		derive_sections_per_block(c, b);
	b->block_size = L->sections_per_block << L->section_size_bits;
	return b;
}

const struct ms_block *ms_block_of_section(const struct ms_ctx *c,
					   const struct ms_blocks *b,
					   uint64_t nr)
{
	uint64_t id;
	size_t lo = 0, hi;

	if (!b || !b->available || !c->L.sections_per_block)
		return NULL;
	id = nr / c->L.sections_per_block;
	hi = b->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (b->v[mid].id == id)
			return &b->v[mid];
		if (b->v[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}
