"""`make install-lib` (part of `make install`) installs libmemsect for
others' programs: a program built against the installed tree with
`pkg-config --cflags --libs memsect` finds the public headers, links the
shared library by its soname and runs the core."""

import os
import subprocess

from test_cli_common import REPO
from test_crash_common import MEMSECT_SO

# The build that made the extension under test: build/, or build/sid in
# make check-newest (where the repository is read-only).
MS_BUILD = os.path.relpath(MEMSECT_SO.parent, REPO)
PROGRAM = REPO / "tests" / "integration" / "data" / "uses_libmemsect.c"


def test_program_built_with_pkg_config(tmp_path):
    prefix = tmp_path / "prefix"
    p = subprocess.run(["make", "-s", "-C", str(REPO), "install-lib", f"PREFIX={prefix}",
                        f"MS_BUILD={MS_BUILD}"], capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stdout + p.stderr
    env = dict(os.environ, PKG_CONFIG_PATH=str(prefix / "lib" / "pkgconfig"))
    flags = subprocess.run(["pkg-config", "--cflags", "--libs", "memsect"], env=env,
                           capture_output=True, text=True, check=True).stdout.split()
    assert f"-I{prefix}/include" in flags and "-lmemsect" in flags
    version = subprocess.run(["pkg-config", "--modversion", "memsect"], env=env,
                             capture_output=True, text=True, check=True).stdout.strip()
    exe = tmp_path / "uses_libmemsect"
    subprocess.run(["cc", "-Wall", "-Werror", "-o", str(exe), str(PROGRAM), *flags], check=True)
    needed = subprocess.run(["readelf", "-d", str(exe)], capture_output=True, text=True).stdout
    assert "Shared library: [libmemsect.so.0]" in needed
    run = subprocess.run([str(exe)], capture_output=True, text=True,
                         env=dict(os.environ, LD_LIBRARY_PATH=str(prefix / "lib")))
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.startswith("diagnose: run every check")
    assert "ms_ctx_init: VMCOREINFO has no plausible NUMBER(SECTION_SIZE_BITS)" in run.stdout
    # the one version string: the CLI's
    cli = subprocess.run([str(REPO / MS_BUILD / "memsect"), "--version"], capture_output=True,
                         text=True).stdout
    assert cli.startswith(f"memsect {version} ")
