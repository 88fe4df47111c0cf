"""memsect on arm64 dumps (``make vmcores-arm64``, vmcores/README.md "arm64"):
the CLI and the drgn helpers on every dump under ``$MEMSECT_CACHE/dumps-arm64``
reproduce the guest's own records (manifest.json).  Expected values come
from the manifest only: sysfs memory blocks, /proc/kpageflags, QMP's view
of the devices, and VMCOREINFO numbers the kernel printed.

Run by ``make check-arm64``.  A dump that was not made fails the run (the
list below must not be empty); it is never skipped."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CACHE = Path(os.environ.get("MEMSECT_CACHE", Path.home() / ".cache" / "memsect"))
DUMPS_DIR = CACHE / "dumps-arm64"
MEMSECT = Path(os.environ.get("MEMSECT_BIN", REPO / "build" / "memsect"))
LSAN_SUPP = REPO / "src" / "sanitizer" / "lsan.supp"
# Every scenario vmcores/driver/scenarios.py makes for arm64.
SCENARIOS = ["baseline", "balloon", "virtio-mem", "offline-vmem", "hvo"]
PAGE = 4096
SECTION_SHIFT = 27 - 12      # pfn -> section, SECTION_SIZE_BITS 27 (manifest's VMCOREINFO)


def arm64_dumps():
    out = []
    for m in sorted(DUMPS_DIR.glob("*/*/manifest.json")):
        manifest = json.loads(m.read_text())
        for fmt, name in sorted(manifest["dumps"].items()):
            out.append((f"{m.parent.parent.name}/{m.parent.name}/{fmt}",
                        m.parent / name, m.parent / "vmlinux", manifest))
    return out


DUMPS = arm64_dumps()
IDS = [d[0] for d in DUMPS]


def test_every_scenario_was_made():
    made = {d[3]["scenario"] for d in DUMPS}
    assert made >= set(SCENARIOS), f"missing under {DUMPS_DIR}: {set(SCENARIOS) - made}"
    assert all(d[3]["vmcoreinfo"].get("NUMBER(kimage_voffset)") for d in DUMPS)


def memsect(*args):
    env = dict(os.environ)
    env.setdefault("LSAN_OPTIONS", f"suppressions={LSAN_SUPP}:print_suppressions=0")
    p = subprocess.run([str(MEMSECT), *map(str, args)], capture_output=True, text=True,
                       timeout=600, env=env)
    assert p.returncode in (0, 1), f"memsect {' '.join(map(str, args))}: exit {p.returncode}: {p.stderr}"
    assert p.stderr == "", p.stderr
    return json.loads(p.stdout)


_cache = {}


def doc(dump, command):
    key = (dump[0], command)
    if key not in _cache:
        _cache[key] = memsect(command, "--json", dump[1], dump[2])
    return _cache[key]


@pytest.fixture(params=DUMPS, ids=IDS)
def dump(request):
    return request.param


def expected_blocks(m):
    return [(b["id"], b["state"]) for b in m["memory_blocks"]]


def test_diagnose_clean_read(dump):
    d = doc(dump, "diagnose")
    m = dump[3]
    assert d["errors"] == [] and d["errors_total"] == 0 and not d["partial"]
    assert d["dump"]["osrelease"] == m["kernel"]["release"]
    assert d["dump"]["build_id"] == m["vmcoreinfo"]["BUILD-ID"]
    L = d["layout"]
    assert L["page_size"] == int(m["vmcoreinfo"]["PAGESIZE"])
    assert L["section_size_bits"] == int(m["vmcoreinfo"]["NUMBER(SECTION_SIZE_BITS)"])
    assert L["max_physmem_bits"] == int(m["vmcoreinfo"]["NUMBER(MAX_PHYSMEM_BITS)"])
    # The core walked the arm64 kernel page tables itself (arch/arm64.c).
    assert d["hvo"]["walked"] is True


@pytest.mark.parametrize("command", ["diagnose", "sections"])
def test_present_sections(dump, command):
    d = doc(dump, command)
    assert [s["nr"] for s in d["sections"]] == dump[3]["present_sections"]


@pytest.mark.parametrize("command", ["diagnose", "sections"])
def test_memory_blocks(dump, command):
    d = doc(dump, command)
    mb = d["memory_blocks"]
    assert mb["available"] and mb["complete"]
    assert mb["block_size"] == dump[3]["memory_block_size"]
    assert [(b["id"], b["state"]) for b in mb["blocks"]] == expected_blocks(dump[3])
    assert [b["start_section"] for b in mb["blocks"]] == [b["phys_index"] for b in dump[3]["memory_blocks"]]


def test_section_flags_follow_blocks(dump):
    m = dump[3]
    per_block = m["memory_block_size"] >> 27
    state = {b["id"]: b["state"] for b in m["memory_blocks"]}
    for s in doc(dump, "sections")["sections"]:
        assert "present" in s["flags"]
        assert ("online" in s["flags"]) == (state[s["nr"] // per_block] == "online"), s
        # Debian's kernel has no page_ext client: never allocated.
        assert s["page_ext"]["state"] == "null"
        assert s["start_pfn"] == s["nr"] << SECTION_SHIFT


@pytest.mark.parametrize("command", ["diagnose", "offline"])
def test_offline_ranges(dump, command):
    m = dump[3]
    off = doc(dump, command)["offline"]
    assert [[r["start_pfn"], r["end_pfn"]] for r in off["ranges"]] == m["offline_ranges"]
    assert off["pages"] == sum(e - s for s, e in m["offline_ranges"])
    if m["guest"]["balloon"]:
        # every inflated page is PageOffline (QMP's actual balloon size)
        assert off["pages"] * PAGE == m["guest"]["balloon"]["inflated_bytes"]
    if m["scenario"] == "virtio-mem":
        v = m["guest"]["virtio_mem"]
        plugged_blocks = -(-v["size"] // m["memory_block_size"])
        unplugged_in_last = plugged_blocks * m["memory_block_size"] - v["size"]
        assert off["pages"] * PAGE == unplugged_in_last


def test_hvo_folios(dump):
    m = dump[3]
    h = doc(dump, "hvo")["hvo"]
    got = sorted((f["pfn"], f["order"]) for f in h["folios"])
    assert got == sorted((f["pfn"], f["order"]) for f in m["hugetlb_folios"])
    # 6.1 arm64 has no HVO (the guest: vm.hugetlb_optimize_vmemmap absent)
    assert all(f["hvo"] is None for f in m["hugetlb_folios"])
    assert h["aliased_struct_pages"] == 0 and h["fake_heads"] == 0
    if m["scenario"] == "hvo":
        assert {o for _, o in got} == {9, 18}       # 2 MiB and 1 GiB pages


def page_samples(m):
    """pfns to look at: each block's first, and each PageOffline range's
    first and last."""
    pfns = [b["start_pfn"] for b in m["memory_blocks"]]
    for s, e in m["offline_ranges"][:4]:
        pfns += [s, e - 1]
    return pfns


def test_page(dump):
    m = dump[3]
    pfns = page_samples(m)
    d = memsect("page", "--json", dump[1], dump[2], *pfns)
    offline = [range(s, e) for s, e in m["offline_ranges"]]
    online = {b["id"] for b in m["memory_blocks"] if b["state"] == "online"}
    per_block = m["memory_block_size"] >> 27
    pages = {p["pfn"]: p for p in d["pages"]}
    assert sorted(pages) == sorted(set(pfns))
    # struct pages live in the vmemmap: VMEMMAP_START is struct page of
    # the pfn of PHYS_OFFSET (arch/arm64/include/asm/memory.h vmemmap).
    vmemmap = int(m["vmcoreinfo"]["NUMBER(VMEMMAP_START)"], 16)
    first_pfn = int(m["vmcoreinfo"]["NUMBER(PHYS_OFFSET)"], 16) // PAGE
    size = int(m["vmcoreinfo"]["SIZE(page)"])
    for pfn, p in pages.items():
        assert p["section"] == pfn >> SECTION_SHIFT
        assert int(p["page"]["address"], 16) == vmemmap + (pfn - first_pfn) * size
        is_off = any(pfn in r for r in offline)
        if (pfn >> SECTION_SHIFT) // per_block in online:
            # 6.1: PageOffline is _mapcount == PAGE_OFFLINE_MAPCOUNT_VALUE
            want = int(m["vmcoreinfo"]["NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)"])
            assert (p["page"]["mapcount"] == want + 1) == is_off, p


# -- drgn 0.0.22 on the same dumps ------------------------------------------

drgn = pytest.importorskip("drgn")
sys.path.insert(0, str(REPO / "drgn_helpers"))
import memsect as helpers  # noqa: E402


_progs = {}


def prog_of(dump):
    if dump[0] not in _progs:
        prog = drgn.Program()
        prog.set_core_dump(str(dump[1]))
        prog.load_debug_info([str(dump[2])])
        _progs.clear()          # one program at a time: they hold the dump's cache
        _progs[dump[0]] = prog
    return _progs[dump[0]]


def test_drgn_sections_blocks(dump):
    prog = prog_of(dump)
    m = dump[3]
    assert [nr for nr, _ in helpers.for_each_present_section(prog)] == m["present_sections"]
    assert [(b.id, b.state) for b in helpers.for_each_memory_block(prog)] == expected_blocks(m)
    assert helpers.dump_errors(prog, "sections") == []


def test_drgn_offline(dump):
    prog = prog_of(dump)
    got = [[r.start_pfn, r.end_pfn] for r in helpers.for_each_page_offline_range(prog)]
    assert got == dump[3]["offline_ranges"]


def test_drgn_hugetlb(dump):
    prog = prog_of(dump)
    got = sorted((f.pfn, f.order) for f in helpers.for_each_hugetlb_folio(prog))
    assert got == sorted((f["pfn"], f["order"]) for f in dump[3]["hugetlb_folios"])


def test_drgn_diagnose_equals_cli(dump):
    prog = prog_of(dump)
    got = [(f.code, f.severity) for f in helpers.diagnose(prog)]
    want = [(f["code"], f["severity"]) for f in doc(dump, "diagnose")["findings"]]
    assert got == want


def test_drgn_page_table_walk(dump):
    """The core's arm64 walk (kernel_page_table_leaf) against the kernel's own
    numbers: the image at PA + kimage_voffset, the linear map at
    PAGE_OFFSET = -(1 << VA_BITS) + (PA - PHYS_OFFSET) (memory.h, 6.1)."""
    prog = prog_of(dump)
    vi = dump[3]["vmcoreinfo"]
    voff = int(vi["NUMBER(kimage_voffset)"], 16)
    phys_offset = int(vi["NUMBER(PHYS_OFFSET)"], 16)
    page_offset = (-(1 << int(vi["NUMBER(VA_BITS)"]))) & (2**64 - 1)
    # kernel image symbols; swapper_pg_dir's own page is mapped by a PTE
    # in the tables it roots (rodata, mapped page by page)
    for sym in ("init_uts_ns", "swapper_pg_dir"):
        va = int(vi[f"SYMBOL({sym})"], 16)
        pa, entry, level = helpers.kernel_page_table_leaf(prog, va + 8)
        assert pa == va + 8 - voff, sym
        assert 1 <= level <= 3
    # SYMBOL(mem_section) is the root array's address, in the linear map
    ms = int(vi["SYMBOL(mem_section)"], 16)
    mem = dump[3]["guest"]["memory_mib"] << 20
    for off in (0, 0x1234, mem // 2 + 8, mem - PAGE, ms - page_offset):
        pa, entry, level = helpers.kernel_page_table_leaf(prog, page_offset + off)
        assert pa == phys_offset + off, hex(off)
        assert entry & 1 and 1 <= level <= 3
