/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a dump file's own headers announce, checked against the file's size
 * before libkdumpfile sees it: a file cut inside its headers is refused (it
 * would otherwise fault inside the library), a file cut inside its page data
 * is marked truncated with the physical ranges whose contents are missing.
 */
#ifndef MEMSECT_CLI_DUMP_FILE_H
#define MEMSECT_CLI_DUMP_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dump_gap {
	uint64_t start, end;		/* physical [start, end) */
};

struct dump_file {
	uint64_t size;			/* st_size */
	uint64_t expected;		/* bytes the headers announce, 0: unknown */
	bool diskdump;			/* kdump-compressed (makedumpfile, QEMU) */
	struct dump_gap *missing;	/* ELF: physical ranges past the end */
	size_t nmissing;
};

/*
 * 0: usable (df->expected > df->size when cut inside its page data);
 * -1: unusable, a one-line reason in @err.
 */
int dump_file_check(int fd, const char *path, struct dump_file *df,
		    char *err, size_t errlen);
/* Whether [addr, addr + len) overlaps a missing range; *@ok = bytes before it. */
bool dump_file_missing(const struct dump_file *df, uint64_t addr, size_t len,
		       size_t *ok);
void dump_file_free(struct dump_file *df);

#endif
