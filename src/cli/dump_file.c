// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Size checks of dump files against their headers (dump_file.h).  Only the
 * two formats memsect's users meet are checked: ELF64 little-endian
 * (/proc/vmcore, QEMU dump-guest-memory -z none) and the diskdump format of
 * makedumpfile and QEMU (kdump-compressed); others are left to libkdumpfile.
 */
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dump_file.h"

#define MAX_PHDRS (1u << 20)
#define BITMAP_CHUNK (1u << 20)
#define DESC_SIZE 24			/* struct page_desc */
#define DESC_CHUNK 4096			/* descriptors per read */

static int read_at(int fd, uint64_t off, void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pread(fd, (char *)buf + done, len - done,
				  (off_t)(off + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		done += (size_t)n;
	}
	return 0;
}

static uint64_t le(const unsigned char *p, size_t n)
{
	uint64_t v = 0;

	while (n--)
		v = (v << 8) | p[n];
	return v;
}

static int add_gap(struct dump_file *df, uint64_t start, uint64_t end)
{
	struct dump_gap *nv = realloc(df->missing,
				      (df->nmissing + 1) * sizeof(*nv));

	if (!nv)
		return -1;
	df->missing = nv;
	nv[df->nmissing].start = start;
	nv[df->nmissing++].end = end;
	return 0;
}

/*
 * ELF64: the program headers must be in the file; every PT_LOAD and PT_NOTE
 * announces p_offset + p_filesz bytes.  A PT_LOAD cut by the end of the file
 * leaves [p_paddr + available, p_paddr + p_filesz) missing.
 */
static int check_elf(int fd, const char *path, struct dump_file *df,
		     const unsigned char *id, char *err, size_t errlen)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	uint64_t phnum;

	if (id[EI_CLASS] != ELFCLASS64 || id[EI_DATA] != ELFDATA2LSB)
		return 0;
	if (df->size < sizeof(eh) || read_at(fd, 0, &eh, sizeof(eh))) {
		snprintf(err, errlen, "%s: truncated inside its ELF header (%llu bytes)",
			 path, (unsigned long long)df->size);
		return -1;
	}
	phnum = eh.e_phnum;
	if (phnum == PN_XNUM) {
		Elf64_Shdr sh;

		if (eh.e_shoff > df->size || df->size - eh.e_shoff < sizeof(sh) ||
		    read_at(fd, eh.e_shoff, &sh, sizeof(sh))) {
			snprintf(err, errlen, "%s: truncated: its section header 0 (program header count) is past the end",
				 path);
			return -1;
		}
		phnum = sh.sh_info;
	}
	if (eh.e_phentsize != sizeof(ph) || phnum == 0 || phnum > MAX_PHDRS) {
		snprintf(err, errlen, "%s: not a usable ELF core file (%llu program headers of %u bytes)",
			 path, (unsigned long long)phnum, eh.e_phentsize);
		return -1;
	}
	if (eh.e_phoff > df->size || (df->size - eh.e_phoff) / sizeof(ph) < phnum) {
		snprintf(err, errlen, "%s: truncated inside its ELF program headers (%llu bytes)",
			 path, (unsigned long long)df->size);
		return -1;
	}
	for (uint64_t i = 0; i < phnum; i++) {
		uint64_t end;

		if (read_at(fd, eh.e_phoff + i * sizeof(ph), &ph, sizeof(ph)))
			return -1;
		if (ph.p_type != PT_LOAD && ph.p_type != PT_NOTE)
			continue;
		if (__builtin_add_overflow(ph.p_offset, ph.p_filesz, &end)) {
			snprintf(err, errlen, "%s: program header %llu ends past 2^64",
				 path, (unsigned long long)i);
			return -1;
		}
		if (end > df->expected)
			df->expected = end;
		if (end <= df->size)
			continue;
		if (ph.p_type == PT_NOTE) {
			snprintf(err, errlen, "%s: truncated inside its ELF notes (VMCOREINFO): %llu of %llu bytes",
				 path, (unsigned long long)df->size,
				 (unsigned long long)end);
			return -1;
		}
		if (add_gap(df, ph.p_paddr + (ph.p_offset < df->size ?
					      df->size - ph.p_offset : 0),
			    ph.p_paddr + ph.p_filesz))
			return -1;
	}
	return 0;
}

