// SPDX-License-Identifier: GPL-2.0-or-later
/* Ctrl-C handling during memsect commands (interrupt.h). */
#include "defs.h"

#include <signal.h>

#include "interrupt.h"

static volatile sig_atomic_t sigint_seen;
static struct sigaction crash_action;
static int installed;

static void on_sigint(int sig)
{
	(void)sig;
	sigint_seen = 1;
}

/*
 * crash's gdb requests (datatype_info(), enumerator_value()) ignore SIGINT
 * while gdb runs and then put crash's own handler back: re-arm ours.
 */
static void arm(void)
{
	struct sigaction sa, cur;

	if (sigaction(SIGINT, NULL, &cur) == 0 && cur.sa_handler == on_sigint)
		return;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigint;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
}

void ms_crash_sigint_begin(void)
{
	sigint_seen = 0;
	if (sigaction(SIGINT, NULL, &crash_action) == 0)
		installed = 1;
	arm();
}

void ms_crash_sigint_end(void)
{
	if (installed)
		sigaction(SIGINT, &crash_action, NULL);
	installed = 0;
}

int ms_crash_interrupted(void)
{
	if (installed)
		arm();
	if (!sigint_seen && received_SIGINT())
		sigint_seen = 1;
	return sigint_seen;
}
