/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Ctrl-C during a memsect command.  crash's own SIGINT handler longjmps
 * back to the prompt on the first Ctrl-C (restart(), MAX_SIGINTS_ACCEPTED
 * is 1), which would abandon the scan with nothing printed.  While a
 * command runs, memsect's handler only records the signal (re-armed at
 * each read: crash's gdb requests restore crash's handler); reads then
 * fail, the scan ends early and the partial results are printed.
 */
#ifndef MEMSECT_CRASH_INTERRUPT_H
#define MEMSECT_CRASH_INTERRUPT_H

void ms_crash_sigint_begin(void);
void ms_crash_sigint_end(void);
/* Ctrl-C seen since ms_crash_sigint_begin() (or crash's received_SIGINT()). */
int ms_crash_interrupted(void);

#endif
