"""`make install-extension` (hooked into `make install` by the top-level
Makefile) puts memsect.so where crash's `extend` finds it by name: here a
DESTDIR, searched by crash through $CRASH_EXTENSIONS exactly as it searches
/usr/lib/crash/extensions."""

import subprocess
import tempfile
from pathlib import Path

from test_crash_common import REPO, CrashSession, all_dumps


def test_extend_by_name_after_install():
    dumps = all_dumps(kernel="6.12", scenario="baseline", fmt="kdump")
    assert dumps, "6.12/baseline/kdump was not made (make vmcores)"
    with tempfile.TemporaryDirectory(prefix="memsect-install-") as dest:
        p = subprocess.run(["make", "-s", "-C", str(REPO), "install-extension", f"DESTDIR={dest}"],
                           capture_output=True, text=True, timeout=600)
        assert p.returncode == 0, p.stdout + p.stderr
        extdir = Path(dest) / "usr" / "lib" / "crash" / "extensions"
        assert (extdir / "memsect.so").exists()
        s = CrashSession(dumps[0], [("v", "memsect --version")], so="memsect.so",
                         env={"CRASH_EXTENSIONS": str(extdir)})
        assert f"{extdir}/memsect.so: shared object loaded" in s.stdout, s.stdout[-1000:]
        assert "memsect 0.1.0" in s.out["v"]
