# SPDX-License-Identifier: LGPL-2.1-or-later
"""
Memory Blocks
-------------

The hotplug memory blocks of ``drivers/base/memory.c`` (``struct
memory_block`` in the ``memory_blocks`` xarray) and their states.
"""

from typing import Dict, Iterator, NamedTuple

from drgn import FaultError, Object, Program
from drgn.helpers.linux.xarray import xa_for_each

__all__ = (
    "MemoryBlock",
    "for_each_memory_block",
    "memory_block_state_names",
    "sections_per_block",
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
    id order.  The xarray is walked once per program; when the dump lacks
    part of it, every call raises the same :class:`drgn.FaultError` (once
    is enough: drgn 0.0.22 with libkdumpfile 0.5.1 can fail to decompress
    later reads of a filtered dump after repeated faults).

    :return: Iterator of :class:`MemoryBlock`.
    """
    try:
        cached = prog.cache["memsect_memory_blocks"]
    except KeyError:
        cached = prog.cache["memsect_memory_blocks"] = _read_memory_blocks(prog)
    if isinstance(cached, FaultError):
        raise cached
    return iter(cached)


def _read_memory_blocks(prog: Program):
    names = memory_block_state_names(prog)
    ptr_type = prog.type("struct memory_block *")
    blocks = []
    try:
        for index, entry in xa_for_each(prog["memory_blocks"].address_of_()):
            block = Object(prog, ptr_type, entry.value_())
            state = block.state.value_()
            blocks.append(MemoryBlock(
                index,
                block.start_section_nr.value_(),
                names.get(state, f"unknown-{state}"),
                block,
            ))
    except FaultError as e:
        return e
    return blocks
