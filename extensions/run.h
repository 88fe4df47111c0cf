/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One memsect command inside crash: the core's command (memsect/command.h)
 * on crash's target, printed by the core's text/JSON writers.  No defs.h
 * here: this side sees only the memsect core's headers.
 */
#ifndef MEMSECT_CRASH_RUN_H
#define MEMSECT_CRASH_RUN_H

#include <stddef.h>
#include <stdio.h>

#include "memsect/command.h"

enum ms_crash_status {
	MS_CRASH_OK,		/* report printed, complete */
	MS_CRASH_PARTIAL,	/* report printed; some reads failed */
	MS_CRASH_INTERRUPTED,	/* report printed; Ctrl-C stopped the scan */
	MS_CRASH_FAILED,	/* nothing printed; reason in err */
};

/* Run @cmd with @a on the dump crash has open, printing to @out. */
enum ms_crash_status ms_crash_run(FILE *out, const struct ms_command *cmd,
				  const struct ms_args *a, char *err,
				  size_t errlen);
/* pc->cmd_cleanup: frees what a run left when crash longjmp'd out of it. */
void ms_crash_run_cleanup(void *unused);

#endif
