// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The diskdump (kdump-compressed) format of makedumpfile and QEMU, checked
 * on our side before libkdumpfile opens it (dump_file.h).  The layout
 * (makedumpfile's diskdump_mod.h, QEMU's include/sysemu/dump.h): one block
 * of struct disk_dump_header, sub_hdr_size blocks of struct kdump_sub_header
 * with the ELF notes and VMCOREINFO at absolute offsets, bitmap_blocks
 * blocks of two bitmaps (the second: pfns whose pages are in the file), one
 * struct page_desc {u64 offset; u32 size; u32 flags; u64 page_flags} per
 * such pfn in pfn order, then the page data in the same order.  Zero pages
 * share the descriptor of one zero page, written first.
 *
 * Every descriptor is checked once, reading the table sequentially: one
 * that no dumper writes makes the file unusable (libkdumpfile 0.5.1 copies
 * a compressed page of up to 256 KiB into a page-sized buffer; from 0.5.4,
 * e403ac1, it allocates whatever size a descriptor claims); the pages whose
 * data lies past the end of a cut file become one missing range.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dump_file.h"

#define DDH_HEADER_VERSION 8
#define DDH_BLOCK_SIZE 428
#define DDH_SUB_HDR_SIZE 432
#define DDH_BITMAP_BLOCKS 436
#define DDH_MAX_MAPNR 440
#define DDH_SIZE 464
#define KSH_SPLIT 12
#define KSH_START_PFN 16
#define KSH_END_PFN 24
#define KSH_OFFSET_VMCOREINFO 32
#define KSH_OFFSET_NOTE 48
#define KSH_OFFSET_ERASEINFO 64
#define KSH_START_PFN_64 80
#define KSH_END_PFN_64 88
#define KSH_MAX_MAPNR_64 96
#define KSH_SIZE 104

#define DESC_SIZE 24
#define DESC_BATCH 16384		/* descriptors per read */
#define BITMAP_BATCH (64u << 10)	/* bitmap bytes per read */
/* page_desc.flags: DUMP_DH_COMPRESSED_ZLIB, _LZO, _SNAPPY, _ZSTD */
#define DESC_COMPRESSED (0x1 | 0x2 | 0x4 | 0x20)

struct layout {
	const char *path;
	uint64_t bs, bitmap, nbits, start_pfn, end_pfn, table, ndesc, data;
};

static int cut(const char *path, const char *where, const struct dump_file *df,
	       uint64_t need, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s: truncated inside its %s: %llu of at least %llu bytes",
		 path, where, (unsigned long long)df->size,
		 (unsigned long long)need);
	return -1;
}

/*
 * Call @fn for each pfn of [start_pfn, end_pfn) set in the second bitmap,
 * in order.  Stops at the first nonzero return.
 */
static int each_dumped(struct dump_file *df, const struct layout *l,
		       int (*fn)(struct dump_file *, const struct layout *,
				 uint64_t, void *), void *arg)
{
	unsigned char *buf = malloc(BITMAP_BATCH);
	uint64_t first = l->start_pfn / 8, last = (l->end_pfn + 7) / 8;
	int ret = buf ? 0 : -1;

	for (uint64_t at = first; !ret && at < last; at += BITMAP_BATCH) {
		uint64_t n = last - at < BITMAP_BATCH ? last - at : BITMAP_BATCH;

		if (dump_pread(df->fd, l->bitmap + at, buf, n)) {
			ret = -1;
			break;
		}
		for (uint64_t i = 0; !ret && i < n; i++) {
			for (unsigned b = 0; !ret && buf[i] >> b; b++) {
				uint64_t pfn = (at + i) * 8 + b;

				if (((buf[i] >> b) & 1) && pfn >= l->start_pfn &&
				    pfn < l->end_pfn)
					ret = fn(df, l, pfn, arg);
			}
		}
	}
	free(buf);
	return ret;
}

static int count_one(struct dump_file *df, const struct layout *l,
		     uint64_t pfn, void *arg)
{
	(void)df;
	(void)l;
	(void)pfn;
	++*(uint64_t *)arg;
	return 0;
}

