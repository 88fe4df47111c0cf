// SPDX-License-Identifier: GPL-2.0-or-later
/* Which checks each command runs, in a fixed order (stable output). */
#include "memsect/findings.h"
#include "memsect/hvo.h"
#include "page_scan.h"

void ms_checks_sections(struct ms_ctx *c, struct ms_findings *f)
{
	ms_check_dump_truncated(c, f);
	ms_check_page_ext_invalidated(c, f);
	ms_check_page_ext_unreadable(c, f);
	ms_check_page_ext_implausible(c, f);
	ms_check_page_ext_missing(c, f);
	ms_check_section_online(c, f);
	ms_check_block_transition(c, f);
	ms_check_read_errors(c, f);
}

void ms_checks_offline(struct ms_ctx *c, struct ms_findings *f)
{
	ms_scan_struct_pages(c, MS_SCAN_OFFLINE);
	ms_check_dump_truncated(c, f);
	ms_check_offline_present(c, f);
	ms_check_offline_refcount(c, f);
	ms_check_offline_in_file(c, f);
	ms_check_read_errors(c, f);
}

void ms_checks_hvo(struct ms_ctx *c, struct ms_findings *f)
{
	ms_scan_struct_pages(c, MS_SCAN_HVO);
	ms_check_dump_truncated(c, f);
	ms_check_hvo_flag_remap(c, f);
	ms_check_hvo_alias_writable(c, f);
	ms_check_hvo_shared_frame(c, f);
	ms_check_read_errors(c, f);
}

/*
 * Every check.  The struct pages are read once for both scans, before any
 * check runs, so READ_ERRORS (last) counts every failed read.
 */
void ms_checks_all(struct ms_ctx *c, struct ms_findings *f)
{
	ms_scan_struct_pages(c, MS_SCAN_OFFLINE | MS_SCAN_HVO);
	ms_check_dump_truncated(c, f);
	ms_check_page_ext_invalidated(c, f);
	ms_check_page_ext_unreadable(c, f);
	ms_check_page_ext_implausible(c, f);
	ms_check_page_ext_missing(c, f);
	ms_check_section_online(c, f);
	ms_check_block_transition(c, f);
	ms_check_offline_present(c, f);
	ms_check_offline_refcount(c, f);
	ms_check_offline_in_file(c, f);
	ms_check_page_ext_gigantic_overrun(c, f);
	ms_check_hvo_flag_remap(c, f);
	ms_check_hvo_alias_writable(c, f);
	ms_check_hvo_shared_frame(c, f);
	ms_check_read_errors(c, f);
}
