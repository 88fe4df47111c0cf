"""`memsect page PFN...`: struct page and every page_ext client of a pfn,
found through the pfn's own section.  Facts from the manifests: the guest's
page_owner samples, its enabled page_ext clients and page_ext_size, the
1 GiB folio; independent reader: drgn's page_ext_entry() (the lead's
helper).  The drgn helpers' page_report() gives the same JSON."""

import json
import sys

import drgn
import pytest
from drgn.helpers.linux.mm import pfn_to_page

from test_cli_common import REPO, all_dumps, dump_ids, run
from vmcores_readers import gigantic_page_owner, page_owner_samples_held

sys.path.insert(0, str(REPO / "drgn_helpers"))
import memsect  # noqa: E402

CUSTOM = ("6.1", "6.12", "7.3")
OWNER = all_dumps(kernel=CUSTOM, scenario="pageowner", fmt="kdump")
GIGANTIC = all_dumps(kernel=("6.12", "7.3"), scenario="gigantic", fmt="kdump")
PER_SECTION = 1 << 15


def load(dump):
    prog = drgn.Program()
    prog.set_core_dump(str(dump.path))
    prog.load_debug_info([str(dump.vmlinux)])
    return prog


def page_json(dump, pfns):
    p = run("page", "--json", dump.path, dump.vmlinux, *map(str, pfns))
    assert p.returncode in (0, 1, 4), p.stderr
    return json.loads(p.stdout)


@pytest.mark.parametrize("dump", OWNER, ids=dump_ids(OWNER))
def test_page_of_the_guests_samples(dump):
    prog = load(dump)
    samples = page_owner_samples_held(prog, dump.manifest)
    doc = page_json(dump, [s["pfn"] for s in samples])
    clients = dump.manifest["page_ext"]["enabled_clients"]
    assert doc["clients"] == {
        "page_owner": "page_owner" in clients,
        "page_table_check": "page_table_check" in clients,
        "alloc_tag": "alloc_tag" in clients,
    }
    assert not doc["partial"]
    for s, page in zip(samples, doc["pages"]):
        assert page["pfn"] == s["pfn"]
        assert page["section"] == s["pfn"] // PER_SECTION
        entry = memsect.page_ext_entry(pfn_to_page(prog, s["pfn"]))
        assert page["page_ext"] == {"address": hex(entry.value_())}
        assert page["page"]["address"] == hex(pfn_to_page(prog, s["pfn"]).value_())
        po = page["page_owner"]
        assert (po["order"], po["pid"], po["comm"], po["ts_nsec"]) == (
            s["order"], s["pid"], s["comm"], s["ts_nsec"])
        assert po["stack"][: len(s["stack"])] == s["stack"]
        if "page_table_check" in clients:
            ptc = page["page_table_check"]
            assert ptc["anon_map_count"] >= 0 and ptc["file_map_count"] >= 0
    if "alloc_tag" in clients:
        # a user page allocated through the page fault path carries the tag
        # of the allocation site that the sample's stack names
        tagged = [p for p in doc["pages"] if p["alloc_tag"]]
        assert tagged
        for p in tagged:
            assert p["alloc_tag"]["function"] and p["alloc_tag"]["file"].endswith(".c")
    assert memsect.page_report(prog, [s["pfn"] for s in samples]) == {
        k: v for k, v in doc.items() if k != "dump"}


@pytest.mark.parametrize("dump", GIGANTIC, ids=dump_ids(GIGANTIC))
def test_gigantic_folio_per_section_entries(dump):
    pfn = dump.manifest["gigantic_folio_pfn"]
    starts = [pfn + j * PER_SECTION for j in range(8)]
    doc = page_json(dump, starts + [pfn + 1])
    pages = {p["pfn"]: p for p in doc["pages"]}
    head = pages[pfn]["page_owner"]
    assert head["order"] == 18 and head["allocated"]
    if dump.kernel == "6.12":  # compound_head in struct page (7.x: compound_info)
        assert pages[pfn + 1]["page"]["compound_head"] == pfn
        assert all(pages[q]["page"]["compound_head"] == pfn for q in starts[1:])
    later = [pages[q]["page_owner"] for q in starts[1:]]
    prog = load(dump)
    if dump.kernel == "7.3":
        assert all(po["order"] == 18 and po["handle"] == head["handle"] for po in later)
    else:
        # 6.12's linear walk reaches a later section's own entry only where
        # the boot put that section's table inside the memory it wrote
        _, facts = gigantic_page_owner(prog, pfn, 18)
        assert [po["order"] == 18 and po["handle"] == head["handle"] for po in later] == \
            [x["own"] for x in facts]
        assert not any(x["own"] for x in facts if not x["own_in_span"])
    assert memsect.page_report(prog, starts + [pfn + 1]) == {
        k: v for k, v in doc.items() if k != "dump"}
