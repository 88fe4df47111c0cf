"""The drgn helpers install as a Python package (pyproject.toml, setup.py):
`python3 -m pip install` of the repository's Python part, offline, compiles
the binding of libmemsect, and the installed package gives the CLI's
findings on a real dump and the CLI's version."""

import json
import shutil
import subprocess
import sys

from corrupt import need
from test_cli_common import MEMSECT, REPO, memsect_json

PARTS = ["pyproject.toml", "setup.py", "drgn_helpers/README.md", "src/include", "src/lib",
         "src/elf", "src/python"]


def copy_tree(dst):
    """The package's sources alone (the repository may be read-only)."""
    for part in PARTS:
        src = REPO / part
        if src.is_dir():
            shutil.copytree(src, dst / part)
        else:
            (dst / part).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(src, dst / part)
    (dst / "drgn_helpers" / "memsect").mkdir()
    for py in (REPO / "drgn_helpers" / "memsect").glob("*.py"):
        shutil.copy(py, dst / "drgn_helpers" / "memsect")


def test_pip_install_and_run(tmp_path):
    src, target = tmp_path / "src", tmp_path / "site"
    copy_tree(src)
    p = subprocess.run([sys.executable, "-m", "pip", "install", "--no-build-isolation",
                        "--no-index", "--no-deps", "--target", str(target), str(src)],
                       capture_output=True, text=True, timeout=900)
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-3000:]
    d = need("6.12", "balloon", "kdump")
    code = ("import json, sys, drgn, memsect\n"
            "p = drgn.Program(); p.set_core_dump(sys.argv[1]); p.load_debug_info([sys.argv[2]])\n"
            "print(json.dumps({'file': memsect.__file__, 'version': memsect.__version__,\n"
            "  'findings': [[f.code, f.severity] for f in memsect.diagnose(p)]}))\n")
    run = subprocess.run([sys.executable, "-c", code, str(d.path), str(d.vmlinux)],
                         capture_output=True, text=True, timeout=600,
                         env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"})
    assert run.returncode == 0, run.stderr
    got = json.loads(run.stdout)
    assert got["file"].startswith(str(target))
    cli = memsect_json(d)
    assert got["findings"] == [[f["code"], f["severity"]] for f in cli["findings"]]
    version = subprocess.run([str(MEMSECT), "--version"], capture_output=True, text=True).stdout
    assert version.startswith(f"memsect {got['version']} ")
    script = target / "bin" / "memsect-drgn-diagnose"
    out = subprocess.run([sys.executable, str(script), "--json", str(d.path), "-s", str(d.vmlinux)],
                         capture_output=True, text=True, timeout=600,
                         env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"})
    assert out.returncode in (0, 1, 4), out.stderr
    assert json.loads(out.stdout)["findings"] == cli["findings"]
