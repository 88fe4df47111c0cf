// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * page_owner records (mm/page_owner.c) read per pfn through the pfn's own
 * section: entry(pfn) = table(section) + page_ext_size * (pfn - start_pfn).
 * page_ext_size and page_owner_ops.offset are read from the dump; the
 * struct page_owner fields from the debug info (ts_nsec/pid 5.11, comm/tgid
 * 5.18 865ed6a32786, free_pid/free_tgid 6.8).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "memsect/page_owner.h"
#include "probe.h"

/*
 * page_ext_size bound: the clients' shares (8-byte flags word, struct
 * page_owner, page_table_check, alloc tag) are a few hundred bytes; the
 * layout resolver rejects 4096 and above as well.
 */
#define PAGE_EXT_SIZE_MAX 4096
/* Entries read per request when walking a table (bounds the buffer). */
#define WALK_CHUNK_BYTES (256u * 1024)

/*
 * A struct page_owner member of @width bytes (what decode reads), inside
 * the struct; -1 when the debug info lacks it or puts it outside.
 */
static long po_member(struct ms_probe *p, struct ms_po_layout *pl,
		      const char *m, size_t width)
{
	size_t off, size;

	if (ms_probe_try_member(p, "page_owner", m, &off, &size))
		return -1;
	if (off > pl->po_size || width > pl->po_size - off)
		return -1;
	return (long)off;
}

static int need_member(struct ms_probe *p, struct ms_po_layout *pl,
		       const char *m, size_t width, size_t *off)
{
	long o = po_member(p, pl, m, width);

	if (o >= 0) {
		*off = (size_t)o;
		return 0;
	}
	return ms_probe_fail(p, "struct page_owner.%s not in the debug info (or outside the struct)",
			     m);
}

/*
 * Pageblock bits per block: NR_PAGEBLOCK_BITS (<= 6.x, an enumerator), or
 * roundup_pow_of_two(__NR_PAGEBLOCK_BITS) since the separate
 * PB_migrate_isolate bit (7.x).
 */
static void resolve_pageblock(struct ms_probe *p, struct ms_po_layout *pl)
{
	int64_t v;
	size_t sz;

	pl->pb_isolate_bit = -1;
	if (ms_probe_try_member(p, "mem_section", "usage", &pl->ms_usage_off, &sz) ||
	    ms_probe_try_member(p, "mem_section_usage", "pageblock_flags",
			    &pl->pb_flags_off, &sz) ||
	    ms_probe_try_enum(p, "MIGRATE_ISOLATE", &v))
		return;
	pl->migrate_isolate = (int)v;
	if (ms_probe_try_enum(p, "__NR_PAGEBLOCK_BITS", &v) == 0) {
		unsigned n = 1;

		while (n < v && n < 128)
			n <<= 1;
		pl->pb_bits = n;
		ms_probe_bit(p, "PB_migrate_isolate", 64, &pl->pb_isolate_bit);
	} else if (ms_probe_try_enum(p, "NR_PAGEBLOCK_BITS", &v) == 0 &&
		   v > 0 && v <= 64) {
		pl->pb_bits = (unsigned)v;
	} else {
		return;
	}
	pl->pb_ok = pl->pb_bits > 0 && pl->pb_bits <= 64;
}

/* A kept problem whose text mentions @word, or NULL. */
static const char *recorded(const struct ms_ctx *c, const char *word)
{
	unsigned kept = c->nerrors < MS_MAX_ERRORS ? c->nerrors : MS_MAX_ERRORS;

	for (unsigned i = 0; i < kept; i++)
		if (strstr(c->errors[i].what, word))
			return c->errors[i].what;
	return NULL;
}

/*
 * The layout found no usable page_ext_size: say why, and make sure the
 * result is partial (the layout resolver records an invalid value; a read
 * or check here records its own when it did not).
 */
static void page_ext_size_unknown(struct ms_ctx *c, struct ms_probe *p,
				  struct ms_po_layout *pl)
{
	const char *what = recorded(c, "page_ext_size");
	unsigned char b[8];
	uint64_t addr;
	char why[200];

