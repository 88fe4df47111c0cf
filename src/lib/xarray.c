// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A bounded walk over a kernel xarray (include/linux/xarray.h): internal
 * entries have low bits 10; a node pointer is internal and > 4096; node
 * entries hold XA_CHUNK_SIZE slots, each covering 1 << shift indices.
 */
#include <stdlib.h>

#include "memsect/blocks.h"

#define XA_MAX_DEPTH 12

struct xa_walk {
	struct ms_ctx *c;
	ms_xa_visit visit;
	void *arg;
	size_t left;
	long seen;
	unsigned char *buf;
};

static int is_internal(uint64_t e)
{
	return (e & 3) == 2;
}

static int is_node(uint64_t e)
{
	return is_internal(e) && e > 4096;
}

static int walk_node(struct xa_walk *w, uint64_t node, uint64_t base,
		     unsigned parent_shift, int depth)
{
	const struct ms_layout *L = &w->c->L;
	size_t len = L->xa_node_slots_off + L->xa_chunk_size * 8;
	unsigned char *buf;
	unsigned shift;
	int ret = 0;

	if (depth > XA_MAX_DEPTH)
		return 0;
	buf = malloc(len);
	if (!buf)
		return MS_ERROR;
	if (ms_read(w->c, MS_KVADDR, node, buf, len, "xa_node", NULL)) {
		free(buf);
		return 0;
	}
	shift = buf[L->xa_node_shift_off];
	/* Each level down has a strictly smaller shift: a loop guard. */
	if (shift >= parent_shift || shift >= 64) {
		ms_ctx_error(w->c, MS_KVADDR, node,
			     "xa_node shift %u is inconsistent", shift);
		free(buf);
		return 0;
	}
	for (unsigned i = 0; i < L->xa_chunk_size && ret == 0; i++) {
		uint64_t e = ms_get_u64(buf, L->xa_node_slots_off + i * 8);
		uint64_t index = base + ((uint64_t)i << shift);

		if (!e)
			continue;
		if (is_node(e)) {
			if (shift)
				ret = walk_node(w, e - 2, index, shift, depth + 1);
			continue;
		}
		if (is_internal(e) || shift)
			continue;	/* sibling, retry or value entries */
		if (!w->left--)
			break;
		w->seen++;
		ret = w->visit(w->c, index, e, w->arg);
	}
	free(buf);
	return ret;
}

long ms_xa_for_each(struct ms_ctx *c, uint64_t xa, size_t max_entries,
		    ms_xa_visit visit, void *arg)
{
	const struct ms_layout *L = &c->L;
	struct xa_walk w = { c, visit, arg, max_entries, 0, NULL };
	unsigned char head[8];
	uint64_t e;

	if (ms_read(c, MS_KVADDR, xa + L->xa_head_off, head, 8, "xarray head",
		    NULL))
		return MS_ERROR;
	e = ms_get_u64(head, 0);
	if (!e)
		return 0;
	if (is_node(e)) {
		if (walk_node(&w, e - 2, 0, 64, 0) < 0)
			return MS_ERROR;
		return w.seen;
	}
	if (is_internal(e))
		return 0;
	return visit(c, 0, e, arg) < 0 ? MS_ERROR : 1;
}
