// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdlib.h>

#include "threads.h"

int cli_parse_threads(const char *v, unsigned *n)
{
	char *end;
	unsigned long k = strtoul(v, &end, 10);

	if (!*v || *end || k < 1 || k > CLI_MAX_THREADS)
		return -1;
	*n = (unsigned)k;
	return 0;
}
