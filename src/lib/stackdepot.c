// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Stack depot handles (lib/stackdepot.c) to stack entries.
 *
 * union handle_parts, LSB first, 4 KiB pages (offset bits = 2 + PAGE_SHIFT - 4):
 *   <= 6.0   slabindex:21, offset:10, valid:1               stack_slabs[], depot_index
 *   6.1-6.2  slabindex:16, offset:10, valid:1, extra:5      (83a4f1ef45a9, v6.1)
 *   6.3-6.7  pool_index:16, offset:10, valid:1, extra:5     stack_pools[], pool_index
 *   6.8+     pool_index_plus_1:17, offset:10, extra:5       stack_pools[], pools_num
 *   7.x      same handle; stack_pools is a kvcalloc'ed void ** (stack_max_pools)
 * The record is at pool + (offset << DEPOT_STACK_ALIGN); struct stack_record's
 * size and entries offsets come from the debug info.
 */
#include <string.h>

#include "memsect/page_owner.h"

#define DEPOT_STACK_ALIGN 4
#define DEPOT_POOL_ORDER 2

static int sym(struct ms_ctx *c, const char *name, uint64_t *addr)
{
	return c->t->ops->symbol(c->t->priv, name, addr);
}

static int member(struct ms_ctx *c, const char *type, const char *m, size_t *off)
{
	size_t size;

	return c->t->ops->member(c->t->priv, type, m, off, &size);
}

void ms_depot_resolve(struct ms_ctx *c, struct ms_depot *d)
{
	uint64_t a;
	unsigned extra;

	memset(d, 0, sizeof(*d));
	d->offset_bits = DEPOT_POOL_ORDER + c->L.page_shift - DEPOT_STACK_ALIGN;
	/* 83a4f1ef45a9 (v6.1) reserved 5 bits; stack_depot_get_extra_bits came with it. */
	extra = sym(c, "stack_depot_get_extra_bits", &a) == 0 ? 5 : 0;
	if (sym(c, "pools_num", &d->count_addr) == 0 &&
	    sym(c, "stack_pools", &d->pools) == 0) {
		/* 6.8 "lib/stackdepot: drop valid bit from handles" */
		d->scheme = MS_DEPOT_POOLS_PLUS_1;
		d->index_bits = 32 - d->offset_bits - extra;
		d->pools_is_pointer = sym(c, "stack_max_pools", &a) == 0;
	} else if (sym(c, "pool_index", &d->count_addr) == 0 &&
		   sym(c, "stack_pools", &d->pools) == 0) {
		d->scheme = MS_DEPOT_POOLS;	/* 6.3 "rename slab to pool" */
		d->index_bits = 32 - d->offset_bits - 1 - extra;
	} else if (sym(c, "depot_index", &d->count_addr) == 0 &&
		   sym(c, "stack_slabs", &d->pools) == 0) {
		d->scheme = MS_DEPOT_SLABS;
		d->index_bits = 32 - d->offset_bits - 1 - extra;
	} else {
		return;
	}
	if (member(c, "stack_record", "size", &d->size_off) ||
	    member(c, "stack_record", "entries", &d->entries_off))
		return;
	d->has_refcount = member(c, "stack_record", "count", &d->count_off) == 0;
	d->ok = true;
}

int ms_stack_fetch(struct ms_ctx *c, const struct ms_depot *d, uint32_t handle,
		   struct ms_stack *st)
{
	uint32_t idx, off, valid = 1;
	int32_t count;
	uint64_t pools = d->pools, pool, rec;
	unsigned char hdr[8];

	st->n = 0;
	st->evicted = false;
	if (!d->ok || !handle)
		return MS_ABSENT;
	idx = handle & ((1u << d->index_bits) - 1);
	off = (handle >> d->index_bits) & ((1u << d->offset_bits) - 1);
	if (d->scheme != MS_DEPOT_POOLS_PLUS_1)
		valid = (handle >> (d->index_bits + d->offset_bits)) & 1;
	else if (idx-- == 0)
		return MS_ABSENT;
	if (!valid)
		return MS_ABSENT;
	if (ms_read(c, MS_KVADDR, d->count_addr, &count, 4, "stack depot pool count", NULL))
		return MS_ERROR;
	/* <= 6.7 the count is the last used index, 6.8+ the number of pools */
	if ((d->scheme == MS_DEPOT_POOLS_PLUS_1 && (int64_t)idx >= count) ||
	    (d->scheme != MS_DEPOT_POOLS_PLUS_1 && (int64_t)idx > count))
		return MS_ABSENT;
	if (d->pools_is_pointer &&
	    ms_read(c, MS_KVADDR, d->pools, hdr, 8, "stack_pools pointer", NULL))
		return MS_ERROR;
	if (d->pools_is_pointer)
		pools = ms_get_u64(hdr, 0);
	if (ms_read(c, MS_KVADDR, pools + 8ull * idx, hdr, 8, "stack depot pool", NULL))
		return MS_ERROR;
	pool = ms_get_u64(hdr, 0);
	if (!pool)
		return MS_ABSENT;
	rec = pool + ((uint64_t)off << DEPOT_STACK_ALIGN);
	if (ms_read(c, MS_KVADDR, rec + d->size_off, hdr, 4, "stack_record.size", NULL))
		return MS_ERROR;
	st->n = ms_get_u32(hdr, 0);
	if (st->n > MS_STACK_MAX)
		st->n = MS_STACK_MAX;
	if (d->has_refcount) {
		if (ms_read(c, MS_KVADDR, rec + d->count_off, hdr, 4,
			    "stack_record.count", NULL))
			return MS_ERROR;
		st->evicted = ms_get_u32(hdr, 0) == 0;
	}
	for (unsigned i = 0; i < st->n; i++) {
		if (ms_read(c, MS_KVADDR, rec + d->entries_off + 8ull * i, hdr, 8,
			    "stack_record.entries", NULL)) {
			st->n = i;
			return MS_ERROR;
		}
		st->ip[i] = ms_get_u64(hdr, 0);
	}
	return 0;
}
