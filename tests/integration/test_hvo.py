"""`memsect hvo` on the `hvo` dumps of all three HVO generations (6.1 reuses
the head frame, 6.12 copies it, 7.3 maps the tails onto a per-zone shared
page): the folios are the manifest's and the ones on the kernel's own hstate
lists; flag, scheme and the alias geometry follow mm/hugetlb_vmemmap.c; the PTEs
equal crash's `vtop` (crash 8.0.2 full mode opens the 6.1 dumps, crash 9.0.2
in the sid chroot also 6.12 and 7.3); the drgn helper and the crash extension
produce the same document."""

import json
import re
import sys

import drgn
import pytest

from test_cli_common import REPO, all_dumps, dump_ids, run
from test_crash_common import CrashSession, minimal_mode

sys.path.insert(0, str(REPO / "drgn_helpers"))
import memsect  # noqa: E402

KERNELS = ("stock-6.1", "6.1", "6.12", "7.3")
DUMPS = all_dumps(kernel=KERNELS, scenario="hvo")
KDUMPS = all_dumps(kernel=KERNELS, scenario="hvo", fmt="kdump")
# Every scenario's dump: gigantic ones hold a 1 GiB folio without HVO, the
# rest none.
EVERY = all_dumps(fmt="kdump")
# mm/hugetlb_vmemmap.c: fake heads (tails alias the head's frame) up to 7.0,
# one shared tail page per order and zone from 7.1.
SCHEME = {"stock-6.1": "head-alias", "6.1": "head-alias", "6.12": "head-alias",
          "7.3": "shared-tail"}
STRUCT_PAGES_PER_VMEMMAP_PAGE = 4096 // 64


def zone_key(f):
    """7.1+ shares one tail page per order and zone (struct zone): the
    folio's (order, node, x86_64 zone: DMA below 16 MiB, DMA32 below 4 GiB,
    Normal above; the hvo guest has no movable zone).  Which zone the
    allocator took a run-time folio from is the boot's business."""
    zone = 0 if f["pfn"] < 1 << 12 else 1 if f["pfn"] < 1 << 20 else 2
    return f["order"], f["node"], zone


def hvo_json(dump):
    p = run("hvo", "--json", dump.path, dump.vmlinux)
    assert p.returncode in (0, 1, 4), p.stderr
    return json.loads(p.stdout)


def hstate_folios(prog):
    """(pfn, order, node) of every folio on the kernel's hstate free and
    active lists: the hugetlb pool as hugetlb.c keeps it, read without any
    struct page scan (node: the free list's index; None on the active list)."""
    from drgn.helpers.linux.list import list_for_each_entry
    from drgn.helpers.linux.mm import page_to_pfn

    out = set()
    for i in range(prog["hugetlb_max_hstate"].value_()):
        h = prog["hstates"][i]
        order = h.order.value_()
        heads = [(None, h.hugepage_activelist.address_of_())]
        heads += [(n, h.hugepage_freelists[n].address_of_())
                  for n in range(len(h.hugepage_freelists))]
        for node, head in heads:
            for page in list_for_each_entry("struct page", head, "lru"):
                out.add((page_to_pfn(page).value_(), order, node))
    return out


@pytest.fixture(scope="module", params=DUMPS, ids=dump_ids(DUMPS))
def doc(request):
    return request.param, hvo_json(request.param)


def test_every_manifest_folio_found(doc):
    dump, d = doc
    got = {(f["pfn"], f["order"]) for f in d["hvo"]["folios"]}
    want = {(f["pfn"], f["order"]) for f in dump.manifest["hugetlb_folios"]}
    assert got == want


def test_flag_and_scheme(doc):
    dump, d = doc
    want = {f["pfn"]: f["hvo"] for f in dump.manifest["hugetlb_folios"]}
    for f in d["hvo"]["folios"]:
        assert f["flag"] is want[f["pfn"]]
        assert f["scheme"] == (SCHEME[dump.kernel] if want[f["pfn"]] else "none")
    assert d["findings"] == []


