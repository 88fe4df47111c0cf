// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdlib.h>
#include <string.h>

#include "strmap.h"

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;	/* FNV-1a */

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

static int grow(struct strmap *m)
{
	size_t ncap = m->cap ? m->cap * 2 : 1024;
	struct strmap_slot *ns = calloc(ncap, sizeof(*ns));

	if (!ns)
		return -1;
	for (size_t i = 0; i < m->cap; i++) {
		size_t j;

		if (!m->slots[i].key)
			continue;
		for (j = hash(m->slots[i].key) & (ncap - 1); ns[j].key;
		     j = (j + 1) & (ncap - 1))
			;
		ns[j] = m->slots[i];
	}
	free(m->slots);
	m->slots = ns;
	m->cap = ncap;
	return 0;
}

int strmap_add(struct strmap *m, const char *key, uint64_t value)
{
	size_t j;

	if ((m->n + 1) * 2 > m->cap && grow(m))
		return -1;
	for (j = hash(key) & (m->cap - 1); m->slots[j].key;
	     j = (j + 1) & (m->cap - 1))
		if (!strcmp(m->slots[j].key, key))
			return 0;
	m->slots[j].key = strdup(key);
	if (!m->slots[j].key)
		return -1;
	m->slots[j].value = value;
	m->n++;
	return 0;
}

int strmap_get(const struct strmap *m, const char *key, uint64_t *value)
{
	if (!m->cap)
		return -1;
	for (size_t j = hash(key) & (m->cap - 1); m->slots[j].key;
	     j = (j + 1) & (m->cap - 1))
		if (!strcmp(m->slots[j].key, key)) {
			*value = m->slots[j].value;
			return 0;
		}
	return -1;
}

void strmap_free(struct strmap *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->slots[i].key);
	free(m->slots);
	memset(m, 0, sizeof(*m));
}
