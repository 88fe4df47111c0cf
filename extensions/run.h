/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One memsect sub-command inside crash: the analysis on crash's target and
 * the report, printed by the core's shared text/JSON writers.  No defs.h
 * here: this side sees only the memsect core's headers.
 */
#ifndef MEMSECT_CRASH_RUN_H
#define MEMSECT_CRASH_RUN_H

#include <stddef.h>
#include <stdio.h>

struct ms_crash_command {
	const char *name;
	const char *help;
};

/* The sub-commands, as the CLI has them; ends with a NULL name. */
extern const struct ms_crash_command ms_crash_commands[];

enum ms_crash_status {
	MS_CRASH_OK,		/* report printed, complete */
	MS_CRASH_PARTIAL,	/* report printed; some reads failed */
	MS_CRASH_INTERRUPTED,	/* report printed; Ctrl-C stopped the scan */
	MS_CRASH_FAILED,	/* nothing printed; reason in err */
};

/* Run sub-command @name (one of ms_crash_commands) and print to @out. */
enum ms_crash_status ms_crash_run(FILE *out, const char *name, int json,
				  char *err, size_t errlen);
/* pc->cmd_cleanup: frees what a run left when crash longjmp'd out of it. */
void ms_crash_run_cleanup(void *unused);

#endif