def test_alias_geometry(doc):
    """8 vmemmap pages per 2 MiB folio, 4096 per
    1 GiB, all PTE-mapped; the head leaf writable, the aliases read-only;
    pages 1..N-1 aliased; one frame up to 7.0, two (own head + shared tail)
    from 7.1, the tail frame shared by every folio of the order in its zone."""
    dump, d = doc
    scheme = SCHEME[dump.kernel]
    tails = {}
    for f in d["hvo"]["folios"]:
        n = (1 << f["order"]) * 64 // 4096
        assert f["vmemmap_pages"] == n
        assert f["pte_mapped"] == n and f["pmd_split"]
        assert f["head_writable"] and f["alias_writable"] is False
        assert f["aliased_pages"] == n - 1 and f["aliased_writable"] == 0
        assert f["aliased_struct_pages"] == (n - 1) * STRUCT_PAGES_PER_VMEMMAP_PAGE
        assert f["aliased_frames_more"] == 0
        if scheme == "head-alias":
            assert f["distinct_frames"] == 1
            assert f["alias_frame"] == f["head_frame"]
            assert f["fake_heads"] == n - 1
            assert f["aliased_frames"] == [
                {"frame": f["head_frame"], "first_page": 0, "pages": n, "writable": 1}]
        else:
            assert f["distinct_frames"] == 2
            assert f["alias_frame"] != f["head_frame"]
            assert f["fake_heads"] == 0
            assert f["aliased_frames"] == [
                {"frame": f["alias_frame"], "first_page": 1, "pages": n - 1, "writable": 0}]
            tails.setdefault(zone_key(f), set()).add(f["alias_frame"])
    shared = d["hvo"]["shared_frames"]
    if scheme == "head-alias":
        assert shared == []
    else:
        assert all(len(v) == 1 for v in tails.values())
        by_zone = {}
        for f in d["hvo"]["folios"]:
            by_zone.setdefault(zone_key(f), []).append(f)
        assert {(s["frame"], s["folios"]) for s in shared} == {
            (next(iter(tails[k])), len(v)) for k, v in by_zone.items() if len(v) > 1}
        assert all(s["expected"] and s["role"] == "tail" for s in shared)


@pytest.fixture(scope="module", params=KDUMPS, ids=dump_ids(KDUMPS))
def loaded(request):
    dump = request.param
    prog = drgn.Program()
    prog.set_core_dump(str(dump.path))
    prog.load_debug_info([str(dump.vmlinux)])
    return dump, prog


def test_folios_are_the_hstate_pool(loaded):
    dump, prog = loaded
    pool = hstate_folios(prog)
    folios = hvo_json(dump)["hvo"]["folios"]
    assert {(f["pfn"], f["order"]) for f in folios} == {(p, o) for p, o, _ in pool}
    # The guests hold every hugetlb page free (no user), so each has a node.
    assert {(f["pfn"], f["order"], f["node"]) for f in folios} == pool


def test_drgn_helper_equals_cli(loaded):
    dump, prog = loaded
    assert memsect.hvo_report(prog) == hvo_json(dump)["hvo"]


def test_naive_scan_misreads_and_offline_scan_does_not(loaded):
    """A naive struct page scan over a folio's pfns counts a PG_head "folio"
    at every 64th tail up to 7.0 (the aliases are copies of the head page);
    memsect counts one folio, and its PageOffline scan finds no offline page
    inside any hugetlb folio."""
    dump, prog = loaded
    d = hvo_json(dump)
    pg_head = prog.constant("PG_head").value_()
    from drgn.helpers.linux.mm import pfn_to_page

    for f in d["hvo"]["folios"]:
        heads = 0
        for i in range(0, 1 << f["order"], 64):
            # page->flags read raw: a memdesc_flags_t struct in 7.x.
            flags = prog.read_u64(pfn_to_page(prog, f["pfn"] + i).flags.address_)
            heads += (flags >> pg_head) & 1
        want = (1 << f["order"]) // 64 if SCHEME[dump.kernel] == "head-alias" else 1
        assert heads == want
        assert heads == 1 + f["fake_heads"]
    offline = run("offline", "--json", dump.path, dump.vmlinux)
    ranges = json.loads(offline.stdout)["offline"]["ranges"]
    for r in ranges:
        for f in d["hvo"]["folios"]:
            assert r["end_pfn"] <= f["pfn"] or r["start_pfn"] >= f["pfn"] + (1 << f["order"])


VTOP_LEVEL = {"PTE": 1, "PMD": 2, "PUD": 3}


def parse_vtop(text):
    """{vaddr: (leaf entry, level, physical page)} from crash's `vtop`."""
    out = {}
    for block in re.split(r"\n(?=VIRTUAL\s+PHYSICAL)", text):
        m = re.search(r"^([0-9a-f]+)\s+[0-9a-f]+\s*$", block, re.M)
        legs = re.findall(r"^\s+(PTE|PMD|PUD):\s+[0-9a-f]+ => ([0-9a-f]+)", block, re.M)
        page = re.search(r"^\s+PAGE:\s+([0-9a-f]+)", block, re.M)
        if m and legs and page:
            name, entry = legs[-1]
            out[int(m.group(1), 16)] = (int(entry, 16), VTOP_LEVEL[name], int(page.group(1), 16))
    return out


