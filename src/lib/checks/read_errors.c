// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * READ_ERRORS: some reads failed; INVALID_VALUES: some values read from the
 * dump failed a sanity check and were not used.  Either makes the results
 * partial.  Both run last in every group, after the scans that may fail.
 */
#include "memsect/findings.h"

static void partial_finding(struct ms_ctx *c, struct ms_findings *f,
			    enum ms_finding_code code,
			    enum ms_error_kind kind,
			    unsigned count, const char *what)
{
	const struct ms_read_error *e = ms_ctx_first(c, kind);
	uint64_t addr = e ? e->address : 0;
	const char *first = e ? e->what : "not kept: over the error list's size";
	struct ms_finding *x;

	if (!count)
		return;
	x = ms_finding_add(f, code, addr, 0,
			   "%u %s (first at 0x%llx: %s); results are partial",
			   count, what, (unsigned long long)addr, first);
	ms_ev_uint(x, MS_K_count, count);
	ms_ev_addr(x, MS_K_first_address, addr);
	ms_ev_str(x, MS_K_first_what, first);
}

void ms_check_read_errors(struct ms_ctx *c, struct ms_findings *f)
{
	partial_finding(c, f, MS_F_READ_ERRORS, MS_ERR_READ, ms_ctx_read_errors(c),
			"reads failed");
	partial_finding(c, f, MS_F_INVALID_VALUES, MS_ERR_INVALID, c->ninvalid,
			"values read from the dump failed a sanity check");
}
