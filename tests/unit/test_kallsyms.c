// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kallsyms decoded from dump memory (src/cli/kallsyms.c) on tables laid out
 * as scripts/kallsyms.c writes them: the three offset encodings (told apart
 * by VMCOREINFO SYMBOL(_stext)), the two-byte length of long names, %pS text;
 * and tables that no kernel writes (a corrupted dump) refused with a reason,
 * never read out of bounds.
 */
#include <stdio.h>
#include <string.h>

#include "kallsyms.h"
#include "synth.h"

#define KS_VA 0xffffffff83000000ULL	/* where the tables are */
#define KS_SIZE (1u << 20)
#define TEXT 0xffffffff81000000ULL	/* _stext */
#define BASE (TEXT - 0x1000)		/* kallsyms_relative_base */
#define TOK_PAGE 1			/* token 1 expands to "page_" */

enum { RELATIVE, ABS_PERCPU, PLACE };	/* kallsyms_offsets encodings */

struct sym {
	const char *name;	/* with the type letter first */
	uint64_t addr;
};

struct img {
	struct synth *s;
	unsigned char *mem;
	size_t names, toktab, tokidx, offsets, base, num;	/* offsets in mem */
	size_t at[16];		/* each symbol's length byte in mem */
};

static void put(unsigned char *p, uint64_t v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static void locate(struct img *im, const char *name, size_t off)
{
	char key[64], val[32];

	snprintf(key, sizeof(key), "SYMBOL(%s)", name);
	snprintf(val, sizeof(val), "%llx", (unsigned long long)(KS_VA + off));
	synth_set_vmcoreinfo(im->s, key, val);
}

/*
 * The 6.12 order: num_syms, names, (markers), token_table, token_index,
 * offsets, relative_base (7.0: no relative_base).  Each character of a name is the token of the
 * same number, except that "page_" is token TOK_PAGE.
 */
static void build(struct img *im, const struct sym *syms, size_t n, int enc)
{
	size_t o;
	char stext[32];

	im->s = synth_new(GEN_6_12, 0);
	im->mem = synth_map(im->s, KS_VA, KS_SIZE);
	im->num = 0;
	put(im->mem + im->num, n, 4);
	im->names = o = 16;
	for (size_t i = 0; i < n; i++) {
		unsigned char tok[600];
		size_t nt = 0;

		im->at[i] = o;
		for (const char *c = syms[i].name; *c;) {
			if (!strncmp(c, "page_", 5)) {
				tok[nt++] = TOK_PAGE;
				c += 5;
			} else {
				tok[nt++] = (unsigned char)*c++;
			}
		}
		if (nt > 0x7f) {
			im->mem[o++] = (unsigned char)((nt & 0x7f) | 0x80);
			im->mem[o++] = (unsigned char)(nt >> 7);
		} else {
			im->mem[o++] = (unsigned char)nt;
		}
		memcpy(im->mem + o, tok, nt);
		o += nt;
	}
	o += 64;			/* kallsyms_markers */
	im->toktab = o;
	for (int t = 0; t < 256; t++) {
		size_t at = o - im->toktab;

		if (t == TOK_PAGE) {
			memcpy(im->mem + o, "page_", 6);
			o += 6;
		} else {
			im->mem[o++] = (unsigned char)(t ? t : '?');
			im->mem[o++] = 0;
		}
		/* token_index comes next; filled below */
		put(im->mem + 0x80000 + 2 * t, at, 2);
	}
	im->tokidx = (o + 7) & ~(size_t)7;
	memcpy(im->mem + im->tokidx, im->mem + 0x80000, 512);
	memset(im->mem + 0x80000, 0, 512);
	im->offsets = im->tokidx + 512;
	for (size_t i = 0; i < n; i++) {
		int64_t off;

		if (enc == RELATIVE)
			off = (int64_t)(syms[i].addr - BASE);
		else if (enc == PLACE)
			off = (int64_t)(syms[i].addr - (KS_VA + im->offsets + 4 * i));
		else if (syms[i].addr < TEXT)	/* a per-cpu symbol: absolute */
			off = (int64_t)syms[i].addr;
		else
			off = -(int64_t)(syms[i].addr - BASE) - 1;
		put(im->mem + im->offsets + 4 * i, (uint64_t)off, 4);
	}
	im->base = (im->offsets + 4 * n + 7) & ~(size_t)7;
	put(im->mem + im->base, BASE, 8);
	locate(im, "kallsyms_num_syms", im->num);
	locate(im, "kallsyms_names", im->names);
	locate(im, "kallsyms_token_table", im->toktab);
	locate(im, "kallsyms_token_index", im->tokidx);
	locate(im, "kallsyms_offsets", im->offsets);
	if (enc != PLACE)
		locate(im, "kallsyms_relative_base", im->base);
	snprintf(stext, sizeof(stext), "%llx", (unsigned long long)TEXT);
	synth_set_vmcoreinfo(im->s, "SYMBOL(_stext)", stext);
}

static char long_name[400];

static const struct sym syms[] = {
	{ "Dfixed_percpu_data", 0x0 },
	{ "Dcpu_number", 0x20 },
	{ "T_stext", TEXT },
	{ "Tstartup_64", TEXT },
	{ "T__alloc_page_s", TEXT + 0x100 },
	{ long_name, TEXT + 0x180 },
	{ "Tpage_owner_x", TEXT + 0x400 },
	{ "Dmem_section", TEXT + 0x10000 },
	{ "D_end", TEXT + 0x20000 },
};
#define NSYMS (sizeof(syms) / sizeof(syms[0]))

/* Without absolute per-cpu symbols (6.15+ x86_64, other arches) there are none below _text. */
static void test_decode(int enc)
{
	static const char *const name[] = { "relative", "absolute-percpu", "place-relative" };
	const struct sym *v = enc == ABS_PERCPU ? syms : syms + 2;
	size_t n = enc == ABS_PERCPU ? NSYMS : NSYMS - 2;
	struct img im;
	struct kallsyms k;
	uint64_t a;
	char buf[600];

	build(&im, v, n, enc);
	CHECK_EQ(kallsyms_load(&k, synth_target(im.s)), 0);
	CHECK(k.encoding && !strcmp(k.encoding, name[enc]));
	CHECK_EQ(k.n, n);
	for (size_t i = 0; i < n && i < k.n; i++) {
		CHECK(!strcmp(k.names + k.name_off[i], v[i].name + 1));
		CHECK_EQ(k.types[i], v[i].name[0]);
		CHECK_EQ(k.addr[i], v[i].addr);
	}
	CHECK_EQ(kallsyms_lookup(&k, "mem_section", &a), 0);
	CHECK_EQ(a, TEXT + 0x10000);
	if (enc == ABS_PERCPU) {
		CHECK_EQ(kallsyms_lookup(&k, "cpu_number", &a), 0);
		CHECK_EQ(a, 0x20);
	}
	CHECK_EQ(kallsyms_lookup(&k, "nothing", &a), MS_ABSENT);
	/* %pS: the first alias, the size up to the next higher address */
	CHECK_EQ(kallsyms_format(&k, TEXT + 0x10, buf, sizeof(buf)), 0);
	CHECK(!strcmp(buf, "_stext+0x10/0x100"));
	CHECK_EQ(kallsyms_format(&k, TEXT + 0x404, buf, sizeof(buf)), 0);
	CHECK(!strcmp(buf, "page_owner_x+0x4/0xfc00"));
	CHECK_EQ(kallsyms_format(&k, TEXT + 0x20000, buf, sizeof(buf)), MS_ABSENT);
	kallsyms_free(&k);
	synth_free(im.s);
}

/* A name of more than 127 tokens takes two length bytes (v6.1). */
static void test_long_name(void)
{
	struct img im;
	struct kallsyms k;
	uint64_t a;

	build(&im, syms, NSYMS, ABS_PERCPU);
	CHECK(im.mem[im.at[5]] & 0x80);
	CHECK_EQ(kallsyms_load(&k, synth_target(im.s)), 0);
	CHECK_EQ(kallsyms_lookup(&k, long_name + 1, &a), 0);
	CHECK_EQ(a, TEXT + 0x180);
	kallsyms_free(&k);
	synth_free(im.s);
}

/* Each corruption is refused with a reason naming what is wrong. */
static void test_corrupt(void)
{
	static const struct {
		const char *what;	/* in the reason */
		int field;		/* what to break */
	} cases[] = {
		{ "kallsyms_num_syms", 0 },	/* more symbols than names fit */
		{ "kallsyms_token_index", 1 },	/* a token past the table */
		{ "length", 2 },		/* a name running past its table */
		{ "SYMBOL(_stext)", 3 },	/* no encoding puts _stext there */
		{ "not sorted", 4 },
		{ "no SYMBOL(kallsyms_names)", 5 },
		{ "expands past", 6 },		/* a name longer than KSYM_NAME_LEN */
		{ "kallsyms_num_syms", 7 },	/* zero symbols */
		{ "kallsyms_offsets", 8 },	/* unreadable offsets */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct img im;
		struct kallsyms k;
		int r;

		build(&im, syms, NSYMS, ABS_PERCPU);
		switch (cases[i].field) {
		case 0:
			put(im.mem + im.num, 0x7fffffff, 4);
			break;
		case 1:
			put(im.mem + im.tokidx + 2 * 'a', 0xfff0, 2);
			break;
		case 2:
			im.mem[im.names] = 0xff;
			im.mem[im.names + 1] = 0x7f;
			break;
		case 3:
			synth_set_vmcoreinfo(im.s, "SYMBOL(_stext)", "ffffffff81234000");
			break;
		case 4:
			put(im.mem + im.offsets + 4 * 7, (uint64_t)-2, 4);
			break;
		case 5:
			synth_drop(im.s, "SYMBOL(kallsyms_names)");
			break;
		case 6:		/* 200 of its tokens "page_": 1000 characters */
			memset(im.mem + im.at[5] + 2, TOK_PAGE, 200);
			break;
		case 7:
			put(im.mem + im.num, 0, 4);
			break;
		case 8:	/* offsets past the mapped memory: a read error */
			locate(&im, "kallsyms_offsets", KS_SIZE - 8);
			break;
		}
		r = kallsyms_load(&k, synth_target(im.s));
		CHECK(r != 0);
		if (!strstr(k.err, cases[i].what)) {
			synth_failures++;
			fprintf(stderr, "case %zu: reason '%s' does not name '%s'\n", i,
				k.err, cases[i].what);
		}
		kallsyms_free(&k);
		synth_free(im.s);
	}
}

int main(void)
{
	memset(long_name, 'x', 300);
	long_name[0] = 'T';
	test_decode(RELATIVE);
	test_decode(ABS_PERCPU);
	test_decode(PLACE);
	test_long_name();
	test_corrupt();
	return synth_done("kallsyms");
}
