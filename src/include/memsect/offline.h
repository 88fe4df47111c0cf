/* SPDX-License-Identifier: GPL-2.0-or-later */
/* PageOffline pages: merged pfn ranges with their refcounts and state. */
#ifndef MEMSECT_OFFLINE_H
#define MEMSECT_OFFLINE_H

#include <stddef.h>
#include <stdint.h>

#include "context.h"

#define MS_REFCOUNT_BINS 4	/* refcount 0, 1, 2, and >= 3 (last bin) */

struct ms_offline_range {
	uint64_t start_pfn, end_pfn;	/* [start, end) */
	uint64_t first_section, last_section;
	int64_t first_block, last_block;	/* -1 if unknown */
	uint64_t refcount[MS_REFCOUNT_BINS];
	int64_t refcount_negative;	/* pages with refcount < 0 */
	int64_t skippable;		/* PG_offline_skippable set; -1: kernel has no flag */
	int64_t in_going_offline;	/* pages in a block that is MEM_GOING_OFFLINE */
	int64_t in_file;		/* pages whose contents the dump file holds; -1 unknown */
	/*
	 * Pages whose refcount breaks the offlining rule: with
	 * PG_offline_skippable, skippable pages must have refcount 1; without
	 * it, pages in a MEM_GOING_OFFLINE block must have refcount 0.
	 */
	uint64_t refcount_unexpected;
	/*
	 * Pages memory offlining may skip: PG_offline_skippable set where the
	 * kernel has the flag; before it, the mainline equivalent: refcount 0
	 * in a MEM_GOING_OFFLINE block (virtio-mem dropped the reference).
	 */
	uint64_t offlinable;
};

struct ms_offline {
	struct ms_offline_range *v;
	size_t n;
	uint64_t pages;
	uint64_t refcount[MS_REFCOUNT_BINS];
	int64_t refcount_negative;
	int64_t skippable;		/* -1: no PG_offline_skippable in this kernel */
	int64_t in_file;		/* -1 unknown */
	uint64_t offlinable;
	uint64_t pages_scanned;
	double seconds;			/* wall time of the struct page pass */
};

struct ms_offline *ms_get_offline(struct ms_ctx *c);

#endif
