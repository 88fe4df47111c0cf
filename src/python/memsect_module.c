// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * memsect._memsect: libmemsect for Python.  A struct ms_target whose
 * callbacks call a Python object (drgn_helpers/memsect/target.py wraps a
 * drgn Program in one), and the commands the CLI runs, printed into a
 * string by the core's own report functions.  No Python exception reaches
 * the core: a callback that raises is a failed read or an absent name; a
 * KeyboardInterrupt fails every later read and is raised again at the end.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memsect/context.h"
#include "memsect/findings.h"
#include "memsect/hvo.h"
#include "memsect/page_info.h"
#include "memsect/page_owner.h"
#include "memsect/report.h"
#include "memsect/sections.h"
#include "symtab.h"
#include "vtop.h"

#define PY_PAGE 4096ULL		/* x86_64, the only architecture supported */
#define PY_READ_CHUNK (256 * 1024)

struct py_target {
	struct ms_target target;
	PyObject *obj;		/* the Python target */
	PyObject *vmci;		/* VMCOREINFO values returned so far: key -> bytes */
	struct symtab *symtab;	/* for addr_symbol, built on first use */
	int symtab_failed;
	int interrupted;	/* a KeyboardInterrupt was swallowed */
	struct py_vtop pgt;
	char err[200];
};

static PyObject *MemsectError;

/* Swallow the pending exception; keep its text for errmsg. */
static void swallow(struct py_target *pt)
{
	PyObject *type, *value, *tb, *s;

	if (PyErr_ExceptionMatches(PyExc_KeyboardInterrupt))
		pt->interrupted = 1;
	PyErr_Fetch(&type, &value, &tb);
	s = value ? PyObject_Str(value) : NULL;
	snprintf(pt->err, sizeof(pt->err), "%s", s ? PyUnicode_AsUTF8(s) : "Python error");
	PyErr_Clear();
	Py_XDECREF(s);
	Py_XDECREF(type);
	Py_XDECREF(value);
	Py_XDECREF(tb);
}

/* The failing address a drgn.FaultError carries, if the pending one has it. */
static int fault_address(uint64_t *addr)
{
	PyObject *type, *value, *tb, *a;
	int ok = 0;

	PyErr_Fetch(&type, &value, &tb);
	PyErr_NormalizeException(&type, &value, &tb);
	a = value ? PyObject_GetAttrString(value, "address") : NULL;
	if (a && PyLong_Check(a)) {
		*addr = PyLong_AsUnsignedLongLongMask(a);
		ok = !PyErr_Occurred();
	}
	PyErr_Clear();
	Py_XDECREF(a);
	PyErr_Restore(type, value, tb);
	return ok;
}

static int py_read_once(struct py_target *pt, enum ms_addrspace as,
			uint64_t addr, void *buf, size_t len)
{
	PyObject *r;

	if (pt->interrupted)
		return MS_ERROR;
	r = PyObject_CallMethod(pt->obj, "read", "KnO", (unsigned long long)addr,
				(Py_ssize_t)len, as == MS_PADDR ? Py_True : Py_False);
	if (!r)
		return MS_ERROR;
	if (!PyBytes_Check(r) || (size_t)PyBytes_GET_SIZE(r) != len) {
		Py_DECREF(r);
		PyErr_SetString(PyExc_ValueError, "read returned the wrong size");
		return MS_ERROR;
	}
	memcpy(buf, PyBytes_AS_STRING(r), len);
	Py_DECREF(r);
	return 0;
}

/*
 * drgn reads all or nothing: on a fault, the bytes before its address are
 * read again so that *done bytes of buf are valid, as the contract says.
 */
static int py_read_chunk(struct py_target *pt, enum ms_addrspace as,
			 uint64_t addr, void *buf, size_t len, size_t *done)
{
	uint64_t bad;

	*done = 0;
	if (py_read_once(pt, as, addr, buf, len) == 0) {
		*done = len;
		return 0;
	}
	if (fault_address(&bad) && bad > addr && bad - addr < len) {
		swallow(pt);
		if (py_read_once(pt, as, addr, buf, bad - addr) == 0)
			*done = bad - addr;
		else
			swallow(pt);
		return MS_ERROR;
	}
	swallow(pt);
	return MS_ERROR;
}

/*
 * Large reads (a section's struct pages) go in chunks: each chunk's bytes
 * object then reuses the heap instead of faulting in fresh pages (a
 * whole-memory scan of an ELF dump measured 0.08 s instead of 0.74 s).
 */
