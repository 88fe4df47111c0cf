"""`memsect owner` and `memsect page` on mutated copies of a real ELF dump
with page_owner: a value in the dump that is wrong is never read as clean.
Each mutation must give exit status 1, `partial: true` and the reason;
never exit 0, never invented data (garbage stack frames, records of a
table that was not read) and never "no page_ext in this kernel".

Every address comes from drgn on the unmutated dump and the kernel's own
formulas (lookup_page_ext(), union handle_parts), translated to a file
offset through the kernel page tables and the ELF program headers; none
from memsect's output.  One sparse copy per dump; each test patches a few
bytes and puts them back."""

import dataclasses
import json
import shutil
import struct
import subprocess
import sys
from contextlib import contextmanager

import drgn
import pytest
from drgn import offsetof

from test_cli_common import REPO, all_dumps, dump_ids, run
from test_crash_common import CrashSession

sys.path.insert(0, str(REPO / "drgn_helpers"))
from memsect.hvo import kernel_page_table_leaf  # noqa: E402

DUMPS = all_dumps(kernel=("6.1", "6.12"), scenario="pageowner", fmt="elf")
PT_LOAD = 1


class Copy:
    """A sparse copy of one ELF dump, patched in place."""

    def __init__(self, dump, path):
        self.dump = dump
        self.path = path
        subprocess.run(["cp", "--sparse=always", str(dump.path), str(path)], check=True)
        self.prog = drgn.Program()
        self.prog.set_core_dump(str(dump.path))
        self.prog.load_debug_info([str(dump.vmlinux)])
        self.loads = self._program_headers()

    def _program_headers(self):
        with open(self.path, "rb") as f:
            eh = f.read(64)
            assert eh[:4] == b"\x7fELF" and eh[4] == 2, "not an ELF64 dump"
            phoff, = struct.unpack_from("<Q", eh, 0x20)
            phentsize, phnum = struct.unpack_from("<HH", eh, 0x36)
            if phnum == 0xFFFF:  # PN_XNUM: the count is section 0's sh_info
                shoff, = struct.unpack_from("<Q", eh, 0x28)
                f.seek(shoff + 44)
                phnum, = struct.unpack("<I", f.read(4))
            f.seek(phoff)
            raw = f.read(phentsize * phnum)
        loads = []
        for i in range(phnum):
            p_type, _, off, _, paddr, filesz, _, _ = struct.unpack_from("<IIQQQQQQ", raw, i * phentsize)
            if p_type == PT_LOAD and filesz:
                loads.append((paddr, filesz, off))
        return loads

    def offset(self, vaddr):
        """File offset of kernel virtual address vaddr (one mapped page)."""
        leaf = kernel_page_table_leaf(self.prog, vaddr)
        assert leaf is not None, f"{vaddr:#x} is not mapped"
        pa = leaf[0]
        for paddr, size, off in self.loads:
            if paddr <= pa < paddr + size:
                return off + pa - paddr
        raise AssertionError(f"physical {pa:#x} of {vaddr:#x} is not in the file")

    @contextmanager
    def patch(self, vaddr, data):
        """Write data at vaddr for the duration of the with block."""
        assert (vaddr & 4095) + len(data) <= 4096
        off = self.offset(vaddr)
        with open(self.path, "r+b") as f:
            f.seek(off)
            old = f.read(len(data))
            f.seek(off)
            f.write(data)
        try:
            yield
        finally:
            with open(self.path, "r+b") as f:
                f.seek(off)
                f.write(old)

    def run(self, *args):
        return run(*args, self.path, self.dump.vmlinux)