	pl->ext_size_bad = true;
	if (what) {
		ms_probe_fail(p, "%s", what);
		return;
	}
	if (ms_probe_try_symbol(p, "page_ext_size", &addr)) {
		ms_probe_fail(p, "page_ext_size not in this kernel's symbols (before 5.4)");
		return;
	}
	if (ms_read(c, MS_KVADDR, addr, b, 8, "page_ext_size", NULL)) {
		ms_probe_fail(p, "page_ext_size unreadable at 0x%" PRIx64, addr);
		return;
	}
	snprintf(why, sizeof(why),
		 "page_ext_size %" PRIu64 " is not consistent with this kernel's page_ext clients",
		 ms_get_u64(b, 0));
	ms_probe_fail(p, "%s", why);
	ms_ctx_invalid(c, MS_KVADDR, addr, "%s", why);
}

/*
 * page_ext_size and page_owner_ops.offset, both read from the dump, against
 * the entry they describe: struct page_ext (the flags word, 8 bytes) comes
 * first, struct page_owner at offset, every share a multiple of 8 bytes
 * (mm/page_ext.c invoke_need_callbacks() adds the sizes in order).
 */
static bool ext_size_consistent(struct ms_ctx *c, struct ms_probe *p,
				struct ms_po_layout *pl)
{
	uint64_t addr = 0;
	char why[200];

	if (pl->ext_size >= 8 && pl->ext_size < PAGE_EXT_SIZE_MAX && pl->ext_size % 8 == 0 &&
	    pl->po_off >= 8 && pl->po_off % 8 == 0 && pl->po_off <= pl->ext_size &&
	    pl->po_size <= pl->ext_size - pl->po_off)
		return true;
	pl->ext_size_bad = true;
	snprintf(why, sizeof(why),
		 "page_ext_size %" PRIu64 " is not consistent with this kernel's page_ext clients (page_owner at offset %" PRIu64 ", %zu bytes)",
		 pl->ext_size, pl->po_off, pl->po_size);
	ms_probe_fail(p, "%s", why);
	ms_probe_try_symbol(p, "page_ext_size", &addr);
	ms_ctx_invalid(c, MS_KVADDR, addr, "%s", why);
	return false;
}

