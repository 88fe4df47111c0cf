// SPDX-License-Identifier: GPL-2.0-or-later
/* PageOffline in each page_type encoding (see layout.c resolve_page()). */
#include "memsect/pagetype.h"

bool ms_page_type_is_offline(const struct ms_layout *L, uint32_t page_type)
{
	switch (L->pgtype) {
	case MS_PGTYPE_TOPBYTE:
		/* 6.12+: page_type >> 24 == PGTY_offline; low 24 bits are the owner's. */
		return (page_type >> 24) == L->pgtype_offline;
	case MS_PGTYPE_INVERTED:
	case MS_PGTYPE_INVERTED_6_11:
		/* PageType(page, flag): (page_type & (BASE | flag)) == BASE */
		return (page_type & (L->pgtype_base | L->pgtype_offline)) ==
		       L->pgtype_base;
	}
	return false;
}

const char *ms_pagetype_scheme_name(enum ms_pagetype_scheme s)
{
	switch (s) {
	case MS_PGTYPE_INVERTED:
		return "inverted-bits";
	case MS_PGTYPE_INVERTED_6_11:
		return "inverted-bits-6.11";
	case MS_PGTYPE_TOPBYTE:
		return "top-byte";
	}
	return "?";
}
