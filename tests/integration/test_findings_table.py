"""The README's "Finding codes" table is the finding table
(src/include/memsect/findings.def) as build/tools/findings_table prints it.
That a check adds only its code's evidence keys, of the table's types, is
asserted by src/lib/findings.c on every finding the other tests make."""

import re
import subprocess

from test_cli_common import MEMSECT, REPO, env

TOOL = MEMSECT.parent / "tools" / "findings_table"


def table():
    assert TOOL.exists(), f"{TOOL} is not built (run make)"
    return subprocess.run([str(TOOL)], capture_output=True, text=True, check=True,
                          env=env()).stdout


def test_readme_table_is_generated():
    readme = (REPO / "README.md").read_text()
    assert table() in readme, (
        "README.md's finding table differs from findings.def: "
        f"replace it with the output of {TOOL}")


def test_table_rows():
    rows = table().splitlines()[2:]
    codes = [re.match(r"\| `([A-Z_]+)` \|", r).group(1) for r in rows]
    assert len(codes) == len(set(codes))
    for r in rows:
        keys = re.findall(r"`([a-z_]+)`", r.rsplit("|", 2)[1])
        # at least one, none twice, at most MS_MAX_EVIDENCE (findings.h)
        assert 0 < len(keys) == len(set(keys)) <= 8, r