struct scan {
	unsigned char *desc;
	uint64_t next, loaded, base;	/* descriptor index; batch [base, loaded) */
	uint64_t gap_start;		/* first pfn whose data is past the end, or ~0 */
	uint64_t gap_last;		/* last dumped pfn since */
	char *err;
	size_t errlen;
};

/* The missing pages of a cut file: one range, up to the last dumped pfn. */
static int close_gap(struct dump_file *df, struct scan *s)
{
	if (s->gap_start == ~0ULL)
		return 0;
	return dump_file_add_gap(df, s->gap_start * df->page_size,
				 (s->gap_last + 1) * df->page_size);
}

static int check_one(struct dump_file *df, const struct layout *l,
		     uint64_t pfn, void *arg)
{
	struct scan *s = arg;
	const unsigned char *d;
	uint64_t off, size, flags, end;
	const char *why = NULL;

	if (s->next == s->loaded) {
		uint64_t n = l->ndesc - s->next;

		if (n > DESC_BATCH)
			n = DESC_BATCH;
		if (dump_pread(df->fd, l->table + s->next * DESC_SIZE, s->desc,
			       n * DESC_SIZE))
			return -1;
		s->base = s->next;
		s->loaded = s->next + n;
	}
	d = s->desc + (s->next - s->base) * DESC_SIZE;
	off = dump_le(d, 8);
	size = dump_le(d + 8, 4);
	flags = dump_le(d + 12, 4);
	s->next++;
	if (flags & DESC_COMPRESSED) {
		if (size == 0 || size > l->bs)
			why = "compressed size";
	} else if (size != l->bs) {
		why = "page size";
	}
	if (!why && (off < l->data || __builtin_add_overflow(off, size, &end)))
		why = "data offset";
	if (why) {
		snprintf(s->err, s->errlen,
			 "%s: corrupt kdump page descriptor for pfn %llu (%s: offset %llu, size %llu, flags 0x%llx)",
			 l->path, (unsigned long long)pfn, why,
			 (unsigned long long)off, (unsigned long long)size,
			 (unsigned long long)flags);
		return 1;
	}
	if (end > df->expected)
		df->expected = end;
	if (end > df->size) {
		if (s->gap_start == ~0ULL)
			s->gap_start = pfn;
		s->gap_last = pfn;
		return 0;
	}
	/* the shared zero page, the first data in the file */
	if (off == l->data) {
		if (s->gap_start != ~0ULL)
			s->gap_last = pfn;
		return 0;
	}
	/*
	 * Dumpers write page data in pfn order: in a cut file every page
	 * after the first missing one is missing too.  A page in the file
	 * after a missing one means the missing one's descriptor is corrupt.
	 */
	if (s->gap_start != ~0ULL) {
		snprintf(s->err, s->errlen,
			 "%s: corrupt kdump page descriptor for pfn %llu (its data lies past the end of the file, pfn %llu's does not)",
			 l->path, (unsigned long long)s->gap_start,
			 (unsigned long long)pfn);
		return 1;
	}
	return 0;
}

