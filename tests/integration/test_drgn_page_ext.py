"""The drgn page_ext helpers against the guest's page_owner records and the
gigantic-folio dumps: page_ext_entry() finds the entry through the pfn's own
section, and for_each_page_ext() has the kernel's 6.15 iteration semantics
(never extrapolating across a section)."""

import sys

import drgn
import pytest
from drgn import Object
from drgn.helpers.linux.mm import pfn_to_page

from test_cli_common import REPO, all_dumps, dump_ids
from vmcores_readers import gigantic_page_owner, page_owner_samples_held

sys.path.insert(0, str(REPO / "drgn_helpers"))
import memsect  # noqa: E402

CUSTOM = ("6.1", "6.12", "7.3")


def load(dump):
    prog = drgn.Program()
    prog.set_core_dump(str(dump.path))
    prog.load_debug_info([str(dump.vmlinux)])
    return prog


def page_owner(prog, entry):
    """struct page_owner * of a page_ext entry (page_owner_ops.offset)."""
    offset = prog["page_owner_ops"].offset.value_()
    return Object(prog, "struct page_owner *", entry.value_() + offset)


OWNER_DUMPS = all_dumps(kernel=CUSTOM, scenario="pageowner", fmt=("kdump", "elf"))


@pytest.mark.parametrize("dump", OWNER_DUMPS, ids=dump_ids(OWNER_DUMPS))
def test_page_ext_entry_holds_the_guests_page_owner_records(dump):
    prog = load(dump)
    assert prog["page_ext_size"].value_() == dump.manifest["page_ext"]["page_ext_size"]
    for s in page_owner_samples_held(prog, dump.manifest):
        entry = memsect.page_ext_entry(pfn_to_page(prog, s["pfn"]))
        assert entry, s["pfn"]
        po = page_owner(prog, entry)
        assert po.order.value_() == s["order"], s
        assert po.pid.value_() == s["pid"], s
        assert po.tgid.value_() == s["tgid"], s
        assert po.comm.string_().decode() == s["comm"], s
        assert po.ts_nsec.value_() == s["ts_nsec"], s


GIGANTIC = all_dumps(kernel=CUSTOM, scenario="gigantic", fmt="kdump")
ORDER = 18  # 1 GiB of 4 KiB pages: 8 sections of 32768 pfns


@pytest.mark.parametrize("dump", GIGANTIC, ids=dump_ids(GIGANTIC))
def test_for_each_page_ext_over_a_gigantic_folio(dump):
    prog = load(dump)
    pfn = dump.manifest["gigantic_folio_pfn"]
    assert [f["order"] for f in dump.manifest["hugetlb_folios"] if f["pfn"] == pfn] == [ORDER]
    layout = memsect.section_layout(prog)
    per_section = 1 << layout.pfn_section_shift
    tables = {
        nr: memsect.section_page_ext(ms, nr).table for nr, ms in memsect.for_each_present_section(prog)
    }
    starts = {}
    count = 0
    for q, entry in memsect.for_each_page_ext(pfn_to_page(prog, pfn), 1 << ORDER):
        assert q == pfn + count
        count += 1
        if q % per_section == 0:
            starts[q] = entry
    assert count == 1 << ORDER
    assert len(starts) == (1 << ORDER) // per_section == 8
    for q, entry in starts.items():  # looked up again in the pfn's own section
        assert entry.value_() == tables[q // per_section]

    head = page_owner(prog, starts[pfn])
    size = layout.page_ext_size
    linear = [
        page_owner(prog, Object(prog, "struct page_ext *", starts[pfn].value_() + k * per_section * size))
        for k in range(1, 8)
    ]
    later = [page_owner(prog, starts[q]) for q in sorted(starts)[1:]]
    if dump.kernel == "7.3":
        # 9039b9096ea2 (v6.15): page_owner wrote the folio's record through
        # each section's own table.
        assert head.order.value_() == ORDER
        assert all(po.order.value_() == ORDER for po in later)
        assert all(po.handle.value_() == head.handle.value_() for po in later)
    elif dump.kernel == "6.12":
        # cf54f310d0d3 (v6.11) with page_ext_next(): the order-18 record was
        # written linearly past the first section's table; the later
        # sections' own entries never got it, unless the boot put their
        # table inside the memory that walk wrote.
        assert head.order.value_() == ORDER

        def record(po):
            return po.order.value_() == ORDER and po.handle.value_() == head.handle.value_()

        _, facts = gigantic_page_owner(prog, pfn, ORDER)
        assert any(record(po) for po in linear)
        assert not any(record(po) for po, x in zip(later, facts) if not x["own_in_span"])
    else:
        # 6.1 allocates gigantic pages without a compound order for
        # page_owner: order-0 records in every section.
        assert head.order.value_() == 0
        assert all(po.order.value_() == 0 for po in later)