static void resolve(struct ms_ctx *c, struct ms_probe *p, struct ms_po_layout *pl)
{
	uint64_t ops, key, a;
	size_t off, sz;
	int64_t v;
	unsigned char b[8];

	memset(pl, 0, sizeof(*pl));
	pl->bit_owner = pl->bit_allocated = -1;
	pl->mt_count = pl->mr_count = -1;
	pl->max_order = c->L.max_folio_order;
	if (!c->L.has_page_ext) {
		ms_probe_fail(p, "no page_ext in this kernel");
		return;
	}
	if (!c->L.page_ext_size_known) {
		page_ext_size_unknown(c, p, pl);
		return;
	}
	pl->ext_size = c->L.page_ext_size;
	if (ms_probe_try_symbol(p, "page_owner_ops", &ops) ||
	    ms_probe_try_member(p, "page_ext_operations", "offset", &off, &sz)) {
		ms_probe_fail(p, "no page_owner_ops (CONFIG_PAGE_OWNER off)");
		return;
	}
	if (ms_read(c, MS_KVADDR, ops + off, b, 8, "page_owner_ops.offset", NULL)) {
		ms_probe_fail(p, "page_owner_ops.offset unreadable at 0x%" PRIx64, ops + off);
		return;
	}
	pl->po_off = ms_get_u64(b, 0);
	/* struct static_key_false: key.enabled (atomic_t) first */
	if (ms_probe_try_symbol(p, "page_owner_inited", &key) == 0 &&
	    ms_read(c, MS_KVADDR, key, b, 4, "page_owner_inited", NULL) == 0)
		pl->inited = ms_get_u32(b, 0) != 0;
	if (!pl->inited) {
		ms_probe_fail(p, "page_owner is not enabled (boot without page_owner=on)");
		return;
	}
	if (ms_probe_try_enum(p, "PAGE_EXT_OWNER", &v) == 0 && v >= 0 && v < 64)
		pl->bit_owner = (int)v;
	if (ms_probe_try_enum(p, "PAGE_EXT_OWNER_ALLOCATED", &v) == 0 &&
	    v >= 0 && v < 64)
		pl->bit_allocated = (int)v;
	if (pl->bit_owner < 0 || pl->bit_allocated < 0) {
		ms_probe_fail(p, "PAGE_EXT_OWNER* not in the debug info");
		return;
	}
	if (ms_probe_try_size(p, "page_owner", &pl->po_size)) {
		ms_probe_fail(p, "struct page_owner not in the debug info");
		return;
	}
	if (need_member(p, pl, "order", 2, &pl->order) ||
	    need_member(p, pl, "last_migrate_reason", 2, &pl->migrate) ||
	    need_member(p, pl, "gfp_mask", 4, &pl->gfp) ||
	    need_member(p, pl, "handle", 4, &pl->handle) ||
	    need_member(p, pl, "free_handle", 4, &pl->free_handle))
		return;
	pl->ts = po_member(p, pl, "ts_nsec", 8);
	pl->free_ts = po_member(p, pl, "free_ts_nsec", 8);
	pl->comm = po_member(p, pl, "comm", 16);
	pl->pid = po_member(p, pl, "pid", 4);
	pl->tgid = po_member(p, pl, "tgid", 4);
	pl->free_pid = po_member(p, pl, "free_pid", 4);
	pl->free_tgid = po_member(p, pl, "free_tgid", 4);
	if (!ext_size_consistent(c, p, pl))
		return;
	if (ms_probe_try_symbol(p, "gfpflag_names", &a) == 0)
		pl->gfp_names = a;
	if (ms_probe_try_symbol(p, "migratetype_names", &a) == 0)
		pl->mt_names = a;
	if (ms_probe_try_symbol(p, "migrate_reason_names", &a) == 0)
		pl->mr_names = a;
	/* the arrays' lengths: migratetype_names[MIGRATE_TYPES], migrate_reason_names[MR_TYPES] */
	if (ms_probe_try_enum(p, "MIGRATE_TYPES", &v) == 0 && v > 0 && v <= 64)
		pl->mt_count = (long)v;
	if (ms_probe_try_enum(p, "MR_TYPES", &v) == 0 && v > 0 && v <= 64)
		pl->mr_count = (long)v;
	pl->depot = *ms_get_depot(c);
	resolve_pageblock(p, pl);
	pl->ok = true;
}

const struct ms_po_layout *ms_get_po_layout(struct ms_ctx *c)
{
	struct ms_probe p;
	struct ms_po_layout *pl;

	static const struct ms_po_layout no_memory = {
		.why = "out of memory resolving the page_owner layout",
	};

	if (c->po_layout)
		return c->po_layout;
	pl = malloc(sizeof(*pl));
	if (!pl) {
		ms_ctx_error(c, MS_KVADDR, 0, "%s", no_memory.why);
		return &no_memory;
	}
	ms_probe_init(&p, c->t);
	resolve(c, &p, pl);
	if (!pl->ok)
		snprintf(pl->why, sizeof(pl->why), "%s", p.why);
	c->po_layout = pl;
	return pl;
}

static int32_t s32(const unsigned char *p, long off)
{
	return off < 0 ? 0 : (int32_t)ms_get_u32(p, (size_t)off);
}

void ms_page_owner_decode(const struct ms_po_layout *pl, const unsigned char *e,
			  struct ms_page_owner *po)
{
	/* page_ext->flags at +0: present whenever page_owner is a client (6.3+: need_shared_flags) */
	uint64_t flags = ms_get_u64(e, 0);
	const unsigned char *p = e + pl->po_off;

