/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * memsect page PFN...: the struct page and every page_ext client's data of
 * each pfn (page_owner, page_table_check, alloc tag), found through the
 * pfn's own section.  A client is active when its share adds up to
 * page_ext_size: flags word (8, 6.3+ only if page_owner), page_owner
 * (sizeof struct page_owner, page_owner_inited), page_table_check (8,
 * page_table_check_disabled off), alloc tag (8, the rest).
 */
#ifndef MEMSECT_PAGE_INFO_H
#define MEMSECT_PAGE_INFO_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "context.h"

struct ms_report_info;

/*
 * Text or one JSON document (command "page", the envelope from @ri);
 * returns nonzero if a pfn had no section.
 */
int ms_page_report(FILE *out, struct ms_ctx *c, const uint64_t *pfns, size_t n,
		   bool json, const struct ms_report_info *ri);

#endif
