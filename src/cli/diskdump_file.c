// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The diskdump (kdump-compressed) format of makedumpfile and QEMU, checked
 * on our side (dump_file.h).  The layout (makedumpfile's diskdump_mod.h,
 * QEMU's include/sysemu/dump.h): one block of struct disk_dump_header,
 * sub_hdr_size blocks of struct kdump_sub_header with the ELF notes and
 * VMCOREINFO at absolute offsets, bitmap_blocks blocks of two bitmaps (the
 * second: pfns whose pages are in the file), one struct page_desc {u64
 * offset; u32 size; u32 flags; u64 page_flags} per such pfn in pfn order
 * (a pfn's descriptor index is its rank in the second bitmap), then the page
 * data.  Zero pages share the descriptor of one zero page, written first.
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
#define DESC_BATCH 4096			/* descriptors per read */
#define CHUNK_BYTES 4096u		/* bitmap bytes per rank entry */
#define CHUNK_BITS (CHUNK_BYTES * 8ULL)
/* page_desc.flags: DUMP_DH_COMPRESSED_ZLIB, _LZO, _SNAPPY, _ZSTD */
#define DESC_COMPRESSED (0x1 | 0x2 | 0x4 | 0x20)

static int cut(const char *path, const char *where, const struct dump_file *df,
	       uint64_t need, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s: truncated inside its %s: %llu of at least %llu bytes",
		 path, where, (unsigned long long)df->size,
		 (unsigned long long)need);
	return -1;
}

/* Bytes of bitmap chunk @nr, cached; NULL on a read error. */
static const unsigned char *chunk(struct dump_file *df, uint64_t nr)
{
	struct diskdump_index *dd = &df->dd;
	uint64_t off = nr * CHUNK_BYTES, len = (dd->nbits + 7) / 8 - off;

	if (dd->chunk_nr == nr)
		return dd->chunk;
	if (len > CHUNK_BYTES)
		len = CHUNK_BYTES;
	memset(dd->chunk, 0, CHUNK_BYTES);
	if (dump_pread(df->fd, dd->bitmap + off, dd->chunk, len))
		return NULL;
	dd->chunk_nr = nr;
	return dd->chunk;
}

static int bit(const unsigned char *c, uint64_t i)
{
	return (c[i / 8] >> (i % 8)) & 1;
}

/* Set bits [lo, hi) of a chunk. */
static uint64_t count_bits(const unsigned char *c, uint64_t lo, uint64_t hi)
{
	uint64_t n = 0;

	for (; lo < hi && lo % 8; lo++)
		n += (uint64_t)bit(c, lo);
	for (; hi - lo >= 8 && lo < hi; lo += 8)
		n += (uint64_t)__builtin_popcount(c[lo / 8]);
	for (; lo < hi; lo++)
		n += (uint64_t)bit(c, lo);
	return n;
}

/* Set bits of the second bitmap in [start_pfn, pfn). */
static int rank_of(struct dump_file *df, uint64_t pfn, uint64_t *rank)
{
	struct diskdump_index *dd = &df->dd;
	uint64_t nr = pfn / CHUNK_BITS, from = nr * CHUNK_BITS;
	const unsigned char *c = chunk(df, nr);

	if (!c)
		return -1;
	if (from < dd->start_pfn)
		from = dd->start_pfn;
	*rank = dd->rank[nr] + count_bits(c, from - nr * CHUNK_BITS,
					  pfn - nr * CHUNK_BITS);
	return 0;
}

/* One pass over the second bitmap: rank per chunk, descriptor count. */
static int build_ranks(struct dump_file *df)
{
	struct diskdump_index *dd = &df->dd;
	uint64_t n = 0;

	dd->nchunks = (dd->nbits + CHUNK_BITS - 1) / CHUNK_BITS;
	dd->rank = calloc(dd->nchunks + 1, sizeof(*dd->rank));
	dd->chunk = malloc(CHUNK_BYTES);
	dd->desc = malloc(DESC_BATCH * DESC_SIZE);
	dd->chunk_nr = ~0ULL;
	if (!dd->rank || !dd->chunk || !dd->desc)
		return -1;
	for (uint64_t nr = 0; nr < dd->nchunks; nr++) {
		const unsigned char *c = chunk(df, nr);
		uint64_t lo = nr * CHUNK_BITS, hi = lo + CHUNK_BITS;

		if (!c)
			return -1;
		dd->rank[nr] = n;
		if (lo < dd->start_pfn)
			lo = dd->start_pfn;
		if (hi > dd->end_pfn)
			hi = dd->end_pfn;
		if (lo < hi)
			n += count_bits(c, lo - nr * CHUNK_BITS,
					hi - nr * CHUNK_BITS);
	}
	dd->ndesc = n;
	return 0;
}

static const char *bad_desc(const struct dump_file *df, const unsigned char *d)
{
	uint64_t off = dump_le(d, 8), size = dump_le(d + 8, 4);
	uint64_t flags = dump_le(d + 12, 4), end;

	if (flags & DESC_COMPRESSED) {
		if (size == 0 || size > df->dd.block_size)
			return "corrupt kdump page descriptor (compressed size)";
	} else if (size != df->dd.block_size) {
		return "corrupt kdump page descriptor (page size)";
	}
	if (off < df->dd.data || __builtin_add_overflow(off, size, &end))
		return "corrupt kdump page descriptor (offset)";
	if (end > df->size)
		return "past the end of the truncated dump file";
	return NULL;
}

bool diskdump_pfns_ok(struct dump_file *df, uint64_t pfn, uint64_t n,
		      uint64_t *good, const char **why)
{
	struct diskdump_index *dd = &df->dd;
	uint64_t rank, done = 0;

	*good = 0;
	/* pfns outside the file: libkdumpfile reports them itself */
	if (pfn >= dd->end_pfn || pfn < dd->start_pfn) {
		*good = n;
		return true;
	}
	if (n > dd->end_pfn - pfn)
		n = dd->end_pfn - pfn;
	if (rank_of(df, pfn, &rank)) {
		*why = "cannot read the kdump bitmap";
		return false;
	}
	while (done < n) {
		uint64_t idx[DESC_BATCH], pfns[DESC_BATCH], k = 0;

		/* the next run of pfns, up to DESC_BATCH of them in the file */
		for (; done < n && k < DESC_BATCH; done++) {
			const unsigned char *c = chunk(df, (pfn + done) / CHUNK_BITS);

			if (!c) {
				*why = "cannot read the kdump bitmap";
				return false;
			}
			if (!bit(c, (pfn + done) % CHUNK_BITS))
				continue;
			pfns[k] = pfn + done;
			idx[k++] = rank++;
		}
		if (k && dump_pread(df->fd, dd->table + idx[0] * DESC_SIZE,
				    dd->desc, k * DESC_SIZE)) {
			*good = pfns[0] - pfn;
			*why = "cannot read the kdump page descriptors";
			return false;
		}
		for (uint64_t i = 0; i < k; i++) {
			*why = bad_desc(df, dd->desc + i * DESC_SIZE);
			if (*why) {
				*good = pfns[i] - pfn;
				return false;
			}
		}
	}
	*good = n;
	return true;
}

/* The end of the page data: the last descriptor that is not the zero page's. */
static uint64_t data_end(struct dump_file *df)
{
	struct diskdump_index *dd = &df->dd;
	unsigned char first[DESC_SIZE];
	uint64_t zero_off, end, i = dd->ndesc;

	if (!i || dump_pread(df->fd, dd->table, first, DESC_SIZE))
		return 0;
	zero_off = dump_le(first, 8);
	end = zero_off + dump_le(first + 8, 4);
	while (i > 0) {
		uint64_t n = i < DESC_BATCH ? i : DESC_BATCH;

		i -= n;
		if (dump_pread(df->fd, dd->table + i * DESC_SIZE, dd->desc,
			       n * DESC_SIZE))
			return end;
		for (uint64_t k = n; k-- > 0;) {
			const unsigned char *d = dd->desc + k * DESC_SIZE;
			uint64_t off = dump_le(d, 8), e = off + dump_le(d + 8, 4);

			if (off == zero_off)
				continue;
			return e > end && e >= off ? e : end;
		}
	}
	return end;
}

int diskdump_check(struct dump_file *df, const char *path, char *err,
		   size_t errlen)
{
	struct diskdump_index *dd = &df->dd;
	unsigned char h[DDH_SIZE], sh[KSH_SIZE];
	uint64_t bs, sub, bmp, version, max_pfn, meta, end;

	df->diskdump = true;
	dd->chunk_nr = ~0ULL;
	if (df->size < DDH_SIZE || dump_pread(df->fd, 0, h, sizeof(h)))
		return cut(path, "kdump header", df, DDH_SIZE, err, errlen);
	version = dump_le(h + DDH_HEADER_VERSION, 4);
	bs = dump_le(h + DDH_BLOCK_SIZE, 4);
	sub = dump_le(h + DDH_SUB_HDR_SIZE, 4);
	bmp = dump_le(h + DDH_BITMAP_BLOCKS, 4);
	/* libkdumpfile's limits: MIN_PAGE_SIZE 4 KiB, MAX_PAGE_SIZE 256 KiB */
	if (bs < 4096 || bs > (256u << 10) || (bs & (bs - 1)) || sub == 0 ||
	    sub > (1u << 20) || bmp < 2 || bmp % 2) {
		snprintf(err, errlen, "%s: corrupt kdump header (block size %llu, sub-header %llu blocks, bitmap %llu blocks)",
			 path, (unsigned long long)bs, (unsigned long long)sub,
			 (unsigned long long)bmp);
		return -1;
	}
	dd->block_size = bs;
	if (df->size < bs * (1 + sub))
		return cut(path, "kdump sub-header", df, bs * (1 + sub), err,
			   errlen);
	if (dump_pread(df->fd, bs, sh, sizeof(sh)))
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
			return cut(path, what[k], df, end, err, errlen);
	}
	/*
	 * libkdumpfile takes the second bitmap only when max_pfn fits in it;
	 * else it reads both halves as one bitmap and every descriptor index
	 * shifts (pages of other pfns returned as KDUMP_OK).
	 */
	max_pfn = version >= 6 ? dump_le(sh + KSH_MAX_MAPNR_64, 8) :
				 dump_le(h + DDH_MAX_MAPNR, 4);
	dd->nbits = bmp * bs * 4;
	if (max_pfn == 0 || max_pfn > dd->nbits) {
		snprintf(err, errlen, "%s: corrupt kdump header: max_mapnr %llu does not fit its bitmap of %llu pfns",
			 path, (unsigned long long)max_pfn,
			 (unsigned long long)dd->nbits);
		return -1;
	}
	dd->start_pfn = 0;
	dd->end_pfn = dd->nbits;
	/* a split dump (makedumpfile --split) holds [start_pfn, end_pfn) */
	if (version >= 2 && dump_le(sh + KSH_SPLIT, 4)) {
		dd->start_pfn = dump_le(sh + (version >= 6 ? KSH_START_PFN_64 :
					      KSH_START_PFN), 8);
		dd->end_pfn = dump_le(sh + (version >= 6 ? KSH_END_PFN_64 :
					    KSH_END_PFN), 8);
		if (dd->start_pfn >= dd->end_pfn || dd->end_pfn > dd->nbits) {
			snprintf(err, errlen, "%s: corrupt kdump sub-header: split pfn range %llu-%llu",
				 path, (unsigned long long)dd->start_pfn,
				 (unsigned long long)dd->end_pfn);
			return -1;
		}
	}
	meta = bs * (1 + sub + bmp);
	if (df->size < meta)
		return cut(path, "kdump bitmaps", df, meta, err, errlen);
	dd->bitmap = bs * (1 + sub + bmp / 2);
	if (build_ranks(df)) {
		snprintf(err, errlen, "%s: cannot read its kdump bitmap", path);
		return -1;
	}
	dd->table = meta;
	if ((df->size - dd->table) / DESC_SIZE < dd->ndesc)
		return cut(path, "page descriptor table", df,
			   dd->table + dd->ndesc * DESC_SIZE, err, errlen);
	dd->data = dd->table + dd->ndesc * DESC_SIZE;
	df->expected = dd->data;
	end = data_end(df);
	if (end > df->expected)
		df->expected = end;
	return 0;
}

void diskdump_free(struct diskdump_index *dd)
{
	free(dd->rank);
	free(dd->chunk);
	free(dd->desc);
}