	po->owner = (flags >> pl->bit_owner) & 1;
	po->allocated = (flags >> pl->bit_allocated) & 1;
	po->order = (unsigned)ms_get_uint(p, pl->order, 2);
	po->last_migrate_reason = (int16_t)ms_get_uint(p, pl->migrate, 2);
	po->gfp_mask = ms_get_u32(p, pl->gfp);
	po->handle = ms_get_u32(p, pl->handle);
	po->free_handle = ms_get_u32(p, pl->free_handle);
	po->ts_nsec = pl->ts < 0 ? 0 : ms_get_u64(p, (size_t)pl->ts);
	po->free_ts_nsec = pl->free_ts < 0 ? 0 : ms_get_u64(p, (size_t)pl->free_ts);
	memset(po->comm, 0, sizeof(po->comm));
	if (pl->comm >= 0)
		memcpy(po->comm, p + pl->comm, 16);
	po->pid = s32(p, pl->pid);
	po->tgid = s32(p, pl->tgid);
	po->free_pid = s32(p, pl->free_pid);
	po->free_tgid = s32(p, pl->free_tgid);
}

void ms_page_owner_check(struct ms_ctx *c, const struct ms_po_layout *pl,
			 struct ms_page_owner *po)
{
	/* __set_page_owner() stores the allocation's order; no folio is larger */
	if (po->order <= pl->max_order)
		return;
	po->order_invalid = true;
	ms_ctx_invalid(c, MS_KVADDR, po->entry + pl->po_off + pl->order,
		       "pfn 0x%" PRIx64 " page_owner order %u is above the largest folio order %u",
		       po->pfn, po->order, pl->max_order);
}

static const struct ms_section *section_of(struct ms_ctx *c, uint64_t pfn)
{
	struct ms_sections *s = ms_get_sections(c);

	return s ? ms_find_section(s, pfn >> (c->L.section_size_bits - c->L.page_shift)) :
		   NULL;
}

static bool has_table(const struct ms_section *s)
{
	return s && s->page_ext_table &&
	       (s->pe_state == MS_PE_VALID || s->pe_state == MS_PE_INVALIDATED);
}

int ms_page_ext_section(struct ms_ctx *c, const struct ms_section *s,
			char *why, size_t whylen)
{
	why[0] = 0;
	if (has_table(s))
		return 0;
	switch (s->pe_state) {
	case MS_PE_ABSENT:
	case MS_PE_NULL:
		return MS_ABSENT;
	case MS_PE_UNREADABLE:
		snprintf(why, whylen, "section %" PRIu64 " page_ext table unreadable at 0x%" PRIx64,
			 s->nr, s->pe_fail_addr);
		ms_ctx_error(c, MS_KVADDR, s->pe_fail_addr, "%s", why);
		return MS_ERROR;
	case MS_PE_VALID:
	case MS_PE_INVALIDATED:
		/* no table address: page_ext_size is unknown (recorded by the layout) */
		snprintf(why, whylen, "section %" PRIu64 " page_ext table address unknown (page_ext_size unknown)",
			 s->nr);
		return MS_ERROR;
	default:
		snprintf(why, whylen, "section %" PRIu64 " page_ext %s (0x%" PRIx64 "): not walked",
			 s->nr, ms_page_ext_state_name(s->pe_state), s->page_ext_raw);
		ms_ctx_invalid(c, MS_KVADDR, s->addr + c->L.ms_page_ext_off, "%s", why);
		return MS_ERROR;
	}
}

/* Address of the entry @k of section @s's table; false on overflow. */
static bool entry_addr(const struct ms_po_layout *pl, const struct ms_section *s,
		       uint64_t k, uint64_t *addr)
{
	uint64_t off;

	return !__builtin_mul_overflow(pl->ext_size, k, &off) &&
	       !__builtin_add_overflow(s->page_ext_table, off, addr);
}

