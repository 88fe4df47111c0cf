"""On a terminal, a long struct page scan shows a progress line on stderr;
it never reaches stdout, so `--json` stays one clean document, and the line
is erased when the scan ends.  stderr is a real pseudo-terminal here."""

import json
import os
import pty
import subprocess

from corrupt import need
from test_cli_common import MEMSECT, diagnose_json, env, untimed


def run_with_tty_stderr(*args):
    master, slave = pty.openpty()
    p = subprocess.Popen([str(MEMSECT), *map(str, args)], stdout=subprocess.PIPE,
                         stderr=slave, env=env())
    os.close(slave)
    seen = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:         # EIO: the child closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    out = p.stdout.read()
    p.wait(timeout=600)
    os.close(master)
    return p.returncode, out.decode(), seen.decode(errors="replace")


def test_progress_on_terminal_not_in_json():
    d = need("6.12", "gigantic", "kdump")
    rc, out, tty = run_with_tty_stderr("diagnose", "--json", d.path, d.vmlinux)
    assert rc in (0, 1, 4), tty
    assert "memsect: scanning struct pages:" in tty
    assert "(section 1 of " in tty
    assert tty.endswith("\r\x1b[K"), repr(tty[-80:])
    assert untimed(json.loads(out)) == untimed(diagnose_json(str(d.path), str(d.vmlinux)))


def test_no_progress_when_stderr_is_not_a_terminal():
    d = need("6.12", "gigantic", "kdump")
    p = subprocess.run([str(MEMSECT), "diagnose", "--json", str(d.path), str(d.vmlinux)],
                       capture_output=True, text=True, env=env(), timeout=600)
    assert p.returncode in (0, 1, 4) and p.stderr == ""
