// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * memsect._memsect: libmemsect for Python.  The commands the CLI runs, on a
 * target whose callbacks call a Python object (py_target.h), printed into
 * a string by the core's own report functions.
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
#include "py_target.h"

static PyObject *MemsectError;

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
	if (py_target_open(&pt, obj)) {
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
	return py_target_close(&pt, res);
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
	if (py_target_open(&pt, obj)) {
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
	return py_target_close(&pt, res);
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
	if (py_target_open(&pt, obj))
		return NULL;
	if (py_vtop(&pt.pgt, &pt.target, va, &pa, &leaf) == 0)
		res = Py_BuildValue("(KKi)", (unsigned long long)pa,
				    (unsigned long long)leaf.entry, leaf.level);
	else
		res = Py_NewRef(Py_None);
	return py_target_close(&pt, res);
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
