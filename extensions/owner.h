/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * "memsect owner [--pid N] [--type allocated|freed] [--json]" inside crash:
 * the CLI's owner command on crash's target.  No defs.h here.
 */
#ifndef MEMSECT_CRASH_OWNER_H
#define MEMSECT_CRASH_OWNER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "run.h"

enum ms_crash_status ms_crash_owner(FILE *out, int json, long pid, int freed,
				    char *err, size_t errlen);
/* "memsect page [--json] PFN...": struct page and page_ext clients. */
enum ms_crash_status ms_crash_page(FILE *out, int json, const uint64_t *pfns,
				   size_t n, char *err, size_t errlen);
/* pc->cmd_cleanup for an owner or page run. */
void ms_crash_owner_cleanup(void *unused);

#endif
