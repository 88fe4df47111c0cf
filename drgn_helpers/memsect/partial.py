# SPDX-License-Identifier: LGPL-2.1-or-later
"""
Partial Results
---------------

A vmcore is untrusted input: a read can fail and any value read can be
wrong.  As in the memsect CLI (``ms_ctx_error()``/``ms_ctx_invalid()``), a
failed read or a value that fails a sanity check is recorded, the result
that needed it is left out, and the result is *partial*: never an
exception, never a silent "clean".

The records of the current report are :func:`dump_errors`; the report
functions (:func:`memsect.diagnose`, ``owner_report()``, ``page_report()``,
``hvo_report()``) start a new list with :func:`new_errors`.  Every loop
whose bound or next step is read from the dump goes through
:func:`bounded_walk` or checks its bound against what the kernel can hold.
"""

from contextlib import contextmanager
from typing import Callable, Dict, Iterable, Iterator, List, NamedTuple, Tuple

from drgn import FaultError, Program

__all__ = (
    "DUMP_DATA_ERRORS",
    "DumpError",
    "bounded_walk",
    "cached",
    "dump_errors",
    "kaddr_plausible",
    "new_errors",
    "partial",
    "record_invalid",
    "record_read",
)

# What drgn raises on data read from a dump: an unreadable address, a value
# no Object can hold, an address past the end of the address space.
DUMP_DATA_ERRORS = (FaultError, ValueError, OverflowError)

_ERRORS = "memsect_errors"
_CAPTURES = "memsect_error_captures"


class DumpError(NamedTuple):
    kind: str  # "read": the dump lacks it; "invalid": a value failed a check
    address: int  # where it was read (or failed to be read)
    what: str


def new_errors(prog: Program) -> Dict[DumpError, None]:
    """Start a new list of errors for one report (a CLI run's context)."""
    errors: Dict[DumpError, None] = {}  # ordered, each error once
    prog.cache[_ERRORS] = errors
    return errors


def dump_errors(prog: Program) -> List[DumpError]:
    """The errors recorded since the last :func:`new_errors`, in order."""
    return list(prog.cache.get(_ERRORS, ()))


def _record(prog: Program, error: DumpError) -> None:
    prog.cache.setdefault(_ERRORS, {})[error] = None
    for capture in prog.cache.get(_CAPTURES, ()):
        capture.append(error)


def record_read(prog: Program, address: int, what: str) -> None:
    """The dump does not hold *address*."""
    _record(prog, DumpError("read", address & 0xFFFFFFFFFFFFFFFF, what))


def record_invalid(prog: Program, address: int, what: str) -> None:
    """A value read from the dump at *address* failed a sanity check."""
    _record(prog, DumpError("invalid", address & 0xFFFFFFFFFFFFFFFF, what))


@contextmanager
def partial(prog: Program, what: str, address: int = 0) -> Iterator[None]:
    """
    Run the body; a drgn error on dump data ends it and is recorded: a
    :class:`drgn.FaultError` as a failed read at its own address, a
    ValueError or OverflowError (a value no read can use) as an invalid
    value at *address*.
    """
    try:
        yield
    except FaultError as e:
        _record(prog, DumpError("read", e.address, f"{what} ({e.message})"))
    except (ValueError, OverflowError) as e:
        _record(prog, DumpError("invalid", address & 0xFFFFFFFFFFFFFFFF, f"{what} ({e})"))


def cached(prog: Program, key: str, build: Callable[[], object]) -> object:
    """
    ``build()`` once per program; the errors it recorded are recorded again
    on every later use, so each report that uses the value is partial too.
    """
    try:
        value, errors = prog.cache[key]
    except KeyError:
        captures = prog.cache.setdefault(_CAPTURES, [])
        captures.append([])
        try:
            value = build()
        finally:
            errors = captures.pop()
        prog.cache[key] = (value, errors)
        return value
    for error in errors:
        _record(prog, error)
    return value


def kaddr_plausible(address: int, size: int = 1) -> bool:
    """
    Whether *size* bytes at *address*, a pointer read from the dump, can be
    kernel memory: the top byte is 0xff (``ms_kaddr_plausible()``) and the
    range does not wrap around the address space.
    """
    return address >> 56 == 0xFF and address + size <= 1 << 64


def bounded_walk(
    prog: Program,
    root: Tuple,
    expand: Callable[[Tuple], Iterable[Tuple[bool, object]]],
    what: str,
    max_depth: int,
    max_nodes: int,
) -> Iterator[object]:
    """
    Walk a linked structure read from the dump depth-first, in order.

    A node is a tuple whose first item is its address; ``expand(node)``
    returns its children in order as ``(True, child node)`` or ``(False,
    leaf)``, and the leaves are yielded.  A node reached twice (a loop),
    deeper than *max_depth* or past *max_nodes* is recorded as invalid and
    not expanded; a node ``expand()`` fails on (see :func:`partial`) is
    recorded and skipped.  A walk that recorded nothing is complete.
    """
    seen = set()
    stack = [iter(((True, root),))]
    while stack:
        item = next(stack[-1], None)
        if item is None:
            stack.pop()
            continue
        is_node, value = item
        if not is_node:
            yield value
            continue
        address = value[0]
        if address in seen:
            record_invalid(prog, address, f"{what} {address:#x} reached twice: a loop")
            continue
        if len(stack) > max_depth:
            record_invalid(prog, address, f"{what} {address:#x} deeper than {max_depth} levels")
            continue
        if len(seen) == max_nodes:
            record_invalid(prog, address, f"{what}: more than {max_nodes} nodes")
            return
        seen.add(address)
        children = None
        with partial(prog, what, address):
            children = list(expand(value))
        if children:
            stack.append(iter(children))
