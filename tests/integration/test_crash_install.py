"""`make install-extension` (hooked into `make install` by the top-level
Makefile) puts memsect.so into $(PREFIX)/lib/crash/extensions under DESTDIR,
where crash's `extend` finds it by name through $CRASH_EXTENSIONS exactly as
it searches /usr/lib/crash/extensions (PREFIX=/usr)."""

import os
import subprocess
import tempfile
from pathlib import Path

from test_crash_common import MEMSECT_SO, REPO, CrashSession, all_dumps

# Install from the build that made the extension under test: build/ by
# default, build/sid in make check-newest, where the repository is read-only.
MS_BUILD = os.path.relpath(MEMSECT_SO.parent, REPO)


def test_extend_by_name_after_install():
    dumps = all_dumps(kernel="6.12", scenario="baseline", fmt="kdump")
    assert dumps, "6.12/baseline/kdump was not made (make vmcores)"
    with tempfile.TemporaryDirectory(prefix="memsect-install-") as dest:
        p = subprocess.run(["make", "-s", "-C", str(REPO), "install-extension", f"DESTDIR={dest}",
                            "PREFIX=/opt/memsect", f"MS_BUILD={MS_BUILD}"],
                           capture_output=True, text=True, timeout=600)
        assert p.returncode == 0, p.stdout + p.stderr
        extdir = Path(dest) / "opt" / "memsect" / "lib" / "crash" / "extensions"
        assert (extdir / "memsect.so").exists()
        s = CrashSession(dumps[0], [("v", "memsect --version")], so="memsect.so",
                         env={"CRASH_EXTENSIONS": str(extdir)})
        assert f"{extdir}/memsect.so: shared object loaded" in s.stdout, s.stdout[-1000:]
        assert "memsect 0.1.0" in s.out["v"]