@pytest.fixture(scope="module", params=DUMPS, ids=dump_ids(DUMPS))
def copy(request, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("owner-bad")
    c = Copy(request.param, tmp / "vmcore.elf")
    yield c
    shutil.rmtree(tmp, ignore_errors=True)


def u64(v):
    return struct.pack("<Q", v & (2**64 - 1))


def u32(v):
    return struct.pack("<I", v & (2**32 - 1))


def u16(v):
    return struct.pack("<H", v & 0xFFFF)


def owner_json(copy, *extra):
    p = copy.run("owner", "--json", *extra)
    assert "runtime error" not in p.stderr and "AddressSanitizer" not in p.stderr, p.stderr
    return p, (json.loads(p.stdout) if p.stdout else None)


def page_json(copy, pfn):
    p = run("page", "--json", copy.path, copy.dump.vmlinux, str(pfn))
    assert "runtime error" not in p.stderr and "AddressSanitizer" not in p.stderr, p.stderr
    return p, json.loads(p.stdout)


def sample(copy):
    """A guest-recorded page_owner sample of a process (manifest)."""
    return next(s for s in copy.dump.manifest["page_owner_samples"] if s["pid"] > 1)


def pfn_section_shift(copy):
    """SECTION_SIZE_BITS - PAGE_SHIFT, from the dump's VMCOREINFO (manifest)."""
    vi = copy.dump.manifest["vmcoreinfo"]
    return int(vi["NUMBER(SECTION_SIZE_BITS)"]) - (int(vi["PAGESIZE"]).bit_length() - 1)


def section_of(copy, pfn):
    """Number and struct mem_section of pfn's section (drgn)."""
    prog = copy.prog
    nr = pfn >> pfn_section_shift(copy)
    per_root = 4096 // prog.type("struct mem_section").size
    return nr, prog["mem_section"][nr // per_root][nr % per_root]


def page_owner_of(copy, pfn):
    """Address of pfn's struct page_owner: lookup_page_ext() + page_owner_ops.offset."""
    prog = copy.prog
    _, ms = section_of(copy, pfn)
    raw = ms.page_ext.value_()
    entry = (raw + prog["page_ext_size"].value_() * pfn) & (2**64 - 1)
    return entry + prog["page_owner_ops"].offset.value_()


def handle_fields(prog):
    """(index bits, offset bits, valid bit or None) of union handle_parts."""
    parts = prog.type("union handle_parts")
    bits = {}
    for m in parts.members:
        if m.name is None:
            for f in m.type.members:
                bits[f.name] = (f.bit_offset, f.bit_field_size)
    idx = bits.get("pool_index_plus_1") or bits.get("pool_index") or bits["slabindex"]
    return idx, bits["offset"], "pool_index_plus_1" in bits


def pools_symbol(prog):
    for name in ("stack_pools", "stack_slabs"):
        try:
            return prog[name]
        except KeyError:
            continue
    raise AssertionError("no stack depot pools")


def stack_record_of(copy, handle):
    """Address of the struct stack_record a handle names (lib/stackdepot.c)."""
    prog = copy.prog
    (ioff, ibits), (ooff, obits), plus_1 = handle_fields(prog)
    idx = (handle >> ioff) & ((1 << ibits) - 1)
    off = (handle >> ooff) & ((1 << obits) - 1)
    if plus_1:
        idx -= 1
    return pools_symbol(prog)[idx].value_() + (off << 4)


def sample_handle(copy, s):
    prog = copy.prog
    po = page_owner_of(copy, s["pfn"])
    return prog.read_u32(po + offsetof(prog.type("struct page_owner"), "handle"))


@pytest.mark.parametrize("size", [0, 8, 16, 2**64 - 1, 2**47])
def test_page_ext_size_lie(copy, size):
    """page_ext_size 0/8/16 overran the page command's entry buffer; ~0 and
    2^47 made owner print 0 records with exit 0 and "no page_ext"."""
    s = sample(copy)
    with copy.patch(copy.prog["page_ext_size"].address_, u64(size)):
        p, doc = owner_json(copy)
        assert p.returncode == 4, p.stderr
        assert doc["partial"] and not doc["page_owner"]
        assert "page_ext_size" in doc["reason"] and "no page_ext in this kernel" not in doc["reason"]
        p = copy.run("owner")
        assert p.returncode == 4
        assert "page_ext_size" in p.stderr and "no page_ext in this kernel" not in p.stderr
        p, doc = page_json(copy, s["pfn"])
        assert p.returncode == 4
        assert doc["partial"]
        page = doc["pages"][0]
        assert page["page_ext"] is None and "page_ext_size" in page["page_ext_error"]


def test_unreadable_page_ext_table(copy):
    """A section whose table is not in the dump: its records are lost, and
    owner says so (read error naming the section), exit 4."""
    s = sample(copy)
    nr, ms = section_of(copy, s["pfn"])
    size = copy.prog["page_ext_size"].value_()
    start = nr << pfn_section_shift(copy)
    # a vmalloc address nothing maps, biased like init_section_page_ext()
    raw = (0xFFFFC9FFF0000000 - size * start) & (2**64 - 1)
    _, before = owner_json(copy)
    with copy.patch(ms.page_ext.address_, u64(raw)):
        p, doc = owner_json(copy)
        assert p.returncode == 4, p.stderr
        assert doc["partial"]
        assert any(f"section {nr} " in e["what"] and e["kind"] == "read" for e in doc["read_errors"])
        assert s["pfn"] not in {r["pfn"] for r in doc["records"]}
        assert len(doc["records"]) < len(before["records"])
        p, doc = page_json(copy, s["pfn"])
        assert p.returncode == 4 and doc["partial"]
        page = doc["pages"][0]
        assert page["page_ext"] is None and f"section {nr} page_ext table unreadable" in page["page_ext_error"]
        p = run("page", copy.path, copy.dump.vmlinux, str(s["pfn"]))
        assert p.returncode == 4 and "page_ext: unavailable: " in p.stdout


def test_stack_pool_not_a_kernel_address(copy):
    """stack_pools[0] = ~0 printed 64 garbage frames for every stack in it."""
    prog = copy.prog
    (ioff, ibits), _, plus_1 = handle_fields(prog)
    with copy.patch(pools_symbol(prog)[0].address_, u64(2**64 - 1)):
        p, doc = owner_json(copy)
        assert p.returncode == 4 and doc["partial"]
        in_pool_0 = [r for r in doc["records"]
                     if (int(r["handle"], 16) >> ioff) & ((1 << ibits) - 1) == (1 if plus_1 else 0)]
        assert in_pool_0
        for r in in_pool_0:
            assert r["stack"] is None and "kernel address" in r["stack_error"], r
        p = copy.run("owner")
        assert p.returncode == 4
        assert "memsect: stack unavailable: " in p.stdout


def test_stack_record_handle_mismatch(copy):
    """The record found is not the one the handle names."""
    prog = copy.prog
    s = sample(copy)
    handle = sample_handle(copy, s)
    rec = stack_record_of(copy, handle)
    field = rec + offsetof(prog.type("struct stack_record"), "handle")
    with copy.patch(field, u32(prog.read_u32(field) ^ (1 << 20))):
        p, doc = owner_json(copy)
        assert p.returncode == 4 and doc["partial"]
        r = next(r for r in doc["records"] if r["pfn"] == s["pfn"])
        assert r["stack"] is None and "has handle" in r["stack_error"]


def test_stack_record_size_too_big(copy):
    prog = copy.prog
    s = sample(copy)
    rec = stack_record_of(copy, sample_handle(copy, s))
    with copy.patch(rec + offsetof(prog.type("struct stack_record"), "size"), u32(1000)):
        p, doc = owner_json(copy)
        assert p.returncode == 4 and doc["partial"]
        r = next(r for r in doc["records"] if r["pfn"] == s["pfn"])
        assert r["stack"] is None and "exceeds" in r["stack_error"]


def test_pool_index_beyond_pools_in_use(copy):
    """pools_num (6.8+) or depot_index (<= 6.7, the last index) lowered:
    the stacks beyond it were dropped with no note."""
    prog = copy.prog
    for name, value in (("pools_num", 0), ("pool_index", -1), ("depot_index", -1)):
        try:
            addr = prog[name].address_
            break
        except KeyError:
            continue
    with copy.patch(addr, u32(value)):
        p, doc = owner_json(copy)
        assert p.returncode == 4 and doc["partial"]
        assert doc["records"]
        for r in doc["records"]:
            assert r["stack"] is None and "pools in use" in r["stack_error"], r


@pytest.mark.parametrize("order", [40, 255])
def test_order_above_the_largest_folio(copy, order):
    """An order the architecture cannot have: 1 << 255 was undefined; 40 hid
    the record (pfn not aligned to 2^40) with exit 0."""
    prog = copy.prog
    s = sample(copy)
    po = page_owner_of(copy, s["pfn"])
    with copy.patch(po + offsetof(prog.type("struct page_owner"), "order"), u16(order)):
        p, doc = owner_json(copy)
        assert p.returncode == 4 and doc["partial"]
        r = next(r for r in doc["records"] if r["pfn"] == s["pfn"])
        assert r["order"] == order and r["order_valid"] is False
        assert any("order" in e["what"] and e["kind"] == "invalid" for e in doc["read_errors"])
        p, doc = page_json(copy, s["pfn"])
        assert p.returncode == 4 and doc["partial"]
        assert doc["pages"][0]["page_owner"]["order_valid"] is False


def test_crash_extension_says_the_true_reason(copy):
    """Inside crash the owner command said "no page_ext in this kernel" for a
    page_ext_size that is merely wrong; the session goes on."""
    with copy.patch(copy.prog["page_ext_size"].address_, u64(8)):
        s = CrashSession(dataclasses.replace(copy.dump, path=copy.path),
                         [("json", "memsect owner --json"), ("text", "memsect owner"),
                          ("after", "memsect --version")])
    doc = s.json("json")
    assert doc["partial"] and not doc["page_owner"]
    assert "page_ext_size" in doc["reason"]
    assert "page_ext_size" in s.stdout and "no page_ext in this kernel" not in s.stdout
    assert s.out["after"], s.stdout[-2000:]