/*
 * The diskdump layout (makedumpfile's diskdump_mod.h, QEMU's dump.h): one
 * block of struct disk_dump_header, sub_hdr_size blocks of struct
 * kdump_sub_header (with VMCOREINFO and the ELF notes at absolute offsets),
 * bitmap_blocks blocks of two bitmaps (the second: pages in the file), one
 * struct page_desc {offset, size, flags, page_flags} per page in the file,
 * then the page data.  Zero pages share the descriptor of one zero page,
 * written first.
 */
#define DDH_HEADER_VERSION 8
#define DDH_BLOCK_SIZE 428
#define DDH_SUB_HDR_SIZE 432
#define DDH_BITMAP_BLOCKS 436
#define DDH_SIZE 464
#define KSH_OFFSET_VMCOREINFO 32
#define KSH_OFFSET_NOTE 48
#define KSH_OFFSET_ERASEINFO 64
#define KSH_SIZE 104

static int cut(const char *path, const char *where, const struct dump_file *df,
	       uint64_t need, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s: truncated inside its %s: %llu of at least %llu bytes",
		 path, where, (unsigned long long)df->size,
		 (unsigned long long)need);
	return -1;
}

static uint64_t count_dumped(int fd, uint64_t off, uint64_t len, int *fail)
{
	unsigned char *buf = malloc(BITMAP_CHUNK);
	uint64_t n = 0;

	*fail = !buf;
	for (uint64_t done = 0; buf && done < len;) {
		size_t k = len - done < BITMAP_CHUNK ? len - done : BITMAP_CHUNK;

		if (read_at(fd, off + done, buf, k)) {
			*fail = 1;
			break;
		}
		for (size_t i = 0; i < k; i++)
			n += (uint64_t)__builtin_popcount(buf[i]);
		done += k;
	}
	free(buf);
	return n;
}

/* The end of the page data: the last descriptor that is not the zero page's. */
static int data_end(int fd, uint64_t table, uint64_t ndesc, uint64_t *end)
{
	unsigned char *buf = malloc(DESC_CHUNK * DESC_SIZE);
	unsigned char first[DESC_SIZE];
	uint64_t zero_off, i = ndesc;
	int ret = -1;

	if (!buf || read_at(fd, table, first, DESC_SIZE))
		goto out;
	zero_off = le(first, 8);
	*end = zero_off + le(first + 8, 4);
	while (i > 0) {
		uint64_t n = i < DESC_CHUNK ? i : DESC_CHUNK;

		i -= n;
		if (read_at(fd, table + i * DESC_SIZE, buf, n * DESC_SIZE))
			goto out;
		for (uint64_t k = n; k-- > 0;) {
			const unsigned char *d = buf + k * DESC_SIZE;
			uint64_t e = le(d, 8) + le(d + 8, 4);

			if (le(d, 8) == zero_off)
				continue;
			if (e > *end)
				*end = e;
			ret = 0;
			goto out;
		}
	}
	ret = 0;
out:
	free(buf);
	return ret;
}

