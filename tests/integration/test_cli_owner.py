"""`memsect owner`: the page_owner records the guest kernel printed in
/sys/kernel/debug/page_owner (manifest page_owner_samples) come out of the
dump exactly, in the kernel's text format, and the kernel's own
tools/mm/page_owner_sort parses memsect's text."""

import json
import re
import subprocess
import tarfile
from pathlib import Path

import pytest

from test_cli_common import all_dumps, dump_ids, run
from vmcores_readers import held_owner_samples

CUSTOM = ("6.1", "6.12", "7.3")
DUMPS = all_dumps(kernel=CUSTOM, scenario="pageowner", fmt=("kdump", "elf"))
SORT_SOURCES = {  # kernel source tarball, path of page_owner_sort.c inside it
    "6.1": ("/usr/src/linux-source-6.1.tar.xz", "linux-source-6.1/tools/vm/page_owner_sort.c"),
    "6.12": ("/usr/src/linux-source-6.12.tar.xz", "linux-source-6.12/tools/mm/page_owner_sort.c"),
}


def owner(dump, *extra):
    p = run("owner", *extra, dump.path, dump.vmlinux)
    assert p.returncode == 0, p.stderr
    assert p.stderr == ""
    return p.stdout


@pytest.mark.parametrize("dump", DUMPS, ids=dump_ids(DUMPS))
def test_manifest_samples_exact(dump):
    doc = json.loads(owner(dump, "--json"))
    assert doc["command"] == "owner" and doc["page_owner"] and not doc["partial"]
    assert doc["page_ext_size"] == dump.manifest["page_ext"]["page_ext_size"]
    recs = {r["pfn"]: r for r in doc["records"]}
    samples = held_owner_samples(dump)
    for s in samples:
        r = recs[s["pfn"]]
        assert (r["order"], r["gfp_mask"], r["pid"], r["tgid"], r["comm"], r["ts_nsec"]) == (
            s["order"], s["gfp_mask"], s["pid"], s["tgid"], s["comm"], s["ts_nsec"]), s
        assert r["allocated"] and not r["section_being_offlined"]
        # the manifest keeps the kernel's top frames
        assert r["stack"][: len(s["stack"])] == s["stack"], s


@pytest.mark.parametrize("dump", DUMPS, ids=dump_ids(DUMPS))
def test_text_records_have_the_kernels_lines(dump):
    text = owner(dump)
    blocks = {}
    for block in text.split("\n\n"):
        m = re.search(r"^PFN (0x[0-9a-f]+|\d+) ", block, re.M)
        if m:
            blocks[int(m.group(1), 0)] = block
    hexpfn = dump.kernel != "6.1"  # "PFN 0x%lx" since 6.8, "PFN %lu" in 6.1
    for s in held_owner_samples(dump):
        lines = blocks[s["pfn"]].split("\n")
        assert lines[0].startswith(
            f"Page allocated via order {s['order']}, mask {s['gfp_mask']}(")
        assert f"), pid {s['pid']}, tgid {s['tgid']} ({s['comm']}), ts {s['ts_nsec']} ns" in lines[0]
        assert lines[0].endswith(" ns")
        assert lines[1].startswith(f"PFN {s['pfn']:#x} " if hexpfn else f"PFN {s['pfn']} ")
        assert lines[2: 2 + len(s["stack"])] == [" " + f for f in s["stack"]]


def test_pid_and_type_filters():
    dump = next(d for d in DUMPS if d.kernel == "6.12" and d.fmt == "kdump")
    hog = {pfn for _, pfn in dump.manifest["memhog_pfns"]}
    sample = next(s for s in held_owner_samples(dump) if s["pfn"] in hog)
    doc = json.loads(owner(dump, "--json", "--pid", str(sample["pid"])))
    assert doc["records"] and all(r["pid"] == sample["pid"] for r in doc["records"])
    assert sample["pfn"] in {r["pfn"] for r in doc["records"]}
    freed = json.loads(owner(dump, "--json", "--type", "freed"))
    assert freed["records"] and not any(r["allocated"] for r in freed["records"])
    assert sample["pfn"] not in {r["pfn"] for r in freed["records"]}


