// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The NUMA node of a hugetlb folio: the node whose pgdat spans its pfn,
 * from VMCOREINFO's node_data[] (LENGTH = MAX_NUMNODES) or, without NUMA,
 * contig_page_data (node 0).
 */
#include <stdlib.h>

#include "hvo_node.h"
#include "vmcoreinfo.h"

#define MAX_NODES 4096

static int read_pgdat(struct ms_ctx *c, uint64_t pgdat, int64_t start_off,
		      int64_t spanned_off, int64_t id_off, int64_t max_nodes,
		      struct ms_node_span *n)
{
	uint64_t start, spanned;
	int32_t id;

	if (ms_read(c, MS_KVADDR, pgdat + (uint64_t)start_off, &start, 8,
		    "pglist_data.node_start_pfn", NULL) ||
	    ms_read(c, MS_KVADDR, pgdat + (uint64_t)spanned_off, &spanned, 8,
		    "pglist_data.node_spanned_pages", NULL) ||
	    ms_read(c, MS_KVADDR, pgdat + (uint64_t)id_off, &id, 4,
		    "pglist_data.node_id", NULL))
		return MS_ERROR;
	/* A node id or span no pgdat can have would name the wrong node. */
	if (id < 0 || id >= max_nodes || start + spanned < start) {
		ms_ctx_invalid(c, MS_KVADDR, pgdat,
			       "pglist_data node_id %d, pfns 0x%llx + 0x%llx: not a node",
			       id, (unsigned long long)start,
			       (unsigned long long)spanned);
		return MS_ERROR;
	}
	n->start_pfn = start;
	n->end_pfn = start + spanned;
	n->nid = id;
	return 0;
}

size_t ms_node_spans(struct ms_ctx *c, struct ms_node_span **out)
{
	struct ms_target *t = c->t;
	int64_t start_off, spanned_off, id_off, len;
	uint64_t addr, *ptrs;
	struct ms_node_span *v;
	size_t n = 0;

	*out = NULL;
	if (ms_vmci_number(t, "OFFSET(pglist_data.node_start_pfn)", &start_off) ||
	    ms_vmci_number(t, "OFFSET(pglist_data.node_spanned_pages)", &spanned_off) ||
	    ms_vmci_number(t, "OFFSET(pglist_data.node_id)", &id_off))
		return 0;
	if (ms_vmci_hex(t, "SYMBOL(contig_page_data)", &addr) == 0) {
		v = calloc(1, sizeof(*v));
		if (v && read_pgdat(c, addr, start_off, spanned_off, id_off, 1,
				    v) == 0) {
			*out = v;
			return 1;
		}
		free(v);
		return 0;
	}
	if (ms_vmci_hex(t, "SYMBOL(node_data)", &addr) ||
	    ms_vmci_number(t, "LENGTH(node_data)", &len) || len <= 0 ||
	    len > MAX_NODES)
		return 0;
	ptrs = calloc((size_t)len, 8);
	v = calloc((size_t)len, sizeof(*v));
	if (!ptrs || !v ||
	    ms_read(c, MS_KVADDR, addr, ptrs, (size_t)len * 8, "node_data[]", NULL)) {
		free(ptrs);
		free(v);
		return 0;
	}
	for (int64_t i = 0; i < len; i++) {
		if (!ptrs[i])
			continue;
		if (!ms_kaddr_plausible(ptrs[i])) {
			ms_ctx_invalid(c, MS_KVADDR, addr + (uint64_t)i * 8,
				       "node_data[%lld] 0x%llx is not a kernel address",
				       (long long)i, (unsigned long long)ptrs[i]);
			continue;
		}
		if (read_pgdat(c, ptrs[i], start_off, spanned_off, id_off, len,
			       &v[n]) == 0)
			n++;
	}
	free(ptrs);
	if (!n) {
		free(v);
		return 0;
	}
	*out = v;
	return n;
}

int ms_node_of_pfn(const struct ms_node_span *v, size_t n, uint64_t pfn)
{
	for (size_t i = 0; i < n; i++)
		if (pfn >= v[i].start_pfn && pfn < v[i].end_pfn)
			return v[i].nid;
	return -1;
}
