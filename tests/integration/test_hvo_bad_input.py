"""`memsect hvo` and the memory-block walk on real ELF dumps with one value
corrupted, each in a sparse copy: a hugetlb folio's order byte set to 40, 63
or 255, the PTE of a folio's head vmemmap page pointed at its own page
table, the PUD over a folio's vmemmap turned into a 1 GiB leaf, a slot of
the memory_blocks xarray pointed back at its own node.  Every mutation must
end as a partial result with its reason (exit 4), never as a clean one.

The bytes to corrupt are found with drgn on the original dump (its struct
pages and the kernel's own page tables, walked here by hand) and mapped to
file offsets through the ELF program headers; never from memsect's output.
"""

import contextlib
import dataclasses
import json
import struct
import subprocess

import drgn
import pytest
from drgn.helpers.linux.mm import pfn_to_page

from test_cli_common import all_dumps, dump_ids, run
from test_crash_common import CrashSession

HVO_ELF = all_dumps(scenario="hvo", fmt="elf")
BLOCK_ELF = all_dumps(scenario="offline", fmt="elf")

PRESENT, PSE = 0x1, 0x80
PTE_ADDR = 0x000FFFFFFFFFF000
PT_LOAD = 1


def elf_loads(path):
    """(p_paddr, p_filesz, p_offset) of every PT_LOAD of an ELF64 vmcore."""
    with open(path, "rb") as f:
        eh = f.read(64)
        assert eh[:4] == b"\x7fELF" and eh[4] == 2, path
        phoff, shoff = struct.unpack_from("<QQ", eh, 0x20)
        phentsize, phnum, shentsize = struct.unpack_from("<HHH", eh, 0x36)
        if phnum == 0xFFFF:  # PN_XNUM: the count is section 0's sh_info
            f.seek(shoff)
            phnum = struct.unpack_from("<I", f.read(shentsize), 0x2C)[0]
        f.seek(phoff)
        ph = f.read(phentsize * phnum)
    out = []
    for i in range(phnum):
        p_type, _, p_offset, _, p_paddr, p_filesz = struct.unpack_from("<IIQQQQ", ph, i * phentsize)
        if p_type == PT_LOAD:
            out.append((p_paddr, p_filesz, p_offset))
    return out


def file_offset(loads, pa):
    for paddr, filesz, offset in loads:
        if paddr <= pa < paddr + filesz:
            return offset + pa - paddr
    raise AssertionError(f"physical 0x{pa:x} is not in the dump file")


def levels(prog):
    """5 with 5-level paging (arch/x86: __pgtable_l5_enabled, 4.17+)."""
    try:
        return 5 if prog["__pgtable_l5_enabled"].value_() else 4
    except KeyError:
        return 4


def walk(prog, va):
    """[(level, physical address of the entry or None for the top table,
    entry)] from the top-level table down to the leaf that maps *va*."""
    table, physical, out = prog.symbol("init_top_pgt").address, False, []
    for level in range(levels(prog), 0, -1):
        shift = 12 + 9 * (level - 1)
        slot = table + ((va >> shift) & 511) * 8
        entry = int.from_bytes(prog.read(slot, 8, physical), "little")
        out.append((level, slot if physical else None, entry))
        assert entry & PRESENT, f"0x{va:x} is not mapped"
        if level == 1 or (level <= 3 and entry & PSE):
            size = 1 << shift
            return out, ((entry & PTE_ADDR) & ~(size - 1)) | (va & (size - 1))
        table, physical = entry & PTE_ADDR, True
    raise AssertionError("no leaf")


def phys(prog, va):
    return walk(prog, va)[1]


@contextlib.contextmanager
def poked(path, offset, data):
    """Write *data* at *offset* of *path*; put the old bytes back after."""
    with open(path, "r+b") as f:
        f.seek(offset)
        old = f.read(len(data))
        f.seek(offset)
        f.write(data)
    try:
        yield
    finally:
        with open(path, "r+b") as f:
            f.seek(offset)
            f.write(old)


def sparse_copy(dump, tmp_path_factory):
    dst = tmp_path_factory.mktemp("bad") / dump.path.name
    subprocess.run(["cp", "--sparse=always", str(dump.path), str(dst)], check=True)
    return dst


def program(dump):
    prog = drgn.Program()
    prog.set_core_dump(str(dump.path))
    prog.load_debug_info([str(dump.vmlinux)])
    return prog


@pytest.fixture(scope="module", params=HVO_ELF, ids=dump_ids(HVO_ELF))
def hvo_copy(request, tmp_path_factory):
    dump = request.param
    copy = sparse_copy(dump, tmp_path_factory)
    yield dump, program(dump), copy, elf_loads(copy)
    copy.unlink()


def optimized_folio(dump):
    """The lowest-pfn folio the guest recorded as HVO-optimized."""
    folios = [f for f in dump.manifest["hugetlb_folios"] if f["hvo"]]
    assert folios, "the hvo scenario optimizes its folios"
    return min(folios, key=lambda f: f["pfn"])


def bad_run(*args):
    p = run(*args)
    assert p.returncode == 4, (p.returncode, p.stderr)
    d = json.loads(p.stdout)
    assert d["partial"] is True
    return d


