// SPDX-License-Identifier: GPL-2.0-or-later
/* One pass over the struct pages for every scan that needs them (page_scan.h). */
#include <time.h>

#include "page_scan.h"

#define MAX_VISITORS 2

struct pass {
	struct ms_page_visitor *v;
	bool *failed;
	size_t n;
};

static int fan_out(struct ms_ctx *c, uint64_t pfn, uint64_t n,
		   const unsigned char *buf, void *arg)
{
	struct pass *p = arg;

	for (size_t i = 0; i < p->n; i++)
		if (!p->failed[i] &&
		    p->v[i].pages(c, pfn, n, buf, p->v[i].arg) < 0)
			p->failed[i] = true;
	return 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

void ms_scan_struct_pages(struct ms_ctx *c, unsigned what)
{
	struct ms_page_visitor v[MAX_VISITORS], hv;
	bool failed[MAX_VISITORS] = { false };
	struct pass p = { .v = v, .failed = failed };
	struct ms_sections *secs = ms_get_sections(c);
	struct ms_memmap_pass *pass;
	uint64_t before = c->pages_scanned;
	bool hvo;
	double t0;

	what &= ~c->scans_tried;
	if (!secs || !what)
		return;
	c->scans_tried |= what;
	hvo = (what & MS_SCAN_HVO) && ms_hvo_visitor(c, &hv) == 0;
	/* PageOffline first: the order of the recorded problems is stable */
	if ((what & MS_SCAN_OFFLINE) && ms_offline_visitor(c, &v[p.n], hvo) == 0)
		p.n++;
	if (hvo)
		v[p.n++] = hv;
	if (!p.n)
		return;
	t0 = now();
	pass = ms_memmap_pass_new(c, secs->v, secs->n);
	for (size_t i = 0; i < secs->n; i++) {
		const struct ms_section *s = &secs->v[i];
		bool live = false;

		for (size_t k = 0; k < p.n; k++) {
			if (!failed[k] && v[k].section &&
			    v[k].section(c, s, v[k].arg) < 0)
				failed[k] = true;
			live |= !failed[k];
		}
		if (!live)
			break;
		if (!pass || ms_memmap_pass_section(pass, s, fan_out, &p) < 0) {
			for (size_t k = 0; k < p.n; k++)
				failed[k] = true;	/* out of memory */
			break;
		}
		if (c->progress)
			c->progress(c->progress_arg, i + 1, secs->n);
	}
	ms_memmap_pass_free(pass);
	for (size_t k = 0; k < p.n; k++) {
		if (failed[k])
			ms_ctx_error(c, MS_KVADDR, 0,
				     "the %s scan of the struct pages ran out of memory; its results are missing",
				     v[k].name);
		v[k].finish(c, v[k].arg, failed[k], now() - t0,
			    c->pages_scanned - before);
	}
}
