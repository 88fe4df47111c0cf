// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A bounded walk over a kernel xarray (include/linux/xarray.h): internal
 * entries have low bits 10; a node pointer is internal and > 4096; node
 * entries hold XA_CHUNK_SIZE slots, each covering 1 << shift indices, and a
 * child's shift is its parent's minus XA_CHUNK_SHIFT (lib/xarray.c
 * xas_expand(), xas_create()), down to 0 in the nodes that hold entries.
 *
 * Nothing read from the dump is trusted: a node reached twice (a loop, or
 * two slots sharing a child), a shift that breaks the rule above, a node
 * pointer in a shift-0 node, an entry outside a leaf node and an index
 * that overflows are each recorded with ms_ctx_invalid() and not followed,
 * and the number of nodes is bounded, so the caller knows the walk is
 * incomplete instead of missing entries silently.
 */
#include <stdlib.h>
#include <string.h>

#include "memsect/blocks.h"

/* XA_RETRY_ENTRY and XA_ZERO_ENTRY: internal entries that hold no data. */
#define XA_RETRY_ENTRY ((256ULL << 2) | 2)
#define XA_ZERO_ENTRY ((257ULL << 2) | 2)

struct xa_walk {
	struct ms_ctx *c;
	ms_xa_visit visit;
	void *arg;
	size_t left;		/* entries still allowed */
	size_t nodes_left;	/* nodes still allowed */
	unsigned chunk_shift;	/* log2(XA_CHUNK_SIZE) */
	long seen;
	uint64_t *nodes;	/* open-addressing set of nodes visited */
	size_t nodes_cap;	/* power of two */
	size_t nnodes;
};

static int is_internal(uint64_t e)
{
	return (e & 3) == 2;
}

static int is_node(uint64_t e)
{
	return is_internal(e) && e > 4096;
}

static size_t slot_of(const struct xa_walk *w, uint64_t node)
{
	return (size_t)((node >> 3) * 0x9e3779b97f4a7c15ULL) & (w->nodes_cap - 1);
}

/* Add @node to the visited set: 1 if new, 0 if seen before, MS_ERROR. */
static int first_visit(struct xa_walk *w, uint64_t node)
{
	size_t i;

	if (2 * (w->nnodes + 1) > w->nodes_cap) {
		size_t ncap = w->nodes_cap ? 2 * w->nodes_cap : 64;
		uint64_t *old = w->nodes, *nv = calloc(ncap, sizeof(*nv));
		size_t ocap = w->nodes_cap;

		if (!nv)
			return MS_ERROR;
		w->nodes = nv;
		w->nodes_cap = ncap;
		for (size_t j = 0; j < ocap; j++) {
			if (!old[j])
				continue;
			for (i = slot_of(w, old[j]); nv[i]; i = (i + 1) & (ncap - 1))
				;
			nv[i] = old[j];
		}
		free(old);
	}
	for (i = slot_of(w, node); w->nodes[i]; i = (i + 1) & (w->nodes_cap - 1))
		if (w->nodes[i] == node)
			return 0;
	w->nodes[i] = node;
	w->nnodes++;
	return 1;
}

/*
 * Whether the node pointer @node (from @from, the xarray head or a slot)
 * may be followed; records why not.
 */
static int node_ok(struct xa_walk *w, uint64_t node, uint64_t from)
{
	int r;

	if (!ms_kaddr_plausible(node) || node & 7) {
		ms_ctx_invalid(w->c, MS_KVADDR, from,
			       "xarray node pointer 0x%llx is not a kernel address",
			       (unsigned long long)node);
		return 0;
	}
	if (!w->nodes_left) {
		ms_ctx_invalid(w->c, MS_KVADDR, node,
			       "xarray has more nodes than any walk allows; the rest is not read");
		return 0;
	}
	r = first_visit(w, node);
	if (r == 0)
		ms_ctx_invalid(w->c, MS_KVADDR, from,
			       "xa_node 0x%llx reached twice (a loop, or a node with two parents)",
			       (unsigned long long)node);
	if (r != 1)
		return r;
	w->nodes_left--;
	return 1;
}

/*
 * Walk the node at @node covering indices from @base; @want_shift is the
 * shift its parent implies (-1 for the root node: any multiple of
 * XA_CHUNK_SHIFT below 64; slots past the 64-bit index space are invalid).
 */
