// SPDX-License-Identifier: GPL-2.0-or-later
/* The page command (page_info.h). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "memsect/page_info.h"
#include "memsect/page_owner.h"
#include "memsect/report.h"
#include "memsect/sections.h"
#include "report_json.h"
#include "pgtable.h"
#include "probe.h"

/* As page_owner.c: the layout resolver rejects 4096 and above too. */
#define PAGE_EXT_SIZE_MAX 4096

struct ms_page_clients {
	const struct ms_po_layout *po;
	bool ext_ok;		/* page_ext entries can be read (page_ext_size sound) */
	char ext_why[200];	/* when !ext_ok */
	bool ptc, tag;
	uint64_t ptc_off, tag_off;
	size_t ct_lineno, ct_function, ct_filename;
	size_t compound_head;
	bool has_compound_head;
};

static int ops_offset(struct ms_ctx *c, struct ms_probe *p, const char *ops,
		      uint64_t *off)
{
	size_t o;
	uint64_t a;
	unsigned char b[8];

	if (ms_probe_try_symbol(p, ops, &a) ||
	    ms_probe_try_member(p, "page_ext_operations", "offset", &o, NULL) ||
	    ms_read(c, MS_KVADDR, a + o, b, 8, ops, NULL))
		return -1;
	*off = ms_get_u64(b, 0);
	return 0;
}

/*
 * A client's page_ext_operations.offset (read from the dump) must leave its
 * @size bytes inside the entry.  (Since 6.3 the flags word is there only for
 * clients with need_shared_flags, page_owner: page_table_check alone is at 0.)
 */
static bool client_fits(struct ms_ctx *c, struct ms_probe *p, const char *ops,
			uint64_t off, uint64_t size)
{
	uint64_t a = 0;

	if (off <= c->L.page_ext_size && size <= c->L.page_ext_size - off)
		return true;
	ms_probe_try_symbol(p, ops, &a);
	ms_ctx_invalid(c, MS_KVADDR, a,
		       "%s.offset %" PRIu64 " + %" PRIu64 " is outside page_ext_size %" PRIu64,
		       ops, off, size, c->L.page_ext_size);
	return false;
}

static void resolve(struct ms_ctx *c, struct ms_page_clients *k)
{
	uint64_t used = 0, key, size = c->L.page_ext_size;
	unsigned char b[4];
	struct ms_probe p;

	memset(k, 0, sizeof(*k));
	ms_probe_init(&p, c->t);
	k->po = ms_get_po_layout(c);
	if (!c->L.has_page_ext) {
		snprintf(k->ext_why, sizeof(k->ext_why), "no page_ext in this kernel");
		return;
	}
	if (k->po->ext_size_bad) {
		snprintf(k->ext_why, sizeof(k->ext_why), "%s", k->po->why);
		return;
	}
	/* 6.3+ invoke_need_callbacks(): 0 when no client is enabled (no tables) */
	if (c->L.page_ext_size_known && size == 0 && !k->po->ok) {
		snprintf(k->ext_why, sizeof(k->ext_why), "no page_ext client is enabled (page_ext_size 0)");
		return;
	}
	if (!c->L.page_ext_size_known || size < 8 || size >= PAGE_EXT_SIZE_MAX || size % 8) {
		uint64_t a = 0;

		snprintf(k->ext_why, sizeof(k->ext_why),
			 "page_ext_size %" PRIu64 " is not consistent with this kernel's page_ext clients",
			 size);
		ms_probe_try_symbol(&p, "page_ext_size", &a);
		ms_ctx_invalid(c, MS_KVADDR, a, "%s", k->ext_why);
		return;
	}
	k->ext_ok = true;
	if (k->po->ok)
		used += 8 + k->po->po_size;
	/* DEFINE_STATIC_KEY_TRUE(page_table_check_disabled): enabled == 0 when on */
	if (ms_probe_try_symbol(&p, "page_table_check_disabled", &key) == 0 &&
	    ms_read(c, MS_KVADDR, key, b, 4, "page_table_check_disabled", NULL) == 0 &&
	    ms_get_u32(b, 0) == 0 && ops_offset(c, &p, "page_table_check_ops", &k->ptc_off) == 0 &&
	    client_fits(c, &p, "page_table_check_ops", k->ptc_off, 8)) {
		k->ptc = true;
		used += 8;
	}
	/* alloc tagging (6.10+) has a slot iff it is what is left of page_ext_size */
	if (used + 8 == size &&
	    ops_offset(c, &p, "page_alloc_tagging_ops", &k->tag_off) == 0 &&
	    client_fits(c, &p, "page_alloc_tagging_ops", k->tag_off, 8) &&
	    !ms_probe_try_member(&p, "codetag", "lineno", &k->ct_lineno, NULL) &&
	    !ms_probe_try_member(&p, "codetag", "function", &k->ct_function, NULL) &&
	    !ms_probe_try_member(&p, "codetag", "filename", &k->ct_filename, NULL))
		k->tag = true;
	k->has_compound_head =
		ms_probe_try_member(&p, "page", "compound_head", &k->compound_head, NULL) == 0;
}