static int py_read(void *priv, enum ms_addrspace as, uint64_t addr, void *buf,
		   size_t len, size_t *done)
{
	size_t off = 0, got;

	while (off < len) {
		size_t n = len - off < PY_READ_CHUNK ? len - off : PY_READ_CHUNK;

		if (py_read_chunk(priv, as, addr + off, (char *)buf + off, n, &got)) {
			*done = off + got;
			return MS_ERROR;
		}
		off += n;
	}
	*done = len;
	return 0;
}

/*
 * Call a look-up method; NULL with MS_ABSENT in *r for None or an
 * exception (recorded in errmsg).
 */
static PyObject *lookup(struct py_target *pt, int *r, const char *method,
			const char *fmt, ...)
{
	PyObject *m, *args, *res;
	va_list ap;

	*r = MS_ABSENT;
	if (pt->interrupted)
		return NULL;
	va_start(ap, fmt);
	args = Py_VaBuildValue(fmt, ap);
	va_end(ap);
	m = PyObject_GetAttrString(pt->obj, method);
	res = m && args ? PyObject_CallObject(m, args) : NULL;
	Py_XDECREF(m);
	Py_XDECREF(args);
	if (!res) {
		swallow(pt);
		return NULL;
	}
	if (res == Py_None) {
		Py_DECREF(res);
		return NULL;
	}
	*r = 0;
	return res;
}

/* A Python int as u64 (negative ones wrap, as C enumerators do); -1 if not an int. */
static int as_u64(struct py_target *pt, PyObject *o, uint64_t *v)
{
	*v = PyLong_Check(o) ? PyLong_AsUnsignedLongLongMask(o) : 0;
	if (!PyLong_Check(o) || PyErr_Occurred()) {
		if (!PyErr_Occurred())
			PyErr_SetString(PyExc_TypeError, "not an int");
		swallow(pt);
		return -1;
	}
	return 0;
}

static int py_symbol(void *priv, const char *name, uint64_t *addr)
{
	int r;
	PyObject *o = lookup(priv, &r, "symbol", "(s)", name);

	if (o && as_u64(priv, o, addr))
		r = MS_ABSENT;
	Py_XDECREF(o);
	return r;
}

static int py_member(void *priv, const char *type, const char *member,
		     size_t *offset, size_t *size)
{
	uint64_t off, sz;
	int r;
	PyObject *o = lookup(priv, &r, "member", "(ss)", type, member);

	if (o && (!PyTuple_Check(o) || PyTuple_GET_SIZE(o) != 2 ||
		  as_u64(priv, PyTuple_GET_ITEM(o, 0), &off) ||
		  as_u64(priv, PyTuple_GET_ITEM(o, 1), &sz)))
		r = MS_ABSENT;
	else if (o) {
		*offset = off;
		*size = sz;
	}
	Py_XDECREF(o);
	return r;
}

static int py_type_size(void *priv, const char *type, size_t *size)
{
	uint64_t v;
	int r;
	PyObject *o = lookup(priv, &r, "type_size", "(s)", type);

	if (o && as_u64(priv, o, &v))
		r = MS_ABSENT;
	else if (o)
		*size = v;
	Py_XDECREF(o);
	return r;
}

static int py_enumerator(void *priv, const char *name, int64_t *value)
{
	uint64_t v;
	int r;
	PyObject *o = lookup(priv, &r, "enumerator", "(s)", name);

	if (o && as_u64(priv, o, &v))
		r = MS_ABSENT;
	else if (o)
		*value = (int64_t)v;
	Py_XDECREF(o);
	return r;
}

/* The value lives in pt->vmci until the target is closed. */
static const char *py_vmcoreinfo(void *priv, const char *key)
{
	struct py_target *pt = priv;
	PyObject *b = PyDict_GetItemString(pt->vmci, key), *o;
	const char *s;
	int r;

	if (b)
		return PyBytes_AS_STRING(b);
	o = lookup(pt, &r, "vmcoreinfo", "(s)", key);
	if (!o)
		return NULL;
	s = PyUnicode_Check(o) ? PyUnicode_AsUTF8(o) : NULL;
	b = s ? PyBytes_FromString(s) : NULL;
	Py_DECREF(o);
	if (!b || PyDict_SetItemString(pt->vmci, key, b)) {
		Py_XDECREF(b);
		swallow(pt);
		return NULL;
	}
	Py_DECREF(b);
	return PyBytes_AS_STRING(b);
}

