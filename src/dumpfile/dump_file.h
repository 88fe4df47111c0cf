/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a dump file's own headers announce, checked before libkdumpfile sees
 * the file: a file cut inside its headers, or a kdump file with a page
 * descriptor no dumper writes, is refused (libkdumpfile would fault on it,
 * overflow a buffer or read zeros); a file cut inside its page data is
 * marked truncated with the physical ranges whose contents are missing, and
 * reads stop there (libkdumpfile reads what lies past the end as zeros).
 */
#ifndef MEMSECT_DUMPFILE_DUMP_FILE_H
#define MEMSECT_DUMPFILE_DUMP_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dump_gap {
	uint64_t start, end;		/* physical [start, end) */
};

struct dump_file {
	int fd;
	uint64_t size;			/* st_size */
	uint64_t expected;		/* bytes the headers announce, 0: unknown */
	bool diskdump;			/* kdump-compressed (makedumpfile, QEMU) */
	bool flattened;			/* makedumpfile -F */
	uint64_t page_size;		/* diskdump block size */
	struct dump_gap *missing;	/* physical ranges past the end */
	size_t nmissing;
};

/*
 * 0: usable (df->expected > df->size when cut inside its page data);
 * -1: unusable, a one-line reason in @err.
 */
int dump_file_check(int fd, const char *path, struct dump_file *df,
		    char *err, size_t errlen);
/*
 * Whether [@addr, @addr + @len) (physical) overlaps a missing range;
 * *@ok = bytes before the first missing one.
 */
bool dump_file_missing(const struct dump_file *df, uint64_t addr, size_t len,
		       size_t *ok);
void dump_file_free(struct dump_file *df);

/* For the format checkers. */
int diskdump_check(struct dump_file *df, const char *path, char *err,
		   size_t errlen);
int dump_file_add_gap(struct dump_file *df, uint64_t start, uint64_t end);
int dump_pread(int fd, uint64_t off, void *buf, size_t len);
uint64_t dump_le(const unsigned char *p, size_t n);

#endif
