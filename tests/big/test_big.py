"""memsect on the large-memory dumps (`make vmcores-big`, vmcores/README.md
"Big machines"): 64 GiB and 256 GiB guests with millions of PageOffline
(virtio-balloon) pages, 1 GiB and 2 MiB HVO hugetlb folios and offlined
2 GiB memory blocks.  Expected values come from the guest's manifest
(sysfs, /proc/kpageflags, QMP), never from memsect's own output.

The dumps live in $MEMSECT_CACHE/dumps-big/KERNEL/big-SIZEG/, apart from
dumps/ so that tests/integration does not open them.  When a manifest says
its ground truth was sampled (`groundtruth_sampled` with `pfn_ranges`), the
comparisons are restricted to those pfn ranges."""

import functools
import json
import os
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CACHE = Path(os.environ.get("MEMSECT_CACHE", Path.home() / ".cache" / "memsect"))
BIG = CACHE / "dumps-big"
MEMSECT = Path(os.environ.get("MEMSECT_BIN", REPO / "build" / "memsect"))
LSAN_SUPP = REPO / "src" / "sanitizer" / "lsan.supp"


def big_dumps(prefix):
    out = []
    for mpath in sorted(BIG.glob(f"*/{prefix}-*/manifest.json")):
        m = json.loads(mpath.read_text())
        for fmt, name in sorted(m["dumps"].items()):
            out.append(pytest.param((mpath.parent / name, mpath.parent / "vmlinux", fmt, m),
                                    id=f"{mpath.parent.parent.name}/{mpath.parent.name}/{fmt}"))
    return out


DUMPS = big_dumps("big")


@functools.lru_cache(maxsize=None)
def memsect(cmd, path, vmlinux):
    assert MEMSECT.exists(), f"{MEMSECT} is not built (run make)"
    env = dict(os.environ)
    env.setdefault("LSAN_OPTIONS", f"suppressions={LSAN_SUPP}:print_suppressions=0")
    p = subprocess.run([str(MEMSECT), cmd, "--json", str(path), str(vmlinux)],
                       capture_output=True, text=True, timeout=3600, env=env)
    assert p.returncode in (0, 1, 4), f"memsect {cmd}: exit {p.returncode}: {p.stderr.strip()}"
    return json.loads(p.stdout)


@pytest.fixture(params=DUMPS)
def dump(request):
    return request.param


def test_big_dumps_were_made():
    """`make vmcores-big` makes both sizes for both kernels; a missing one
    fails here rather than being skipped."""
    made = {(p.values[0][3]["kernel"]["name"], p.values[0][3]["guest"]["memory_mib"] >> 10)
            for p in DUMPS}
    assert made >= {(k, s) for k in ("6.12", "stock-6.1") for s in (64, 256)}, made


def sampled(m):
    """The pfn ranges the ground truth covers, or None for all of them."""
    s = m.get("groundtruth_sampled")
    return [tuple(r) for r in s["pfn_ranges"]] if s else None


def clip(ranges, windows):
    if windows is None:
        return [list(r) for r in ranges]
    out = []
    for s, e in ranges:
        for ws, we in windows:
            if max(s, ws) < min(e, we):
                out.append([max(s, ws), min(e, we)])
    return sorted(out)


def online_sections(doc):
    return {s["nr"] for s in doc["sections"] if "online" in s["flags"]}


def excluded_only(fmt, doc):
    """Failed reads only on pages makedumpfile -d 31 left out."""
    return fmt == "d31" and all("(Excluded page)" in e["what"] for e in doc["errors"])


def test_identity_and_no_read_errors(dump):
    path, vmlinux, fmt, m = dump
    doc = memsect("diagnose", path, vmlinux)
    assert doc["dump"]["osrelease"] == m["kernel"]["release"]
    assert doc["dump"]["build_id"] == m["vmcoreinfo"].get("BUILD-ID")
    assert doc["partial"] is False or excluded_only(fmt, doc), doc["errors"][:5]