static int walk_node(struct xa_walk *w, uint64_t node, uint64_t base,
		     int want_shift)
{
	const struct ms_layout *L = &w->c->L;
	size_t len = L->xa_node_slots_off + L->xa_chunk_size * 8;
	unsigned char *buf;
	unsigned shift;
	int ret = 0;

	buf = malloc(len);
	if (!buf)
		return MS_ERROR;
	if (ms_read(w->c, MS_KVADDR, node, buf, len, "xa_node", NULL)) {
		free(buf);
		return 0;
	}
	shift = buf[L->xa_node_shift_off];
	if (want_shift >= 0 ? shift != (unsigned)want_shift :
	    shift % w->chunk_shift || shift >= 64) {
		ms_ctx_invalid(w->c, MS_KVADDR, node + L->xa_node_shift_off,
			       "xa_node shift %u is inconsistent (expected %d)",
			       shift, want_shift);
		free(buf);
		return 0;
	}
	for (unsigned i = 0; i < L->xa_chunk_size && ret == 0; i++) {
		size_t off = L->xa_node_slots_off + i * 8;
		uint64_t e = ms_get_u64(buf, off), index;

		if (!e || e == XA_RETRY_ENTRY || e == XA_ZERO_ENTRY)
			continue;
		if (((uint64_t)i << shift) >> shift != i) {
			ms_ctx_invalid(w->c, MS_KVADDR, node + off,
				       "xa_node slot %u at shift %u is past the index space",
				       i, shift);
			continue;
		}
		index = base + ((uint64_t)i << shift);
		if (is_node(e)) {
			if (!shift) {
				ms_ctx_invalid(w->c, MS_KVADDR, node + off,
					       "node pointer 0x%llx in a shift-0 xa_node",
					       (unsigned long long)e);
				continue;
			}
			ret = node_ok(w, e - 2, node + off);
			if (ret == 1)
				ret = walk_node(w, e - 2, index,
						(int)(shift - w->chunk_shift));
			continue;
		}
		if (is_internal(e) || shift) {
			/* siblings and entries above shift 0: multi-index */
			ms_ctx_invalid(w->c, MS_KVADDR, node + off,
				       "xa_node slot %u at shift %u holds 0x%llx, not a node",
				       i, shift, (unsigned long long)e);
			continue;
		}
		if (!w->left) {
			ms_ctx_invalid(w->c, MS_KVADDR, node + off,
				       "xarray has more entries than any walk allows; the rest is not read");
			break;
		}
		w->left--;
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
	struct xa_walk w = {
		.c = c, .visit = visit, .arg = arg, .left = max_entries,
	};
	unsigned char head[8];
	uint64_t e;
	int r;

	if (L->xa_chunk_size < 2 || L->xa_chunk_size & (L->xa_chunk_size - 1)) {
		ms_ctx_invalid(c, MS_KVADDR, xa,
			       "xa_node has %u slots, not a power of two",
			       L->xa_chunk_size);
		return MS_ERROR;
	}
	while (1U << w.chunk_shift < L->xa_chunk_size)
		w.chunk_shift++;
	/*
	 * Every leaf node holds an entry (empty nodes are freed), so a real
	 * xarray has far fewer nodes than this; the set of visited nodes
	 * already stops loops, this bounds the work on a forged tree.
	 */
	w.nodes_left = max_entries;
	if (ms_read(c, MS_KVADDR, xa + L->xa_head_off, head, 8, "xarray head",
		    NULL))
		return MS_ERROR;
	e = ms_get_u64(head, 0);
	if (!e || e == XA_RETRY_ENTRY || e == XA_ZERO_ENTRY)
		return 0;
	if (is_node(e)) {
		r = node_ok(&w, e - 2, xa + L->xa_head_off);
		if (r == 1)
			r = walk_node(&w, e - 2, 0, -1);
		free(w.nodes);
		return r < 0 ? MS_ERROR : w.seen;
	}
	if (is_internal(e)) {
		ms_ctx_invalid(c, MS_KVADDR, xa + L->xa_head_off,
			       "xarray head 0x%llx is neither an entry nor a node",
			       (unsigned long long)e);
		return 0;
	}
	return visit(c, 0, e, arg) < 0 ? MS_ERROR : 1;
}
