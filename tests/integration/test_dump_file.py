"""Dump files whose own headers are broken or cut short, made from real dumps.

The kdump-compressed layout is read here with its own small parser (the
field offsets of makedumpfile's diskdump_mod.h), so the test knows which
bytes it damaged without asking memsect.  Expected outcomes:
- a file cut inside its headers, bitmaps or descriptor table, or a page
  descriptor that no dumper writes: one line on stderr, exit 3 (libkdumpfile
  would fault, overflow its buffer or read zeros);
- a file cut inside its page data: DUMP_TRUNCATED, `partial: true`, exit 4,
  and the reads of what lies past the cut fail (never zeros).
"""

import json
import struct

import pytest

from test_cli_common import all_dumps, run

KDUMP = all_dumps(kernel="6.12", scenario="baseline", fmt=("kdump", "d31"))
ELF = all_dumps(kernel="6.12", scenario="baseline", fmt="elf")


def need(dumps):
    assert dumps, "the dump this test needs was not made (make vmcores)"
    return dumps


class Diskdump:
    """The header fields and descriptor table of a kdump-compressed file."""

    def __init__(self, data):
        assert data[:8] in (b"KDUMP   ", b"DISKDUMP")
        self.version, = struct.unpack_from("<i", data, 8)
        self.bs, self.sub, self.bmp, self.max_mapnr = struct.unpack_from("<iiII", data, 428)
        self.bitmap2 = self.bs * (1 + self.sub + self.bmp // 2)
        self.table = self.bs * (1 + self.sub + self.bmp)
        bits = data[self.bitmap2:self.table]
        self.dumped = [i * 8 + b for i, byte in enumerate(bits) if byte for b in range(8)
                       if byte >> b & 1]
        self.data = self.table + 24 * len(self.dumped)

    def desc_offset(self, index):
        return self.table + 24 * index

    def desc(self, data, index):
        return struct.unpack_from("<QIIQ", data, self.desc_offset(index))


def one_line(p):
    lines = p.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("memsect: "), p.stderr
    assert p.stdout == ""
    return lines[0]


def diagnose(path, vmlinux):
    p = run("diagnose", "--json", path, vmlinux)
    return p, (json.loads(p.stdout) if p.stdout else None)


@pytest.fixture(params=need(KDUMP), ids=lambda d: d.id, scope="module")
def kdump(request):
    d = request.param
    data = d.path.read_bytes()
    return d, data, Diskdump(data)


@pytest.mark.parametrize("where", ["header", "sub-header", "bitmaps", "descriptors"])
def test_cut_inside_the_headers_is_refused(tmp_path, kdump, where):
    d, data, dd = kdump
    cut = {"header": 300, "sub-header": dd.bs + 50, "bitmaps": dd.bitmap2 + 10,
           "descriptors": dd.table + 24 * (len(dd.dumped) // 2) + 5}[where]
    t = tmp_path / "cut"
    t.write_bytes(data[:cut])
    p = run("diagnose", t, d.vmlinux)
    assert p.returncode == 3
    assert "truncated inside its" in one_line(p)


def test_cut_inside_the_page_data(tmp_path, kdump):
    """The last page's data is cut: the file is partial, the loss is named."""
    d, data, dd = kdump
    off, size, _, _ = dd.desc(data, len(dd.dumped) - 1)
    assert off + size == len(data) or off + size <= len(data)
    last_end = max(dd.desc(data, i)[0] + dd.desc(data, i)[1] for i in range(len(dd.dumped)))
    t = tmp_path / "cut"
    t.write_bytes(data[:last_end - 1])
    p, j = diagnose(t, d.vmlinux)
    assert p.returncode == 4, p.stderr
    assert j["partial"] is True
    assert j["dump"]["truncated"] is True
    assert j["dump"]["expected_size"] == last_end
    assert j["dump"]["file_size"] == last_end - 1
    assert "DUMP_TRUNCATED" in [f["code"] for f in j["findings"]]


@pytest.mark.parametrize("damage", ["compressed-size", "page-size", "offset-before-data",
                                    "offset-past-end"])
def test_corrupt_descriptor_is_refused(tmp_path, kdump, damage):
    """libkdumpfile 0.5.1 copies a compressed page of up to 256 KiB into a
    page-sized buffer; memsect refuses the file before it gets there."""
    d, data, dd = kdump
    buf = bytearray(data)
    # a descriptor in the middle that holds a compressed page
    index = next(i for i in range(len(dd.dumped) // 2, len(dd.dumped))
                 if dd.desc(data, i)[2] & 0x27)
    off, size, flags, pflags = dd.desc(data, index)
    new = {"compressed-size": (off, dd.bs + 104, flags),
           "page-size": (off, dd.bs - 1, 0),
           "offset-before-data": (dd.table, size, flags),
           "offset-past-end": (len(data) + (1 << 30), size, flags)}[damage]
    struct.pack_into("<QII", buf, dd.desc_offset(index), *new)
    t = tmp_path / "bad-desc"
    t.write_bytes(buf)
    p = run("diagnose", t, d.vmlinux)
    assert p.returncode == 3
    line = one_line(p)
    assert f"pfn {dd.dumped[index]} " in line and "corrupt kdump page descriptor" in line


def test_max_mapnr_beyond_the_bitmap_is_refused(tmp_path, kdump):
    """With max_mapnr past the second bitmap libkdumpfile reads both halves as
    one bitmap and returns other pfns' pages as if they were the asked ones."""
    d, data, dd = kdump
    buf = bytearray(data)
    too_many = dd.bmp * dd.bs * 4 + 1
    if dd.version >= 6:
        struct.pack_into("<Q", buf, dd.bs + 96, too_many)
    else:
        struct.pack_into("<I", buf, 440, too_many)
    t = tmp_path / "mapnr"
    t.write_bytes(buf)
    p = run("diagnose", t, d.vmlinux)
    assert p.returncode == 3
    assert "max_mapnr" in one_line(p)


@pytest.mark.parametrize("kind", ["empty", "directory"])
def test_not_a_file(tmp_path, kind):
    d = need(KDUMP)[0]
    t = tmp_path / "x"
    if kind == "empty":
        t.write_bytes(b"")
    else:
        t.mkdir()
    p = run("diagnose", t, d.vmlinux)
    assert p.returncode == 3
    assert ("empty file" if kind == "empty" else "is a directory") in one_line(p)


def needed_physical(d):
    """The physical ranges memsect must read before anything else: the
    mem_section root array and its non-NULL root pages (from drgn)."""
    import drgn

    prog = drgn.Program()
    prog.set_core_dump(str(d.path))
    prog.load_debug_info([str(d.vmlinux)])
    pob = prog["page_offset_base"].value_()
    roots = prog["mem_section"]
    nroots = int(d.manifest["vmcoreinfo"]["LENGTH(mem_section)"])
    out = [(roots.value_() - pob, roots.value_() - pob + 8 * nroots)]
    for r in struct.unpack(f"<{nroots}Q", prog.read(roots.value_(), 8 * nroots)):
        if r:
            out.append((r - pob, r - pob + 4096))
    return out


def test_elf_cut_reads_fail_past_the_cut(tmp_path):
    """An ELF file cut inside its last PT_LOAD (the last page of memory is
    missing): libkdumpfile would read it as zeros; memsect's reads of it fail.
    Whether memsect can still start depends on where the kernel put the
    mem_section array, taken from drgn: below the cut, the results are
    partial (DUMP_TRUNCATED, exit 4); across it, one line and exit 3."""
    d = need(ELF)[0]
    data = d.path.read_bytes()
    phoff, = struct.unpack_from("<Q", data, 32)
    phentsize, phnum = struct.unpack_from("<HH", data, 54)
    loads = [struct.unpack_from("<IIQQQQQQ", data, phoff + i * phentsize) for i in range(phnum)]
    last = max((p for p in loads if p[0] == 1), key=lambda p: p[2] + p[5])
    end = last[2] + last[5]
    assert end == len(data)
    cut = end - 4096
    cut_phys = last[4] + (cut - last[2])
    t = tmp_path / "cut.elf"
    with open(t, "wb") as f:
        f.write(data[:cut])
    del data
    p, j = diagnose(t, d.vmlinux)
    needed = needed_physical(d)
    print("needed", [hex(lo) for lo, hi in needed], "cut at", hex(cut_phys))
    if any(hi > cut_phys for lo, hi in needed):
        assert p.returncode == 3
        assert "past the end of the truncated dump file" in one_line(p)
        return
    assert p.returncode == 4, p.stderr
    assert j["partial"] is True and j["dump"]["truncated"] is True
    assert j["dump"]["expected_size"] == end and j["dump"]["file_size"] == cut
    assert "DUMP_TRUNCATED" in [f["code"] for f in j["findings"]]
