/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Decoding page->page_type (PageOffline) and page flags. */
#ifndef MEMSECT_PAGETYPE_H
#define MEMSECT_PAGETYPE_H

#include <stdbool.h>
#include <stdint.h>

#include "layout.h"

bool ms_page_type_is_offline(const struct ms_layout *L, uint32_t page_type);
const char *ms_pagetype_scheme_name(enum ms_pagetype_scheme s);

#endif
