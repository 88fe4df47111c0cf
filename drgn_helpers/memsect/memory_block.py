# SPDX-License-Identifier: LGPL-2.1-or-later
"""
Memory Blocks
-------------

The hotplug memory blocks of ``drivers/base/memory.c`` (``struct
memory_block`` in the ``memory_blocks`` xarray) and their states.
"""

from typing import Dict, Iterator, List, NamedTuple, Tuple

from drgn import Object, Program

from .partial import bounded_walk, cached, kaddr_plausible, partial, record_invalid

__all__ = (
    "MemoryBlock",
    "for_each_memory_block",
    "memory_block_state_names",
    "sections_per_block",
    "xa_entries",
)

# Until enum memory_block_state (Debian 6.12.117 has it as a backport) the
# states were #defines in include/linux/memory.h, which DWARF lacks.
_LEGACY_STATES = {
    1 << 0: "online",
    1 << 1: "going-offline",
    1 << 2: "offline",
    1 << 3: "going-online",
    1 << 4: "cancel-online",
    1 << 5: "cancel-offline",
}


def memory_block_state_names(prog: Program) -> Dict[int, str]:
    """
    Return {state value: sysfs-style name} for *prog*'s kernel, e.g.
    ``{0: "online", 1: "going-offline", ...}`` with ``enum
    memory_block_state``.
    """
    try:
        return prog.cache["memsect_block_states"]
    except KeyError:
        pass
    try:
        enum = prog.type("enum memory_block_state")
        names = {
            value: name[len("MEM_"):].lower().replace("_", "-")
            for name, value in enum.enumerators
        }
    except LookupError:
        names = dict(_LEGACY_STATES)
    prog.cache["memsect_block_states"] = names
    return names


def sections_per_block(prog: Program) -> int:
    """Return how many memory sections one memory block spans."""
    return prog["sections_per_block"].value_()


class MemoryBlock(NamedTuple):
    id: int
    start_section_nr: int
    state: str  # "online", "offline", "going-offline", ...
    block: Object  # struct memory_block *


def for_each_memory_block(prog: Program) -> Iterator[MemoryBlock]:
    """
    Iterate over the memory blocks registered with the driver core, in block
    id order.  The ``memory_blocks`` xarray is walked once per program
    (drgn 0.0.22 with libkdumpfile 0.5.1 can fail to decompress later reads
    of a filtered dump after repeated faults), bounded: a node the dump
    lacks, a loop, a node whose shift does not decrease, or a block pointer
    that is not a kernel address is recorded (:func:`memsect.dump_errors`)
    and the blocks behind it are left out.

    :return: Iterator of :class:`MemoryBlock`.
    """
    return iter(cached(prog, "memsect_memory_blocks", lambda: _read_memory_blocks(prog)))


# XA_CHUNK_SHIFT is at most 6: 64-bit indices need at most 11 levels
# (the CLI's src/lib/xarray.c allows 12).
_XA_MAX_DEPTH = 12
_XA_MAX_NODES = 1 << 16


def _xa_is_node(entry: int) -> bool:
    """xa_is_node(): an internal entry (low bits 10) above 4096."""
    return entry & 3 == 2 and entry > 4096


def _xa_children(prog: Program, node: Tuple[int, int, int]) -> List[Tuple[bool, object]]:
    """The children of one xa_node: (True, (node, first index, shift)) or
    (False, (index, entry, slot address)); each level down must have a
    smaller shift."""
    address, base, parent_shift = node
    xa_node = Object(prog, "struct xa_node", address=address).read_()
    slots = address + xa_node.type_.member("slots").offset
    shift = xa_node.shift.value_()
    if shift >= parent_shift:
        raise ValueError(f"xa_node shift {shift} is not below its parent's {parent_shift}")
    out: List[Tuple[bool, object]] = []
    for i, slot in enumerate(xa_node.slots):
        entry = slot.value_()
        index = base + (i << shift)
        if _xa_is_node(entry):  # a node under shift 0 fails the shift check
            out.append((True, (entry - 2, index, shift)))
        elif entry and entry & 3 != 2 and not shift:  # not sibling/retry/value
            out.append((False, (index, entry, slots + 8 * i)))
    return out


def xa_entries(prog: Program, xa: int, what: str) -> Iterator[Tuple[int, int, int]]:
    """
    (index, entry, address of the entry) of every entry of the ``struct
    xarray`` at *xa*, in index order, through :func:`bounded_walk` (drgn's
    ``xa_for_each()`` follows a loop forever), as the CLI's
    src/lib/xarray.c.
    """
    head = 0
    head_obj = Object(prog, "struct xarray", address=xa).xa_head
    with partial(prog, f"{what} head"):
        head = head_obj.value_()
    if _xa_is_node(head):
        yield from bounded_walk(prog, (head - 2, 0, 64), lambda n: _xa_children(prog, n),
                                f"{what} xa_node", _XA_MAX_DEPTH, _XA_MAX_NODES)
    elif head and head & 3 != 2:
        yield 0, head, head_obj.address_


def _read_memory_blocks(prog: Program) -> List[MemoryBlock]:
    names = memory_block_state_names(prog)
    ptr_type = prog.type("struct memory_block *")
    size = prog.type("struct memory_block").size
    blocks = []
    xa = prog["memory_blocks"].address_of_().value_()
    for index, entry, slot in xa_entries(prog, xa, "memory_blocks"):
        if not kaddr_plausible(entry, size):
            record_invalid(prog, slot, f"memory block {index}: {entry:#x} is not a kernel address")
            continue
        with partial(prog, f"memory block {index}", entry):
            block = Object(prog, ptr_type, entry)
            state = block.state.value_()
            blocks.append(MemoryBlock(
                index,
                block.start_section_nr.value_(),
                names.get(state, f"unknown-{state}"),
                block,
            ))
    return blocks
