"""The vmcores pipeline's dumps (issue 2): every dump `make vmcores` must make
exists, opens in drgn, libkdumpfile and crash (in full mode, on the kernels
where that crash can), and shows the ground truth its manifest records — read
with those readers directly, never through memsect.  A missing dump fails."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from dumps import DUMPS, load_manifest  # noqa: E402
from drgn.helpers.linux.mm import pfn_to_page  # noqa: E402
from vmcores_readers import (  # noqa: E402
    CRASH_MEMORY_BLOCK_STATES, HPG_vmemmap_optimized, KDUMP_KPHYSADDR, PAGES_PER_SECTION,
    PAGE_EXT_INVALID, SECTION_IS_ONLINE, SECTION_MARKED_PRESENT, KdumpNoData, crash_full_mode,
    crash_memory_block_states, crash_memory_blocks, crash_run, expected_dumps, folio_order,
    gigantic_page_owner, kdumpfile_read_release, open_drgn, open_kdumpfile, page_ext_entry, page_flags, page_is_head,
    page_owner_at, page_type_is_offline, section)



class D:
    """One expected dump and its readers, opened lazily."""

    def __init__(self, kernel, scenario, fmt):
        self.kernel, self.scenario, self.fmt = kernel, scenario, fmt
        d = DUMPS / kernel / scenario
        if not (d / "manifest.json").exists():
            pytest.fail(f"dump {kernel}/{scenario} was not made (no {d}/manifest.json)")
        self.m = load_manifest(kernel, scenario)
        if fmt not in self.m["dumps"]:
            pytest.fail(f"{kernel}/{scenario} has no {fmt} dump; notes: {self.m['notes']}")
        self.path = d / self.m["dumps"][fmt]
        self.vmlinux = d / "vmlinux"
        if not self.path.exists():
            pytest.fail(f"{self.path} is missing")
        self._prog = None

    @property
    def prog(self):
        if self._prog is None:
            self._prog = open_drgn(self.path, self.vmlinux)
        return self._prog


_open = {}


@pytest.fixture
def dump(request):
    """The dump named by the test's parameter; the last one stays open."""
    key = request.param
    if key not in _open:
        _open.clear()
        _open[key] = D(*key)
    return _open[key]


def dumps(kernels=None, scenarios=None, full_mode_crash=False):
    """Parametrize a test over the expected dumps of these kernels/scenarios
    (and, with full_mode_crash, only those crash opens in full mode)."""
    params = [p for p in expected_dumps()
              if (kernels is None or p[0] in kernels) and (scenarios is None or p[1] in scenarios)
              and (not full_mode_crash or crash_full_mode(p[0], p[2]))]
    return pytest.mark.parametrize("dump", params, ids=["/".join(p) for p in params], indirect=True)


