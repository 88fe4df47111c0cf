"""`--no-vmlinux`: types from the dump's own BTF, symbols from its kallsyms.

- Every command's JSON equals the one made with the dump's vmlinux (DWARF,
  ELF symbols), key for key, on every test dump, except the `dump` object's
  source fields (`vmlinux`, `types`, `symbols`) and the scan timing.
- tests/tools/srccmp (built with the CLI) checks the sources themselves: every
  kallsyms symbol decoded from the dump is an ELF symbol of the vmlinux (name
  and address, KASLR offset from VMCOREINFO applied), and every question
  memsect asks its target running every command (struct member offset and
  size, struct size, enumerator, symbol, %pS) gets the same answer from both.
- A dump whose VMCOREINFO lacks the kallsyms tables, or whose BTF is broken,
  gets one line naming what is missing and that a vmlinux is needed (exit 3).

The tests are grouped in one class per kernel and scenario so that
pytest-xdist's --dist loadscope spreads them over the workers.
"""

import json
import mmap
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from test_cli_common import MEMSECT, all_dumps, dump_ids, env, run

DUMPS = all_dumps()
KERNELS = sorted({d.kernel for d in DUMPS})
SRCCMP = MEMSECT.parent / "tools" / "srccmp"
PER_SECTION = 1 << 15
TIMING_FIELDS = ("scan_seconds", "pages_per_second")
SOURCE_FIELDS = ("vmlinux", "vmlinux_source", "types", "symbols")


def page_pfns(dump):
    """The pfns tests/integration/test_page_command.py asks about: the
    guest's page_owner samples, the 1 GiB folio's section starts."""
    m = dump.manifest
    pfns = [s["pfn"] for s in m.get("page_owner_samples") or []]
    gig = m.get("gigantic_folio_pfn")
    if gig:
        pfns += [gig + j * PER_SECTION for j in range(8)] + [gig + 1]
    return pfns


def commands(dump):
    """Every command on every dump; `owner --type freed` (the slowest run:
    every free stack symbolized) on the kdump-compressed dump of each
    scenario only, the other formats hold the same records."""
    out = [[c] for c in ("sections", "offline", "hvo", "diagnose")]
    out.append(["owner", "--type", "allocated"])
    if dump.fmt == "kdump":
        out.append(["owner", "--type", "freed"])
    if page_pfns(dump):
        out.append(["page"])
    return out


def memsect(cmd, dump, vmlinux):
    """JSON and exit status of one command, with the vmlinux or without."""
    files = [dump.path, dump.vmlinux] if vmlinux else ["--no-vmlinux", dump.path]
    tail = list(map(str, page_pfns(dump))) if cmd[0] == "page" else []
    p = run(cmd[0], "--json", *cmd[1:], *files, *tail)
    assert p.returncode in (0, 1, 4), f"{cmd} {files}: exit {p.returncode}: {p.stderr.strip()}"
    return json.loads(p.stdout), p.returncode, p.stderr


def comparable(doc):
    """The doc without what may differ: the source fields and the timing."""
    doc = dict(doc)
    if isinstance(doc.get("dump"), dict):
        doc["dump"] = {k: v for k, v in doc["dump"].items() if k not in SOURCE_FIELDS}
    if "stats" in doc:
        doc["stats"] = {k: v for k, v in doc["stats"].items() if k not in TIMING_FIELDS}
    return doc


def check_same_json(dump):
    for cmd in commands(dump):
        dw, rc_dw, err_dw = memsect(cmd, dump, vmlinux=True)
        bt, rc_bt, err_bt = memsect(cmd, dump, vmlinux=False)
        assert comparable(bt) == comparable(dw), cmd
        assert (rc_bt, err_bt) == (rc_dw, err_dw), cmd
        if isinstance(bt.get("dump"), dict):
            assert (bt["dump"]["vmlinux"], bt["dump"]["types"], bt["dump"]["symbols"]) == (
                None, "btf", "kallsyms")
            assert (dw["dump"]["types"], dw["dump"]["symbols"]) == ("dwarf", "elf")


def check_sources(dump):
    p = subprocess.run([str(SRCCMP), str(dump.path), str(dump.vmlinux),
                        *map(str, page_pfns(dump))],
                       capture_output=True, text=True, timeout=600, env=env())
    assert p.returncode == 0, p.stdout + p.stderr
    counts = dict(re.findall(r"^(\S+): (\d+) asked, 0 differ$", p.stdout, re.M))
    # memsect asked about members, sizes, enumerators and symbols, and every
    # decoded kallsyms symbol was found in the ELF symbol table
    assert all(int(counts.get(k, 0)) > 0 for k in ("member", "type_size", "enumerator", "symbol"))
    m = re.search(r"^kallsyms: (\d+) symbols \((\S+)\), 0 not in the ELF", p.stdout, re.M)
    assert m and int(m.group(1)) > 10000, p.stdout
    return m.group(2)


