/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The end-of-batch summary: dumps per status, per finding code, per kernel
 * release, and the worst dumps first.  Fed with batch records, printed by
 * `memsect batch` at the end and by `memsect batch-summary FILE.jsonl`.
 */
#ifndef MEMSECT_CLI_BATCH_SUMMARY_H
#define MEMSECT_CLI_BATCH_SUMMARY_H

#include <stdio.h>

#include "batch_record.h"

struct batch_tally;

struct batch_tally *batch_tally_new(void);
/* -1 when out of memory (the record is then not counted). */
int batch_tally_add(struct batch_tally *t, const struct batch_record *r);
void batch_tally_print(FILE *out, const struct batch_tally *t);
/* The batch's exit status: 0 all clean, 1 findings/partial, 3 any failed. */
int batch_tally_exit(const struct batch_tally *t);
void batch_tally_free(struct batch_tally *t);

#endif
