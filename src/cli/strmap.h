/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A string -> uint64 hash map (open addressing), for the vmlinux indexes. */
#ifndef MEMSECT_CLI_STRMAP_H
#define MEMSECT_CLI_STRMAP_H

#include <stddef.h>
#include <stdint.h>

struct strmap_slot {
	char *key;
	uint64_t value;
};

struct strmap {
	struct strmap_slot *slots;
	size_t cap, n;
};

/* Insert unless present (first definition wins).  Returns 0 or -1 (ENOMEM). */
int strmap_add(struct strmap *m, const char *key, uint64_t value);
/* 0 and *value, or -1 when absent. */
int strmap_get(const struct strmap *m, const char *key, uint64_t *value);
void strmap_free(struct strmap *m);

#endif
