/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The "hvo" part of the text and JSON reports (library-internal). */
#ifndef MEMSECT_LIB_REPORT_HVO_H
#define MEMSECT_LIB_REPORT_HVO_H

#include <stdio.h>

#include "json.h"
#include "memsect/context.h"

void ms_hvo_json(struct json *j, struct ms_ctx *c);
/* The hvo command's text: the summary line, then a line per folio. */
void ms_hvo_text(FILE *out, struct ms_ctx *c);
/* One line: the folios found and what a naive scan would misread. */
void ms_hvo_text_summary(FILE *out, struct ms_ctx *c);

#endif
