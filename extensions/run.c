// SPDX-License-Identifier: GPL-2.0-or-later
/* A memsect command on crash's target (run.h). */
#include <string.h>

#include "crash_target.h"
#include "interrupt.h"
#include "run.h"

/* What one run holds, so that a longjmp out of it can still free it. */
static struct run_state {
	int active;
	struct crash_target ct;
	int have_target;
	struct ms_session s;
} run;

void ms_crash_run_cleanup(void *unused)
{
	(void)unused;
	ms_crash_sigint_end();
	if (!run.active)
		return;
	ms_session_close(&run.s);
	if (run.have_target)
		crash_target_close(&run.ct);
	memset(&run, 0, sizeof(run));
}

static enum ms_crash_status analyse(FILE *out, const struct ms_command *cmd,
				    const struct ms_args *a, char *err,
				    size_t errlen)
{
	struct ms_report_info ri;

	if (crash_target_open(&run.ct)) {
		snprintf(err, errlen, "%s", run.ct.err);
		return MS_CRASH_FAILED;
	}
	run.have_target = 1;
	if (ms_session_open(&run.s, &run.ct.target, err, errlen)) {
		char hint[320];
		size_t n = strlen(err);

		if (crash_target_kaslr_hint(&run.ct, hint, sizeof(hint)))
			snprintf(err + n, errlen - n, "; %s", hint);
		return MS_CRASH_FAILED;
	}
	ri.dump_path = crash_dump_path();
	ri.dump_format = crash_dump_format();
	ri.vmlinux_path = crash_vmlinux_path();
	ri.vmlinux_source = "given";	/* crash is always given it */
	ri.types = "dwarf";	/* crash reads the vmlinux's DWARF through gdb */
	ri.symbols = "elf";
	ms_command_run(cmd, out, &run.s, a, &ri);
	fflush(out);
	if (ms_crash_interrupted())
		return MS_CRASH_INTERRUPTED;
	return ms_ctx_partial(&run.s.c) ? MS_CRASH_PARTIAL : MS_CRASH_OK;
}

enum ms_crash_status ms_crash_run(FILE *out, const struct ms_command *cmd,
				  const struct ms_args *a, char *err,
				  size_t errlen)
{
	enum ms_crash_status st;

	ms_crash_run_cleanup(NULL);
	run.active = 1;
	ms_crash_sigint_begin();
	st = analyse(out, cmd, a, err, errlen);
	ms_crash_run_cleanup(NULL);
	return st;
}