/* The page_ext clients, resolved once per dump and held in @c. */
static const struct ms_page_clients *get_clients(struct ms_ctx *c)
{
	static const struct ms_po_layout no_po = {
		.why = "out of memory resolving the page_ext clients",
	};
	static const struct ms_page_clients no_memory = {
		.po = &no_po,
		.ext_why = "out of memory resolving the page_ext clients",
	};
	struct ms_page_clients *k;

	if (c->page_clients)
		return c->page_clients;
	k = malloc(sizeof(*k));
	if (!k) {
		ms_ctx_error(c, MS_KVADDR, 0, "%s", no_memory.ext_why);
		return &no_memory;
	}
	resolve(c, k);
	c->page_clients = k;
	return k;
}

/* A string the kernel points at, from @from (where the pointer was read). */
static void read_str(struct ms_ctx *c, uint64_t from, uint64_t addr, char *buf, size_t len)
{
	size_t i;

	buf[0] = 0;
	if (!ms_kaddr_plausible(addr)) {
		ms_ctx_invalid(c, MS_KVADDR, from,
			       "codetag string pointer 0x%" PRIx64 " is not a kernel address", addr);
		return;
	}
	for (i = 0; i + 1 < len; i++) {
		if (ms_read(c, MS_KVADDR, addr + i, buf + i, 1, "codetag string", NULL) ||
		    !buf[i])
			break;
	}
	buf[i] = 0;
}

/*
 * struct page through the kernel page tables when the front end walks them
 * (crash --minimal cannot read vmemmap addresses itself), as pages.c does.
 */
static int read_vmemmap(struct ms_ctx *c, uint64_t addr, void *buf, size_t len)
{
	struct ms_pte leaf;
	uint64_t pa;
	int ret = ms_vtop_available(c) ? ms_vtop(c, addr, &pa, &leaf) : MS_ABSENT;

	if (ret == MS_ERROR)
		return MS_ERROR;	/* bad page tables, recorded by the walk */
	if (ret == 0 && leaf.leaf_size &&
	    addr % leaf.leaf_size + len <= leaf.leaf_size)
		return ms_read(c, MS_PADDR, pa, buf, len, "struct page", NULL);
	return ms_read(c, MS_KVADDR, addr, buf, len, "struct page", NULL);
}

