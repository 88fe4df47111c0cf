// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Read a section's struct pages in bulk.  With the page tables known
 * (pgtable.h) the vmemmap is translated once per page-table leaf (a 2 MiB
 * PMD covers a whole 128 MiB section of 64-byte struct pages) and physically
 * contiguous runs are read in one call; HVO's 4 KiB PTE aliases simply make
 * shorter runs.  Without them the target translates large virtual reads
 * itself.  Unreadable 4 KiB vmemmap pages are recorded
 * once per run and their struct pages skipped.
 */
#include <stdlib.h>
#include <string.h>

#include "memsect/pages.h"
#include "pgtable.h"

#define VMEMMAP_GRAIN 4096ULL		/* smallest vmemmap mapping */
#define KV_CHUNK (256ULL << 10)

struct fill {
	struct ms_ctx *c;
	uint64_t va0;
	unsigned char *buf;
	unsigned char *bad;	/* one byte per VMEMMAP_GRAIN */
	uint64_t len;
};

static void mark_bad(struct fill *f, uint64_t from, uint64_t to)
{
	for (uint64_t g = from / VMEMMAP_GRAIN;
	     g < (to + VMEMMAP_GRAIN - 1) / VMEMMAP_GRAIN; g++)
		f->bad[g] = 1;
}

/* Read [off, off+n) of the vmemmap window at physical @pa. */
static void read_phys(struct fill *f, uint64_t off, uint64_t pa, uint64_t n)
{
	uint64_t bad;

	if (ms_read_quiet(f->c, MS_PADDR, pa, f->buf + off, n, &bad) == 0)
		return;
	ms_ctx_error(f->c, MS_PADDR, bad, "struct pages at vmemmap 0x%llx",
		     (unsigned long long)(f->va0 + off + (bad - pa)));
	mark_bad(f, off + (bad - pa), off + n);
}

static void fill_vtop(struct fill *f)
{
	uint64_t off = 0;

	while (off < f->len) {
		uint64_t va = f->va0 + off, pa, run, next_pa;
		struct ms_pte leaf;
		int ret = ms_vtop(f->c, va, &pa, &leaf);

		if (ret) {
			uint64_t end = (va & ~(VMEMMAP_GRAIN - 1)) + VMEMMAP_GRAIN;

			/* Bad tables (MS_ERROR) are recorded by the walk. */
			if (ret == MS_ABSENT)
				ms_ctx_error(f->c, MS_KVADDR, va,
					     "vmemmap not mapped (struct pages)");
			mark_bad(f, off, end - f->va0);
			off = end - f->va0;
			continue;
		}
		if (!leaf.leaf_size || leaf.leaf_size & (leaf.leaf_size - 1))
			leaf.leaf_size = VMEMMAP_GRAIN;
		run = ((va & ~(leaf.leaf_size - 1)) + leaf.leaf_size) - va;
		if (run > f->len - off)
			run = f->len - off;
		/* Extend over following leaves that continue physically. */
		while (off + run < f->len) {
			uint64_t nva = va + run, more;

			if (ms_vtop(f->c, nva, &next_pa, &leaf) ||
			    next_pa != pa + run)
				break;
			if (!leaf.leaf_size ||
			    leaf.leaf_size & (leaf.leaf_size - 1))
				leaf.leaf_size = VMEMMAP_GRAIN;
			more = ((nva & ~(leaf.leaf_size - 1)) + leaf.leaf_size) - nva;
			if (more > f->len - off - run)
				more = f->len - off - run;
			run += more;
		}
		read_phys(f, off, pa, run);
		off += run;
	}
}

static void fill_kv(struct fill *f)
{
	uint64_t off = 0;

	while (off < f->len) {
		uint64_t n = f->len - off < KV_CHUNK ? f->len - off : KV_CHUNK;
		uint64_t bad, end;

		if (ms_read_quiet(f->c, MS_KVADDR, f->va0 + off, f->buf + off,
				  n, &bad) == 0) {
			off += n;
			continue;
		}
		end = (bad & ~(VMEMMAP_GRAIN - 1)) + VMEMMAP_GRAIN;
		ms_ctx_error(f->c, MS_KVADDR, bad, "struct pages");
		mark_bad(f, bad - f->va0, end - f->va0);
		off = end - f->va0;
	}
}

static int page_bad(const struct fill *f, uint64_t i, size_t psz)
{
	uint64_t a = i * psz, b = a + psz - 1;

	return f->bad[a / VMEMMAP_GRAIN] || f->bad[b / VMEMMAP_GRAIN];
}

/*
 * Struct pages held at once: 2 MiB of vmemmap (one PMD, a whole 128 MiB
 * section), so the buffer never grows with a section size read from the
 * dump (NUMBER(SECTION_SIZE_BITS) of 40 would ask for 16 GiB at once).
 */
#define WINDOW_BYTES (2ULL << 20)

/* The @n struct pages of pfns [pfn, pfn + n) at vmemmap @va0, in f's buffers. */
static int scan_window(struct fill *f, uint64_t pfn, uint64_t n, ms_pages_fn fn,
		       void *arg)
{
	struct ms_ctx *c = f->c;
	size_t psz = c->L.page_struct_size;
	uint64_t i = 0;
	int ret = 0;

	memset(f->bad, 0, f->len / VMEMMAP_GRAIN + 2);
	if (ms_vtop_available(c))
		fill_vtop(f);
	else
		fill_kv(f);
	while (i < n && ret == 0) {
		uint64_t j;

		if (page_bad(f, i, psz)) {
			i++;
			continue;
		}
		for (j = i; j < n && !page_bad(f, j, psz); j++)
			;
		c->pages_scanned += j - i;
		ret = fn(c, pfn + i, j - i, f->buf + i * psz, arg);
		i = j;
	}
	return ret;
}

int ms_for_each_page_chunk(struct ms_ctx *c, const struct ms_section *s,
			   ms_pages_fn fn, void *arg)
{
	size_t psz = c->L.page_struct_size;
	uint64_t n = s->end_pfn - s->start_pfn, win = WINDOW_BYTES / psz;
	struct fill f = { .c = c };
	int ret = 0;

	if (!s->mem_map)
		return 0;
	f.buf = malloc(win * psz);
	f.bad = malloc(win * psz / VMEMMAP_GRAIN + 2);
	if (!f.buf || !f.bad) {
		free(f.buf);
		free(f.bad);
		return MS_ERROR;
	}
	for (uint64_t done = 0; done < n && ret == 0; done += win) {
		uint64_t k = n - done < win ? n - done : win;

		f.va0 = s->mem_map + done * psz;
		f.len = k * psz;
		ret = scan_window(&f, s->start_pfn + done, k, fn, arg);
	}
	free(f.buf);
	free(f.bad);
	return ret;
}