def test_offline_ranges(dump):
    """PageOffline ranges equal the guest's KPF_OFFLINE ranges (on online
    sections: kpageflags sees only those), and the balloon's size."""
    path, vmlinux, fmt, m = dump
    doc = memsect("diagnose", path, vmlinux)
    off = memsect("offline", path, vmlinux)["offline"]
    assert off == doc["offline"]
    shift = doc["layout"]["section_size_bits"] - 12
    online = online_sections(doc)
    got = [[r["start_pfn"], r["end_pfn"]] for r in off["ranges"]
           if all(nr in online for nr in range(r["start_pfn"] >> shift, ((r["end_pfn"] - 1) >> shift) + 1))]
    win = sampled(m)
    assert clip(got, win) == clip(m["offline_ranges"], win)
    assert len(m["offline_ranges"]) > 0
    if win is None:
        inflated = m["guest"]["balloon"]["inflated_bytes"] // 4096
        assert off["pages"] == sum(e - s for s, e in m["offline_ranges"]) == inflated
        assert inflated == m["big"]["params"]["balloon_gib"] << 18
        assert inflated >= 1 << 21   # millions of pages: 8 GiB and more


def test_hugetlb_folios(dump):
    """Every hugetlb folio (head pfn, order) of the guest's kpageflags, its
    HVO state, and the per-size counts of sysfs nr_hugepages."""
    path, vmlinux, fmt, m = dump
    hvo = memsect("hvo", path, vmlinux)["hvo"]
    assert hvo == memsect("diagnose", path, vmlinux)["hvo"]
    win = sampled(m)

    def inside(pfn):
        return win is None or any(s <= pfn < e for s, e in win)

    got = {(f["pfn"], f["order"]) for f in hvo["folios"] if inside(f["pfn"])}
    want = {(f["pfn"], f["order"]) for f in m["hugetlb_folios"] if inside(f["pfn"])}
    assert got == want
    flags = {f["pfn"]: f["hvo"] for f in m["hugetlb_folios"]}
    for f in hvo["folios"]:
        if inside(f["pfn"]) and flags.get(f["pfn"]) is not None:
            assert f["flag"] == flags[f["pfn"]], f["pfn"]
    if win is None:
        kb = {o: sum(1 for f in hvo["folios"] if f["order"] == o) for o in (9, 18)}
        assert kb[9] == int(m["hugepages"]["2048kB"]) > 0
        assert kb[18] == int(m["hugepages"]["1048576kB"]) > 0


def test_offlined_memory_blocks(dump):
    """The blocks the guest offlined are offline in memsect's view, every
    other block equals sysfs too, and an offline block's sections are not
    online."""
    path, vmlinux, fmt, m = dump
    doc = memsect("diagnose", path, vmlinux)
    mb = doc["memory_blocks"]
    assert mb["available"] is True and mb["block_size"] == m["memory_block_size"]
    shift = doc["layout"]["section_size_bits"] - 12
    got = [(b["id"], b["state"], b["start_section"] << shift) for b in mb["blocks"]]
    want = [(b["id"], b["state"], b["start_pfn"]) for b in m["memory_blocks"]]
    if mb["complete"]:
        assert got == want
    else:
        assert excluded_only(fmt, doc), doc["errors"][:5]
        assert set(got) <= set(want)
    offlined = sorted(m["big"]["offlined_blocks"])
    assert offlined and sorted(b["id"] for b in m["memory_blocks"] if b["state"] == "offline") == offlined
    assert sorted(b["id"] for b in mb["blocks"] if b["state"] == "offline") == offlined
    online = online_sections(doc)
    per_block = m["memory_block_size"] >> (shift + 12)
    for bid in offlined:
        assert not online & set(range(bid * per_block, (bid + 1) * per_block)), bid
    assert [s["nr"] for s in doc["sections"]] == m["present_sections"]


def test_page_ext(dump):
    """page_owner's page_ext on the custom kernel: its entry size equals the
    boot log's; none on the stock kernel."""
    path, vmlinux, fmt, m = dump
    doc = memsect("diagnose", path, vmlinux)
    if "page_owner" in m["page_ext"]["enabled_clients"]:
        assert doc["layout"]["page_ext_size"] == m["page_ext"]["page_ext_size"]
        states = {s["page_ext"]["state"] for s in doc["sections"] if "online" in s["flags"]}
        assert states == {"valid"}, states
    else:
        assert {s["page_ext"]["state"] for s in doc["sections"]} == {"null"}
