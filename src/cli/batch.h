/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * memsect batch: many dumps, each analysed in a child process of its own
 * (a fault in a library costs that dump only), one JSON line per dump in
 * the output as soon as it is done, a summary at the end.
 *   memsect batch [--jobs N] [--timeout SECONDS] [--output FILE.jsonl]
 *                 [--resume] [--commands diagnose,...] [--shard K/N]
 *                 [--debug-dir DIR]... [--no-default-debug-dirs]
 *                 (DUMP... | --from LIST | -)
 *   memsect batch-summary FILE.jsonl
 * Exit status: 0 every dump clean, 1 a finding or a partial result,
 * 2 usage, 3 a dump unreadable, crashed or timed out.
 */
#ifndef MEMSECT_CLI_BATCH_H
#define MEMSECT_CLI_BATCH_H

int batch_main(int argc, char **argv);
int batch_summary_main(int argc, char **argv);

#endif
