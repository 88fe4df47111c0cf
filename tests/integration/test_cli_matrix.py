"""Every kernel x scenario x format the pipeline is meant to make exists, so
the fact tests in test_cli_dumps.py cannot pass by having nothing to check.
The expected matrix is the pipeline's own (vmcores/driver/scenarios.py
KERNEL_SCENARIOS), so the two cannot drift apart."""

import sys

from test_cli_common import REPO, all_dumps

sys.path.insert(0, str(REPO / "vmcores" / "driver"))
from scenarios import KERNEL_SCENARIOS  # noqa: E402

FORMATS = {"elf", "kdump", "d31"}


def test_every_expected_dump_exists():
    have = {(d.kernel, d.scenario, d.fmt) for d in all_dumps()}
    want = {(k, s, f) for k, scs in KERNEL_SCENARIOS.items() for s in scs for f in FORMATS}
    missing = sorted(want - have)
    assert not missing, f"{len(missing)} dumps missing, e.g. {missing[:5]}"
