"""The drgn helpers (drgn_helpers/memsect) on every real dump: they reproduce
the guest's ground truth, and diagnose(prog), computed by the core on the
drgn target, returns the findings the CLI's ``memsect diagnose --json``
computes on libkdumpfile and libdw (the two targets answer alike)."""

import subprocess
import sys

import drgn
import pytest

from test_cli_common import REPO, all_dumps, dump_ids, memsect_json

sys.path.insert(0, str(REPO / "drgn_helpers"))
import memsect  # noqa: E402

DUMPS = all_dumps()


@pytest.fixture(scope="module", params=DUMPS, ids=dump_ids(DUMPS))
def loaded(request):
    """(dump, prog), one program per dump: pytest runs every test of this
    module on one dump before it loads the next."""
    dump = request.param
    prog = drgn.Program()
    prog.set_core_dump(str(dump.path))
    prog.load_debug_info([str(dump.vmlinux)])
    return dump, prog


def test_present_sections(loaded):
    dump, prog = loaded
    nrs = [nr for nr, _ in memsect.for_each_present_section(prog)]
    assert nrs == dump.manifest["present_sections"]


def test_section_online_flags_follow_blocks(loaded):
    dump, prog = loaded
    per_block = dump.manifest["memory_block_size"] >> 27
    state = {b["id"]: b["state"] for b in dump.manifest["memory_blocks"]}
    for nr, ms in memsect.for_each_present_section(prog):
        flags = memsect.section_flags(ms, nr)
        block_state = state[nr // per_block]
        if block_state == "online":
            assert "online" in flags, nr
        elif block_state in ("offline", "going-offline"):
            # offline_pages() clears ONLINE before the MEM_OFFLINE notifier
            assert "online" not in flags, nr


def test_memory_blocks(loaded):
    """The guest's blocks and states; or, where makedumpfile -d 31 left part
    of the xarray out (1.7.2 does not know 7.x page types and drops live
    slab pages), the blocks the dump holds and a read error naming an
    address the dump truly lacks."""
    dump, prog = loaded
    got = [(b.id, b.state) for b in memsect.for_each_memory_block(prog)]
    want = [(b["id"], b["state"]) for b in dump.manifest["memory_blocks"]]
    errors = memsect.dump_errors(prog, "sections")
    if not errors:
        assert got == want
        return
    assert dump.fmt == "d31", errors
    assert set(got) <= set(want)
    for e in errors:
        assert e.kind == "read"
        with pytest.raises(drgn.FaultError):
            prog.read(e.address, 1)


def test_page_ext_states(loaded):
    dump, prog = loaded
    states = {
        nr: memsect.section_page_ext(ms, nr)
        for nr, ms in memsect.for_each_present_section(prog)
    }
    invalidated = {s["nr"]: int(s["page_ext_raw"], 16) for s in dump.manifest["page_ext"]["invalidated_sections"]}
    assert {nr: pe.raw for nr, pe in states.items() if pe.state == "invalidated"} == invalidated
    if not dump.manifest["page_ext"]["enabled_clients"]:
        # no client needs page_ext (Debian's stock kernels): never allocated
        assert {pe.state for pe in states.values()} == {"null"}
    for nr, pe in states.items():
        if pe.state in ("valid", "invalidated"):
            assert pe.table == (pe.raw & ~1) + prog["page_ext_size"].value_() * (nr << 15)


def test_offline_ranges(loaded):
    dump, prog = loaded
    ranges = list(memsect.for_each_page_offline_range(prog))
    assert [e for e in memsect.dump_errors(prog, "offline") if e.kind == "invalid"] == []
    assert [[r.start_pfn, r.end_pfn] for r in ranges] == dump.manifest["offline_ranges"]
    assert sum(sum(r.refcounts.values()) for r in ranges) == sum(
        e - s for s, e in dump.manifest["offline_ranges"]
    )


def test_section_objects(loaded):
    """The Objects the helpers return are the kernel's: the mem_section
    pointers hold the manifest's invalidated page_ext values, the mem_map
    of a section is the struct page drgn finds for its first pfn."""
    dump, prog = loaded
    from drgn.helpers.linux.mm import pfn_to_page

    invalidated = {s["nr"]: int(s["page_ext_raw"], 16) for s in dump.manifest["page_ext"]["invalidated_sections"]}
    shift = memsect.section_layout(prog).pfn_section_shift
    for nr, ms in memsect.for_each_present_section(prog):
        if nr in invalidated:
            assert ms.page_ext.value_() == invalidated[nr]
        mem_map = memsect.section_mem_map(ms, nr)
        assert mem_map is not None and mem_map.value_() == pfn_to_page(prog, nr << shift).value_()


def test_offline_skippable(loaded):
    """PG_offline_skippable is recognised exactly where the kernel defines it,
    and set exactly on the pages the guest saw with PG_owner_2."""
    dump, prog = loaded
    bit = memsect.offline_skippable_bit(prog)
    owner2 = dump.manifest.get("offline_owner2_ranges", [])
    if dump.kernel.endswith("-skippable"):
        assert bit == prog.constant("PG_owner_2").value_()
    else:
        assert bit is None
    ranges = list(memsect.for_each_page_offline_range(prog))
    skippable = sum(r.skippable or 0 for r in ranges)
    assert skippable == (sum(e - s for s, e in owner2) if bit is not None else 0)


def _without_read_errors(findings):
    """READ_ERRORS counts and first addresses follow each reader's own reads
    (drgn's xarray walk is not the CLI's): compare that the finding is
    there, not its evidence."""
    return [f for f in findings if f["code"] != "READ_ERRORS"]


def test_diagnose_equals_cli(loaded):
    dump, prog = loaded
    findings = [f.to_json() for f in memsect.diagnose(prog)]
    cli = memsect_json(dump)["findings"]
    assert _without_read_errors(findings) == _without_read_errors(cli)
    assert [f["code"] for f in findings if f["code"] == "READ_ERRORS"] == [
        f["code"] for f in cli if f["code"] == "READ_ERRORS"
    ]


def test_script_entry(loaded):
    dump, _ = loaded
    if dump.fmt != "kdump":
        return  # the script opens the dump itself; once per scenario is enough
    p = subprocess.run(
        [sys.executable, "-m", "memsect.drgn_diagnose", "--json", str(dump.path), "-s", str(dump.vmlinux)],
        cwd=REPO / "drgn_helpers", capture_output=True, text=True, timeout=600,
    )
    import json

    doc = json.loads(p.stdout)
    cli = memsect_json(dump)
    assert _without_read_errors(doc["findings"]) == _without_read_errors(cli["findings"])
    assert doc["partial"] == cli["partial"]
    assert p.returncode == (4 if cli["partial"] else
                            1 if any(f["severity"] != "info" for f in cli["findings"]) else 0)


def test_script_reads_build_id_from_the_dump(loaded):
    """drgn_diagnose compares the vmlinux with the dump's own VMCOREINFO
    BUILD-ID, read through either Python binding of libkdumpfile."""
    dump, _ = loaded
    from memsect.drgn_diagnose import dump_build_id

    assert dump_build_id(str(dump.path)) == dump.manifest["vmcoreinfo"]["BUILD-ID"]
