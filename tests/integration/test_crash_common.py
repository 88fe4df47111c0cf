"""Shared helpers for the crash extension tests (no tests here).

The extension under test is ``$MEMSECT_CRASH_SO`` (default
``build/memsect.so``; never the ASan build: a sanitized .so cannot be
dlopen'd into crash).  Each dump is opened by the real crash 8.0.2 once, in
batch mode, with every command of a test module in one script; each command's
output is redirected by crash itself into its own file.

crash 8.0.2 opens 6.1 dumps in full mode; 6.4+ kernels only with --minimal
(in full mode it dies on module_core_size: the 6.4 struct module layout is
newer than crash 8.0.2), so those run in minimal mode; crash 9.0.2 (make
check-newest) opens all of them in full mode but 7.3-skippable's, kept in
--minimal so that mode is tested with crash 9 too.  KASLR'd kernels need
--kaslr=0x<KERNELOFFSET> (VMCOREINFO, recorded in each manifest).
"""

import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO / "vmcores" / "driver"))

from dumps import all_dumps, dump_ids  # noqa: E402,F401
from scenarios import KERNEL_SCENARIOS  # noqa: E402,F401
from vmcores_readers import crash_args, crash_full_mode  # noqa: E402

MEMSECT_SO = Path(os.environ.get("MEMSECT_CRASH_SO", REPO / "build" / "memsect.so"))


def selected(kernel, scenario, fmt):
    """The dumps the extension tests open (crash start-up is the cost, ~18 s
    per dump with the stock vmlinux): every scenario's kdump-compressed dump;
    on the custom kernels all formats where the in-dump audit of PageOffline
    pages matters."""
    return fmt == "kdump" or (kernel != "stock-6.1" and scenario in ("virtio-mem", "skippable"))


def minimal_mode(dump):
    return not crash_full_mode(dump.kernel, dump.fmt)


class CrashSession:
    """One crash batch run over one dump: ``out[name]`` is what the command
    registered under ``name`` printed; ``stdout`` the rest of the session."""

    def __init__(self, dump, commands, minimal=None, env=None, so=None, timeout=600):
        """``so``: what to pass to ``extend`` (default: $MEMSECT_CRASH_SO)."""
        assert so or MEMSECT_SO.exists(), f"{MEMSECT_SO} is not built (run make)"
        self.minimal = minimal_mode(dump) if minimal is None else minimal
        self.out = {}
        with tempfile.TemporaryDirectory(prefix="memsect-crash-") as tmp:
            tmp = Path(tmp)
            lines = [f"extend {so or MEMSECT_SO}"]
            for name, cmd in commands:
                lines.append(f"{cmd} > {tmp / name}")
            lines.append("quit")
            script = tmp / "script"
            script.write_text("\n".join(lines) + "\n")
            args = crash_args(dump.vmlinux, dump.manifest["vmcoreinfo"], self.minimal)
            args += [str(dump.vmlinux), str(dump.path), "-i", str(script)]
            e = dict(os.environ)
            e.update(env or {})
            p = subprocess.run(args, capture_output=True, text=True, timeout=timeout,
                               env=e, stdin=subprocess.DEVNULL)
            self.returncode = p.returncode
            self.stdout = p.stdout + p.stderr
            for name, _ in commands:
                f = tmp / name
                self.out[name] = f.read_text() if f.exists() else None

    def json(self, name):
        text = self.out[name]
        assert text, f"no output from {name}; session said:\n{self.stdout[-2000:]}"
        return json.loads(text)


# Only these fields may differ between the extension and the CLI on the
# same dump: the scan's wall-clock timing.
TIMING_FIELDS = ("scan_seconds", "pages_per_second")


def text_without_timing(text):
    """The text report with the scan's wall-clock figures blanked."""
    return re.sub(r" in [0-9.]+ s \([0-9]+ pages/s\)", " in - s (- pages/s)", text)


def without_timing(doc):
    """The doc without what each front end measures on its own: the scan
    timing."""
    doc = dict(doc)
    doc["stats"] = {k: v for k, v in doc["stats"].items() if k not in TIMING_FIELDS}
    return doc


def detail_free(doc):
    """The doc with each read error's detail removed: "what (detail)" ->
    "what".  The detail is the dump reader's own message (libkdumpfile's
    "Excluded page" in the CLI, "crash: page excluded from the dump" in the
    extension); the failing address and what was being read must agree."""
    text = json.dumps(doc)
    for e in doc.get("errors", []):
        what = e["what"]
        if what.endswith(")") and " (" in what:
            text = text.replace(json.dumps(what)[1:-1],
                                json.dumps(what[:what.rindex(" (")])[1:-1])
    return json.loads(text)
