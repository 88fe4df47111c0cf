"""PAGE_EXT_GIGANTIC_OVERRUN on the gigantic dumps: the guest reserved one
1 GiB hugetlb folio (manifest gigantic_folio_pfn).  6.12 (cf54f310d0d3 in,
9039b9096ea2 missing) must report it at that folio; 7.3 (fixed) and 6.1
(no __GFP_COMP gigantic folios, order-0 page_owner records) must not.  The
drgn helpers' diagnose() gives the same findings (test_drgn_helpers.py
compares every dump); here the facts are checked against the manifest and,
for the evidence counts, against the entries read with drgn directly (where
the boot put each section's table decides how many the overrun reached)."""

import sys

import drgn
import pytest

from test_cli_common import REPO, all_dumps, dump_ids, run
from vmcores_readers import gigantic_page_owner, open_drgn

sys.path.insert(0, str(REPO / "drgn_helpers"))
import memsect  # noqa: E402

DUMPS = all_dumps(kernel=("6.1", "6.12", "7.3"), scenario="gigantic", fmt=("kdump", "elf"))
ORDER = 18  # 1 GiB of 4 KiB pages
SECTIONS = 8  # 128 MiB sections


def overruns(findings):
    return [f for f in findings if f["code"] == "PAGE_EXT_GIGANTIC_OVERRUN"]


def check(dump, found, prog):
    pfn = dump.manifest["gigantic_folio_pfn"]
    assert [f["order"] for f in dump.manifest["hugetlb_folios"] if f["pfn"] == pfn] == [ORDER]
    if dump.kernel != "6.12":
        assert found == []
        return
    _, later = gigantic_page_owner(prog, pfn, ORDER)
    assert len(later) == SECTIONS - 1
    # an own entry outside the span the walk wrote never got the record; the
    # walk's record is past the table (written just before the dump)
    assert not any(x["own"] for x in later if not x["own_in_span"])
    assert any(x["linear"] for x in later)
    assert len(found) == 1
    f = found[0]
    assert f["severity"] == "error"
    assert f["place"] == {"kind": "pfn_range", "start_pfn": pfn, "end_pfn": pfn + (1 << ORDER)}
    ev = f["evidence"]
    assert ev["order"] == ORDER and ev["sections"] == SECTIONS
    assert ev["sections_missing_record"] == sum(not x["own"] for x in later)
    assert ev["records_past_table"] == sum(x["linear"] is True for x in later)
    assert ev["unreadable_past_table"] == sum(x["linear"] is None for x in later) == 0
    assert "9039b9096ea2" in ev["missing_fix"] and "9039b9096ea2" in f["message"]


@pytest.mark.parametrize("dump", DUMPS, ids=dump_ids(DUMPS))
def test_cli(dump):
    import json

    p = run("diagnose", "--json", dump.path, dump.vmlinux)
    assert p.returncode in (0, 1, 4), p.stderr
    check(dump, overruns(json.loads(p.stdout)["findings"]), open_drgn(dump.path, dump.vmlinux))


KDUMPS = [d for d in DUMPS if d.fmt == "kdump"]


@pytest.mark.parametrize("dump", KDUMPS, ids=dump_ids(KDUMPS))
def test_drgn(dump):
    prog = drgn.Program()
    prog.set_core_dump(str(dump.path))
    prog.load_debug_info([str(dump.vmlinux)])
    check(dump, overruns([f.to_json() for f in memsect.diagnose(prog)]), prog)
