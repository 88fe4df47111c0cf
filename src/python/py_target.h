/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The core's target on a Python object with the methods read(addr, size,
 * physical), symbol(name), member(type, name), type_size(type),
 * enumerator(name), vmcoreinfo(key) and symbols() (see
 * drgn_helpers/memsect/target.py, which answers them from drgn).
 */
#ifndef MEMSECT_PY_TARGET_H
#define MEMSECT_PY_TARGET_H

#include <Python.h>

#include "memsect/target.h"

struct symtab;

struct py_target {
	struct ms_target target;
	PyObject *obj;		/* the Python target */
	PyObject *vmci;		/* VMCOREINFO values returned so far: key -> bytes */
	struct symtab *symtab;	/* for addr_symbol, built on first use */
	int symtab_failed;
	int interrupted;	/* a KeyboardInterrupt was swallowed */
	char err[200];
};

/* Holds a reference to @obj until py_target_close(); -1 with an exception set. */
int py_target_open(struct py_target *pt, PyObject *obj);
/*
 * Drops the target and returns @result, or NULL with KeyboardInterrupt
 * raised (and @result dropped) when a callback swallowed one.
 */
PyObject *py_target_close(struct py_target *pt, PyObject *result);

#endif
