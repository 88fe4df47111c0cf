"""The drgn helpers on corrupted dumps: never a hang, never a traceback, and
the CLI's class of outcome (``partial`` with an ``errors`` entry naming the
address and the reason, or a named finding).

Each case is a sparse copy of a real ELF dump with a few bytes overwritten.
Where to write is found on the original dump with drgn and the vmlinux's
DWARF (kernel addresses) and the ELF PT_LOAD headers (physical address to
file offset): never through memsect.
"""

import json
import struct
import subprocess
import sys

import drgn
import pytest
from drgn.helpers.linux.mm import pfn_to_page

from corrupt import copy_sparse
from test_cli_common import REPO, all_dumps
from vmcores_readers import page_ext_entry, page_owner_at, section

sys.path.insert(0, str(REPO / "drgn_helpers"))
import memsect  # noqa: E402

MIDOFFLINE = all_dumps(kernel="6.12", scenario="midoffline", fmt="elf")
PAGEOWNER = all_dumps(kernel="6.12", scenario="pageowner", fmt="elf")
HVO = all_dumps(kernel="6.12", scenario="hvo", fmt="elf")
START_KERNEL_MAP = 0xFFFFFFFF80000000
ALL_ONES = (1 << 64) - 1
TIMEOUT = 600  # drgn_diagnose of a 6.12 dump takes well under a minute


def need(dumps):
    assert dumps, "the dump this test needs was not made (make vmcores)"
    return dumps[0]


def open_prog(path, vmlinux):
    prog = drgn.Program()
    prog.set_core_dump(str(path))
    prog.load_debug_info([str(vmlinux)])
    return prog


class Elf:
    """The PT_LOADs of an ELF dump: (file offset, vaddr, paddr, filesz)."""

    def __init__(self, path, levels):
        self.levels = levels  # page-table levels (VMCOREINFO pgtable_l5_enabled)
        with open(path, "rb") as f:
            eh = f.read(64)
            phoff, = struct.unpack_from("<Q", eh, 0x20)
            phentsize, phnum = struct.unpack_from("<HH", eh, 0x36)
            f.seek(phoff)
            ph = f.read(phentsize * phnum)
        self.loads = []
        for i in range(phnum):
            p_type, _, off, vaddr, paddr, filesz = struct.unpack_from("<IIQQQQ", ph, i * phentsize)
            if p_type == 1:
                self.loads.append((off, vaddr, paddr, filesz))

    def offset(self, prog, va, n=8):
        """File offset of kernel virtual address va: the kernel image through
        its PT_LOAD's virtual address, anything else (direct map, vmemmap)
        through the kernel page tables."""
        for off, vaddr, paddr, filesz in self.loads:
            if vaddr and vaddr <= va and va + n <= vaddr + filesz:
                return off + va - vaddr
        pa = self.page_table_phys(prog, va)
        for off, _, paddr, filesz in self.loads:
            if paddr <= pa and pa + n <= paddr + filesz:
                return off + pa - paddr
        raise LookupError(f"{va:#x} (pa {pa:#x}) is not in the file")

    def page_table_phys(self, prog, va):
        """x86_64 walk from init_top_pgt, whose physical address its
        kernel-image PT_LOAD gives."""
        top = prog.symbol("init_top_pgt").address
        table = next(paddr + top - vaddr for _, vaddr, paddr, filesz in self.loads
                     if vaddr and vaddr <= top < vaddr + filesz)
        for level in range(self.levels, 0, -1):
            shift = 12 + 9 * (level - 1)
            entry = int.from_bytes(prog.read(table + ((va >> shift) & 511) * 8, 8, True), "little")
            assert entry & 1, f"{va:#x} is not mapped"
            if level == 1 or entry & 0x80:
                size = 1 << shift
                return (entry & 0x000FFFFFFFFFF000 & ~(size - 1)) | (va & (size - 1))
            table = entry & 0x000FFFFFFFFFF000