static void one_page(struct json *j, FILE *out, struct ms_ctx *c, const struct ms_page_clients *k,
		     const struct ms_section *s, uint64_t pfn)
{
	const struct ms_layout *L = &c->L;
	uint64_t page = s->mem_map ? s->mem_map + (pfn - s->start_pfn) * L->page_struct_size : 0;
	unsigned char *pb = calloc(1, L->page_struct_size), *e = NULL;
	uint64_t entry = 0, head = 0, off, fail;
	bool page_ok = false, ext_ok = false;
	char why[200] = "";
	bool ext_error = true;	/* no entry, and there should be one */

	if (!pb)
		return;
	if (page && read_vmemmap(c, page, pb, L->page_struct_size) == 0)
		page_ok = true;
	if (!k->ext_ok) {
		snprintf(why, sizeof(why), "%s", k->ext_why);
	} else if (ms_page_ext_section(c, s, why, sizeof(why)) == 0) {
		/* ext_size < PAGE_EXT_SIZE_MAX, pfn - start < pages_per_section */
		if (__builtin_mul_overflow(L->page_ext_size, pfn - s->start_pfn, &off) ||
		    __builtin_add_overflow(s->page_ext_table, off, &entry)) {
			snprintf(why, sizeof(why), "section %" PRIu64 " page_ext entry beyond the address space",
				 s->nr);
			ms_ctx_invalid(c, MS_KVADDR, s->page_ext_table, "%s", why);
			entry = 0;
		} else if (!(e = malloc(L->page_ext_size))) {
			snprintf(why, sizeof(why), "out of memory");
		} else if (ms_read(c, MS_KVADDR, entry, e, L->page_ext_size,
				   "page_ext entry", &fail)) {
			snprintf(why, sizeof(why), "page_ext entry unreadable at 0x%" PRIx64, fail);
		} else {
			ext_ok = true;
		}
	} else if (!why[0]) {
		snprintf(why, sizeof(why), "section %" PRIu64 " has no page_ext table (%s)",
			 s->nr, ms_page_ext_state_name(s->pe_state));
		ext_error = false;
	}
	if (!k->ext_ok && (!c->L.has_page_ext || c->L.page_ext_size == 0) && !k->po->ext_size_bad)
		ext_error = false;
	if (page_ok && k->has_compound_head) {
		uint64_t ch = ms_get_u64(pb, k->compound_head);

		/* bit 0: tail page; the rest is the head's struct page, in the
		 * virtually contiguous vmemmap (SPARSEMEM_VMEMMAP) */
		int64_t d = (int64_t)((ch - 1) - s->mem_map);

		if ((ch & 1) && d % (int64_t)L->page_struct_size == 0)
			head = s->start_pfn + (uint64_t)(d / (int64_t)L->page_struct_size);
		else if (ch & 1)
			head = UINT64_MAX;
	}
	if (j) {
		json_obj(j, NULL);
		json_uint(j, "pfn", pfn);
		json_uint(j, "section", s->nr);
		json_bool(j, "section_being_offlined", s->pe_state == MS_PE_INVALIDATED);
		if (page_ok) {
			json_obj(j, "page");
			json_addr(j, "address", page);
			json_addr(j, "flags", ms_get_u64(pb, L->page_flags_off));
			json_int(j, "refcount", (int32_t)ms_get_u32(pb, L->page_refcount_off));
			/* page_mapcount(): _mapcount + 1, which INT_MAX would overflow in 32 bits */
			json_int(j, "mapcount", (int64_t)(int32_t)ms_get_u32(pb, L->page_type_off) + 1);
			json_addr(j, "page_type", ms_get_u32(pb, L->page_type_off));
			if (head == UINT64_MAX)
				json_str(j, "compound_head", "not a struct page");
			else if (head)
				json_uint(j, "compound_head", head);
			else
				json_null(j, "compound_head");
			json_obj_end(j);
		} else {
			json_null(j, "page");
		}
		if (ext_ok) {
			json_obj(j, "page_ext");
			json_addr(j, "address", entry);
			json_obj_end(j);
		} else {
			json_null(j, "page_ext");
		}
		/* only when the entry is missing for a reason to report */
		if (!ext_ok && ext_error)
			json_str(j, "page_ext_error", why);
	} else {
		fprintf(out, "pfn 0x%" PRIx64 " section %" PRIu64 "%s\n", pfn, s->nr,
			s->pe_state == MS_PE_INVALIDATED ? " (page_ext being offlined)" : "");
		if (page_ok) {
			char h[48];

			if (head == UINT64_MAX)
				snprintf(h, sizeof(h), "not a struct page");
			else if (head)
				snprintf(h, sizeof(h), "pfn 0x%" PRIx64, head);
			else
				snprintf(h, sizeof(h), "none");
			fprintf(out, "  struct page 0x%" PRIx64 ": flags 0x%" PRIx64 " refcount %d mapcount %" PRId64 " page_type 0x%x compound_head %s\n",
				page, ms_get_u64(pb, L->page_flags_off),
				(int32_t)ms_get_u32(pb, L->page_refcount_off),
				(int64_t)(int32_t)ms_get_u32(pb, L->page_type_off) + 1,
				ms_get_u32(pb, L->page_type_off), h);
		} else
			fprintf(out, "  struct page: unreadable\n");
		if (ext_ok)
			fprintf(out, "  page_ext: 0x%" PRIx64 "\n", entry);
		else
			fprintf(out, "  page_ext: unavailable: %s\n", why);
	}
	if (ext_ok && k->po->ok) {
		struct ms_page_owner po = { 0 };

		po.pfn = pfn;
		po.section = s->nr;
		po.entry = entry;
		po.invalidated = s->pe_state == MS_PE_INVALIDATED;
		ms_page_owner_decode(k->po, e, &po);
		ms_page_owner_check(c, k->po, &po);
		if (j)
			ms_page_owner_json_record(j, c, k->po, &po, "page_owner");
		else if (po.owner || po.free_handle)
			ms_page_owner_text(out, c, k->po, &po);
	} else if (j) {
		json_null(j, "page_owner");
	}
	if (ext_ok && k->ptc) {
		int32_t anon = (int32_t)ms_get_u32(e, k->ptc_off);
		int32_t file = (int32_t)ms_get_u32(e, k->ptc_off + 4);

		if (j) {
			json_obj(j, "page_table_check");
			json_int(j, "anon_map_count", anon);
			json_int(j, "file_map_count", file);
			json_obj_end(j);
		} else {
			fprintf(out, "  page_table_check: anon_map_count %d file_map_count %d\n",
				anon, file);
		}
	} else if (j) {
		json_null(j, "page_table_check");
	}
	if (ext_ok && k->tag) {
		uint64_t ct = ms_get_u64(e, k->tag_off);
		char fn[128], file[256];
		unsigned char lb[4];

		/* CODETAG_EMPTY ((void *)1) under MEM_ALLOC_PROFILING_DEBUG */
		if (ct > 1 && !ms_kaddr_plausible(ct))
			ms_ctx_invalid(c, MS_KVADDR, entry + k->tag_off,
				       "pfn 0x%" PRIx64 " alloc tag 0x%" PRIx64 " is not a kernel address",
				       pfn, ct);
		if (ct > 1 && ms_kaddr_plausible(ct) && ms_read(c, MS_KVADDR, ct + k->ct_lineno, lb, 4, "codetag", NULL) == 0) {
			unsigned char p[8];

			fn[0] = file[0] = 0;
			if (ms_read(c, MS_KVADDR, ct + k->ct_function, p, 8, "codetag", NULL) == 0)
				read_str(c, ct + k->ct_function, ms_get_u64(p, 0), fn, sizeof(fn));
			if (ms_read(c, MS_KVADDR, ct + k->ct_filename, p, 8, "codetag", NULL) == 0)
				read_str(c, ct + k->ct_filename, ms_get_u64(p, 0), file, sizeof(file));
			if (j) {
				json_obj(j, "alloc_tag");
				json_addr(j, "tag", ct);
				json_str(j, "file", file);
				json_uint(j, "line", ms_get_u32(lb, 0));
				json_str(j, "function", fn);
				json_obj_end(j);
			} else {
				fprintf(out, "  alloc_tag: %s:%u %s\n", file, ms_get_u32(lb, 0), fn);
			}
		} else if (j) {
			json_null(j, "alloc_tag");
		}
	} else if (j) {
		json_null(j, "alloc_tag");
	}
	if (j)
		json_obj_end(j);
	free(pb);
	free(e);
}