@pytest.fixture(scope="module")
def page_owner_sort(tmp_path_factory):
    """The kernel's tools/mm/page_owner_sort.c, built from Debian's sources."""
    out = {}
    d = tmp_path_factory.mktemp("pos")
    for ver, (tarball, member) in SORT_SOURCES.items():
        if not Path(tarball).exists():
            pytest.fail(f"{tarball} missing (linux-source-{ver})")
        with tarfile.open(tarball) as t:
            src = d / f"page_owner_sort_{ver}.c"
            src.write_bytes(t.extractfile(member).read())
        exe = d / f"page_owner_sort_{ver}"
        subprocess.run(["gcc", "-O2", "-o", str(exe), str(src)], check=True)
        out[ver] = exe
    return out


SORT_DUMPS = all_dumps(kernel=CUSTOM, scenario="pageowner", fmt="kdump")


def sort_blocks(text):
    """The blocks page_owner_sort's read_block() cuts a page_owner text into:
    the lines up to an empty line, without the "PFN" line (kept apart); an
    unterminated block at the end of the file is dropped."""
    blocks, cur = [], []
    for line in text.splitlines(keepends=True):
        if line == "\n":
            blocks.append("".join(cur))
            cur = []
        elif not line.startswith("PFN"):
            cur.append(line)
    return blocks


@pytest.mark.parametrize("dump", SORT_DUMPS, ids=dump_ids(SORT_DUMPS))
def test_page_owner_sort_reads_memsect_text(dump, page_owner_sort, tmp_path):
    """page_owner_sort reads every record of memsect's text.  The 6.1 tool's
    add_list() counts a block equal to the one before it (the PFN line aside)
    into that one: "loaded N" is then the number of runs of equal
    consecutive blocks, which depends on what the boot allocated; the
    "N times" counts add up to every record on both versions."""
    text = owner(dump)
    nrec = len(json.loads(owner(dump, "--json"))["records"])
    blocks = sort_blocks(text)
    assert len(blocks) == nrec
    runs = sum(1 for i, b in enumerate(blocks) if i == 0 or b != blocks[i - 1])
    (tmp_path / "in").write_text(text)
    old = dump.kernel == "6.1"
    exe = page_owner_sort["6.1" if old else "6.12"]
    p = subprocess.run([str(exe), "--sort=pid", str(tmp_path / "in"), str(tmp_path / "out")],
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    # "loaded N" every 1000 blocks as progress, then the total
    assert int(re.findall(r"^loaded (\d+)$", p.stdout, re.M)[-1]) == (runs if old else nrec)
    out = (tmp_path / "out").read_text()
    counted = sum(int(m) for m in re.findall(r"^(\d+) times, ", out, re.M))
    assert counted == nrec
    for s in held_owner_samples(dump):
        assert f"pid {s['pid']}, tgid {s['tgid']} ({s['comm']})" in out


MIDOFFLINE = all_dumps(kernel=CUSTOM, scenario="midoffline", fmt="kdump")


@pytest.mark.parametrize("dump", MIDOFFLINE, ids=dump_ids(MIDOFFLINE))
def test_invalidated_section_records_are_shown_and_marked(dump):
    """A section caught between __invalidate_page_ext() and __free_page_ext()
    (manifest invalidated_sections) still has its page_owner data: its pages
    were freed into the buddy allocator when the block was onlined."""
    (inval,) = dump.manifest["page_ext"]["invalidated_sections"]
    per = 1 << 15
    doc = json.loads(owner(dump, "--json", "--type", "freed"))
    mine = [r for r in doc["records"] if r["section"] == inval["nr"]]
    assert len(mine) == per  # every pfn of the section, order 0
    assert all(r["section_being_offlined"] and not r["allocated"] for r in mine)
    assert all(r["free_stack"] and any(f.startswith("online_pages+") for f in r["free_stack"])
               for r in mine)
    others = [r for r in doc["records"] if r["section"] != inval["nr"]]
    assert others and not any(r["section_being_offlined"] for r in others)
    text = owner(dump, "--type", "freed")
    first = inval["nr"] * per
    block = next(b for b in text.split("\n\n") if re.search(rf"^PFN ({first:#x}|{first}) ", b, re.M))
    assert f"memsect: section {inval['nr']} page_ext is being offlined (PAGE_EXT_INVALID)" in block
    # offline_pages() isolated every pageblock of the going-offline block
    # (7.x: the separate PB_migrate_isolate bit)
    pfn_lines = [line for b in text.split("\n\n") for line in b.split("\n")
                 if line.startswith("PFN ") and int(line.split()[1], 0) // per == inval["nr"]]
    assert len(pfn_lines) == per
    assert all(f"Block {int(line.split()[1], 0) >> 9} type Isolate Flags" in line for line in pfn_lines)
