// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * page_owner records as the kernel's /sys/kernel/debug/page_owner prints
 * them (print_page_owner(), mm/page_owner.c), so tools/mm/page_owner_sort
 * reads memsect's output, and as JSON.
 *
 *   <= 6.7: "... ts %llu ns, free_ts %llu ns" and "PFN %lu ..." (6.1 verified)
 *   6.8+:   "... ts %llu ns" and "PFN 0x%lx ..." (6.12 and 7.3 verified;
 *           keyed on struct page_owner.free_pid, which arrived in 6.8)
 * gfp names come from the dump's gfpflag_names[] (what %pGg prints), the
 * migratetype names from migratetype_names[].
 */
#include <inttypes.h>
#include <string.h>

#include "json.h"
#include "memsect/page_owner.h"
#include "memsect/report.h"
#include "memsect/sections.h"
#include "report_json.h"

#define PAGEBLOCK_ORDER 9	/* HPAGE_PMD_ORDER with 4 KiB pages and 512-entry tables */
#define GFP_MOVABLE_SHIFT 3	/* __GFP_MOVABLE 0x08, __GFP_RECLAIMABLE 0x10 */

/* A string the kernel points at, from @from (where the pointer was read). */
static int read_str(struct ms_ctx *c, uint64_t from, uint64_t addr, char *buf, size_t len)
{
	size_t i;

	if (!ms_kaddr_plausible(addr)) {
		ms_ctx_invalid(c, MS_KVADDR, from,
			       "string pointer 0x%" PRIx64 " is not a kernel address", addr);
		return MS_ERROR;
	}
	for (i = 0; i + 1 < len; i++) {
		if (ms_read(c, MS_KVADDR, addr + i, buf + i, 1, "string", NULL))
			return MS_ERROR;
		if (!buf[i])
			return 0;
	}
	buf[i] = 0;
	return 0;
}

/* format_flags() over struct trace_print_flags { unsigned long mask; const char *name; }[] */
static void gfp_names(struct ms_ctx *c, uint64_t table, uint64_t flags, char *buf,
		      size_t len)
{
	size_t n = 0;

	buf[0] = 0;
	for (unsigned i = 0; table && flags && i < 64; i++) {
		unsigned char e[16];
		char name[48];
		uint64_t mask;

		if (ms_read(c, MS_KVADDR, table + 16ull * i, e, 16, "gfpflag_names", NULL))
			break;
		mask = ms_get_u64(e, 0);
		if (!ms_get_u64(e, 8))
			break;
		if ((flags & mask) != mask || !mask)
			continue;
		if (read_str(c, table + 16ull * i + 8, ms_get_u64(e, 8), name, sizeof(name)))
			break;
		n += snprintf(buf + n, n < len ? len - n : 0, "%s%s", n ? "|" : "", name);
		flags &= ~mask;
	}
	if (flags && n < len)
		snprintf(buf + n, len - n, "%s%#" PRIx64, n ? "|" : "", flags);
}

/* @table[@idx] of an array of @count strings (-1: unknown), or the number. */
static void name_of(struct ms_ctx *c, uint64_t table, long count, unsigned idx,
		    const char *what, char *buf, size_t len)
{
	unsigned char p[8];

	snprintf(buf, len, "%u", idx);
	if (table && (count < 0 || idx < (unsigned long)count) &&
	    ms_read(c, MS_KVADDR, table + 8ull * idx, p, 8, what, NULL) == 0 &&
	    read_str(c, table + 8ull * idx, ms_get_u64(p, 0), buf, len))
		snprintf(buf, len, "%u", idx);
}

static void migratetype_name(struct ms_ctx *c, const struct ms_po_layout *pl,
			     unsigned mt, char *buf, size_t len)
{
	name_of(c, pl->mt_names, pl->mt_count, mt, "migratetype_names", buf, len);
}