@pytest.fixture(scope="module", params=KDUMPS, ids=dump_ids(KDUMPS))
def crash_session(request):
    dump = request.param
    d = hvo_json(dump)
    cmds = [("hvo", "memsect hvo --json"), ("hvo.txt", "memsect hvo")]
    full = not minimal_mode(dump)
    if full:
        for f in d["hvo"]["folios"]:
            va = int(f["head_vaddr"], 16)
            cmds.append((f"vtop{f['pfn']}", f"vtop {va:x} {va + 4096:x} {va + 4096 * (f['vmemmap_pages'] - 1):x}"))
    return dump, d, CrashSession(dump, cmds), full


def test_crash_extension_equals_cli(crash_session):
    dump, d, s, _ = crash_session
    ext = s.json("hvo")
    assert ext["hvo"] == d["hvo"]
    assert ext["findings"] == d["findings"]
    assert s.out["hvo.txt"] == run("hvo", dump.path, dump.vmlinux).stdout


# vtop needs crash's full mode: crash 8.0.2 gives it on 6.1 only, crash 9.0.2
# (make check-newest) on 6.12 and 7.3 too.
FULL_MODE_KDUMPS = [d for d in KDUMPS if not minimal_mode(d)]


@pytest.mark.parametrize("crash_session", FULL_MODE_KDUMPS, ids=dump_ids(FULL_MODE_KDUMPS),
                         indirect=True)
def test_ptes_equal_crash_vtop(crash_session):
    dump, d, s, full = crash_session
    assert full
    for f in d["hvo"]["folios"]:
        va = int(f["head_vaddr"], 16)
        vt = parse_vtop(s.out[f"vtop{f['pfn']}"])
        last = va + 4096 * (f["vmemmap_pages"] - 1)
        assert set(vt) == {va, va + 4096, last}, s.out[f"vtop{f['pfn']}"]
        assert vt[va] == (int(f["head_pte"], 16), f["head_level"], int(f["head_frame"], 16))
        assert vt[va + 4096] == (int(f["alias_pte"], 16), f["alias_level"],
                                 int(f["alias_frame"], 16))
        # The last vmemmap page aliases the same frame, read-only.
        assert vt[last][2] == int(f["alias_frame"], 16)
        assert not vt[last][0] & 2


def test_frames_equal_drgn_translation(loaded):
    """The frames memsect reports hold what libdrgn's own page-table walk
    reads at the vmemmap addresses (an independent reader, also where the
    crash at hand cannot open the dump in full mode for vtop), and the
    aliases differ from the head page exactly when the tails are shared."""
    dump, prog = loaded
    for f in hvo_json(dump)["hvo"]["folios"]:
        va = int(f["head_vaddr"], 16)
        head = prog.read(va, 4096)
        alias = prog.read(va + 4096 * (f["vmemmap_pages"] - 1), 4096)
        assert head == prog.read(int(f["head_frame"], 16), 4096, True)
        assert alias == prog.read(int(f["alias_frame"], 16), 4096, True)
        assert (head == alias) is (f["scheme"] == "head-alias")


@pytest.mark.parametrize("dump", EVERY, ids=dump_ids(EVERY))
def test_every_dump_folios_and_drgn(dump):
    """On every dump: the folios are the manifest's; a folio without HVO
    keeps its PMD-mapped vmemmap (x86_64 maps the vmemmap with 2 MiB PMDs,
    vmemmap_populate_hugepages(); only HVO splits them) and nothing aliased; the drgn helper gives the same
    document."""
    d = hvo_json(dump)
    want = {f["pfn"]: f for f in dump.manifest.get("hugetlb_folios") or []}
    got = {f["pfn"]: f for f in d["hvo"]["folios"]}
    assert {p: f["order"] for p, f in got.items()} == {p: f["order"] for p, f in want.items()}
    for pfn, f in got.items():
        if want[pfn]["hvo"] is False:
            assert not f["flag"] and f["scheme"] == "none"
            assert f["pte_mapped"] == 0 and f["head_level"] == 2
            assert f["aliased_pages"] == 0 and f["aliased_frames"] == []
    assert d["hvo"]["walked"] is True
    assert d["findings"] == []
    prog = drgn.Program()
    prog.set_core_dump(str(dump.path))
    prog.load_debug_info([str(dump.vmlinux)])
    assert memsect.hvo_report(prog) == d["hvo"]
