"""Where the real test dumps are, for every test suite.

The vmcores pipeline (``make vmcores``) writes one directory per kernel and
scenario under ``$MEMSECT_CACHE/dumps/KERNEL/SCENARIO/`` holding
``manifest.json`` (ground truth recorded by the guest, see
``vmcores/README.md``), the dump files it lists under ``"dumps"``, and a
``vmlinux`` symlink.  Tests parametrize over :func:`all_dumps`; a test that
needs a dump which was not made fails, it is never skipped silently.
"""

import json
import os
from dataclasses import dataclass
from pathlib import Path

CACHE = Path(os.environ.get("MEMSECT_CACHE", Path.home() / ".cache" / "memsect"))
DUMPS = CACHE / "dumps"
REPO = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Dump:
    kernel: str  # "stock-6.1", "6.1", "6.12", "7.3", "7.3-skippable"
    scenario: str  # "baseline", "hvo", "offline", ...
    fmt: str  # "elf", "kdump", "d31"
    path: Path
    vmlinux: Path
    manifest: dict

    @property
    def id(self) -> str:
        return f"{self.kernel}/{self.scenario}/{self.fmt}"


def load_manifest(kernel: str, scenario: str) -> dict:
    with open(DUMPS / kernel / scenario / "manifest.json") as f:
        return json.load(f)


def all_dumps(kernel=None, scenario=None, fmt=None) -> list:
    """Every dump the pipeline made, filtered by kernel, scenario and format
    (each a string or a collection of strings)."""

    def match(want, value):
        return want is None or value == want or (not isinstance(want, str) and value in want)

    out = []
    for mpath in sorted(DUMPS.glob("*/*/manifest.json")):
        k, s = mpath.parent.parent.name, mpath.parent.name
        if not (match(kernel, k) and match(scenario, s)):
            continue
        manifest = json.loads(mpath.read_text())
        for f, name in sorted(manifest["dumps"].items()):
            if match(fmt, f):
                out.append(Dump(k, s, f, mpath.parent / name, mpath.parent / "vmlinux", manifest))
    return out


def link_build_id_tree(dumps, root: Path) -> dict:
    """A debug directory at @root where each dump's vmlinux is found by its
    build id (VMCOREINFO BUILD-ID, from the manifest) as distributions lay
    it out: ROOT/.build-id/xx/yyyy.debug, a symlink.  Returns {build id: leaf}."""
    leaves = {}
    for d in dumps:
        bid = d.manifest["vmcoreinfo"]["BUILD-ID"]
        leaf = root / ".build-id" / bid[:2] / f"{bid[2:]}.debug"
        if not leaf.exists():
            leaf.parent.mkdir(parents=True, exist_ok=True)
            leaf.symlink_to(d.vmlinux.resolve())
        leaves[bid] = leaf
    return leaves


def dump_ids(dumps) -> list:
    return [d.id for d in dumps]