/* get_pfnblock_migratetype() of a pfn; -1 when unknown. */
static int pageblock_migratetype(struct ms_ctx *c, const struct ms_po_layout *pl,
				 uint64_t pfn)
{
	struct ms_sections *ss = ms_get_sections(c);
	const struct ms_section *s;
	unsigned char b[8];
	uint64_t usage, bitidx, word;

	if (!pl->pb_ok || !ss)
		return -1;
	s = ms_find_section(ss, pfn >> (c->L.section_size_bits - c->L.page_shift));
	if (!s || ms_read(c, MS_KVADDR, s->addr + pl->ms_usage_off, b, 8,
			  "mem_section.usage", NULL))
		return -1;
	usage = ms_get_u64(b, 0);
	if (usage && !ms_kaddr_plausible(usage)) {
		ms_ctx_invalid(c, MS_KVADDR, s->addr + pl->ms_usage_off,
			       "section %" PRIu64 " mem_section.usage 0x%" PRIx64 " is not a kernel address",
			       s->nr, usage);
		return -1;
	}
	bitidx = ((pfn & (c->L.pages_per_section - 1)) >> PAGEBLOCK_ORDER) * pl->pb_bits;
	if (!usage || ms_read(c, MS_KVADDR, usage + pl->pb_flags_off + bitidx / 64 * 8,
			      b, 8, "pageblock_flags", NULL))
		return -1;
	word = ms_get_u64(b, 0) >> (bitidx % 64);
	if (pl->pb_isolate_bit >= 0 && ((word >> pl->pb_isolate_bit) & 1))
		return pl->migrate_isolate;
	return (int)(word & 7);
}

static void symbolize(struct ms_ctx *c, uint64_t ip, char *buf, size_t len)
{
	if (!c->t->ops->addr_symbol ||
	    c->t->ops->addr_symbol(c->t->priv, ip, buf, len) != 0)
		snprintf(buf, len, "0x%" PRIx64, ip);
}

