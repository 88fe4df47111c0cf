// SPDX-License-Identifier: GPL-2.0-or-later
/* The JSON report, schema "memsect/2" (documented in README.md). */
#include <string.h>

#include "json.h"
#include "memsect/blocks.h"
#include "memsect/command.h"
#include "memsect/offline.h"
#include "memsect/pagetype.h"
#include "memsect/report.h"
#include "memsect/sections.h"
#include "report_hvo.h"
#include "report_json.h"

static void layout_json(struct json *j, struct ms_ctx *c)
{
	const struct ms_layout *L = &c->L;

	json_obj(j, "layout");
	json_uint(j, "page_size", L->page_size);
	json_uint(j, "section_size_bits", L->section_size_bits);
	json_uint(j, "max_physmem_bits", L->max_physmem_bits);
	json_uint(j, "pages_per_section", L->pages_per_section);
	json_uint(j, "sections_per_root", L->sections_per_root);
	json_uint(j, "nr_section_roots", L->nr_section_roots);
	json_addr(j, "mem_section", L->mem_section_roots);
	json_uint(j, "mem_section_size", L->ms_size);
	json_str(j, "section_flags_source",
		 L->section_flags_from_enum ? "enum" : "defines");
	json_bool(j, "page_ext_member", L->has_page_ext);
	if (L->page_ext_size_known)
		json_uint(j, "page_ext_size", L->page_ext_size);
	else
		json_null(j, "page_ext_size");
	json_uint(j, "page_struct_size", L->page_struct_size);
	json_str(j, "page_type_scheme", ms_pagetype_scheme_name(L->pgtype));
	json_str(j, "page_offline_source",
		 L->offline_from_vmcoreinfo ? "vmcoreinfo" : "debuginfo");
	if (L->pg_offline_skippable >= 0)
		json_uint(j, "pg_offline_skippable_bit",
			  (uint64_t)L->pg_offline_skippable);
	else
		json_null(j, "pg_offline_skippable_bit");
	json_obj_end(j);
}

static void section_json(struct json *j, struct ms_ctx *c,
			 const struct ms_section *s, const struct ms_blocks *b)
{
	const struct ms_block *blk = ms_block_of_section(c, b, s->nr);

	json_obj(j, NULL);
	json_uint(j, "nr", s->nr);
	json_uint(j, "start_pfn", s->start_pfn);
	json_uint(j, "end_pfn", s->end_pfn);
	json_addr(j, "address", s->addr);
	json_addr(j, "section_mem_map", s->mem_map_raw);
	json_arr(j, "flags");
	for (int f = 0; f < MS_SECTION_NFLAGS; f++)
		if (ms_section_has(s, f))
			json_str(j, NULL, ms_section_flag_name(f));
	json_arr_end(j);
	json_addr(j, "coded_mem_map", s->coded_mem_map);
	json_addr(j, "mem_map", s->mem_map);
	json_obj(j, "page_ext");
	json_str(j, "state", ms_page_ext_state_name(s->pe_state));
	json_addr(j, "raw", s->page_ext_raw);
	if (s->page_ext_table)
		json_addr(j, "table", s->page_ext_table);
	else
		json_null(j, "table");
	if (s->pe_state == MS_PE_UNREADABLE)
		json_addr(j, "failed_address", s->pe_fail_addr);
	else
		json_null(j, "failed_address");
	json_obj_end(j);
	if (blk)
		json_uint(j, "memory_block", blk->id);
	else
		json_null(j, "memory_block");
	json_obj_end(j);
}

static void sections_json(struct json *j, struct ms_ctx *c)
{
	struct ms_sections *s = ms_get_sections(c);
	struct ms_blocks *b = ms_get_blocks(c);

	if (!s)
		return;
	json_arr(j, "sections");
	for (size_t i = 0; i < s->n; i++)
		section_json(j, c, &s->v[i], b);
	json_arr_end(j);
	json_obj(j, "section_summary");
	json_uint(j, "present", s->n);
	json_uint(j, "online", s->online);
	json_uint(j, "early", s->early);
	json_uint(j, "has_mem_map", s->has_mem_map);
	json_uint(j, "roots_present", s->roots_present);
	json_obj(j, "page_ext");
	for (int st = 0; st < MS_PE_NSTATES; st++)
		json_uint(j, ms_page_ext_state_name(st), s->pe_count[st]);
	json_obj_end(j);
	json_obj_end(j);
}

