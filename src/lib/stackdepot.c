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
 *
 * Everything read here is checked before it is used: the pool count bounds
 * the index, pool pointers must be kernel addresses, the record's own handle
 * (union handle_parts handle, set by depot_alloc_stack() / depot_init_pool()
 * with extra = 0) must be the one looked up, and its size must fit its
 * entries array (CONFIG_STACKDEPOT_MAX_FRAMES since 6.8) and its pool.  A
 * failure is recorded and the stack is not printed.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memsect/page_owner.h"
#include "probe.h"

#define DEPOT_STACK_ALIGN 4
#define DEPOT_POOL_ORDER 2
#define DEPOT_POOL_SIZE(page_shift) (1ull << (DEPOT_POOL_ORDER + (page_shift)))

static void resolve(struct ms_ctx *c, struct ms_probe *p, struct ms_depot *d)
{
	uint64_t a;
	unsigned extra;
	size_t sz;

	memset(d, 0, sizeof(*d));
	d->offset_bits = DEPOT_POOL_ORDER + c->L.page_shift - DEPOT_STACK_ALIGN;
	/* 83a4f1ef45a9 (v6.1) reserved 5 bits; stack_depot_get_extra_bits came with it. */
	extra = ms_probe_try_symbol(p, "stack_depot_get_extra_bits", &a) == 0 ? 5 : 0;
	if (ms_probe_try_symbol(p, "pools_num", &d->count_addr) == 0 &&
	    ms_probe_try_symbol(p, "stack_pools", &d->pools) == 0) {
		/* 6.8 "lib/stackdepot: drop valid bit from handles" */
		d->scheme = MS_DEPOT_POOLS_PLUS_1;
		d->index_bits = 32 - d->offset_bits - extra;
		d->pools_is_pointer = ms_probe_try_symbol(p, "stack_max_pools", &d->max_pools_addr) == 0;
	} else if (ms_probe_try_symbol(p, "pool_index", &d->count_addr) == 0 &&
		   ms_probe_try_symbol(p, "stack_pools", &d->pools) == 0) {
		d->scheme = MS_DEPOT_POOLS;	/* 6.3 "rename slab to pool" */
		d->index_bits = 32 - d->offset_bits - 1 - extra;
	} else if (ms_probe_try_symbol(p, "depot_index", &d->count_addr) == 0 &&
		   ms_probe_try_symbol(p, "stack_slabs", &d->pools) == 0) {
		d->scheme = MS_DEPOT_SLABS;
		d->index_bits = 32 - d->offset_bits - 1 - extra;
	} else {
		return;
	}
	d->has_valid_bit = d->scheme != MS_DEPOT_POOLS_PLUS_1;
	if (ms_probe_try_member(p, "stack_record", "size", &d->size_off, NULL) ||
	    ms_probe_try_member(p, "stack_record", "entries", &d->entries_off, &sz))
		return;
	/* 6.8+: entries[CONFIG_STACKDEPOT_MAX_FRAMES]; before, a flexible array */
	d->entries_cap = sz / 8;
	d->has_refcount = ms_probe_try_member(p, "stack_record", "count", &d->count_off, NULL) == 0;
	d->has_handle = ms_probe_try_member(p, "stack_record", "handle", &d->handle_off, NULL) == 0;
	d->ok = true;
}

const struct ms_depot *ms_get_depot(struct ms_ctx *c)
{
	static const struct ms_depot no_memory;
	struct ms_probe p;
	struct ms_depot *d;

	if (c->depot)
		return c->depot;
	d = malloc(sizeof(*d));
	if (!d) {
		ms_ctx_error(c, MS_KVADDR, 0, "out of memory resolving the stack depot layout");
		return &no_memory;
	}
	ms_probe_init(&p, c->t);
	resolve(c, &p, d);
	c->depot = d;
	return d;
}

