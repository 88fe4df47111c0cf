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

static int sym(struct ms_ctx *c, const char *name, uint64_t *addr)
{
	return c->t->ops->symbol(c->t->priv, name, addr);
}

static long opt_member(struct ms_ctx *c, const char *m)
{
	size_t off, size;

	return c->t->ops->member(c->t->priv, "page_owner", m, &off, &size) ? -1 :
									    (long)off;
}

static int need_member(struct ms_ctx *c, struct ms_po_layout *pl, const char *m,
		       size_t *off)
{
	size_t size;

	if (c->t->ops->member(c->t->priv, "page_owner", m, off, &size) == 0)
		return 0;
	snprintf(pl->why, sizeof(pl->why), "struct page_owner.%s not in the debug info", m);
	return -1;
}

/*
 * Pageblock bits per block: NR_PAGEBLOCK_BITS (<= 6.x, an enumerator), or
 * roundup_pow_of_two(__NR_PAGEBLOCK_BITS) since the separate
 * PB_migrate_isolate bit (7.x).
 */
static void resolve_pageblock(struct ms_ctx *c, struct ms_po_layout *pl)
{
	int64_t v;
	size_t sz;

	pl->pb_isolate_bit = -1;
	if (c->t->ops->member(c->t->priv, "mem_section", "usage", &pl->ms_usage_off, &sz) ||
	    c->t->ops->member(c->t->priv, "mem_section_usage", "pageblock_flags",
			      &pl->pb_flags_off, &sz) ||
	    c->t->ops->enumerator(c->t->priv, "MIGRATE_ISOLATE", &v))
		return;
	pl->migrate_isolate = (int)v;
	if (c->t->ops->enumerator(c->t->priv, "__NR_PAGEBLOCK_BITS", &v) == 0) {
		unsigned n = 1;

		while (n < v)
			n <<= 1;
		pl->pb_bits = n;
		if (c->t->ops->enumerator(c->t->priv, "PB_migrate_isolate", &v) == 0)
			pl->pb_isolate_bit = (int)v;
	} else if (c->t->ops->enumerator(c->t->priv, "NR_PAGEBLOCK_BITS", &v) == 0) {
		pl->pb_bits = (unsigned)v;
	} else {
		return;
	}
	pl->pb_ok = pl->pb_bits > 0 && pl->pb_bits <= 64;
}

void ms_page_owner_layout(struct ms_ctx *c, struct ms_po_layout *pl)
{
	uint64_t ops, key, a;
	size_t off, sz;
	int64_t v;
	unsigned char b[8];

	memset(pl, 0, sizeof(*pl));
	pl->bit_owner = pl->bit_allocated = -1;
	if (!c->L.has_page_ext || !c->L.page_ext_size_known) {
		snprintf(pl->why, sizeof(pl->why), "no page_ext in this kernel");
		return;
	}
	pl->ext_size = c->L.page_ext_size;
	if (sym(c, "page_owner_ops", &ops) ||
	    c->t->ops->member(c->t->priv, "page_ext_operations", "offset", &off, &sz) ||
	    ms_read(c, MS_KVADDR, ops + off, b, 8, "page_owner_ops.offset", NULL)) {
		snprintf(pl->why, sizeof(pl->why), "no page_owner_ops (CONFIG_PAGE_OWNER off)");
		return;
	}
	pl->po_off = ms_get_u64(b, 0);
	/* struct static_key_false: key.enabled (atomic_t) first */
	if (sym(c, "page_owner_inited", &key) == 0 &&
	    ms_read(c, MS_KVADDR, key, b, 4, "page_owner_inited", NULL) == 0)
		pl->inited = ms_get_u32(b, 0) != 0;
	if (!pl->inited) {
		snprintf(pl->why, sizeof(pl->why),
			 "page_owner is not enabled (boot without page_owner=on)");
		return;
	}
	if (c->t->ops->enumerator(c->t->priv, "PAGE_EXT_OWNER", &v) == 0)
		pl->bit_owner = (int)v;
	if (c->t->ops->enumerator(c->t->priv, "PAGE_EXT_OWNER_ALLOCATED", &v) == 0)
		pl->bit_allocated = (int)v;
	if (pl->bit_owner < 0 || pl->bit_allocated < 0) {
		snprintf(pl->why, sizeof(pl->why), "PAGE_EXT_OWNER* not in the debug info");
		return;
	}
	if (need_member(c, pl, "order", &pl->order) ||
	    need_member(c, pl, "last_migrate_reason", &pl->migrate) ||
	    need_member(c, pl, "gfp_mask", &pl->gfp) ||
	    need_member(c, pl, "handle", &pl->handle) ||
	    need_member(c, pl, "free_handle", &pl->free_handle) ||
	    c->t->ops->type_size(c->t->priv, "page_owner", &pl->po_size))
		return;
	pl->ts = opt_member(c, "ts_nsec");
	pl->free_ts = opt_member(c, "free_ts_nsec");
	pl->comm = opt_member(c, "comm");
	pl->pid = opt_member(c, "pid");
	pl->tgid = opt_member(c, "tgid");
	pl->free_pid = opt_member(c, "free_pid");
	pl->free_tgid = opt_member(c, "free_tgid");
	if (pl->po_off + pl->po_size > pl->ext_size) {
		snprintf(pl->why, sizeof(pl->why),
			 "page_owner_ops.offset %" PRIu64 " + %zu exceeds page_ext_size %" PRIu64,
			 pl->po_off, pl->po_size, pl->ext_size);
		return;
	}
	if (sym(c, "gfpflag_names", &a) == 0)
		pl->gfp_names = a;
	if (sym(c, "migratetype_names", &a) == 0)
		pl->mt_names = a;
	if (sym(c, "migrate_reason_names", &a) == 0)
		pl->mr_names = a;
	ms_depot_resolve(c, &pl->depot);
	resolve_pageblock(c, pl);
	pl->ok = true;
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
	addr = s->page_ext_table + pl->ext_size * (pfn - s->start_pfn);
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

static bool wanted(const struct ms_page_owner *po, enum ms_owner_filter filter, long pid)
{
	/* read_page_owner(): PAGE_EXT_OWNER set, PAGE_EXT_OWNER_ALLOCATED set,
	 * the first pfn of the allocation, a stack handle.  Freed: not
	 * allocated, with a record or a free stack (pages freed by
	 * __free_pages_core() when memory is onlined have only the latter). */
	if (po->pfn & ((1ull << po->order) - 1))
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
	uint64_t n = 0;
	unsigned char *tab;
	size_t len;

	if (!pl->ok || !ss)
		return 0;
	len = pl->ext_size * c->L.pages_per_section;
	tab = malloc(len);
	if (!tab)
		return 0;
	for (size_t i = 0; i < ss->n; i++) {
		const struct ms_section *s = &ss->v[i];

		if (!has_table(s))
			continue;
		/* one section's table at a time: it never extends past its section */
		if (ms_read(c, MS_KVADDR, s->page_ext_table, tab, len,
			    "page_ext table", NULL))
			continue;
		for (uint64_t k = 0; k < c->L.pages_per_section; k++) {
			struct ms_page_owner po = { 0 };

			po.pfn = s->start_pfn + k;
			po.section = s->nr;
			po.entry = s->page_ext_table + pl->ext_size * k;
			po.invalidated = s->pe_state == MS_PE_INVALIDATED;
			ms_page_owner_decode(pl, tab + pl->ext_size * k, &po);
			if (!wanted(&po, filter, pid))
				continue;
			n++;
			if (fn(arg, &po))
				goto out;
		}
	}
out:
	free(tab);
	return n;
}
