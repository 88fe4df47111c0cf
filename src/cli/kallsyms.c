// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kallsyms decoded from the dump (see kallsyms.h).  The format is the one
 * scripts/kallsyms.c writes and kernel/kallsyms.c reads:
 *
 *   kallsyms_num_syms      unsigned int
 *   kallsyms_names         per symbol: a length, then that many indexes
 *                          into the token table; the first expanded
 *                          character is the symbol's type letter.  A length
 *                          with bit 7 set takes a second byte:
 *                          (b0 & 0x7f) | b1 << 7 (73bbb94466fd, "kallsyms:
 *                          support "big" kernel symbols", v6.1)
 *   kallsyms_token_table   256 NUL-terminated strings
 *   kallsyms_token_index   u16[256], each token's offset in the table
 *   kallsyms_offsets       int[num_syms]: from kallsyms_relative_base, or
 *                          since a081b5789255 ("kallsyms: Get rid of
 *                          kallsyms relative base", v7.0) from the offset's
 *                          own address; or
 *   kallsyms_addresses     unsigned long[num_syms] (!KALLSYMS_BASE_RELATIVE)
 *
 * Where one table ends is not recorded anywhere; each is bounded by the
 * next kallsyms table VMCOREINFO locates above it (scripts/kallsyms.c
 * writes them one after the other; 6.1 and 6.12 order them differently).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kallsyms.h"

#define KSYM_NAME_LEN 512		/* include/linux/kallsyms.h since v6.1 */
#define MAX_TABLE (64u << 20)		/* no table of a real kernel comes near */
#define MAX_TOKEN_TABLE (1u << 20)
#define MAX_SYMS (1u << 24)

enum { T_NAMES, T_NUM, T_TOKTAB, T_TOKIDX, T_OFFSETS, T_BASE, T_ADDRESSES, T_NR };

static const char *const table_sym[T_NR] = {
	"kallsyms_names", "kallsyms_num_syms", "kallsyms_token_table",
	"kallsyms_token_index", "kallsyms_offsets", "kallsyms_relative_base",
	"kallsyms_addresses",
};

struct tables {
	const struct ms_target *t;
	uint64_t at[T_NR];		/* 0: not in VMCOREINFO */
	unsigned char *names;
	size_t names_len;
	char *toktab;
	size_t toktab_len;
	uint16_t tokidx[256];
	uint32_t num;
};

static const char *vmci(const struct ms_target *t, const char *key)
{
	return t->ops->vmcoreinfo ? t->ops->vmcoreinfo(t->priv, key) : NULL;
}

static int vmci_symbol(const struct ms_target *t, const char *name, uint64_t *addr)
{
	char key[64];
	const char *v;
	char *end;

	snprintf(key, sizeof(key), "SYMBOL(%s)", name);
	v = vmci(t, key);
	if (!v || !*v)
		return MS_ABSENT;
	*addr = strtoull(v, &end, 16);
	return *end || !*addr ? MS_ERROR : 0;
}

static int read_at(struct kallsyms *k, const struct tables *tb, uint64_t addr,
		   void *buf, size_t len, const char *what)
{
	size_t done = 0;

	if (tb->t->ops->read(tb->t->priv, MS_KVADDR, addr, buf, len, &done) == 0)
		return 0;
	snprintf(k->err, sizeof(k->err),
		 "cannot read %s at 0x%" PRIx64 " (%zu of %zu bytes read)", what,
		 addr, done, len);
	return MS_ERROR;
}

/* Bytes from table @i to the next kallsyms table above it, capped at @cap. */
static size_t extent(const struct tables *tb, int i, size_t cap)
{
	uint64_t end = tb->at[i] + cap;

	if (end < tb->at[i])
		end = UINT64_MAX;
	for (int j = 0; j < T_NR; j++)
		if (tb->at[j] > tb->at[i] && tb->at[j] < end)
			end = tb->at[j];
	return (size_t)(end - tb->at[i]);
}

static int locate(struct kallsyms *k, struct tables *tb)
{
	static const int need[] = { T_NAMES, T_NUM, T_TOKTAB, T_TOKIDX };

	for (int i = 0; i < T_NR; i++) {
		int r = vmci_symbol(tb->t, table_sym[i], &tb->at[i]);

		if (r == MS_ERROR) {
			snprintf(k->err, sizeof(k->err),
				 "VMCOREINFO SYMBOL(%s) is not an address", table_sym[i]);
			return MS_ERROR;
		}
		if (r)
			tb->at[i] = 0;
	}
	for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++)
		if (!tb->at[need[i]]) {
			snprintf(k->err, sizeof(k->err),
				 "VMCOREINFO has no SYMBOL(%s)", table_sym[need[i]]);
			return MS_ABSENT;
		}
	if (!tb->at[T_ADDRESSES] && !tb->at[T_OFFSETS]) {
		snprintf(k->err, sizeof(k->err),
			 "VMCOREINFO has neither SYMBOL(kallsyms_offsets) nor SYMBOL(kallsyms_addresses)");
		return MS_ABSENT;
	}
	return 0;
}

static int read_tables(struct kallsyms *k, struct tables *tb)
{
	size_t per_sym_min = 2;		/* a length byte and at least one token */

	if (read_at(k, tb, tb->at[T_NUM], &tb->num, sizeof(tb->num), "kallsyms_num_syms") ||
	    read_at(k, tb, tb->at[T_TOKIDX], tb->tokidx, sizeof(tb->tokidx),
		    "kallsyms_token_index"))
		return MS_ERROR;
	tb->names_len = extent(tb, T_NAMES, MAX_TABLE);
	tb->toktab_len = extent(tb, T_TOKTAB, MAX_TOKEN_TABLE);
	if (!tb->num || tb->num > MAX_SYMS || tb->num > tb->names_len / per_sym_min) {
		snprintf(k->err, sizeof(k->err),
			 "kallsyms_num_syms %" PRIu32 " does not fit kallsyms_names (%zu bytes)",
			 tb->num, tb->names_len);
		return MS_ERROR;
	}
	tb->names = malloc(tb->names_len);
	tb->toktab = malloc(tb->toktab_len);
	if (!tb->names || !tb->toktab) {
		snprintf(k->err, sizeof(k->err), "out of memory");
		return MS_ERROR;
	}
	if (read_at(k, tb, tb->at[T_NAMES], tb->names, tb->names_len, "kallsyms_names") ||
	    read_at(k, tb, tb->at[T_TOKTAB], tb->toktab, tb->toktab_len,
		    "kallsyms_token_table"))
		return MS_ERROR;
	for (int i = 0; i < 256; i++)
		if (tb->tokidx[i] >= tb->toktab_len ||
		    !memchr(tb->toktab + tb->tokidx[i], 0, tb->toktab_len - tb->tokidx[i])) {
			snprintf(k->err, sizeof(k->err),
				 "kallsyms_token_index[%d] = %u is outside kallsyms_token_table (%zu bytes)",
				 i, tb->tokidx[i], tb->toktab_len);
			return MS_ERROR;
		}
	return 0;
}

/* Expand every name; the walk over kallsyms_names stays inside its extent. */
static int expand_names(struct kallsyms *k, const struct tables *tb)
{
	size_t off = 0, pool = 0, cap = (size_t)tb->num * 24;
	char name[KSYM_NAME_LEN + 1];
	uint32_t i;

	k->names = malloc(cap);
	k->name_off = malloc((size_t)tb->num * sizeof(*k->name_off));
	k->types = malloc(tb->num);
	if (!k->names || !k->name_off || !k->types)
		goto oom;
	for (i = 0; i < tb->num; i++) {
		size_t len, n = 0;

		if (off >= tb->names_len)
			goto overrun;
		len = tb->names[off++];
		if (len & 0x80) {
			if (off >= tb->names_len)
				goto overrun;
			len = (len & 0x7f) | (size_t)tb->names[off++] << 7;
		}
		if (!len || len > tb->names_len - off) {
			snprintf(k->err, sizeof(k->err),
				 "kallsyms_names: symbol %" PRIu32 " has length %zu at offset %zu (table: %zu bytes)",
				 i, len, off, tb->names_len);
			return MS_ERROR;
		}
		for (size_t j = 0; j < len; j++) {
			const char *tok = tb->toktab + tb->tokidx[tb->names[off + j]];
			size_t tl = strlen(tok);	/* NUL inside the table: read_tables() */

			if (tl > KSYM_NAME_LEN - n) {
				snprintf(k->err, sizeof(k->err),
					 "kallsyms_names: symbol %" PRIu32 " expands past %d characters",
					 i, KSYM_NAME_LEN);
				return MS_ERROR;
			}
			memcpy(name + n, tok, tl);
			n += tl;
		}
		off += len;
		if (n < 2) {
			snprintf(k->err, sizeof(k->err),
				 "kallsyms_names: symbol %" PRIu32 " has an empty name", i);
			return MS_ERROR;
		}
		if (pool + n > cap) {
			char *nn;

			cap = 2 * cap + n;
			nn = realloc(k->names, cap);
			if (!nn)
				goto oom;
			k->names = nn;
		}
		k->types[i] = name[0];
		k->name_off[i] = (uint32_t)pool;
		memcpy(k->names + pool, name + 1, n - 1);
		k->names[pool + n - 1] = 0;
		pool += n;
	}
	k->n = tb->num;
	return 0;
overrun:
	snprintf(k->err, sizeof(k->err),
		 "kallsyms_names ends before symbol %" PRIu32 " of kallsyms_num_syms %" PRIu32,
		 i, tb->num);
	return MS_ERROR;
oom:
	snprintf(k->err, sizeof(k->err), "out of memory");
	return MS_ERROR;
}

static const char *name_of(const struct kallsyms *k, size_t i)
{
	return k->names + k->name_off[i];
}

/*
 * kallsyms_sym_address() through the kernel versions: with
 * CONFIG_KALLSYMS_ABSOLUTE_PERCPU, offsets >= 0 are absolute (the x86_64
 * per-cpu symbols) and negative ones are relative_base - 1 - offset;
 * without it, every offset is an unsigned distance from relative_base;
 * without relative_base (v7.0), a signed distance from the offset's own
 * address.  The dump does not say which; the decoding that puts _stext
 * where VMCOREINFO SYMBOL(_stext) says is the one.
 */
enum encoding { ENC_ABS_PERCPU, ENC_RELATIVE, ENC_PLACE, ENC_NR };

static const char *const enc_name[ENC_NR] = {
	"absolute-percpu", "relative", "place-relative",
};

static uint64_t decode(enum encoding e, int32_t off, uint64_t base, uint64_t at)
{
	switch (e) {
	case ENC_ABS_PERCPU:
		return off >= 0 ? (uint64_t)off : base - 1 - (uint64_t)(int64_t)off;
	case ENC_RELATIVE:
		return base + (uint32_t)off;
	default:
		return at + (uint64_t)(int64_t)off;
	}
}

static int addresses(struct kallsyms *k, const struct tables *tb)
{
	size_t n = k->n, i;
	uint64_t stext, base = 0;

	k->addr = malloc(n * sizeof(*k->addr));
	if (!k->addr) {
		snprintf(k->err, sizeof(k->err), "out of memory");
		return MS_ERROR;
	}
	if (!tb->at[T_OFFSETS]) {
		if (n > extent(tb, T_ADDRESSES, MAX_TABLE) / sizeof(uint64_t)) {
			snprintf(k->err, sizeof(k->err),
				 "kallsyms_num_syms %zu does not fit kallsyms_addresses", n);
			return MS_ERROR;
		}
		k->encoding = "absolute";
		return read_at(k, tb, tb->at[T_ADDRESSES], k->addr, n * sizeof(*k->addr),
			       "kallsyms_addresses");
	}
	if (n > extent(tb, T_OFFSETS, MAX_TABLE) / sizeof(int32_t)) {
		snprintf(k->err, sizeof(k->err),
			 "kallsyms_num_syms %zu does not fit kallsyms_offsets", n);
		return MS_ERROR;
	}
	if (tb->at[T_BASE] &&
	    read_at(k, tb, tb->at[T_BASE], &base, sizeof(base), "kallsyms_relative_base"))
		return MS_ERROR;
	/* The raw offsets go into the upper half of the array, decoded in place. */
	{
		int32_t *raw = malloc(n * sizeof(*raw));
		int enc = ENC_NR;

		if (!raw) {
			snprintf(k->err, sizeof(k->err), "out of memory");
			return MS_ERROR;
		}
		if (read_at(k, tb, tb->at[T_OFFSETS], raw, n * sizeof(*raw),
			    "kallsyms_offsets")) {
			free(raw);
			return MS_ERROR;
		}
		if (vmci_symbol(tb->t, "_stext", &stext)) {
			free(raw);
			snprintf(k->err, sizeof(k->err),
				 "VMCOREINFO has no SYMBOL(_stext) to check the kallsyms_offsets encoding against");
			return MS_ERROR;
		}
		for (i = 0; i < n && strcmp(name_of(k, i), "_stext"); i++)
			;
		for (int e = tb->at[T_BASE] ? 0 : ENC_PLACE; i < n && e < ENC_NR; e++)
			if (decode(e, raw[i], base, tb->at[T_OFFSETS] + 4 * i) == stext) {
				enc = e;
				break;
			}
		if (enc == ENC_NR) {
			free(raw);
			snprintf(k->err, sizeof(k->err),
				 "kallsyms: no encoding of kallsyms_offsets puts _stext at VMCOREINFO SYMBOL(_stext) 0x%" PRIx64,
				 stext);
			return MS_ERROR;
		}
		for (i = 0; i < n; i++)
			k->addr[i] = decode(enc, raw[i], base, tb->at[T_OFFSETS] + 4 * i);
		free(raw);
		k->encoding = enc_name[enc];
	}
	return 0;
}

static int index_names(struct kallsyms *k)
{
	for (size_t i = 0; i < k->n; i++) {
		if (i && k->addr[i] < k->addr[i - 1]) {
			snprintf(k->err, sizeof(k->err),
				 "kallsyms: symbol %zu is below the one before it: the table is not sorted",
				 i);
			return MS_ERROR;
		}
		if (strmap_add(&k->byname, name_of(k, i), k->addr[i])) {
			snprintf(k->err, sizeof(k->err), "out of memory");
			return MS_ERROR;
		}
	}
	return 0;
}

int kallsyms_load(struct kallsyms *k, const struct ms_target *t)
{
	struct tables tb = { .t = t };
	int r;

	memset(k, 0, sizeof(*k));
	r = locate(k, &tb);
	if (!r)
		r = read_tables(k, &tb);
	if (!r)
		r = expand_names(k, &tb);
	if (!r)
		r = addresses(k, &tb);
	if (!r)
		r = index_names(k);
	free(tb.names);
	free(tb.toktab);
	return r;
}

void kallsyms_free(struct kallsyms *k)
{
	free(k->addr);
	free(k->name_off);
	free(k->names);
	free(k->types);
	strmap_free(&k->byname);
	memset(k, 0, sizeof(*k));
}

int kallsyms_lookup(const struct kallsyms *k, const char *name, uint64_t *addr)
{
	return strmap_get(&k->byname, name, addr) ? MS_ABSENT : 0;
}

int kallsyms_format(const struct kallsyms *k, uint64_t addr, char *buf, size_t len)
{
	size_t lo = 0, hi = k->n, next;

	if (!k->n || addr < k->addr[0])
		return MS_ABSENT;
	while (hi - lo > 1) {	/* get_symbol_pos(): the last symbol <= addr */
		size_t mid = lo + (hi - lo) / 2;

		if (k->addr[mid] <= addr)
			lo = mid;
		else
			hi = mid;
	}
	while (lo && k->addr[lo - 1] == k->addr[lo])
		lo--;
	for (next = lo + 1; next < k->n && k->addr[next] == k->addr[lo]; next++)
		;
	if (next == k->n)
		return MS_ABSENT;
	snprintf(buf, len, "%s+0x%" PRIx64 "/0x%" PRIx64, name_of(k, lo),
		 addr - k->addr[lo], k->addr[next] - k->addr[lo]);
	return 0;
}
