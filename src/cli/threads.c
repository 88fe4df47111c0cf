// SPDX-License-Identifier: GPL-2.0-or-later
#include <sched.h>
#include <stdlib.h>

#include "threads.h"

unsigned cli_default_threads(void)
{
	cpu_set_t set;
	int n;

	if (sched_getaffinity(0, sizeof(set), &set))
		return 1;
	n = CPU_COUNT(&set);
	if (n < 1)
		return 1;
	return n < CLI_MAX_THREADS ? (unsigned)n : CLI_MAX_THREADS;
}

int cli_parse_threads(const char *v, unsigned *n)
{
	char *end;
	unsigned long k = strtoul(v, &end, 10);

	if (!*v || *end || k < 1 || k > CLI_MAX_THREADS)
		return -1;
	*n = (unsigned)k;
	return 0;
}