int ms_page_report(FILE *out, struct ms_ctx *c, const uint64_t *pfns, size_t n,
		   bool json, const struct ms_report_info *ri)
{
	struct ms_sections *ss = ms_get_sections(c);
	unsigned shift = c->L.section_size_bits - c->L.page_shift;
	const struct ms_page_clients *k = get_clients(c);
	struct json jw, *j = json ? &jw : NULL;
	int missing = 0;

	if (j) {
		json_begin(j, out);
		json_obj(j, NULL);
		ms_json_envelope(j, c, ri);
		json_obj(j, "clients");
		json_bool(j, "page_owner", k->po->ok);
		json_bool(j, "page_table_check", k->ptc);
		json_bool(j, "alloc_tag", k->tag);
		json_obj_end(j);
		json_arr(j, "pages");
	}
	for (size_t i = 0; i < n; i++) {
		const struct ms_section *s = ss ? ms_find_section(ss, pfns[i] >> shift) : NULL;

		if (!s) {
			missing = 1;
			if (!j)
				fprintf(out, "pfn 0x%" PRIx64 ": no present section\n", pfns[i]);
			continue;
		}
		one_page(j, out, c, k, s, pfns[i]);
	}
	if (j) {
		json_arr_end(j);
		json_bool(j, "partial", ms_ctx_partial(c));
		if (c->nerrors) {
			ms_errors_json(j, c, "errors");
			json_uint(j, "errors_total", c->nerrors);
		}
		json_obj_end(j);
		json_end(j);
	} else {
		ms_errors_text(stderr, c);
	}
	return missing;
}