def invalid_at(d, address):
    return [e for e in d["errors"] if e["kind"] == "invalid" and int(e["address"], 16) == address]


@pytest.mark.parametrize("order", [40, 63, 255])
def test_folio_order_out_of_range(hvo_copy, order):
    dump, prog, copy, loads = hvo_copy
    folio = optimized_folio(dump)
    tail = pfn_to_page(prog, folio["pfn"] + 1)
    try:
        off = drgn.offsetof(prog.type("struct page"), "compound_order")
    except LookupError:
        off = drgn.offsetof(prog.type("struct page"), "flags")  # 6.6+: low byte
    va = tail.value_() + off
    with poked(copy, file_offset(loads, phys(prog, va)), bytes([order])):
        d = bad_run("hvo", "--json", copy, dump.vmlinux)
    got = {f["pfn"]: f for f in d["hvo"]["folios"]}
    assert folio["pfn"] in got
    assert got[folio["pfn"]]["order"] is None
    assert f"order {order}" in got[folio["pfn"]]["problem"]
    assert invalid_at(d, tail.value_()), d["errors"]


def test_head_pte_maps_its_own_table(hvo_copy):
    dump, prog, copy, loads = hvo_copy
    folio = optimized_folio(dump)
    head = pfn_to_page(prog, folio["pfn"]).value_()
    steps, _ = walk(prog, head)
    level, slot, entry = steps[-1]
    assert level == 1, "an optimized folio's vmemmap is PTE-mapped"
    table = slot & PTE_ADDR
    forged = (entry & ~PTE_ADDR) | table
    with poked(copy, file_offset(loads, slot), forged.to_bytes(8, "little")):
        d = bad_run("hvo", "--json", copy, dump.vmlinux)
    assert invalid_at(d, head), d["errors"]
    got = {f["pfn"]: f for f in d["hvo"]["folios"]}
    if dump.kernel != "7.3":
        # Up to 7.0 its fake heads still show the folio: kept, named, walked.
        f = got[folio["pfn"]]
        assert f["problem"] and f["bad_leaves"] == 1 and f["scheme"] == "unknown"


def test_crash_extension_head_pte_maps_its_own_table(hvo_copy):
    """The extension's own page-table walk refuses the PTE (it maps the
    table it sits in): the struct pages behind it are not read, the folio
    is named, and the crash session goes on."""
    dump, prog, copy, loads = hvo_copy
    folio = optimized_folio(dump)
    head = pfn_to_page(prog, folio["pfn"]).value_()
    steps, _ = walk(prog, head)
    _, slot, entry = steps[-1]
    forged = (entry & ~PTE_ADDR) | (slot & PTE_ADDR)
    with poked(copy, file_offset(loads, slot), forged.to_bytes(8, "little")):
        s = CrashSession(dataclasses.replace(dump, path=copy), [
            ("json", "memsect hvo --json"),
            ("again", "memsect sections"),
        ])
    d = s.json("json")
    assert d["partial"] is True
    assert any(int(e["address"], 16) == head for e in d["errors"]), d["errors"]
    if dump.kernel != "7.3":
        f = {f["pfn"]: f for f in d["hvo"]["folios"]}[folio["pfn"]]
        assert f["problem"] and f["unmapped"] + f.get("bad_leaves", 0) == 1
    assert "present sections" in (s.out["again"] or ""), s.stdout[-2000:]


def test_pud_leaf_over_the_vmemmap(hvo_copy):
    dump, prog, copy, loads = hvo_copy
    folio = optimized_folio(dump)
    head = pfn_to_page(prog, folio["pfn"]).value_()
    steps, _ = walk(prog, head)
    (level, slot, entry), = [s for s in steps if s[0] == 3]
    assert not entry & PSE
    forged = entry | PSE
    with poked(copy, file_offset(loads, slot), forged.to_bytes(8, "little")):
        d = bad_run("hvo", "--json", copy, dump.vmlinux)
    assert any(e["kind"] == "invalid" and "level" in e["what"] for e in d["errors"]), d["errors"]
    assert folio["pfn"] not in {f["pfn"] for f in d["hvo"]["folios"] if not f.get("problem")}


@pytest.mark.parametrize("dump", BLOCK_ELF, ids=dump_ids(BLOCK_ELF))
def test_xarray_slot_points_at_its_node(dump, tmp_path_factory):
    prog = program(dump)
    head = prog["memory_blocks"].xa_head.value_()
    assert head & 3 == 2 and head > 4096, "memory_blocks has more than one block"
    node = drgn.Object(prog, "struct xa_node", address=head - 2)
    while node.shift.value_():
        node = drgn.Object(prog, "struct xa_node", address=node.slots[0].value_() - 2)
    assert node.slots[0].value_(), "block 0 is present"
    slot = node.slots[0].address_
    copy = sparse_copy(dump, tmp_path_factory)
    try:
        loads = elf_loads(copy)
        forged = (node.address_ | 2).to_bytes(8, "little")
        with poked(copy, file_offset(loads, phys(prog, slot)), forged):
            d = bad_run("sections", "--json", copy, dump.vmlinux)
    finally:
        copy.unlink()
    assert d["memory_blocks"]["complete"] is False
    assert invalid_at(d, slot), d["errors"]