static void blocks_json(struct json *j, struct ms_ctx *c)
{
	struct ms_blocks *b = ms_get_blocks(c);

	json_obj(j, "memory_blocks");
	json_bool(j, "available", b && b->available);
	json_bool(j, "complete", b && b->available && b->complete);
	if (b && b->block_size)
		json_uint(j, "block_size", b->block_size);
	else
		json_null(j, "block_size");
	json_arr(j, "blocks");
	for (size_t i = 0; b && i < b->n; i++) {
		json_obj(j, NULL);
		json_uint(j, "id", b->v[i].id);
		json_uint(j, "start_section", b->v[i].start_section);
		json_str(j, "state", ms_block_state_name(b->v[i].state));
		json_uint(j, "state_raw", b->v[i].state_raw);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_obj_end(j);
}

static void refcount_json(struct json *j, const uint64_t *bins, int64_t neg)
{
	json_obj(j, "refcount");
	json_uint(j, "0", bins[0]);
	json_uint(j, "1", bins[1]);
	json_uint(j, "2", bins[2]);
	json_uint(j, ">=3", bins[3]);
	json_int(j, "negative", neg);
	json_obj_end(j);
}

static void maybe_int(struct json *j, const char *key, int64_t v)
{
	if (v < 0)
		json_null(j, key);
	else
		json_int(j, key, v);
}

static void offline_json(struct json *j, struct ms_ctx *c)
{
	struct ms_offline *o = ms_get_offline(c);

	if (!o)
		return;
	json_obj(j, "offline");
	json_uint(j, "pages", o->pages);
	refcount_json(j, o->refcount, o->refcount_negative);
	maybe_int(j, "skippable", o->skippable);
	json_uint(j, "offlinable", o->offlinable);
	maybe_int(j, "in_file", o->in_file);
	json_arr(j, "ranges");
	for (size_t i = 0; i < o->n; i++) {
		const struct ms_offline_range *r = &o->v[i];

		json_obj(j, NULL);
		json_uint(j, "start_pfn", r->start_pfn);
		json_uint(j, "end_pfn", r->end_pfn);
		json_uint(j, "pages", r->end_pfn - r->start_pfn);
		json_arr(j, "sections");
		json_uint(j, NULL, r->first_section);
		json_uint(j, NULL, r->last_section);
		json_arr_end(j);
		if (r->first_block >= 0) {
			json_arr(j, "memory_blocks");
			json_int(j, NULL, r->first_block);
			json_int(j, NULL, r->last_block);
			json_arr_end(j);
		} else {
			json_null(j, "memory_blocks");
		}
		refcount_json(j, r->refcount, r->refcount_negative);
		maybe_int(j, "skippable", r->skippable);
		json_int(j, "in_going_offline", r->in_going_offline);
		json_uint(j, "refcount_unexpected", r->refcount_unexpected);
		json_uint(j, "offlinable", r->offlinable);
		maybe_int(j, "in_file", r->in_file);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_obj_end(j);
}

void ms_finding_place_json(struct json *j, const struct ms_finding *x)
{
	json_obj(j, "place");
	json_str(j, "kind", ms_place_name(x->place));
	switch (x->place) {
	case MS_PLACE_DUMP:
		break;
	case MS_PLACE_SECTION:
		json_uint(j, "section", x->a);
		break;
	case MS_PLACE_BLOCK:
		json_uint(j, "memory_block", x->a);
		break;
	case MS_PLACE_PFN_RANGE:
		json_uint(j, "start_pfn", x->a);
		json_uint(j, "end_pfn", x->b);
		break;
	case MS_PLACE_ADDRESS:
		json_addr(j, "address", x->a);
		break;
	}
	json_obj_end(j);
}

static void findings_json(struct json *j, const struct ms_findings *f)
{
	json_arr(j, "findings");
	for (size_t i = 0; f && i < f->n; i++) {
		const struct ms_finding *x = &f->v[i];

		json_obj(j, NULL);
		json_str(j, "code", x->code);
		json_str(j, "severity", ms_severity_name(x->severity));
		ms_finding_place_json(j, x);
		json_str(j, "message", x->message);
		json_obj(j, "evidence");
		for (unsigned e = 0; e < x->nev; e++) {
			const struct ms_evidence *ev = &x->ev[e];

			switch (ev->type) {
			case MS_EV_UINT:
				json_uint(j, ev->key, ev->u);
				break;
			case MS_EV_INT:
				json_int(j, ev->key, ev->i);
				break;
			case MS_EV_ADDR:
				json_addr(j, ev->key, ev->u);
				break;
			case MS_EV_STR:
				json_str(j, ev->key, ev->s);
				break;
			}
		}
		json_obj_end(j);
		json_obj_end(j);
	}
	json_arr_end(j);
}

static void errors_json(struct json *j, struct ms_ctx *c)
{
	unsigned kept = c->nerrors < MS_MAX_ERRORS ? c->nerrors : MS_MAX_ERRORS;

	json_bool(j, "partial", ms_ctx_partial(c));
	json_uint(j, "errors_total", c->nerrors);
	json_arr(j, "errors");
	for (unsigned i = 0; i < kept; i++) {
		json_obj(j, NULL);
		json_addr(j, "address", c->errors[i].address);
		json_str(j, "space",
			 c->errors[i].as == MS_PADDR ? "physical" : "virtual");
		json_str(j, "kind", c->errors[i].kind == MS_ERR_INVALID ?
			 "invalid" : "read");
		json_str(j, "what", c->errors[i].what);
		json_obj_end(j);
	}
	json_arr_end(j);
}

static void stats_json(struct json *j, struct ms_ctx *c)
{
	struct ms_offline *o = c->offline;

	json_obj(j, "stats");
	json_uint(j, "pages_scanned", c->pages_scanned);
	if (o && o->seconds > 0) {
		fprintf(j->out, ",\"scan_seconds\":%.3f,\"pages_per_second\":%.0f",
			o->seconds, o->pages_scanned / o->seconds);
	}
	json_obj_end(j);
}

/*
 * The keys every document starts with, whatever the command: schema, tool,
 * command and the dump object.
 */
void ms_json_envelope(struct json *j, struct ms_ctx *c,
		      const struct ms_report_info *ri)
{
	json_str(j, "schema", MS_SCHEMA);
	json_obj(j, "tool");
	json_str(j, "name", "memsect");
	json_str(j, "version", MS_VERSION);
	json_obj_end(j);
	json_str(j, "command", ri->cmd ? ri->cmd->name : NULL);
	json_obj(j, "dump");
	json_str(j, "path", ri->dump_path);
	json_str(j, "format", ri->dump_format);
	json_str(j, "vmlinux", ri->vmlinux_path);
	json_str(j, "vmlinux_source", ri->vmlinux_source);
	json_str(j, "types", ri->types);
	json_str(j, "symbols", ri->symbols);
	json_str(j, "osrelease", c->L.osrelease);
	json_str(j, "build_id", c->L.build_id[0] ? c->L.build_id : NULL);
	/* unknown to front ends that do not read the file (crash) */
	if (c->file_expected) {
		json_uint(j, "file_size", c->file_size);
		json_uint(j, "expected_size", c->file_expected);
		json_bool(j, "truncated", c->truncated);
	} else {
		json_null(j, "file_size");
		json_null(j, "expected_size");
		json_null(j, "truncated");
	}
	json_obj_end(j);
}

void ms_report_json(FILE *out, struct ms_ctx *c, const struct ms_report_info *ri,
		    const struct ms_findings *f)
{
	struct json j;
	unsigned shows = ri->cmd ? ri->cmd->shows : 0;

	json_begin(&j, out);
	json_obj(&j, NULL);
	ms_json_envelope(&j, c, ri);
	layout_json(&j, c);
	if (shows & MS_SHOW_SECTIONS) {
		sections_json(&j, c);
		blocks_json(&j, c);
	}
	if (shows & MS_SHOW_OFFLINE)
		offline_json(&j, c);
	if (shows & MS_SHOW_HVO)
		ms_hvo_json(&j, c);
	findings_json(&j, f);
	errors_json(&j, c);
	stats_json(&j, c);
	json_obj_end(&j);
	json_end(&j);
}