static const char *comm_of(const struct ms_page_owner *po, char *buf)
{
	memcpy(buf, po->comm, 16);
	buf[16] = 0;
	for (char *p = buf; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
			*p = '?';
	return buf;
}

/* The stack of @handle as page_owner prints it, or a note saying why not. */
static void stack_text(FILE *out, struct ms_ctx *c, const struct ms_po_layout *pl,
		       uint32_t handle)
{
	struct ms_stack st;
	char line[256];

	if (ms_stack_fetch(c, &pl->depot, handle, &st) == MS_ERROR) {
		fprintf(out, "memsect: stack unavailable: %s\n", st.why);
		return;
	}
	for (unsigned i = 0; i < st.n; i++) {
		symbolize(c, st.ip[i], line, sizeof(line));
		fprintf(out, " %s\n", line);
	}
}

void ms_page_owner_text(FILE *out, struct ms_ctx *c, const struct ms_po_layout *pl,
			const struct ms_page_owner *po)
{
	bool v68 = pl->free_pid >= 0;
	char gfp[512], mt[32], pbname[32], comm[17];
	int pbmt;

	gfp_names(c, pl->gfp_names, po->gfp_mask, gfp, sizeof(gfp));
	fprintf(out, "Page allocated via order %u, mask 0x%x(%s), pid %d, tgid %d (%s), ts %" PRIu64 " ns",
		po->order, po->gfp_mask, gfp, po->pid, po->tgid, comm_of(po, comm),
		po->ts_nsec);
	if (!v68)
		fprintf(out, ", free_ts %" PRIu64 " ns", po->free_ts_nsec);
	fputc('\n', out);
	migratetype_name(c, pl, (po->gfp_mask >> GFP_MOVABLE_SHIFT) & 3, mt, sizeof(mt));
	pbmt = pageblock_migratetype(c, pl, po->pfn);
	if (pbmt >= 0)
		migratetype_name(c, pl, (unsigned)pbmt, pbname, sizeof(pbname));
	else
		snprintf(pbname, sizeof(pbname), "?");
	/* The page flags (%pGp) are not decoded yet. */
	fprintf(out, v68 ? "PFN 0x%" PRIx64 " type %s Block %" PRIu64 " type %s Flags ?\n" :
			   "PFN %" PRIu64 " type %s Block %" PRIu64 " type %s Flags ?\n",
		po->pfn, mt, po->pfn >> PAGEBLOCK_ORDER, pbname);
	stack_text(out, c, pl, po->handle);
	if (!po->allocated && po->free_handle) {
		/* not in the kernel's debugfs file, which lists allocated pages only */
		fprintf(out, "Page last freed, free_pid %d, free_tgid %d, free_ts %" PRIu64 " ns\n",
			po->free_pid, po->free_tgid, po->free_ts_nsec);
		stack_text(out, c, pl, po->free_handle);
	}
	if (po->owner && po->last_migrate_reason != -1) {
		if (po->last_migrate_reason >= 0)
			name_of(c, pl->mr_names, pl->mr_count < 0 ? 16 : pl->mr_count,
				(unsigned)po->last_migrate_reason, "migrate_reason_names",
				mt, sizeof(mt));
		else
			snprintf(mt, sizeof(mt), "%d", po->last_migrate_reason);
		fprintf(out, "Page has been migrated, last migrate reason: %s\n", mt);
	}
	if (po->order_invalid)
		fprintf(out, "memsect: order %u is above the largest folio order %u: this record is invalid\n",
			po->order, pl->max_order);
	if (po->invalidated)
		fprintf(out, "memsect: section %" PRIu64 " page_ext is being offlined (PAGE_EXT_INVALID)\n",
			po->section);
	fputc('\n', out);
}

/*
 * "key": [frames] | null; when null because the stack cannot be used,
 * "key_error": why (left out otherwise, so a sound record's keys stay those
 * of the drgn helpers' owner_report()).
 */
static void stack_json(struct json *j, struct ms_ctx *c, const struct ms_po_layout *pl,
		       const char *key, const char *err_key, uint32_t handle)
{
	struct ms_stack st;
	char line[256];
	int r = ms_stack_fetch(c, &pl->depot, handle, &st);

	if (r) {
		json_null(j, key);
		if (r == MS_ERROR)
			json_str(j, err_key, st.why);
		return;
	}
	json_arr(j, key);
	for (unsigned i = 0; i < st.n; i++) {
		symbolize(c, st.ip[i], line, sizeof(line));
		json_str(j, NULL, line);
	}
	json_arr_end(j);
}

void ms_page_owner_json_record(struct json *j, struct ms_ctx *c,
			       const struct ms_po_layout *pl,
			       const struct ms_page_owner *po, const char *key)
{
	char comm[17], gfp[512];

	gfp_names(c, pl->gfp_names, po->gfp_mask, gfp, sizeof(gfp));
	json_obj(j, key);
	json_uint(j, "pfn", po->pfn);
	json_uint(j, "section", po->section);
	json_addr(j, "page_ext", po->entry);
	json_bool(j, "section_being_offlined", po->invalidated);
	json_bool(j, "allocated", po->allocated);
	json_uint(j, "order", po->order);
	if (po->order_invalid)	/* only on a bad record, as stack_error */
		json_bool(j, "order_valid", false);
	json_addr(j, "gfp_mask", po->gfp_mask);
	json_str(j, "gfp_flags", gfp);
	json_int(j, "last_migrate_reason", po->last_migrate_reason);
	if (pl->pid >= 0)
		json_int(j, "pid", po->pid);
	if (pl->tgid >= 0)
		json_int(j, "tgid", po->tgid);
	if (pl->comm >= 0)
		json_str(j, "comm", comm_of(po, comm));
	if (pl->ts >= 0)
		json_uint(j, "ts_nsec", po->ts_nsec);
	if (pl->free_ts >= 0)
		json_uint(j, "free_ts_nsec", po->free_ts_nsec);
	if (pl->free_pid >= 0)
		json_int(j, "free_pid", po->free_pid);
	if (pl->free_tgid >= 0)
		json_int(j, "free_tgid", po->free_tgid);
	json_addr(j, "handle", po->handle);
	stack_json(j, c, pl, "stack", "stack_error", po->handle);
	json_addr(j, "free_handle", po->free_handle);
	stack_json(j, c, pl, "free_stack", "free_stack_error", po->free_handle);
	json_obj_end(j);
}

struct emit {
	FILE *out;
	struct json *j;
	struct ms_ctx *c;
	const struct ms_po_layout *pl;
};

static int emit_one(void *arg, const struct ms_page_owner *po)
{
	struct emit *e = arg;

	if (e->j)
		ms_page_owner_json_record(e->j, e->c, e->pl, po, NULL);
	else
		ms_page_owner_text(e->out, e->c, e->pl, po);
	return 0;
}

void ms_errors_text(FILE *err, const struct ms_ctx *c)
{
	if (c->truncated)
		fprintf(err, "memsect: partial: the dump file is truncated (%" PRIu64 " of %" PRIu64 " bytes)\n",
			c->file_size, c->file_expected);
	for (unsigned i = 0; i < c->nerrors && i < MS_MAX_ERRORS; i++)
		fprintf(err, "memsect: partial: %s at 0x%" PRIx64 ": %s\n",
			c->errors[i].kind == MS_ERR_INVALID ? "invalid value" : "read error",
			c->errors[i].address, c->errors[i].what);
	if (c->nerrors > MS_MAX_ERRORS)
		fprintf(err, "memsect: partial: %u more\n", c->nerrors - MS_MAX_ERRORS);
}

void ms_errors_json(struct json *j, const struct ms_ctx *c, const char *key)
{
	json_arr(j, key);
	for (unsigned i = 0; i < c->nerrors && i < MS_MAX_ERRORS; i++) {
		json_obj(j, NULL);
		json_addr(j, "address", c->errors[i].address);
		json_str(j, "kind", c->errors[i].kind == MS_ERR_INVALID ? "invalid" : "read");
		json_str(j, "what", c->errors[i].what);
		json_obj_end(j);
	}
	json_arr_end(j);
}

static const char *filter_name(enum ms_owner_filter f)
{
	return f == MS_OWNER_ALLOCATED ? "allocated" : f == MS_OWNER_FREED ? "freed" : "any";
}

uint64_t ms_owner_report(FILE *out, struct ms_ctx *c, enum ms_owner_filter filter,
			 long pid, bool json, const struct ms_report_info *ri)
{
	const struct ms_po_layout *pl = ms_get_po_layout(c);
	struct json j;
	struct emit e = { out, json ? &j : NULL, c, pl };
	uint64_t n = 0;

	if (!json) {
		if (!pl->ok)
			fprintf(stderr, "memsect: no page_owner records: %s\n", pl->why);
		else
			n = ms_for_each_page_owner(c, pl, filter, pid, emit_one, &e);
		ms_errors_text(stderr, c);
		return n;
	}
	json_begin(&j, out);
	json_obj(&j, NULL);
	ms_json_envelope(&j, c, ri);
	json_str(&j, "type", filter_name(filter));
	if (pid >= 0)
		json_int(&j, "pid", pid);
	else
		json_null(&j, "pid");
	json_bool(&j, "page_owner", pl->ok);
	json_str(&j, "reason", pl->ok ? NULL : pl->why);
	if (pl->ok) {
		json_uint(&j, "page_ext_size", pl->ext_size);
		json_uint(&j, "page_owner_offset", pl->po_off);
	}
	json_arr(&j, "records");
	if (pl->ok)
		n = ms_for_each_page_owner(c, pl, filter, pid, emit_one, &e);
	json_arr_end(&j);
	json_bool(&j, "partial", ms_ctx_partial(c));
	ms_errors_json(&j, c, "read_errors");
	json_obj_end(&j);
	json_end(&j);
	return n;
}
