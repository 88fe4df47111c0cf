"""crash --minimal on a KASLR dump started without --kaslr: crash 8.0.2
leaves the symbols of the custom 6.1 kernel at their link-time addresses, so
memsect cannot use the dump; the extension then names the exact --kaslr to
restart with (the dump's VMCOREINFO KERNELOFFSET, recorded by the guest in
the manifest).  A crash that relocates by itself (crash 9 derives the
offset in minimal mode too) must then give the right sections."""

import re
import subprocess
import tempfile
from pathlib import Path

from test_crash_common import MEMSECT_SO, all_dumps
from vmcores_readers import kernel_has_modules


def test_minimal_without_kaslr():
    dumps = [d for d in all_dumps(kernel="6.1", scenario="baseline", fmt="kdump")
             if int(d.manifest["vmcoreinfo"].get("KERNELOFFSET", "0"), 16)]
    assert dumps, "6.1/baseline/kdump with KASLR was not made (make vmcores)"
    d = dumps[0]
    offset = d.manifest["vmcoreinfo"]["KERNELOFFSET"]
    with tempfile.TemporaryDirectory(prefix="memsect-crash-") as tmp:
        script = Path(tmp) / "script"
        script.write_text(f"extend {MEMSECT_SO}\nmemsect sections\nquit\n")
        args = ["crash", "-s", "--minimal"]
        if not kernel_has_modules(d.vmlinux):
            args.append("--no_modules")
        p = subprocess.run(args + [str(d.vmlinux), str(d.path), "-i", str(script)],
                           capture_output=True, text=True, timeout=600,
                           stdin=subprocess.DEVNULL)
    out = p.stdout + p.stderr
    m = re.search(r"^summary: (\d+) present sections", out, re.M)
    if m:
        assert int(m[1]) == len(d.manifest["present_sections"]), out[-2000:]
        return
    assert f"restart crash with --kaslr=0x{offset}" in out, out[-2000:]
    assert out.count("memsect: cannot use this dump") == 1
