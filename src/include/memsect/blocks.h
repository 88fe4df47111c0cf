/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Memory blocks from the kernel's memory_blocks xarray (drivers/base/memory.c). */
#ifndef MEMSECT_BLOCKS_H
#define MEMSECT_BLOCKS_H

#include <stddef.h>
#include <stdint.h>

#include "context.h"

struct ms_block {
	uint64_t id;			/* xarray index = block id */
	uint64_t addr;			/* struct memory_block * */
	uint64_t start_section;
	uint64_t state_raw;
	enum ms_block_state state;
};

struct ms_blocks {
	struct ms_block *v;		/* sorted by id */
	size_t n;
	uint64_t block_size;		/* bytes, 0 if unknown */
	int available;			/* 0: kernel without memory blocks / unreadable */
	int complete;			/* 0: some xarray nodes or blocks were unreadable or invalid */
};

struct ms_blocks *ms_get_blocks(struct ms_ctx *c);
/* The block holding section @nr, or NULL. */
const struct ms_block *ms_block_of_section(const struct ms_ctx *c,
					   const struct ms_blocks *b,
					   uint64_t nr);

/*
 * Visit every present entry of an xarray (struct xarray at @xa) without
 * multi-index entries.  Bounded: at most @max_entries entries and as many
 * nodes, each node once.  A node reached twice, a shift that is not its
 * parent's minus XA_CHUNK_SHIFT, a node pointer in a shift-0 node, an
 * entry above shift 0 and a pointer that cannot be a node are recorded
 * (ms_ctx_invalid) and not followed.  Returns the number of entries
 * visited or MS_ERROR (read errors are recorded).
 */
typedef int (*ms_xa_visit)(struct ms_ctx *c, uint64_t index, uint64_t entry,
			   void *arg);
long ms_xa_for_each(struct ms_ctx *c, uint64_t xa, size_t max_entries,
		    ms_xa_visit visit, void *arg);

#endif