static int check_diskdump(int fd, const char *path, struct dump_file *df,
			  char *err, size_t errlen)
{
	unsigned char h[DDH_SIZE], sh[KSH_SIZE];
	uint64_t bs, sub, bmp, meta, ndesc, table, end;
	int fail;

	df->diskdump = true;
	if (df->size < DDH_SIZE || read_at(fd, 0, h, sizeof(h)))
		return cut(path, "kdump header", df, DDH_SIZE, err, errlen);
	bs = le(h + DDH_BLOCK_SIZE, 4);
	sub = le(h + DDH_SUB_HDR_SIZE, 4);
	bmp = le(h + DDH_BITMAP_BLOCKS, 4);
	if (bs < 512 || bs > (1u << 20) || (bs & (bs - 1)) || sub == 0 ||
	    sub > (1u << 20) || bmp == 0 || bmp % 2) {
		snprintf(err, errlen, "%s: corrupt kdump header (block size %llu, sub-header %llu blocks, bitmap %llu blocks)",
			 path, (unsigned long long)bs, (unsigned long long)sub,
			 (unsigned long long)bmp);
		return -1;
	}
	if (df->size < bs * (1 + sub))
		return cut(path, "kdump sub-header", df, bs * (1 + sub), err,
			   errlen);
	if (read_at(fd, bs, sh, sizeof(sh)))
		return -1;
	/* offset_vmcoreinfo (v3+), offset_note (v4+), offset_eraseinfo (v5+) */
	for (unsigned k = 0; k < 3; k++) {
		static const size_t at[] = { KSH_OFFSET_VMCOREINFO, KSH_OFFSET_NOTE,
					     KSH_OFFSET_ERASEINFO };
		static const char *const what[] = { "VMCOREINFO", "ELF notes",
						    "erase info" };
		uint64_t off = le(sh + at[k], 8), len = le(sh + at[k] + 8, 8);

		if (le(h + DDH_HEADER_VERSION, 4) < 3 + k || !len)
			continue;
		if (__builtin_add_overflow(off, len, &end) || end > df->size)
			return cut(path, what[k], df, end, err, errlen);
	}
	meta = bs * (1 + sub + bmp);
	if (df->size < meta)
		return cut(path, "kdump bitmaps", df, meta, err, errlen);
	ndesc = count_dumped(fd, bs * (1 + sub + bmp / 2), bs * bmp / 2, &fail);
	if (fail)
		return -1;
	table = meta;
	if ((df->size - table) / DESC_SIZE < ndesc)
		return cut(path, "page descriptor table", df,
			   table + ndesc * DESC_SIZE, err, errlen);
	df->expected = table + ndesc * DESC_SIZE;
	if (ndesc && data_end(fd, table, ndesc, &end) == 0 && end > df->expected)
		df->expected = end;
	return 0;
}

int dump_file_check(int fd, const char *path, struct dump_file *df,
		    char *err, size_t errlen)
{
	unsigned char id[EI_NIDENT];
	struct stat st;

	memset(df, 0, sizeof(*df));
	if (fstat(fd, &st)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: is a directory, not a dump file", path);
		return -1;
	}
	df->size = (uint64_t)st.st_size;
	if (!S_ISREG(st.st_mode))
		return 0;
	if (df->size == 0) {
		snprintf(err, errlen, "%s: empty file, not a dump", path);
		return -1;
	}
	if (df->size < sizeof(id) || read_at(fd, 0, id, sizeof(id)))
		return 0;
	if (!memcmp(id, ELFMAG, SELFMAG))
		return check_elf(fd, path, df, id, err, errlen);
	if (!memcmp(id, "KDUMP   ", 8) || !memcmp(id, "DISKDUMP", 8))
		return check_diskdump(fd, path, df, err, errlen);
	return 0;
}

bool dump_file_missing(const struct dump_file *df, uint64_t addr, size_t len,
		       size_t *ok)
{
	uint64_t end = addr + len;
	bool hit = false;

	*ok = len;
	for (size_t i = 0; i < df->nmissing; i++) {
		const struct dump_gap *g = &df->missing[i];
		uint64_t before;

		if (g->start >= end || addr >= g->end)
			continue;
		before = g->start > addr ? g->start - addr : 0;
		if (before < *ok)
			*ok = (size_t)before;
		hit = true;
	}
	return hit;
}

void dump_file_free(struct dump_file *df)
{
	free(df->missing);
	memset(df, 0, sizeof(*df));
}
