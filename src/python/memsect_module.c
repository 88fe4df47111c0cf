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

#include "memsect/command.h"
#include "memsect/context.h"
#include "memsect/page_owner.h"
#include "memsect/report.h"
#include "pgtable.h"
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

/* ms_ctx_init() as the CLI opens it (the commands open a whole session). */
static int ctx_open(struct ms_ctx *c, struct py_target *pt)
{
	char why[256];

	if (ms_ctx_init(c, &pt->target, why, sizeof(why))) {
		PyErr_Format(MemsectError, "cannot use this dump: %s", why);
		return -1;
	}
	return 0;
}

static int parse_pfns(PyObject *seq, struct ms_args *a)
{
	PyObject *fast = PySequence_Fast(seq, "pfns must be a sequence");
	Py_ssize_t len;

	if (!fast)
		return -1;
	len = PySequence_Fast_GET_SIZE(fast);
	if (len > MS_MAX_PFNS) {
		Py_DECREF(fast);
		PyErr_Format(PyExc_ValueError, "at most %d pfns", MS_MAX_PFNS);
		return -1;
	}
	for (Py_ssize_t i = 0; i < len; i++) {
		a->pfns[i] = PyLong_AsUnsignedLongLong(PySequence_Fast_GET_ITEM(fast, i));
		if (PyErr_Occurred()) {
			Py_DECREF(fast);
			return -1;
		}
	}
	Py_DECREF(fast);
	a->npfn = (size_t)len;
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
	const struct ms_command *cmd;
	struct ms_report_info ri = {
		.types = "dwarf", .symbols = "elf",	/* drgn reads both */
	};
	int json = 1, freed = 0;
	struct ms_session *s;
	struct ms_args *a;
	struct py_target pt;
	char *text = NULL, err[512];
	enum ms_result st;
	size_t len = 0;
	long pid = -1;
	FILE *out;

	(void)self;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "Os|plpOz", kwlist, &obj, &name,
					 &json, &pid, &freed, &pfn_seq, &dump_path))
		return NULL;
	cmd = ms_command_find(name);
	if (!cmd)
		return PyErr_Format(PyExc_ValueError, "unknown command '%s'", name);
	a = calloc(1, sizeof(*a));
	s = calloc(1, sizeof(*s));
	if (!a || !s) {
		free(a);
		free(s);
		return PyErr_NoMemory();
	}
	a->json = json;
	a->pid = pid;
	a->filter = freed ? MS_OWNER_FREED : MS_OWNER_ALLOCATED;
	if ((pfn_seq && parse_pfns(pfn_seq, a)) || py_target_open(&pt, obj)) {
		free(a);
		free(s);
		return NULL;
	}
	ri.dump_path = dump_path;
	if (ms_session_open(s, &pt.target, err, sizeof(err))) {
		PyErr_SetString(MemsectError, err);
	} else {
		out = open_memstream(&text, &len);
		if (!out) {
			PyErr_SetFromErrno(PyExc_OSError);
		} else {
			st = ms_command_run(cmd, out, s, a, &ri);
			fclose(out);
			res = Py_BuildValue("(s#i)", text, (Py_ssize_t)len,
					    (int)st);
			free(text);
		}
	}
	ms_session_close(s);
	free(s);
	free(a);
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
	if (ctx_open(&c, &pt) == 0) {
		if (ms_stack_fetch(&c, ms_get_depot(&c), handle, st) == 0) {
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
	PyObject *obj, *res = NULL;
	unsigned long long va;
	struct py_target pt;
	struct ms_pte leaf;
	struct ms_ctx c;
	uint64_t pa;

	(void)self;
	if (!PyArg_ParseTuple(args, "OK", &obj, &va))
		return NULL;
	if (py_target_open(&pt, obj))
		return NULL;
	if (ctx_open(&c, &pt) == 0) {
		if (ms_vtop(&c, va, &pa, &leaf) == 0)
			res = Py_BuildValue("(KKi)", (unsigned long long)pa,
					    (unsigned long long)leaf.entry, leaf.level);
		else
			res = Py_NewRef(Py_None);
		ms_ctx_fini(&c);
	}
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
