"""The drgn helpers' owner_report() is the CLI's `memsect owner --json`
document (minus the dump path), record for record, stacks included."""

import json
import sys

import drgn
import pytest

from test_cli_common import REPO, all_dumps, dump_ids, run
from vmcores_readers import page_owner_samples_held

sys.path.insert(0, str(REPO / "drgn_helpers"))
import memsect  # noqa: E402

DUMPS = all_dumps(kernel=("6.1", "6.12", "7.3"), scenario="pageowner", fmt="kdump")


@pytest.mark.parametrize("dump", DUMPS, ids=dump_ids(DUMPS))
def test_owner_report_equals_cli(dump):
    prog = drgn.Program()
    prog.set_core_dump(str(dump.path))
    prog.load_debug_info([str(dump.vmlinux)])
    p = run("owner", "--json", dump.path, dump.vmlinux)
    assert p.returncode == 0, p.stderr
    cli = json.loads(p.stdout)
    assert cli.pop("dump")["path"] == str(dump.path)
    doc = memsect.owner_report(prog)
    assert doc == cli
    # and the guest's own records are among them
    recs = {r["pfn"]: r for r in doc["records"]}
    for s in page_owner_samples_held(prog, dump.manifest):
        assert recs[s["pfn"]]["stack"][: len(s["stack"])] == s["stack"]
