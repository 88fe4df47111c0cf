"""The man pages (doc/*.scd, scdoc) build, render with man(1), and document
every command the CLI has and every exit status; make install-man puts them
where man finds them."""

import os
import re
import subprocess

from test_cli_common import MEMSECT, REPO
from test_crash_common import MEMSECT_SO

MS_BUILD = os.path.relpath(MEMSECT_SO.parent, REPO)


def render(page):
    p = subprocess.run(["make", "-s", "-C", str(REPO), "man", f"MS_BUILD={MS_BUILD}"],
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stdout + p.stderr
    out = subprocess.run(["man", "-l", str(REPO / MS_BUILD / "man" / page)], capture_output=True,
                         text=True, env=dict(os.environ, MANWIDTH="80"))
    assert out.returncode == 0 and out.stderr == "", out.stderr
    # grotty's overstrike bold and underline, as on a line printer
    return re.sub(r".\x08", "", out.stdout)


def body_indent(section):
    """The indent of a section's tags: man-db 2.11 puts them at 7 columns,
    2.13 (trixie, sid) at 5; the descriptions under them are deeper."""
    return " " * min(len(l) - len(l.lstrip()) for l in section.splitlines() if l.strip())


def cli_commands():
    text = subprocess.run([str(MEMSECT), "--help"], capture_output=True, text=True).stdout
    block = text.split("commands:\n", 1)[1].split("\n\n", 1)[0]
    return re.findall(r"^  ([a-z-]+) ", block, re.M)


def test_memsect_1():
    text = render("memsect.1")
    for heading in ("NAME", "SYNOPSIS", "DESCRIPTION", "COMMANDS", "OPTIONS", "EXIT STATUS",
                    "JSON", "EXAMPLES"):
        assert re.search(rf"^{heading}$", text, re.M), heading
    commands = text.split("\nCOMMANDS\n", 1)[1].split("\nOPTIONS\n", 1)[0]
    tag = body_indent(commands)
    for cmd in cli_commands() + ["batch", "batch-summary"]:
        assert re.search(rf"^{tag}{cmd}\b", commands, re.M), cmd
    status = text.split("\nEXIT STATUS\n", 1)[1].split("\nJSON\n", 1)[0]
    tag = body_indent(status)
    assert re.findall(rf"^{tag}(\d)$", status, re.M) == ["0", "1", "2", "3", "4"]
    assert '"schema": "memsect/2"' in text


def test_memsect_crash_7():
    text = render("memsect-crash.7")
    for heading in ("NAME", "SYNOPSIS", "DESCRIPTION", "EXAMPLES"):
        assert re.search(rf"^{heading}$", text, re.M), heading
    assert "extend memsect.so" in text


def test_install_man(tmp_path):
    p = subprocess.run(["make", "-s", "-C", str(REPO), "install-man", f"DESTDIR={tmp_path}",
                        "PREFIX=/usr", f"MS_BUILD={MS_BUILD}"], capture_output=True, text=True)
    assert p.returncode == 0, p.stdout + p.stderr
    assert (tmp_path / "usr/share/man/man1/memsect.1").is_file()
    assert (tmp_path / "usr/share/man/man7/memsect-crash.7").is_file()
