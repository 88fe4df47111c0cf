// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * READ_ERRORS: some reads failed, so the results are partial.  Runs last in
 * every group, after the scans that may fail.
 */
#include "memsect/findings.h"

void ms_check_read_errors(struct ms_ctx *c, struct ms_findings *f)
{
	struct ms_finding *x;

	if (!c->nerrors)
		return;
	x = ms_finding_add(f, "READ_ERRORS", MS_WARNING, MS_PLACE_ADDRESS,
			   c->errors[0].address, 0,
			   "%u reads failed (first at 0x%llx: %s); results are partial",
			   c->nerrors, (unsigned long long)c->errors[0].address,
			   c->errors[0].what);
	ms_ev_uint(x, "count", c->nerrors);
	ms_ev_addr(x, "first_address", c->errors[0].address);
	ms_ev_str(x, "first_what", c->errors[0].what);
}