int ms_page_owner_read(struct ms_ctx *c, const struct ms_po_layout *pl,
		       uint64_t pfn, struct ms_page_owner *po)
{
	const struct ms_section *s = section_of(c, pfn);
	unsigned char *e;
	uint64_t addr;
	int r;

	memset(po, 0, sizeof(*po));
	po->pfn = pfn;
	if (!pl->ok || !has_table(s))
		return MS_ABSENT;
	po->section = s->nr;
	po->invalidated = s->pe_state == MS_PE_INVALIDATED;
	if (!entry_addr(pl, s, pfn - s->start_pfn, &addr))
		return MS_ABSENT;
	po->entry = addr;
	e = malloc(pl->ext_size);
	if (!e)
		return MS_ERROR;
	r = ms_read(c, MS_KVADDR, addr, e, pl->ext_size, "page_ext entry", NULL);
	if (!r)
		ms_page_owner_decode(pl, e, po);
	free(e);
	return r;
}

static bool wanted(const struct ms_po_layout *pl, const struct ms_page_owner *po,
		   enum ms_owner_filter filter, long pid)
{
	/* read_page_owner(): PAGE_EXT_OWNER set, PAGE_EXT_OWNER_ALLOCATED set,
	 * the first pfn of the allocation, a stack handle.  Freed: not
	 * allocated, with a record or a free stack (pages freed by
	 * __free_pages_core() when memory is onlined have only the latter).
	 * A record with an impossible order is kept (and marked): which pfn
	 * starts its allocation is unknown. */
	if (po->order <= pl->max_order && (po->pfn & ((1ull << po->order) - 1)))
		return false;
	if (filter == MS_OWNER_ALLOCATED &&
	    (!po->owner || !po->allocated || !po->handle))
		return false;
	if (filter == MS_OWNER_FREED &&
	    (po->allocated || (!po->owner && !po->free_handle)))
		return false;
	if (filter == MS_OWNER_ANY && !po->owner && !po->free_handle)
		return false;
	return pid < 0 || po->pid == pid;
}

uint64_t ms_for_each_page_owner(struct ms_ctx *c, const struct ms_po_layout *pl,
				enum ms_owner_filter filter, long pid,
				int (*fn)(void *arg, const struct ms_page_owner *po),
				void *arg)
{
	struct ms_sections *ss = ms_get_sections(c);
	uint64_t n = 0, pps = c->L.pages_per_section, per;
	unsigned char *tab;

	if (!pl->ok || !ss || pl->ext_size < 8 || pl->ext_size >= PAGE_EXT_SIZE_MAX)
		return 0;
	/* a bounded piece of a table at a time: an unreadable page loses only its piece */
	per = WALK_CHUNK_BYTES / pl->ext_size;
	if (per > pps)
		per = pps;
	tab = malloc(per * pl->ext_size);
	if (!tab)
		return 0;
	for (size_t i = 0; i < ss->n; i++) {
		const struct ms_section *s = &ss->v[i];
		char what[160];

		if (ms_page_ext_section(c, s, what, sizeof(what)))
			continue;
		snprintf(what, sizeof(what), "section %" PRIu64 " page_ext table", s->nr);
		/* one section's table at a time: it never extends past its section */
		for (uint64_t k0 = 0; k0 < pps; k0 += per) {
			uint64_t cnt = pps - k0 < per ? pps - k0 : per, addr;

			if (!entry_addr(pl, s, k0, &addr)) {
				ms_ctx_invalid(c, MS_KVADDR, s->page_ext_table,
					       "%s: entry %" PRIu64 " beyond the address space",
					       what, k0);
				break;
			}
			if (ms_read(c, MS_KVADDR, addr, tab, cnt * pl->ext_size, what, NULL))
				continue;
			for (uint64_t k = 0; k < cnt; k++) {
				struct ms_page_owner po = { 0 };

				po.pfn = s->start_pfn + k0 + k;
				po.section = s->nr;
				po.entry = addr + pl->ext_size * k;
				po.invalidated = s->pe_state == MS_PE_INVALIDATED;
				ms_page_owner_decode(pl, tab + pl->ext_size * k, &po);
				if (!wanted(pl, &po, filter, pid))
					continue;
				ms_page_owner_check(c, pl, &po);
				n++;
				if (fn(arg, &po))
					goto out;
			}
		}
	}
out:
	free(tab);
	return n;
}
