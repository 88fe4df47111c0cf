/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * page_owner records in page_ext (mm/page_owner.c) and the stack depot
 * (lib/stackdepot.c) that holds their stacks.  Every entry is found through
 * the section its pfn belongs to, never by striding page_ext_size across a
 * section boundary.
 */
#ifndef MEMSECT_PAGE_OWNER_H
#define MEMSECT_PAGE_OWNER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "context.h"
#include "sections.h"

#define MS_STACK_MAX 64		/* CONFIG_STACKDEPOT_MAX_FRAMES default */

enum ms_depot_scheme {
	MS_DEPOT_SLABS,		/* <= 6.2: stack_slabs[], depot_index, valid bit */
	MS_DEPOT_POOLS,		/* 6.3 - 6.7: stack_pools[], pool_index, valid bit */
	MS_DEPOT_POOLS_PLUS_1,	/* 6.8+: pool_index_plus_1, pools_num */
};

struct ms_depot {
	bool ok;
	enum ms_depot_scheme scheme;
	bool pools_is_pointer;	/* 7.x: void **stack_pools (stack_max_pools) */
	uint64_t pools;		/* &stack_pools or &stack_slabs */
	uint64_t count_addr;	/* &pools_num / &pool_index / &depot_index */
	uint64_t max_pools_addr;	/* 7.x: &stack_max_pools, 0 if absent */
	unsigned index_bits, offset_bits;
	bool has_valid_bit;	/* <= 6.7: the bit above offset */
	size_t size_off, entries_off, count_off, handle_off;	/* struct stack_record */
	size_t entries_cap;	/* frames of a fixed entries[] (6.8+), 0 if flexible */
	bool has_refcount, has_handle;
};

struct ms_po_layout {
	bool ok;
	char why[200];		/* when !ok: what is missing or invalid */
	bool ext_size_bad;	/* !ok because page_ext_size is unknown or invalid (recorded) */
	uint64_t ext_size;	/* page_ext_size */
	uint64_t po_off;	/* page_owner_ops.offset */
	unsigned max_order;	/* the largest order a record may claim */
	long mt_count;		/* MIGRATE_TYPES, -1 if unknown */
	long mr_count;		/* MR_TYPES, -1 if unknown */
	bool inited;		/* page_owner_inited static key */
	int bit_owner, bit_allocated;	/* PAGE_EXT_OWNER{,_ALLOCATED} */
	size_t order, migrate, gfp, handle, free_handle;
	long ts, free_ts, comm, pid, tgid, free_pid, free_tgid;	/* -1 absent */
	size_t po_size;
	uint64_t gfp_names;	/* &gfpflag_names, 0 if absent */
	uint64_t mt_names;	/* &migratetype_names, 0 if absent */
	uint64_t mr_names;	/* &migrate_reason_names, 0 if absent */
	/* pageblock migratetype: mem_section->usage->pageblock_flags */
	bool pb_ok;
	size_t ms_usage_off, pb_flags_off;
	unsigned pb_bits;	/* NR_PAGEBLOCK_BITS */
	int pb_isolate_bit;	/* PB_migrate_isolate (7.x), -1 */
	int migrate_isolate;	/* MIGRATE_ISOLATE */
	struct ms_depot depot;
};

struct ms_page_owner {
	uint64_t pfn;
	uint64_t section;
	uint64_t entry;		/* page_ext entry address */
	bool invalidated;	/* section's page_ext being offlined (PAGE_EXT_INVALID) */
	bool owner, allocated;
	unsigned order;
	bool order_invalid;	/* above the largest folio order: not used */
	int last_migrate_reason;
	uint32_t gfp_mask;
	uint32_t handle, free_handle;
	uint64_t ts_nsec, free_ts_nsec;
	char comm[17];
	int32_t pid, tgid, free_pid, free_tgid;
};

struct ms_stack {
	unsigned n;
	uint64_t ip[MS_STACK_MAX];
	bool evicted;		/* 6.8+: refcount 0, the slot may be reused */
	char why[200];		/* MS_ERROR: why there is no stack (also recorded) */
};

