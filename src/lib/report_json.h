/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Pieces of the JSON report other writers reuse (library-internal). */
#ifndef MEMSECT_LIB_REPORT_JSON_H
#define MEMSECT_LIB_REPORT_JSON_H

#include "json.h"
#include "memsect/findings.h"

/* A finding's place as the reports print it: "place": {kind, ...}. */
void ms_finding_place_json(struct json *j, const struct ms_finding *x);

#endif
