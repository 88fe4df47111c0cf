// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Size checks of dump files against their headers (dump_file.h).  Two
 * formats are checked: ELF64 little-endian (/proc/vmcore, QEMU
 * dump-guest-memory without -z) here, and the diskdump format of
 * makedumpfile and QEMU (kdump-compressed) in diskdump_file.c.  The
 * flattened format (makedumpfile -F) is only recognised: libkdumpfile reads
 * it from 0.5.3 on, and its records cannot be checked without reading it
 * whole.
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

int dump_pread(int fd, uint64_t off, void *buf, size_t len)
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

uint64_t dump_le(const unsigned char *p, size_t n)
{
	uint64_t v = 0;

	while (n--)
		v = (v << 8) | p[n];
	return v;
}

int dump_file_add_gap(struct dump_file *df, uint64_t start, uint64_t end)
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
	if (df->size < sizeof(eh) || dump_pread(fd, 0, &eh, sizeof(eh))) {
		snprintf(err, errlen, "%s: truncated inside its ELF header (%llu bytes)",
			 path, (unsigned long long)df->size);
		return -1;
	}
	phnum = eh.e_phnum;
	if (phnum == PN_XNUM) {
		Elf64_Shdr sh;

		if (eh.e_shoff > df->size || df->size - eh.e_shoff < sizeof(sh) ||
		    dump_pread(fd, eh.e_shoff, &sh, sizeof(sh))) {
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

		if (dump_pread(fd, eh.e_phoff + i * sizeof(ph), &ph, sizeof(ph)))
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
		if (dump_file_add_gap(df, ph.p_paddr + (ph.p_offset < df->size ?
					      df->size - ph.p_offset : 0),
			    ph.p_paddr + ph.p_filesz))
			return -1;
	}
	return 0;
}

int dump_file_check(int fd, const char *path, struct dump_file *df,
		    char *err, size_t errlen)
{
	unsigned char id[EI_NIDENT];
	struct stat st;

	memset(df, 0, sizeof(*df));
	df->fd = fd;
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
	if (df->size < sizeof(id) || dump_pread(fd, 0, id, sizeof(id)))
		return 0;
	if (!memcmp(id, ELFMAG, SELFMAG))
		return check_elf(fd, path, df, id, err, errlen);
	if (!memcmp(id, "KDUMP   ", 8) || !memcmp(id, "DISKDUMP", 8))
		return diskdump_check(df, path, err, errlen);
	/* makedumpfile's flattened header: "makedumpfile", NUL-padded. */
	df->flattened = !memcmp(id, "makedumpfile", 13);
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