class Mutant:
    """A sparse copy of one ELF dump whose bytes are overwritten and put back
    case by case; addresses come from the original dump's drgn program."""

    def __init__(self, dump, tmp):
        self.dump = dump
        self.orig = open_prog(dump.path, dump.vmlinux)
        l5 = dump.manifest["vmcoreinfo"].get("NUMBER(pgtable_l5_enabled)") == "1"
        self.elf = Elf(dump.path, 5 if l5 else 4)
        self.path = tmp / ("mutant-" + dump.path.name)
        copy_sparse(dump.path, self.path)

    def write(self, va, data):
        """Overwrite len(data) bytes at kernel address va; returns an undo."""
        off = self.elf.offset(self.orig, va, len(data))
        with open(self.path, "r+b") as f:
            f.seek(off)
            old = f.read(len(data))
            f.seek(off)
            f.write(data)

        def undo():
            with open(self.path, "r+b") as f:
                f.seek(off)
                f.write(old)
        return undo

    def prog(self):
        return open_prog(self.path, self.dump.vmlinux)

    def diagnose(self):
        """drgn_diagnose --json on the copy: a hang fails the test
        (TimeoutExpired), a traceback too."""
        p = subprocess.run(
            [sys.executable, "-m", "memsect.drgn_diagnose", "--json", str(self.path),
             "-s", str(self.dump.vmlinux)],
            cwd=REPO / "drgn_helpers", capture_output=True, text=True, timeout=TIMEOUT,
        )
        assert "Traceback" not in p.stderr, p.stderr
        assert p.returncode == 4, (p.returncode, p.stderr)
        return json.loads(p.stdout)

    def cleanup(self):
        self.path.unlink()


def u64(v):
    return struct.pack("<Q", v & ALL_ONES)


def codes(doc):
    return [f["code"] for f in doc["findings"]]


def errors_at(doc, address, kind="invalid"):
    return [e for e in doc["errors"] if int(e["address"], 16) == address and e["kind"] == kind]


@pytest.fixture(scope="module")
def midoffline(tmp_path_factory):
    m = Mutant(need(MIDOFFLINE), tmp_path_factory.mktemp("drgn-bad"))
    yield m
    m.cleanup()


@pytest.fixture(scope="module")
def pageowner(tmp_path_factory):
    m = Mutant(need(PAGEOWNER), tmp_path_factory.mktemp("drgn-bad"))
    yield m
    m.cleanup()


def test_xarray_self_loop_is_partial_not_a_hang(midoffline):
    """An xa_node slot of memory_blocks pointing at its own node: drgn's
    xa_for_each() follows it forever; the helpers' bounded walk records the
    loop (the CLI: memory_blocks.complete false and an errors entry)."""
    prog = midoffline.orig
    node = prog["memory_blocks"].xa_head.value_() - 2
    xa_node = drgn.Object(prog, "struct xa_node", address=node)
    first = next(i for i, s in enumerate(xa_node.slots) if s.value_())
    slot = xa_node.slots[first].address_
    undo = midoffline.write(slot, u64(node | 2))
    try:
        doc = midoffline.diagnose()
    finally:
        undo()
    assert doc["partial"] and "INVALID_VALUES" in codes(doc)
    assert errors_at(doc, node) or errors_at(doc, slot), doc["errors"]


def test_section_mem_map_all_ones_is_partial(midoffline):
    """section_mem_map ~0 of the first present section (an OverflowError
    in drgn's own helpers): the decoded mem_map is a kernel-half address
    that no page table maps, so the section's struct pages are read errors
    there and the result is partial."""
    prog = midoffline.orig
    nr = next(nr for nr in range(1 << 10) if section(prog, nr).section_mem_map.value_() & 1)
    word = section(prog, nr).section_mem_map.address_
    undo = midoffline.write(word, u64(ALL_ONES))
    try:
        doc = midoffline.diagnose()
    finally:
        undo()
    assert doc["partial"] and "READ_ERRORS" in codes(doc)
    # sparse_decode_mem_map(): ~0 without the flag bits (5 or 6 of them,
    # by kernel), plus the section's start pfn in 64-byte struct pages.
    mem_map = ((ALL_ONES & ~0x3f) + (nr << 15) * 64) & ALL_ONES
    assert [e for e in doc["errors"] if e["kind"] == "read"
            and 0 <= int(e["address"], 16) - mem_map < 0x40], doc["errors"]


