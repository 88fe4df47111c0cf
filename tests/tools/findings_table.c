// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Print the README's "Finding codes" table from the finding table
 * (src/include/memsect/findings.def); test_findings_table.py holds the
 * README to it.  Severity and place are spelled as the reports spell them.
 */
#include <stdio.h>

#include "memsect/findings.h"

static void end_row(int *nkeys)
{
	if (*nkeys >= 0)
		printf(" |\n");
	*nkeys = 0;
}

int main(void)
{
	int nkeys = -1;

	printf("| code | severity | place | when | evidence |\n");
	printf("|---|---|---|---|---|\n");
#define MS_FINDING(name, sev, kind, when_)				\
	do {								\
		const struct ms_finding_def *d = ms_finding_def(MS_F_##name); \
									\
		end_row(&nkeys);					\
		printf("| `%s` | %s | %s | %s |", d->code,		\
		       ms_severity_name(d->severity),			\
		       ms_place_name(d->place), d->when);		\
	} while (0);
#define MS_EVIDENCE(name, key)						\
	printf("%s`%s`", nkeys++ ? ", " : " ", ms_ev_key_name(MS_K_##key));
#include "memsect/findings.def"
	end_row(&nkeys);
	return 0;
}
