/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Pieces of the JSON report other writers reuse (library-internal). */
#ifndef MEMSECT_LIB_REPORT_JSON_H
#define MEMSECT_LIB_REPORT_JSON_H

#include "json.h"
#include "memsect/findings.h"

struct ms_ctx;
struct ms_report_info;

/* schema, tool, command and dump: the keys every document starts with. */
void ms_json_envelope(struct json *j, struct ms_ctx *c,
		      const struct ms_report_info *ri);

/* A finding's place as the reports print it: "place": {kind, ...}. */
void ms_finding_place_json(struct json *j, const struct ms_finding *x);

#endif
