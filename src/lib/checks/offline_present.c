// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * PAGEOFFLINE_PRESENT: the dump has PageOffline pages (balloon inflated,
 * virtio-mem unplugged parts, hot-added memory not yet onlined on 6.12+).
 * Informational; the ranges are in the offline report.
 */
#include "memsect/findings.h"
#include "memsect/offline.h"
#include "memsect/pagetype.h"

void ms_check_offline_present(struct ms_ctx *c, struct ms_findings *f)
{
	struct ms_offline *o = ms_get_offline(c);
	struct ms_finding *x;

	if (!o || !o->pages)
		return;
	x = ms_finding_add(f, MS_F_PAGEOFFLINE_PRESENT, 0, 0,
			   "%llu PageOffline pages in %zu ranges",
			   (unsigned long long)o->pages, o->n);
	ms_ev_uint(x, MS_K_pages, o->pages);
	ms_ev_uint(x, MS_K_ranges, o->n);
	ms_ev_str(x, MS_K_page_type_scheme, ms_pagetype_scheme_name(c->L.pgtype));
}
