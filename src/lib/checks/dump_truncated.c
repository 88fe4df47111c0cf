// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DUMP_TRUNCATED: the dump file is shorter than its own headers announce
 * (a full disk, a dropped transfer).  Whatever lay past the cut reads as an
 * error, never as zeros; the results are partial.  Runs first in every group.
 */
#include "memsect/findings.h"

void ms_check_dump_truncated(struct ms_ctx *c, struct ms_findings *f)
{
	struct ms_finding *x;

	if (!c->truncated)
		return;
	x = ms_finding_add(f, MS_F_DUMP_TRUNCATED, 0, 0,
			   "the dump file has %llu of the %llu bytes its headers announce; what lies past the cut is missing",
			   (unsigned long long)c->file_size,
			   (unsigned long long)c->file_expected);
	ms_ev_uint(x, MS_K_file_size, c->file_size);
	ms_ev_uint(x, MS_K_expected_size, c->file_expected);
}
