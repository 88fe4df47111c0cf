/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * --threads N: how many threads read a dump's struct pages (pages.c).  The
 * default is 1: with libkdumpfile 0.5.1 every page read takes one lock
 * shared by all clones (its cache), and two readers were slower than one on
 * this project's 2-core machine (bench/README.md).
 */
#ifndef MEMSECT_CLI_THREADS_H
#define MEMSECT_CLI_THREADS_H

#define CLI_MAX_THREADS 64
#define CLI_DEFAULT_THREADS 1

/* Parse N (1 to CLI_MAX_THREADS): 0, or -1 when it is not such a number. */
int cli_parse_threads(const char *v, unsigned *n);

#endif
