/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The few fields of a `memsect batch` output line that --resume and the
 * summary need, read back from lines memsect wrote itself: the line's key
 * order is fixed (batch.c), so a scan of its head suffices; a line that
 * does not have that shape is not a record.
 */
#ifndef MEMSECT_CLI_BATCH_RECORD_H
#define MEMSECT_CLI_BATCH_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BATCH_SCHEMA "memsect-batch/1"
#define BATCH_MAX_CODES 32

struct batch_record {
	char path[4096];
	bool have_stat;		/* size and mtime known */
	uint64_t size;
	int64_t mtime;
	char status[16];
	char release[96];	/* "" when unknown */
	char codes[BATCH_MAX_CODES][40];	/* finding codes, each once */
	unsigned ncodes;
};

/* 0 when @line (without its newline) is a batch record. */
int batch_record_parse(const char *line, size_t len, struct batch_record *r);

/* How bad a status is, for "worst first": higher is worse. */
int batch_status_rank(const char *status);

#endif