def test_user_space_page_ext_pointer_is_implausible(pageowner):
    """A section's page_ext set to 0x1000 (reads fine in these dumps): the
    table is not a kernel address, never a valid table of garbage records."""
    prog = pageowner.orig
    sample = pageowner.dump.manifest["page_owner_samples"][0]["pfn"]
    nr = sample >> 15
    word = section(prog, nr).page_ext.address_
    undo = pageowner.write(word, u64(0x1000))
    try:
        doc = pageowner.diagnose()
        mutant = pageowner.prog()
        owner = memsect.owner_report(mutant)
    finally:
        undo()
    assert {"code": "PAGE_EXT_IMPLAUSIBLE", "section": nr} in [
        {"code": f["code"], "section": f["place"].get("section")} for f in doc["findings"]]
    assert doc["partial"] and errors_at(doc, word), doc["errors"]
    assert owner["partial"]
    assert not [r for r in owner["records"] if r["section"] == nr]


@pytest.mark.parametrize("size", [3, 1 << 47, ALL_ONES], ids=["3", "2^47", "~0"])
def test_page_ext_size_no_client_sum_is_rejected(pageowner, size):
    """page_ext_size must be what the kernel's page_ext clients add up to;
    otherwise no page_ext-derived result is computed and the result is
    partial, the reason at &page_ext_size."""
    addr = pageowner.orig["page_ext_size"].address_
    undo = pageowner.write(addr, u64(size))
    try:
        doc = pageowner.diagnose()
        mutant = pageowner.prog()
        owner = memsect.owner_report(mutant)
        page = memsect.page_report(mutant, [pageowner.dump.manifest["page_owner_samples"][0]["pfn"]])
    finally:
        undo()
    assert doc["partial"] and errors_at(doc, addr), doc["errors"]
    assert owner["partial"] and owner["records"] == [] and owner.get("page_ext_size") is None
    assert [(int(e["address"], 16), e["kind"]) for e in owner["read_errors"]] == [(addr, "invalid")]
    assert page["partial"] and page["pages"][0]["page_ext"] is None


def _sample_handle(prog, dump):
    """A stack depot handle the guest's page_owner recorded, read from the
    page_owner record of a sample pfn."""
    pfn = dump.manifest["page_owner_samples"][0]["pfn"]
    return page_owner_at(prog, page_ext_entry(prog, pfn)).handle.value_()


def _depot_case(mutant, va, data):
    """depot_stack() of the sample handle on the copy with data at va."""
    handle = _sample_handle(mutant.orig, mutant.dump)
    assert memsect.depot_stack(mutant.orig, handle)  # the original's stack
    undo = mutant.write(va, data)
    try:
        prog = mutant.prog()
        return memsect.depot_stack(prog, handle), memsect.dump_errors(prog)
    finally:
        undo()


def _pool_index(prog, handle):
    # 6.8+ handle_parts: pool_index_plus_1 in the low bits (DEPOT_POOL_INDEX_BITS)
    bits = 32 - (2 + 12 - 4) - 5
    return (handle & ((1 << bits) - 1)) - 1


def _record(prog, handle):
    pool = prog["stack_pools"][_pool_index(prog, handle)].value_()
    offset = (handle >> (32 - (2 + 12 - 4) - 5)) & ((1 << (2 + 12 - 4)) - 1)
    return drgn.Object(prog, "struct stack_record", address=pool + (offset << 4))