def offline_sample_pfns(ranges, per_range=3):
    out = []
    for s, e in ranges:
        out += sorted({s, (s + e) // 2, e - 1})[:per_range]
    return out


# --- every dump opens, in every reader ---------------------------------------

@dumps()
def test_drgn_opens(dump):
    release = dump.prog["init_uts_ns"].name.release.string_().decode()
    assert release == dump.m["kernel"]["release"]


@dumps()
def test_libkdumpfile_opens(dump):
    k = open_kdumpfile(dump.path)
    assert kdumpfile_read_release(k, dump.m["vmcoreinfo"]) == dump.m["kernel"]["release"]


@dumps(full_mode_crash=True)
def test_crash_opens(dump):
    out = crash_run(dump.path, dump.vmlinux, dump.m["vmcoreinfo"],
                    ["sys", "kmem -n", CRASH_MEMORY_BLOCK_STATES])
    assert f"RELEASE: {dump.m['kernel']['release']}" in out, out[-3000:]
    want = {f"memory{b['id']}": b["state"].upper().replace("-", "_") for b in dump.m["memory_blocks"]}
    assert crash_memory_block_states(out, dump.m["memory_block_size"]) == want
    blocks = crash_memory_blocks(out)
    assert blocks.keys() == want.keys()
    if "state = MEM_" not in out:    # unsigned long state, the MEM_* defines
        assert blocks == want


# --- what every manifest says about sections -----------------------------------

@dumps()
def test_present_sections(dump):
    for nr in dump.m["present_sections"]:
        assert section(dump.prog, nr).section_mem_map.value_() & SECTION_MARKED_PRESENT, nr


@dumps()
def test_block_states_in_section_flags(dump):
    """An offline (or going-offline) block's sections lack SECTION_IS_ONLINE;
    an online block's sections have it."""
    per = dump.m["memory_block_size"] // (PAGES_PER_SECTION * 4096)
    for b in dump.m["memory_blocks"]:
        for nr in range(b["phys_index"], b["phys_index"] + per):
            online = bool(section(dump.prog, nr).section_mem_map.value_() & SECTION_IS_ONLINE)
            assert online == (b["state"] == "online"), (b, nr)


@dumps()
def test_page_ext_pointers(dump):
    """Stock kernels have no page_ext client: every page_ext is NULL.  With a
    client, every online boot section has a valid (bit 0 clear) table and
    page_ext_size is what the kernel's boot message implies."""
    pe = dump.m["page_ext"]
    prog = dump.prog
    g = dump.m["guest"]
    hotplug = [(d["start_pfn"], d["end_pfn"]) for d in g["dimms"]]
    if g["virtio_mem"]:
        hotplug.append((g["virtio_mem"]["start_pfn"], g["virtio_mem"]["end_pfn"]))
    for b in dump.m["memory_blocks"]:
        if b["state"] != "online":
            continue
        raw = section(prog, b["phys_index"]).page_ext.value_()
        if not pe["enabled_clients"]:
            assert raw == 0, b
        elif not any(s <= b["start_pfn"] < e for s, e in hotplug):
            assert raw and not raw & PAGE_EXT_INVALID, (b, hex(raw))
    if pe["page_ext_size"] is not None:
        assert prog["page_ext_size"].value_() == pe["page_ext_size"]


# --- per scenario ---------------------------------------------------------------

@dumps()
def test_offline_ranges(dump):
    """Every PageOffline pfn the guest's /proc/kpageflags reported is
    PageOffline in the dump (the kernel's own page_type encoding), and the
    pfn right after each range is not."""
    m, prog = dump.m, dump.prog
    if dump.scenario in ("virtio-mem", "skippable", "balloon"):
        assert m["offline_ranges"], "the scenario must leave PageOffline pages"
    for pfn in offline_sample_pfns(m["offline_ranges"]):
        assert page_type_is_offline(prog, pfn_to_page(prog, pfn), m["vmcoreinfo"]), pfn
    ends = {e for _, e in m["offline_ranges"]}
    for pfn in ends:
        if any(b["start_pfn"] <= pfn < b["end_pfn"] and b["state"] == "online"
               for b in m["memory_blocks"]):
            assert not page_type_is_offline(prog, pfn_to_page(prog, pfn), m["vmcoreinfo"]), pfn


@dumps(scenarios=["balloon"])
def test_balloon_size(dump):
    g = dump.m["guest"]["balloon"]
    assert sum(e - s for s, e in dump.m["offline_ranges"]) * 4096 == g["inflated_bytes"]


@dumps(scenarios=["balloon"])
def test_balloon_pages_in_dump_file(dump):
    """Inflated balloon pages are PageOffline: QEMU's dumps hold their
    contents, makedumpfile (every dump level) leaves them out."""
    k = open_kdumpfile(dump.path)
    for pfn in offline_sample_pfns(dump.m["offline_ranges"]):
        if dump.fmt == "d31":
            with pytest.raises(KdumpNoData):
                k.read(KDUMP_KPHYSADDR, pfn * 4096, 8)
        else:
            assert len(k.read(KDUMP_KPHYSADDR, pfn * 4096, 8)) == 8


@dumps(scenarios=["virtio-mem", "skippable"])
def test_virtio_mem_skippable(dump):
    """PG_offline_skippable (the fixture patch, PG_owner_2) is set on exactly
    the fake-offline pages with refcount 1; a mainline kernel has no such flag
    and keeps them at refcount 1 until MEM_GOING_OFFLINE."""
    prog, m = dump.prog, dump.m
    try:
        bit = prog.constant("PG_offline_skippable").value_()
    except LookupError:
        bit = None
    if dump.scenario == "skippable":
        assert bit is not None, "the fixture patch's PG_offline_skippable is missing"
        assert m["offline_owner2_ranges"] == m["offline_ranges"]
    else:
        assert bit is None
    for pfn in offline_sample_pfns(m["offline_ranges"]):
        page = pfn_to_page(prog, pfn)
        assert page._refcount.counter.value_() == 1, pfn
        if bit is not None:
            assert page_flags(page) & (1 << bit), pfn


@dumps(scenarios=["hvo", "gigantic"])
def test_hugetlb_folios(dump):
    """Each hugetlb folio the guest saw is a compound head of that order in
    the dump, and HPG_vmemmap_optimized agrees with the manifest's hvo."""
    prog, folios = dump.prog, dump.m["hugetlb_folios"]
    if dump.scenario == "hvo":
        assert sorted(f["order"] for f in folios) == [9, 9, 9, 9, 18]
        assert all(f["hvo"] for f in folios)
    for f in folios:
        head = pfn_to_page(prog, f["pfn"])
        assert page_is_head(head, dump.m["vmcoreinfo"]), f
        assert folio_order(prog, f["pfn"]) == f["order"], f
        if f["hvo"] is not None:
            assert bool(head.private.value_() & (1 << HPG_vmemmap_optimized)) == f["hvo"], f


@dumps(scenarios=["pageowner"])
def test_page_owner_samples(dump):
    """page_owner records of the pages a guest process held, read from the
    pfn's page_ext entry in its own section."""
    prog = dump.prog
    held = [s for s in dump.m["page_owner_samples"] if s["comm"] == "memhog"]
    assert held, "no page_owner sample of the memhog process"
    for s in held:
        po = page_owner_at(prog, page_ext_entry(prog, s["pfn"]))
        assert po.order.value_() == s["order"]
        assert po.gfp_mask.value_() == int(s["gfp_mask"], 16)
        assert po.pid.value_() == s["pid"] and po.tgid.value_() == s["tgid"]
        assert po.comm.string_().decode() == s["comm"]
        assert po.ts_nsec.value_() == s["ts_nsec"]


@dumps(scenarios=["midoffline"])
def test_midoffline_sections(dump):
    """The sections of the block being offlined hold the PAGE_EXT_INVALID bit
    that gdb read at the breakpoint, and are no longer online."""
    inv = dump.m["page_ext"]["invalidated_sections"]
    assert inv
    for s in inv:
        ms = section(dump.prog, s["nr"])
        raw = ms.page_ext.value_()
        assert hex(raw) == s["page_ext_raw"] and raw & PAGE_EXT_INVALID
        assert not ms.section_mem_map.value_() & SECTION_IS_ONLINE


@dumps(scenarios=["gigantic"])
def test_gigantic_page_owner(dump):
    """One 1 GiB folio allocated at run time with page_owner=on.  6.12.117
    (cf54f310d0d3 without 9039b9096ea2) writes the order-18 record linearly
    past the first section's page_ext table, so the folio's later sections
    have no order-18 record of their own (unless the boot put their table
    inside the memory that walk wrote); 7.3 (per-section iteration) has
    one in each."""
    prog, m = dump.prog, dump.m
    pfn = m["gigantic_folio_pfn"]
    assert pfn is not None and pfn % (1 << 18) == 0
    assert folio_order(prog, pfn) == 18
    head = page_owner_at(prog, page_ext_entry(prog, pfn))
    sample = [s for s in m["page_owner_samples"] if s["pfn"] == pfn]
    assert sample and head.order.value_() == sample[0]["order"]
    second = pfn + PAGES_PER_SECTION
    own = page_owner_at(prog, page_ext_entry(prog, second))
    if dump.kernel == "6.12":
        assert head.order.value_() == 18
        _, later = gigantic_page_owner(prog, pfn, 18)
        # The walk wrote the record past the table just before the dump.
        # Where it landed in pages the kernel counts as free, makedumpfile
        # -d 31 leaves it out (which pages those are depends on the boot).
        if dump.fmt == "d31":
            assert any(x["linear"] is not False for x in later), later
        else:
            assert any(x["linear"] for x in later), later
        assert not any(x["own"] for x in later if not x["own_in_span"]), later
    elif dump.kernel.startswith("7.3"):
        assert head.order.value_() == 18
        assert own.order.value_() == 18 and own.handle.value_() == head.handle.value_()
