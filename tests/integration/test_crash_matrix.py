"""Every dump the crash extension tests are meant to open exists (the
pipeline's KERNEL_SCENARIOS x test_crash_common.selected), so that
test_crash_extension.py cannot pass by having nothing to check.  Fails, never
skips, while a kernel's dumps (e.g. 7.3-skippable) are still being made."""

from test_crash_common import KERNEL_SCENARIOS, all_dumps, selected

FORMATS = ("elf", "kdump", "d31")


def test_every_crash_dump_exists():
    have = {(d.kernel, d.scenario, d.fmt) for d in all_dumps()}
    want = {(k, s, f) for k, scs in KERNEL_SCENARIOS.items() for s in scs for f in FORMATS
            if selected(k, s, f)}
    missing = sorted(want - have)
    assert not missing, f"{len(missing)} dumps missing: {missing}"
