/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pfn -> NUMA node through the pgdats (library-internal). */
#ifndef MEMSECT_LIB_HVO_NODE_H
#define MEMSECT_LIB_HVO_NODE_H

#include <stddef.h>
#include <stdint.h>

#include "memsect/context.h"

struct ms_node_span {
	uint64_t start_pfn, end_pfn;	/* [start, start + spanned) */
	int nid;
};

/* The online pgdats' spans (malloc'd in *@out, NULL when 0 is returned); 0 when unknown. */
size_t ms_node_spans(struct ms_ctx *c, struct ms_node_span **out);
/* The node spanning @pfn, or -1. */
int ms_node_of_pfn(const struct ms_node_span *v, size_t n, uint64_t pfn);

#endif
