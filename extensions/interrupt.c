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

void ms_crash_sigint_begin(void)
{
	struct sigaction sa;

	sigint_seen = 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigint;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGINT, &sa, &crash_action) == 0)
		installed = 1;
}

void ms_crash_sigint_end(void)
{
	if (installed)
		sigaction(SIGINT, &crash_action, NULL);
	installed = 0;
}

int ms_crash_interrupted(void)
{
	if (!sigint_seen && received_SIGINT())
		sigint_seen = 1;
	return sigint_seen;
}