/* A one-byte physical read per pfn, as crash's target does. */
static int py_pfns_in_file(void *priv, uint64_t start, uint64_t end,
			   uint64_t *stored)
{
	struct py_target *pt = priv;
	unsigned char byte;
	size_t done;

	*stored = 0;
	for (uint64_t pfn = start; pfn < end; pfn++) {
		if (pt->interrupted)
			return MS_ERROR;
		*stored += py_read(pt, MS_PADDR, pfn * PY_PAGE, &byte, 1, &done) == 0;
	}
	return 0;
}

static const char *py_errmsg(void *priv)
{
	struct py_target *pt = priv;

	return pt->err[0] ? pt->err : NULL;
}

/* (address, name, weak) tuples from the target's symbols(), sorted by src/elf/symtab.c. */
static struct symtab *load_symtab(struct py_target *pt)
{
	PyObject *list, *it, *e;
	struct symtab *s;
	int r;

	list = lookup(pt, &r, "symbols", "()");
	it = list ? PyObject_GetIter(list) : NULL;
	s = it ? symtab_new() : NULL;
	while (s && (e = PyIter_Next(it))) {
		unsigned long long addr;
		const char *name;
		int weak;

		if (!PyArg_ParseTuple(e, "Ksp", &addr, &name, &weak) ||
		    symtab_add(s, addr, name, weak)) {
			symtab_free(s);
			s = NULL;
		}
		Py_DECREF(e);
	}
	if (PyErr_Occurred()) {
		symtab_free(s);
		s = NULL;
		swallow(pt);
	}
	Py_XDECREF(it);
	Py_XDECREF(list);
	if (s)
		symtab_sort(s);
	return s;
}

static int py_addr_symbol(void *priv, uint64_t addr, char *buf, size_t len)
{
	struct py_target *pt = priv;

	if (!pt->symtab && !pt->symtab_failed) {
		pt->symtab = load_symtab(pt);
		pt->symtab_failed = !pt->symtab;
	}
	if (!pt->symtab)
		return MS_ABSENT;
	return symtab_format(pt->symtab, addr, buf, len);
}

static int py_vtop_op(void *priv, uint64_t vaddr, uint64_t *paddr,
		      struct ms_pte *leaf)
{
	struct py_target *pt = priv;

	return py_vtop(&pt->pgt, &pt->target, vaddr, paddr, leaf);
}

static const struct ms_target_ops py_ops = {
	.read = py_read,
	.symbol = py_symbol,
	.member = py_member,
	.type_size = py_type_size,
	.enumerator = py_enumerator,
	.vmcoreinfo = py_vmcoreinfo,
	.vtop = py_vtop_op,
	.pfns_in_file = py_pfns_in_file,
	.errmsg = py_errmsg,
	.addr_symbol = py_addr_symbol,
};

static int target_open(struct py_target *pt, PyObject *obj)
{
	memset(pt, 0, sizeof(*pt));
	pt->vmci = PyDict_New();
	if (!pt->vmci)
		return -1;
	pt->obj = obj;
	Py_INCREF(obj);
	pt->target.ops = &py_ops;
	pt->target.priv = pt;
	return 0;
}

/* Closes the target; NULL (KeyboardInterrupt raised) if one was swallowed. */
static PyObject *target_close(struct py_target *pt, PyObject *result)
{
	symtab_free(pt->symtab);
	Py_XDECREF(pt->vmci);
	Py_XDECREF(pt->obj);
	if (pt->interrupted && result) {
		Py_DECREF(result);
		PyErr_SetNone(PyExc_KeyboardInterrupt);
		return NULL;
	}
	return result;
}

/* The recorded problems as [(kind, address, what)]. */
static PyObject *errors_list(const struct ms_ctx *c)
{
	unsigned n = c->nerrors < MS_MAX_ERRORS ? c->nerrors : MS_MAX_ERRORS;
	PyObject *l = PyList_New(n);

	for (unsigned i = 0; l && i < n; i++) {
		const struct ms_read_error *e = &c->errors[i];
		PyObject *t = Py_BuildValue("sKs", e->kind == MS_ERR_READ ? "read" : "invalid",
					    (unsigned long long)e->address, e->what);

		if (!t) {
			Py_DECREF(l);
			return NULL;
		}
		PyList_SET_ITEM(l, i, t);
	}
	return l;
}