/* A stack that cannot be used: record why (value at @addr) and say it in st->why. */
static int bad(struct ms_ctx *c, struct ms_stack *st, uint64_t addr, uint32_t handle,
	       const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static int bad(struct ms_ctx *c, struct ms_stack *st, uint64_t addr, uint32_t handle,
	       const char *fmt, ...)
{
	char what[120];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(st->why, sizeof(st->why), "handle 0x%x: %s", handle, what);
	ms_ctx_invalid(c, MS_KVADDR, addr, "stack depot %s", st->why);
	st->n = 0;
	return MS_ERROR;
}

/* A failed read (already recorded by ms_read): say it in st->why. */
static int unreadable(struct ms_stack *st, uint32_t handle, const char *what,
		      uint64_t addr)
{
	snprintf(st->why, sizeof(st->why), "handle 0x%x: %s unreadable at 0x%" PRIx64,
		 handle, what, addr);
	st->n = 0;
	return MS_ERROR;
}

int ms_stack_fetch(struct ms_ctx *c, const struct ms_depot *d, uint32_t handle,
		   struct ms_stack *st)
{
	uint32_t idx, off, mask, valid = 1;
	int32_t count;
	uint64_t pools = d->pools, pool, rec, room, fail;
	unsigned char hdr[8];

	st->n = 0;
	st->evicted = false;
	st->why[0] = 0;
	if (!d->ok || !handle)
		return MS_ABSENT;
	idx = handle & ((1u << d->index_bits) - 1);
	off = (handle >> d->index_bits) & ((1u << d->offset_bits) - 1);
	if (d->has_valid_bit)
		valid = (handle >> (d->index_bits + d->offset_bits)) & 1;
	else if (idx-- == 0)
		return bad(c, st, 0, handle, "pool index 0 (no pool)");
	if (!valid)
		return bad(c, st, 0, handle, "valid bit clear");
	if (ms_read(c, MS_KVADDR, d->count_addr, &count, 4, "stack depot pool count", &fail))
		return unreadable(st, handle, "pool count", fail);
	/* <= 6.7 the count is the last used index, 6.8+ the number of pools */
	if ((d->scheme == MS_DEPOT_POOLS_PLUS_1 && (int64_t)idx >= count) ||
	    (d->scheme != MS_DEPOT_POOLS_PLUS_1 && (int64_t)idx > count))
		return bad(c, st, d->count_addr, handle,
			   "pool %u beyond the %d pools in use", idx,
			   d->scheme == MS_DEPOT_POOLS_PLUS_1 ? count : count + 1);
	if (d->pools_is_pointer) {
		if (ms_read(c, MS_KVADDR, d->max_pools_addr, &count, 4, "stack_max_pools", &fail))
			return unreadable(st, handle, "stack_max_pools", fail);
		if ((int64_t)idx >= count)
			return bad(c, st, d->max_pools_addr, handle,
				   "pool %u beyond stack_max_pools %d", idx, count);
		if (ms_read(c, MS_KVADDR, d->pools, hdr, 8, "stack_pools pointer", &fail))
			return unreadable(st, handle, "stack_pools", fail);
		pools = ms_get_u64(hdr, 0);
		/* kvcalloc()'ed array of pointers */
		if (!ms_kaddr_plausible(pools) || pools % 8)
			return bad(c, st, d->pools, handle,
				   "stack_pools 0x%" PRIx64 " is not an aligned kernel address",
				   pools);
	}
	if (ms_read(c, MS_KVADDR, pools + 8ull * idx, hdr, 8, "stack depot pool", &fail))
		return unreadable(st, handle, "pool pointer", fail);
	pool = ms_get_u64(hdr, 0);
	/* pages of DEPOT_POOL_ORDER (alloc_pages() or a vmalloc area): page-aligned */
	if (!ms_kaddr_plausible(pool) || pool % c->L.page_size)
		return bad(c, st, pools + 8ull * idx, handle,
			   "pool %u at 0x%" PRIx64 " is not a page-aligned kernel address", idx, pool);
	rec = pool + ((uint64_t)off << DEPOT_STACK_ALIGN);
	if (d->has_handle) {
		uint32_t own;

		if (ms_read(c, MS_KVADDR, rec + d->handle_off, hdr, 4, "stack_record.handle",
			    &fail))
			return unreadable(st, handle, "stack_record.handle", fail);
		/* the record's extra bits are 0; the looked-up handle may carry some */
		mask = (uint32_t)((1ull << (d->index_bits + d->offset_bits + d->has_valid_bit)) - 1);
		own = ms_get_u32(hdr, 0);
		if ((own & mask) != (handle & mask))
			return bad(c, st, rec + d->handle_off, handle,
				   "the record at 0x%" PRIx64 " has handle 0x%x", rec, own);
	}
	if (ms_read(c, MS_KVADDR, rec + d->size_off, hdr, 4, "stack_record.size", &fail))
		return unreadable(st, handle, "stack_record.size", fail);
	st->n = ms_get_u32(hdr, 0);
	if (d->has_refcount) {
		if (ms_read(c, MS_KVADDR, rec + d->count_off, hdr, 4,
			    "stack_record.count", &fail))
			return unreadable(st, handle, "stack_record.count", fail);
		st->evicted = ms_get_u32(hdr, 0) == 0;
	}
	/* the entries end inside the record's pool, and its array when fixed */
	room = DEPOT_POOL_SIZE(c->L.page_shift) - ((uint64_t)off << DEPOT_STACK_ALIGN);
	room = room > d->entries_off ? (room - d->entries_off) / 8 : 0;
	if (d->entries_cap && d->entries_cap < room)
		room = d->entries_cap;
	if (room > MS_STACK_MAX)
		room = MS_STACK_MAX;
	if (st->n > room)
		return bad(c, st, rec + d->size_off, handle,
			   "stack_record.size %u exceeds its %" PRIu64 " entries", st->n, room);
	if (!st->n && !st->evicted)
		return bad(c, st, rec + d->size_off, handle, "stack_record.size 0");
	for (unsigned i = 0; i < st->n; i++) {
		if (ms_read(c, MS_KVADDR, rec + d->entries_off + 8ull * i, hdr, 8,
			    "stack_record.entries", &fail))
			return unreadable(st, handle, "stack_record.entries", fail);
		st->ip[i] = ms_get_u64(hdr, 0);
	}
	return 0;
}