def _scenario_class(kernel, scenario):
    dumps = [d for d in DUMPS if (d.kernel, d.scenario) == (kernel, scenario)]
    # srccmp on one dump of the scenario (the types are the kernel's; what
    # memsect asks depends on what the dump holds): kdump-compressed
    one = [d for d in dumps if d.fmt == "kdump"] or dumps[:1]

    class Scenario:
        @pytest.mark.parametrize("dump", dumps, ids=dump_ids(dumps))
        def test_same_json(self, dump):
            check_same_json(dump)

        @pytest.mark.parametrize("dump", one, ids=dump_ids(one))
        def test_same_types_and_symbols(self, dump):
            check_sources(dump)

    Scenario.__name__ = Scenario.__qualname__ = re.sub(r"\W", "_", f"Test_{kernel}_{scenario}")
    return Scenario


for _k, _s in sorted({(d.kernel, d.scenario) for d in DUMPS}):
    _cls = _scenario_class(_k, _s)
    globals()[_cls.__name__] = _cls


def test_every_kernel_has_dumps():
    assert set(KERNELS) >= {"stock-6.1", "6.1", "6.12", "7.3", "7.3-skippable"}


@pytest.fixture(scope="module")
def kdump_copy(tmp_path_factory):
    """A copy of a small kdump-compressed dump (its VMCOREINFO is stored
    uncompressed in the file's header)."""
    src = min((d for d in DUMPS if d.fmt == "kdump"), key=lambda d: d.path.stat().st_size)
    dst = tmp_path_factory.mktemp("no_vmlinux") / "vmcore.kdump"
    shutil.copyfile(src.path, dst)
    return src, dst


def patch(path, old, new):
    """Replace every occurrence (VMCOREINFO may be both in the header and
    in the ELF notes)."""
    assert len(old) == len(new)
    with open(path, "r+b") as f, mmap.mmap(f.fileno(), 0) as m:
        at = m.find(old)
        assert at >= 0, old
        while at >= 0:
            m[at:at + len(old)] = new
            at = m.find(old, at + 1)


def test_no_kallsyms_in_vmcoreinfo(kdump_copy):
    """VMCOREINFO without SYMBOL(kallsyms_names): one line, exit 3."""
    _, path = kdump_copy
    patch(path, b"SYMBOL(kallsyms_names)=", b"SYMBOL(kallsyms_nameX)=")
    try:
        for cmd in (["diagnose"], ["owner"], ["page"]):
            tail = ["1"] if cmd == ["page"] else []
            p = run(*cmd, "--no-vmlinux", path, *tail)
            assert p.returncode == 3, p.stderr
            assert p.stdout == ""
            lines = p.stderr.splitlines()
            assert len(lines) == 1 and lines[0].startswith("memsect: "), p.stderr
            assert "VMCOREINFO has no SYMBOL(kallsyms_names)" in lines[0]
            assert "needs the dump's vmlinux" in lines[0]
    finally:
        patch(path, b"SYMBOL(kallsyms_nameX)=", b"SYMBOL(kallsyms_names)=")


def test_bad_btf(tmp_path):
    """BTF bytes libbpf rejects (a corrupted dump): one line, exit 3.  Each
    BTF header (magic 0xeb9f, version 1, hdr_len 24) in an ELF dump's
    memory image gets a type section that runs past the data."""
    src = min((d for d in DUMPS if d.fmt == "elf" and d.kernel == "6.12"),
              key=lambda d: d.path.stat().st_size)
    dst = Path(tmp_path) / "vmcore.elf"
    subprocess.run(["cp", "--sparse=always", str(src.path), str(dst)], check=True)
    hdr = b"\x9f\xeb\x01\x00\x18\x00\x00\x00"
    try:
        with open(dst, "r+b") as f, mmap.mmap(f.fileno(), 0) as m:
            at = m.find(hdr)
            assert at >= 0
            while at >= 0:  # the kernel's, and a stale copy of the image
                m[at + 12:at + 16] = (0x7fffffff).to_bytes(4, "little")   # type_len
                at = m.find(hdr, at + 1)
        p = run("sections", "--no-vmlinux", dst)
    finally:
        dst.unlink()
    assert p.returncode == 3, p.stderr
    lines = p.stderr.splitlines()
    assert len(lines) == 1 and "not valid BTF" in lines[0], p.stderr
    assert "needs the dump's vmlinux" in lines[0]