/* ms_ctx_init() and, with @sections, the mem_section array, as the CLI opens them. */
static int ctx_open(struct ms_ctx *c, struct py_target *pt, int sections)
{
	char why[256];

	if (ms_ctx_init(c, &pt->target, why, sizeof(why))) {
		PyErr_Format(MemsectError, "cannot use this dump: %s", why);
		return -1;
	}
	if (sections && !ms_get_sections(c)) {
		const struct ms_read_error *e = ms_ctx_last_error(c);

		PyErr_Format(MemsectError, "cannot read the mem_section array at 0x%llx: %s",
			     (unsigned long long)(e ? e->address : c->L.mem_section_roots),
			     e ? e->what : "out of memory");
		ms_ctx_fini(c);
		return -1;
	}
	return 0;
}

static const struct {
	const char *name;
	void (*checks)(struct ms_ctx *c, struct ms_findings *f);
} checks[] = {
	{ "sections", ms_checks_sections },
	{ "offline", ms_checks_offline },
	{ "hvo", ms_checks_hvo },
	{ "diagnose", ms_checks_all },
};

/* The command into @out; the CLI's exit status for it (0 or 1), -1 unknown. */
static int command(FILE *out, struct ms_ctx *c, const char *name, int json,
		   long pid, int freed, const uint64_t *pfns, size_t npfns,
		   const char *dump_path)
{
	struct ms_report_info ri = {
		.command = name, .dump_path = dump_path,
		.types = "dwarf", .symbols = "elf",	/* drgn reads both */
	};
	struct ms_findings f = { 0 };
	int any, st;

	if (!strcmp(name, "owner")) {
		ms_owner_report(out, c, freed ? MS_OWNER_FREED : MS_OWNER_ALLOCATED,
				pid, json, dump_path);
		return ms_ctx_partial(c);
	}
	if (!strcmp(name, "page"))
		return ms_page_report(out, c, pfns, npfns, json, dump_path) ||
		       ms_ctx_partial(c);
	for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
		if (strcmp(name, checks[i].name))
			continue;
		checks[i].checks(c, &f);
		if (json)
			ms_report_json(out, c, &ri, &f);
		else
			ms_report_text(out, c, &ri, &f);
		st = ms_findings_worst(&f, &any) >= MS_WARNING;
		ms_findings_free(&f);
		return st;
	}
	return -1;
}

static int parse_pfns(PyObject *seq, uint64_t **pfns, size_t *n)
{
	PyObject *fast = PySequence_Fast(seq, "pfns must be a sequence");
	Py_ssize_t len;

	*pfns = NULL;
	*n = 0;
	if (!fast)
		return -1;
	len = PySequence_Fast_GET_SIZE(fast);
	*pfns = calloc(len ? (size_t)len : 1, sizeof(**pfns));
	for (Py_ssize_t i = 0; *pfns && i < len; i++) {
		(*pfns)[i] = PyLong_AsUnsignedLongLong(PySequence_Fast_GET_ITEM(fast, i));
		if (PyErr_Occurred()) {
			Py_DECREF(fast);
			return -1;
		}
	}
	Py_DECREF(fast);
	if (!*pfns) {
		PyErr_NoMemory();
		return -1;
	}
	*n = (size_t)len;
	return 0;
}

PyDoc_STRVAR(run_doc,
"run(target, command, json=True, pid=-1, freed=False, pfns=(), dump_path=None)\n"
"--\n\n"
"Run a memsect command (sections, offline, hvo, diagnose, owner, page) on\n"
"target and return (output, status): the CLI's output and exit status (0 or\n"
"1).  Raises memsect._memsect.Error where the CLI exits 3.");