def test_stack_pool_pointer_not_kernel_address(pageowner):
    prog = pageowner.orig
    handle = _sample_handle(prog, pageowner.dump)
    slot = prog["stack_pools"][_pool_index(prog, handle)].address_
    stack, errors = _depot_case(pageowner, slot, u64(ALL_ONES))
    assert stack is None
    assert [e.address for e in errors if e.kind == "invalid"] == [slot]


def test_stack_pool_index_past_pools_num(pageowner):
    prog = pageowner.orig
    handle = _sample_handle(prog, pageowner.dump)
    addr = prog["pools_num"].address_
    stack, errors = _depot_case(pageowner, addr, struct.pack("<i", _pool_index(prog, handle)))
    assert stack is None
    assert [e.address for e in errors if e.kind == "invalid"] == [addr]


def test_stack_record_of_another_handle(pageowner):
    prog = pageowner.orig
    handle = _sample_handle(prog, pageowner.dump)
    rec = _record(prog, handle)
    assert rec.handle.handle.value_() == handle  # what the kernel keeps
    addr = rec.handle.address_
    stack, errors = _depot_case(pageowner, addr, struct.pack("<I", handle ^ (1 << 20)))
    assert stack is None
    assert [e.address for e in errors if e.kind == "invalid"] == [addr]


def test_stack_record_more_entries_than_it_holds(pageowner):
    prog = pageowner.orig
    handle = _sample_handle(prog, pageowner.dump)
    rec = _record(prog, handle)
    addr = rec.size.address_
    stack, errors = _depot_case(pageowner, addr, struct.pack("<I", rec.entries.type_.length + 1))
    assert stack is None
    assert [e.address for e in errors if e.kind == "invalid"] == [addr]


def test_page_owner_order_past_any_folio(pageowner):
    """A page_owner record claiming order 40: recorded and marked, never a
    shift by it (the CLI keeps the record with order_valid false)."""
    prog = pageowner.orig
    pfn = pageowner.dump.manifest["page_owner_samples"][0]["pfn"]
    rec = page_owner_at(prog, page_ext_entry(prog, pfn))
    undo = pageowner.write(rec.order.address_, struct.pack("<H", 40))
    try:
        owner = memsect.owner_report(pageowner.prog())
    finally:
        undo()
    assert owner["partial"]
    assert [r.get("order_valid") for r in owner["records"] if r["pfn"] == pfn] == [False]
    assert [e for e in owner["read_errors"] if e["kind"] == "invalid"] == [
        {"address": hex(rec.order.address_), "kind": "invalid",
         "what": f"pfn {pfn:#x} page_owner order 40 is above the largest folio order 18"}]


@pytest.fixture(scope="module")
def hvo(tmp_path_factory):
    m = Mutant(need(HVO), tmp_path_factory.mktemp("drgn-bad"))
    yield m
    m.cleanup()


@pytest.mark.parametrize("order", [40, 63, 255])
def test_hugetlb_order_past_any_folio(hvo, order):
    """A hugetlb folio whose order byte (page[1].flags & 0xff, 6.12) says
    more than any folio can have: recorded (once per section its fake heads
    span, with HVO), the folio reported without an order and not walked."""
    prog = hvo.orig
    pfn = hvo.dump.manifest["hugetlb_folios"][0]["pfn"]
    tail = pfn_to_page(prog, pfn + 1).value_()
    undo = hvo.write(tail, bytes([order]))
    try:
        mutant = hvo.prog()
        report = memsect.hvo_report(mutant)
        errors = memsect.dump_errors(mutant, "hvo")
    finally:
        undo()
    bad = [f for f in report["folios"] if f["pfn"] == pfn]
    assert [(f["order"], f["scheme"], f["vmemmap_pages"]) for f in bad] == [(None, "unknown", 0)]
    assert f"order {order} " in bad[0]["problem"]
    folio = hvo.dump.manifest["hugetlb_folios"][0]
    sections = max(1, (1 << folio["order"]) >> 15)
    invalid = [e for e in errors if e.kind == "invalid"]
    assert invalid[0].address == tail and len(invalid) <= sections, invalid
    assert all(f"order {order} " in e.what for e in invalid)
