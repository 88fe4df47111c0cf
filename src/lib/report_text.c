// SPDX-License-Identifier: GPL-2.0-or-later
/* The human-readable report. */
#include <inttypes.h>
#include <string.h>

#include "memsect/blocks.h"
#include "memsect/command.h"
#include "memsect/offline.h"
#include "report_hvo.h"
#include "memsect/pagetype.h"
#include "memsect/report.h"
#include "memsect/sections.h"

/* One letter per flag, as crash's "kmem -n" prints them (P M O E D). */
static void flag_letters(const struct ms_section *s, char *buf)
{
	static const char letters[MS_SECTION_NFLAGS] = {
#define MS_SECTION_FLAG(name, enumerator, old_bit, json, letter) \
		[MS_SECTION_##name] = letter,
#include "memsect/kernel_defines.def"
	};
	int n = 0;

	for (int f = 0; f < MS_SECTION_NFLAGS; f++)
		if (ms_section_has(s, f))
			buf[n++] = letters[f];
	buf[n] = 0;
}

static void sections_text(FILE *out, struct ms_ctx *c)
{
	struct ms_sections *s = ms_get_sections(c);
	struct ms_blocks *b = ms_get_blocks(c);

	if (!s)
		return;
	fprintf(out, "%8s  %-25s %-6s %-18s %-18s %-11s %-18s %s\n", "SECTION",
		"PFN RANGE", "FLAGS", "MEM_MAP", "PAGE_EXT", "STATE", "TABLE",
		"BLOCK");
	for (size_t i = 0; i < s->n; i++) {
		const struct ms_section *x = &s->v[i];
		const struct ms_block *blk = ms_block_of_section(c, b, x->nr);
		char flags[MS_SECTION_NFLAGS + 1], range[40], blkbuf[24];

		flag_letters(x, flags);
		snprintf(range, sizeof(range), "0x%" PRIx64 "-0x%" PRIx64,
			 x->start_pfn, x->end_pfn);
		if (blk)
			snprintf(blkbuf, sizeof(blkbuf), "%" PRIu64 " %s",
				 blk->id, ms_block_state_name(blk->state));
		else
			snprintf(blkbuf, sizeof(blkbuf), "-");
		fprintf(out, "%8" PRIu64 "  %-25s %-6s 0x%016" PRIx64
			" 0x%016" PRIx64 " %-11s ",
			x->nr, range, flags, x->mem_map, x->page_ext_raw,
			ms_page_ext_state_name(x->pe_state));
		if (x->pe_state == MS_PE_UNREADABLE)
			fprintf(out, "unreadable at 0x%" PRIx64, x->pe_fail_addr);
		else if (x->page_ext_table)
			fprintf(out, "0x%016" PRIx64, x->page_ext_table);
		else
			fprintf(out, "%-18s", "-");
		fprintf(out, " %s\n", blkbuf);
	}
	fprintf(out, "flags: P present, M has mem_map, O online, E early, D zone device\n");
	fprintf(out, "summary: %zu present sections, %u online",
		s->n, s->online);
	fprintf(out, "; page_ext: valid %u, null %u, invalidated %u, unreadable %u",
		s->pe_count[MS_PE_VALID], s->pe_count[MS_PE_NULL],
		s->pe_count[MS_PE_INVALIDATED], s->pe_count[MS_PE_UNREADABLE]);
	if (s->pe_count[MS_PE_IMPLAUSIBLE])
		fprintf(out, ", implausible %u", s->pe_count[MS_PE_IMPLAUSIBLE]);
	if (s->pe_count[MS_PE_ABSENT])
		fprintf(out, ", absent (no CONFIG_PAGE_EXTENSION) %u",
			s->pe_count[MS_PE_ABSENT]);
	fputc('\n', out);
	if (b && b->available)
		fprintf(out, "memory blocks: %zu of %" PRIu64 " MiB%s\n", b->n,
			b->block_size >> 20,
			b->complete ? "" : " (incomplete: unreadable xarray nodes)");
	else
		fprintf(out, "memory blocks: not available in this dump\n");
}

static void offline_text(FILE *out, struct ms_ctx *c)
{
	struct ms_offline *o = ms_get_offline(c);

	if (!o)
		return;
	fprintf(out, "PageOffline encoding: %s (%s)%s\n",
		ms_pagetype_scheme_name(c->L.pgtype),
		c->L.offline_from_vmcoreinfo ? "VMCOREINFO" : "debug info",
		c->L.pg_offline_skippable >= 0 ?
			", PG_offline_skippable present" :
			", no PG_offline_skippable");
	fprintf(out, "%-25s %8s %-13s %-11s %-24s %9s %10s %8s\n", "PFN RANGE",
		"PAGES", "SECTIONS", "BLOCKS", "REFCOUNT 0/1/2/>=3",
		"SKIPPABLE", "OFFLINABLE", "IN_FILE");
	for (size_t i = 0; i < o->n; i++) {
		const struct ms_offline_range *r = &o->v[i];
		char range[40], secs[32], blks[32], refs[48], skip[24], inf[24];

		snprintf(range, sizeof(range), "0x%" PRIx64 "-0x%" PRIx64,
			 r->start_pfn, r->end_pfn);
		snprintf(secs, sizeof(secs), "%" PRIu64 "-%" PRIu64,
			 r->first_section, r->last_section);
		if (r->first_block >= 0)
			snprintf(blks, sizeof(blks), "%" PRId64 "-%" PRId64,
				 r->first_block, r->last_block);
		else
			snprintf(blks, sizeof(blks), "-");
		snprintf(refs, sizeof(refs), "%" PRIu64 "/%" PRIu64 "/%" PRIu64
			 "/%" PRIu64, r->refcount[0], r->refcount[1],
			 r->refcount[2], r->refcount[3]);
		if (r->skippable >= 0)
			snprintf(skip, sizeof(skip), "%" PRId64, r->skippable);
		else
			snprintf(skip, sizeof(skip), "n/a");
		if (r->in_file >= 0)
			snprintf(inf, sizeof(inf), "%" PRId64, r->in_file);
		else
			snprintf(inf, sizeof(inf), "unknown");
		fprintf(out, "%-25s %8" PRIu64 " %-13s %-11s %-24s %9s %10" PRIu64
			" %8s\n", range, r->end_pfn - r->start_pfn, secs, blks,
			refs, skip, r->offlinable, inf);
	}
	fprintf(out, "summary: %" PRIu64 " PageOffline pages in %zu ranges; refcount 0: %" PRIu64
		", 1: %" PRIu64 ", 2: %" PRIu64 ", >=3: %" PRIu64 "\n",
		o->pages, o->n, o->refcount[0], o->refcount[1], o->refcount[2],
		o->refcount[3]);
	if (o->in_file >= 0)
		fprintf(out, "dump file holds the contents of %" PRId64
			" PageOffline pages\n", o->in_file);
	else
		fprintf(out, "dump file contents of PageOffline pages: unknown (no page map)\n");
	if (o->seconds > 0)
		fprintf(out, "scanned %" PRIu64 " struct pages in %.3f s (%.0f pages/s)\n",
			o->pages_scanned, o->seconds,
			o->pages_scanned / o->seconds);
}

static void evidence_text(FILE *out, const struct ms_finding *x)
{
	fprintf(out, "          %s", ms_place_name(x->place));
	switch (x->place) {
	case MS_PLACE_DUMP:
		break;
	case MS_PLACE_SECTION:
	case MS_PLACE_BLOCK:
		fprintf(out, " %" PRIu64, x->a);
		break;
	case MS_PLACE_PFN_RANGE:
		fprintf(out, " 0x%" PRIx64 "-0x%" PRIx64, x->a, x->b);
		break;
	case MS_PLACE_ADDRESS:
		fprintf(out, " 0x%" PRIx64, x->a);
		break;
	}
	for (unsigned e = 0; e < x->nev; e++) {
		const struct ms_evidence *ev = &x->ev[e];

		switch (ev->type) {
		case MS_EV_UINT:
			fprintf(out, " %s=%" PRIu64, ev->key, ev->u);
			break;
		case MS_EV_INT:
			fprintf(out, " %s=%" PRId64, ev->key, ev->i);
			break;
		case MS_EV_ADDR:
			fprintf(out, " %s=0x%" PRIx64, ev->key, ev->u);
			break;
		case MS_EV_STR:
			fprintf(out, " %s=%s", ev->key, ev->s);
			break;
		}
	}
	fputc('\n', out);
}

/*
 * A check that finds the same problem in many places (PAGEOFFLINE_IN_DUMP
 * per PageOffline range) adds one finding per place, one after the other:
 * the text shows them as one finding with one evidence line per place (the
 * JSON keeps each finding).
 */
static size_t same_code_run(const struct ms_findings *f, size_t i)
{
	size_t j = i + 1;

	while (j < f->n && f->v[j].id == f->v[i].id)
		j++;
	return j - i;
}

static const char *places_name(enum ms_place_kind k)
{
	switch (k) {
	case MS_PLACE_SECTION:
		return "sections";
	case MS_PLACE_BLOCK:
		return "memory blocks";
	case MS_PLACE_PFN_RANGE:
		return "pfn ranges";
	case MS_PLACE_ADDRESS:
		return "addresses";
	case MS_PLACE_DUMP:
		break;
	}
	return "places";
}

static void findings_text(FILE *out, const struct ms_findings *f)
{
	if (!f->n) {
		fprintf(out, "findings: none\n");
		return;
	}
	fprintf(out, "findings:\n");
	for (size_t i = 0; i < f->n;) {
		const struct ms_finding *x = &f->v[i];
		size_t n = same_code_run(f, i);

		if (n == 1)
			fprintf(out, "  %-7s %-24s %s\n", ms_severity_name(x->severity),
				x->code, x->message);
		else
			fprintf(out, "  %-7s %-24s in %zu %s; the first: %s\n",
				ms_severity_name(x->severity), x->code, n,
				places_name(x->place), x->message);
		for (size_t k = i; k < i + n; k++)
			evidence_text(out, &f->v[k]);
		i += n;
	}
}

void ms_report_text(FILE *out, struct ms_ctx *c, const struct ms_report_info *ri,
		    const struct ms_findings *f)
{
	unsigned shows = ri->cmd ? ri->cmd->shows : 0;

	/* Outputs of many dumps may be read one after the other. */
	if (ri->dump_path)
		fprintf(out, "dump %s%s%s%s\n", ri->dump_path,
			ri->dump_format ? " (" : "",
			ri->dump_format ? ri->dump_format : "",
			ri->dump_format ? ")" : "");
	fprintf(out, "kernel %s%s%s\n", c->L.osrelease[0] ? c->L.osrelease : "?",
		c->L.build_id[0] ? ", build id " : "", c->L.build_id);
	if (!(shows & MS_SHOW_SUMMARY)) {
		if (shows & MS_SHOW_SECTIONS)
			sections_text(out, c);
		if (shows & MS_SHOW_OFFLINE)
			offline_text(out, c);
		if (shows & MS_SHOW_HVO)
			ms_hvo_text(out, c);
	} else {
		struct ms_sections *s = ms_get_sections(c);
		struct ms_offline *o = ms_get_offline(c);

		if (s)
			fprintf(out, "sections: %zu present, %u online; page_ext valid %u, null %u, invalidated %u, unreadable %u\n",
				s->n, s->online, s->pe_count[MS_PE_VALID],
				s->pe_count[MS_PE_NULL],
				s->pe_count[MS_PE_INVALIDATED],
				s->pe_count[MS_PE_UNREADABLE]);
		if (o)
			fprintf(out, "PageOffline: %" PRIu64 " pages in %zu ranges\n",
				o->pages, o->n);
		if (shows & MS_SHOW_HVO)
			ms_hvo_text_summary(out, c);
	}
	findings_text(out, f);
	if (c->truncated)
		fprintf(out, "partial: the dump file is truncated (%" PRIu64 " of %" PRIu64 " bytes)\n",
			c->file_size, c->file_expected);
	if (c->nerrors)
		fprintf(out, "partial: %u reads failed, %u values invalid; first at 0x%" PRIx64 " (%s)\n",
			ms_ctx_read_errors(c), c->ninvalid, c->errors[0].address,
			c->errors[0].what);
}