static PyObject *py_run(PyObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "target", "command", "json", "pid", "freed",
				  "pfns", "dump_path", NULL };
	PyObject *obj, *pfn_seq = NULL, *res = NULL;
	const char *name, *dump_path = NULL;
	int json = 1, freed = 0, st;
	long pid = -1;
	uint64_t *pfns = NULL;
	size_t npfns = 0, len = 0;
	struct py_target pt;
	struct ms_ctx c;
	char *text = NULL;
	FILE *out;

	(void)self;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "Os|plpOz", kwlist, &obj, &name,
					 &json, &pid, &freed, &pfn_seq, &dump_path))
		return NULL;
	if (pfn_seq && parse_pfns(pfn_seq, &pfns, &npfns))
		return NULL;
	if (target_open(&pt, obj)) {
		free(pfns);
		return NULL;
	}
	if (ctx_open(&c, &pt, 1) == 0) {
		out = open_memstream(&text, &len);
		if (!out) {
			PyErr_SetFromErrno(PyExc_OSError);
		} else {
			st = command(out, &c, name, json, pid, freed, pfns, npfns, dump_path);
			fclose(out);
			if (st < 0)
				PyErr_Format(PyExc_ValueError, "unknown command '%s'", name);
			else
				res = Py_BuildValue("(s#i)", text, (Py_ssize_t)len, st);
			free(text);
		}
		ms_ctx_fini(&c);
	}
	free(pfns);
	return target_close(&pt, res);
}

PyDoc_STRVAR(depot_stack_doc,
"depot_stack(target, handle)\n"
"--\n\n"
"Return (addresses, errors): the return addresses of a stack depot handle\n"
"(None when there is none) and the problems recorded finding them, as\n"
"[(kind, address, what)].");

static PyObject *py_depot_stack(PyObject *self, PyObject *args)
{
	PyObject *obj, *ips = NULL, *res = NULL;
	unsigned int handle;
	struct py_target pt;
	struct ms_stack *st;
	struct ms_depot d;
	struct ms_ctx c;

	(void)self;
	if (!PyArg_ParseTuple(args, "OI", &obj, &handle))
		return NULL;
	st = calloc(1, sizeof(*st));
	if (!st)
		return PyErr_NoMemory();
	if (target_open(&pt, obj)) {
		free(st);
		return NULL;
	}
	if (ctx_open(&c, &pt, 0) == 0) {
		ms_depot_resolve(&c, &d);
		if (ms_stack_fetch(&c, &d, handle, st) == 0) {
			ips = PyList_New(st->n);
			for (unsigned i = 0; ips && i < st->n; i++)
				PyList_SET_ITEM(ips, i, PyLong_FromUnsignedLongLong(st->ip[i]));
		} else {
			ips = Py_NewRef(Py_None);
		}
		if (ips)
			res = Py_BuildValue("(NN)", ips, errors_list(&c));
		ms_ctx_fini(&c);
	}
	free(st);
	return target_close(&pt, res);
}

PyDoc_STRVAR(vtop_doc,
"vtop(target, vaddr)\n"
"--\n\n"
"Translate a kernel virtual address through the kernel page tables: \n"
"(physical address, leaf entry, level: 1 PTE, 2 PMD, 3 PUD), or None.");

static PyObject *py_vtop_fn(PyObject *self, PyObject *args)
{
	PyObject *obj, *res;
	unsigned long long va;
	struct py_target pt;
	struct ms_pte leaf;
	uint64_t pa;

	(void)self;
	if (!PyArg_ParseTuple(args, "OK", &obj, &va))
		return NULL;
	if (target_open(&pt, obj))
		return NULL;
	if (py_vtop(&pt.pgt, &pt.target, va, &pa, &leaf) == 0)
		res = Py_BuildValue("(KKi)", (unsigned long long)pa,
				    (unsigned long long)leaf.entry, leaf.level);
	else
		res = Py_NewRef(Py_None);
	return target_close(&pt, res);
}

static PyMethodDef methods[] = {
	{ "run", (PyCFunction)(void (*)(void))py_run, METH_VARARGS | METH_KEYWORDS, run_doc },
	{ "depot_stack", py_depot_stack, METH_VARARGS, depot_stack_doc },
	{ "vtop", py_vtop_fn, METH_VARARGS, vtop_doc },
	{ NULL, NULL, 0, NULL },
};

static struct PyModuleDef module = {
	PyModuleDef_HEAD_INIT, "_memsect",
	"libmemsect on a Python target (drgn_helpers/memsect/target.py).", -1, methods,
	NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__memsect(void)
{
	PyObject *m = PyModule_Create(&module);

	if (!m)
		return NULL;
	MemsectError = PyErr_NewException("memsect._memsect.Error", NULL, NULL);
	if (!MemsectError || PyModule_AddObject(m, "Error", Py_NewRef(MemsectError))) {
		Py_DECREF(m);
		return NULL;
	}
	PyModule_AddStringConstant(m, "SCHEMA", MS_SCHEMA);
	PyModule_AddStringConstant(m, "VERSION", MS_VERSION);
	return m;
}
