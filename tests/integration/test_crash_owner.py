"""`memsect owner` inside crash (6.1 full mode, 6.12 and 7.3 --minimal)
prints the CLI's JSON document, stacks included (symbolized from the
vmlinux's ELF symbols, relocated through crash's _stext), and the text
records carry the guest's page_owner samples; on the gigantic dumps crash's
`memsect diagnose` has the CLI's PAGE_EXT_GIGANTIC_OVERRUN finding and
`memsect page` the CLI's JSON for the folio's per-section entries."""

import json

import pytest

from test_cli_common import run
from test_crash_common import CrashSession, all_dumps, dump_ids
from vmcores_readers import held_owner_samples

OWNER = all_dumps(kernel=("6.1", "6.12", "7.3"), scenario="pageowner", fmt="kdump")
GIGANTIC = all_dumps(kernel=("6.12", "7.3"), scenario="gigantic", fmt="kdump")


@pytest.mark.parametrize("dump", OWNER, ids=dump_ids(OWNER))
def test_owner_in_crash_equals_cli(dump):
    hog = {pfn for _, pfn in dump.manifest["memhog_pfns"]}
    pid = next(s["pid"] for s in held_owner_samples(dump) if s["pfn"] in hog)
    s = CrashSession(dump, [("json", "memsect owner --json"),
                            ("pid", f"memsect owner --pid {pid}")])
    cli = json.loads(run("owner", "--json", dump.path, dump.vmlinux).stdout)
    assert json.loads(s.out["json"]) == cli
    text = s.out["pid"]
    cli_text = run("owner", "--pid", str(pid), dump.path, dump.vmlinux).stdout
    assert text == cli_text
    for sample in held_owner_samples(dump):
        if sample["pid"] == pid:
            assert "\n".join(" " + f for f in sample["stack"]) in text


@pytest.mark.parametrize("dump", GIGANTIC, ids=dump_ids(GIGANTIC))
def test_gigantic_overrun_in_crash(dump):
    pfn = dump.manifest["gigantic_folio_pfn"]
    pfns = " ".join(str(pfn + j * (1 << 15)) for j in range(8))
    s = CrashSession(dump, [("diag", "memsect diagnose --json"),
                            ("page", f"memsect page --json {pfns}")])
    cli_page = json.loads(run("page", "--json", dump.path, dump.vmlinux, *pfns.split()).stdout)
    assert json.loads(s.out["page"]) == cli_page
    codes = [f for f in json.loads(s.out["diag"])["findings"]
             if f["code"] == "PAGE_EXT_GIGANTIC_OVERRUN"]
    cli = json.loads(run("diagnose", "--json", dump.path, dump.vmlinux).stdout)
    assert codes == [f for f in cli["findings"] if f["code"] == "PAGE_EXT_GIGANTIC_OVERRUN"]
    assert len(codes) == (1 if dump.kernel == "6.12" else 0)
    if codes:
        assert codes[0]["place"]["start_pfn"] == dump.manifest["gigantic_folio_pfn"]
