/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a dump file's own headers announce, checked before libkdumpfile sees
 * the file and before each read: a file cut inside its headers is refused
 * (libkdumpfile would fault on it or read zeros), a file cut inside its page
 * data is marked truncated, and no read reaches what lies past the cut or a
 * kdump page descriptor that no dumper writes (libkdumpfile 0.5.1 copies a
 * compressed page of any size up to 256 KiB into a page-sized buffer;
 * 0.5.4+ allocates whatever size a descriptor claims).
 */
#ifndef MEMSECT_CLI_DUMP_FILE_H
#define MEMSECT_CLI_DUMP_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dump_gap {
	uint64_t start, end;		/* physical [start, end) */
};

/* The kdump-compressed (diskdump) layout, for per-page descriptor checks. */
struct diskdump_index {
	uint64_t block_size;
	uint64_t bitmap;		/* file offset of the second bitmap */
	uint64_t nbits;			/* its bits (pfns) */
	uint64_t start_pfn, end_pfn;	/* pfns with descriptors in this file */
	uint64_t table;			/* file offset of the descriptor table */
	uint64_t ndesc;
	uint64_t data;			/* file offset of the page data */
	uint64_t *rank;			/* set bits before each bitmap chunk */
	size_t nchunks;
	unsigned char *chunk;		/* one cached bitmap chunk */
	uint64_t chunk_nr;		/* which; ~0 for none */
	unsigned char *desc;		/* descriptor read buffer */
};

struct dump_file {
	int fd;
	uint64_t size;			/* st_size */
	uint64_t expected;		/* bytes the headers announce, 0: unknown */
	bool diskdump;			/* kdump-compressed (makedumpfile, QEMU) */
	bool flattened;			/* makedumpfile -F */
	struct dump_gap *missing;	/* ELF: physical ranges past the end */
	size_t nmissing;
	struct diskdump_index dd;
};

/*
 * 0: usable (df->expected > df->size when cut inside its page data);
 * -1: unusable, a one-line reason in @err.
 */
int dump_file_check(int fd, const char *path, struct dump_file *df,
		    char *err, size_t errlen);
/* Whether reads must go through dump_file_readable() page by page. */
bool dump_file_guarded(const struct dump_file *df);
/*
 * How many bytes of the physical range [@addr, @addr + @len) libkdumpfile
 * may read: all of them, or *@ok before the first byte past the cut or the
 * first page whose descriptor is corrupt (*@why says which).  Returns false
 * when *@ok < @len.
 */
bool dump_file_readable(struct dump_file *df, uint64_t addr, size_t len,
			size_t *ok, const char **why);
void dump_file_free(struct dump_file *df);

/* diskdump_file.c */
int diskdump_check(struct dump_file *df, const char *path, char *err,
		   size_t errlen);
bool diskdump_pfns_ok(struct dump_file *df, uint64_t pfn, uint64_t n,
		      uint64_t *good, const char **why);
void diskdump_free(struct diskdump_index *dd);
int dump_pread(int fd, uint64_t off, void *buf, size_t len);
uint64_t dump_le(const unsigned char *p, size_t n);

#endif