enum ms_owner_filter { MS_OWNER_ALLOCATED, MS_OWNER_FREED, MS_OWNER_ANY };

/*
 * This dump's page_owner layout, resolved on first use and held in @c;
 * ->ok false (with ->why) when page_owner is not usable (out of memory
 * too, then recorded as an error: the results are partial).
 */
const struct ms_po_layout *ms_get_po_layout(struct ms_ctx *c);
/*
 * The record of one pfn through its own section: 0, MS_ABSENT (no usable
 * table: see ms_page_ext_why()), MS_ERROR (the entry's read failed, recorded).
 */
int ms_page_owner_read(struct ms_ctx *c, const struct ms_po_layout *pl,
		       uint64_t pfn, struct ms_page_owner *po);
/*
 * Whether section @s's page_ext table can be walked: 0 yes; MS_ABSENT the
 * section has none by design (null page_ext, no CONFIG_PAGE_EXTENSION);
 * MS_ERROR it should have one that cannot be used (unreadable, or a state
 * other than valid/invalidated): the reason, naming the section, is
 * recorded in the context (read error or invalid value) and put in @why.
 */
int ms_page_ext_section(struct ms_ctx *c, const struct ms_section *s,
			char *why, size_t whylen);
/*
 * Decode a record out of an entry's bytes (the whole page_ext entry, at
 * least pl->ext_size bytes, which ms_get_po_layout() checked holds
 * struct page_owner at pl->po_off).  Values are not checked here.
 */
void ms_page_owner_decode(const struct ms_po_layout *pl, const unsigned char *entry,
			  struct ms_page_owner *po);
/* Check a decoded record's values; a bad one is recorded and marked. */
void ms_page_owner_check(struct ms_ctx *c, const struct ms_po_layout *pl,
			 struct ms_page_owner *po);
/*
 * Stack of a depot handle: 0, MS_ABSENT (handle 0, or no depot in the debug
 * info), MS_ERROR (unreadable or invalid: recorded in the context, the
 * reason in st->why).
 */
int ms_stack_fetch(struct ms_ctx *c, const struct ms_depot *d, uint32_t handle,
		   struct ms_stack *st);
/*
 * This dump's stack depot layout, resolved on first use and held in @c;
 * ->ok false when the debug info lacks it (or memory ran out: recorded).
 */
const struct ms_depot *ms_get_depot(struct ms_ctx *c);

/*
 * Every record the kernel's /sys/kernel/debug/page_owner would print (the
 * first pfn of each allocation), plus freed ones on request.  @pid < 0: any.
 * The callback returns nonzero to stop.  Returns the number visited.
 */
uint64_t ms_for_each_page_owner(struct ms_ctx *c, const struct ms_po_layout *pl,
				enum ms_owner_filter filter, long pid,
				int (*fn)(void *arg, const struct ms_page_owner *po),
				void *arg);

/* One record as a JSON object (under @key, NULL inside an array). */
struct json;
void ms_page_owner_json_record(struct json *j, struct ms_ctx *c,
			       const struct ms_po_layout *pl,
			       const struct ms_page_owner *po, const char *key);
/* One record in the kernel's /sys/kernel/debug/page_owner text format. */
void ms_page_owner_text(FILE *out, struct ms_ctx *c, const struct ms_po_layout *pl,
			const struct ms_page_owner *po);
/* The recorded problems (read errors, invalid values) on @err, one line each. */
void ms_errors_text(FILE *err, const struct ms_ctx *c);
/* The same as a JSON array [{address, kind: "read"|"invalid", what}] under @key. */
void ms_errors_json(struct json *j, const struct ms_ctx *c, const char *key);
/*
 * The owner command: every matching record as page_owner text, or one
 * JSON document (command "owner", the envelope from @ri).  Returns records
 * printed.
 */
struct ms_report_info;
uint64_t ms_owner_report(FILE *out, struct ms_ctx *c, enum ms_owner_filter filter,
			 long pid, bool json, const struct ms_report_info *ri);

#endif
