/* SPDX-License-Identifier: GPL-2.0-or-later */
/* --threads N: how many threads read a dump's struct pages (pages.c). */
#ifndef MEMSECT_CLI_THREADS_H
#define MEMSECT_CLI_THREADS_H

#define CLI_MAX_THREADS 64

/* The cores this process may run on, at most CLI_MAX_THREADS. */
unsigned cli_default_threads(void);
/* Parse N (1 to CLI_MAX_THREADS): 0, or -1 when it is not such a number. */
int cli_parse_threads(const char *v, unsigned *n);

#endif