static int check_header(struct dump_file *df, struct layout *l, char *err,
			size_t errlen)
{
	unsigned char h[DDH_SIZE], sh[KSH_SIZE];
	uint64_t sub, bmp, version, max_pfn, meta, end;

	if (df->size < DDH_SIZE || dump_pread(df->fd, 0, h, sizeof(h)))
		return cut(l->path, "kdump header", df, DDH_SIZE, err, errlen);
	version = dump_le(h + DDH_HEADER_VERSION, 4);
	l->bs = dump_le(h + DDH_BLOCK_SIZE, 4);
	sub = dump_le(h + DDH_SUB_HDR_SIZE, 4);
	bmp = dump_le(h + DDH_BITMAP_BLOCKS, 4);
	/* libkdumpfile's limits: MIN_PAGE_SIZE 4 KiB, MAX_PAGE_SIZE 256 KiB */
	if (l->bs < 4096 || l->bs > (256u << 10) || (l->bs & (l->bs - 1)) ||
	    sub == 0 || sub > (1u << 20) || bmp < 2 || bmp % 2) {
		snprintf(err, errlen, "%s: corrupt kdump header (block size %llu, sub-header %llu blocks, bitmap %llu blocks)",
			 l->path, (unsigned long long)l->bs,
			 (unsigned long long)sub, (unsigned long long)bmp);
		return -1;
	}
	if (df->size < l->bs * (1 + sub))
		return cut(l->path, "kdump sub-header", df, l->bs * (1 + sub),
			   err, errlen);
	if (dump_pread(df->fd, l->bs, sh, sizeof(sh)))
		return -1;
	/*
	 * VMCOREINFO (read by libkdumpfile for header version 3), the ELF notes
	 * and the erase info (both read from version 4 on) must be in the file.
	 */
	for (unsigned k = 0; k < 3; k++) {
		static const size_t at[] = { KSH_OFFSET_VMCOREINFO, KSH_OFFSET_NOTE,
					     KSH_OFFSET_ERASEINFO };
		static const char *const what[] = { "VMCOREINFO", "ELF notes",
						    "erase info" };
		uint64_t off = dump_le(sh + at[k], 8), len = dump_le(sh + at[k] + 8, 8);

		if (version < (k ? 4 : 3) || !len)
			continue;
		if (__builtin_add_overflow(off, len, &end) || end > df->size)
			return cut(l->path, what[k], df, end, err, errlen);
	}
	/*
	 * libkdumpfile takes the second bitmap only when max_pfn fits in it;
	 * else it reads both halves as one bitmap and every descriptor index
	 * shifts (pages of other pfns returned as KDUMP_OK).
	 */
	max_pfn = version >= 6 ? dump_le(sh + KSH_MAX_MAPNR_64, 8) :
				 dump_le(h + DDH_MAX_MAPNR, 4);
	l->nbits = bmp * l->bs * 4;
	if (max_pfn == 0 || max_pfn > l->nbits) {
		snprintf(err, errlen, "%s: corrupt kdump header: max_mapnr %llu does not fit its bitmap of %llu pfns",
			 l->path, (unsigned long long)max_pfn,
			 (unsigned long long)l->nbits);
		return -1;
	}
	l->start_pfn = 0;
	l->end_pfn = l->nbits;
	/* a split dump (makedumpfile --split) holds [start_pfn, end_pfn) */
	if (version >= 2 && dump_le(sh + KSH_SPLIT, 4)) {
		l->start_pfn = dump_le(sh + (version >= 6 ? KSH_START_PFN_64 :
					     KSH_START_PFN), 8);
		l->end_pfn = dump_le(sh + (version >= 6 ? KSH_END_PFN_64 :
					   KSH_END_PFN), 8);
		if (l->start_pfn >= l->end_pfn || l->end_pfn > l->nbits) {
			snprintf(err, errlen, "%s: corrupt kdump sub-header: split pfn range %llu-%llu",
				 l->path, (unsigned long long)l->start_pfn,
				 (unsigned long long)l->end_pfn);
			return -1;
		}
	}
	meta = l->bs * (1 + sub + bmp);
	if (df->size < meta)
		return cut(l->path, "kdump bitmaps", df, meta, err, errlen);
	l->bitmap = l->bs * (1 + sub + bmp / 2);
	l->table = meta;
	return 0;
}

int diskdump_check(struct dump_file *df, const char *path, char *err,
		   size_t errlen)
{
	struct layout l = { .path = path };
	struct scan s = { .gap_start = ~0ULL, .err = err, .errlen = errlen };
	int r;

	df->diskdump = true;
	if (check_header(df, &l, err, errlen))
		return -1;
	df->page_size = l.bs;
	if (each_dumped(df, &l, count_one, &l.ndesc)) {
		snprintf(err, errlen, "%s: cannot read its kdump bitmap", path);
		return -1;
	}
	if ((df->size - l.table) / DESC_SIZE < l.ndesc)
		return cut(path, "page descriptor table", df,
			   l.table + l.ndesc * DESC_SIZE, err, errlen);
	l.data = l.table + l.ndesc * DESC_SIZE;
	df->expected = l.data;
	s.desc = malloc(DESC_BATCH * DESC_SIZE);
	r = s.desc ? each_dumped(df, &l, check_one, &s) : -1;
	if (!r)
		r = close_gap(df, &s);
	free(s.desc);
	if (r < 0)
		snprintf(err, errlen, "%s: cannot read its kdump page descriptors",
			 path);
	return r ? -1 : 0;
}
