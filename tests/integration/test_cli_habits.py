"""Command-line habits of the ecosystem: VMCORE and VMLINUX in either order
(as crash takes them), `memsect COMMAND --help` for every command of the
table, the dump named at the top of the text report, and a finding that
repeats per place shown once with one evidence line per place."""

import json
import re

import pytest

from corrupt import need
from test_cli_common import run, untimed

COMMANDS = ("sections", "offline", "hvo", "diagnose", "owner", "page")


@pytest.mark.parametrize("cmd", ("offline", "diagnose"))
def test_either_order(cmd):
    d = need("6.12", "balloon", "kdump")
    given = run(cmd, "--json", d.path, d.vmlinux)
    swapped = run(cmd, "--json", d.vmlinux, d.path)
    assert given.returncode == swapped.returncode and swapped.stderr == ""
    assert untimed(json.loads(swapped.stdout)) == untimed(json.loads(given.stdout))


def test_either_order_with_pfns():
    d = need("6.12", "balloon", "kdump")
    pfn = hex(d.manifest["offline_ranges"][0][0])
    given = run("page", "--json", d.path, d.vmlinux, pfn)
    swapped = run("page", "--json", d.vmlinux, d.path, pfn)
    assert given.returncode == swapped.returncode and swapped.stderr == ""
    assert json.loads(swapped.stdout) == json.loads(given.stdout)


def test_vmlinux_alone_is_one_line_naming_the_fix():
    d = need("6.12", "balloon", "kdump")
    p = run("diagnose", d.vmlinux)
    assert p.returncode == 3 and p.stdout == ""
    assert p.stderr.count("\n") == 1
    assert "is a kernel executable (a vmlinux), not a dump; give the dump" in p.stderr


@pytest.mark.parametrize("cmd", COMMANDS)
def test_command_help(cmd):
    p = run(cmd, "--help")
    assert p.returncode == 0 and p.stderr == ""
    lines = p.stdout.splitlines()
    assert lines[0].startswith(f"usage: memsect {cmd} [--json]")
    assert any(line.startswith("  --json ") for line in lines)
    if cmd == "owner":
        assert any(line.startswith("  --pid N ") for line in lines)
        assert any(line.startswith("  --type allocated|freed ") for line in lines)
    if cmd == "page":
        assert "PFN..." in lines[1]
    # -h and --help after the dump's words work the same way
    assert run(cmd, "x", "-h").stdout == p.stdout


def test_text_names_the_dump_first():
    d = need("6.12", "balloon", "kdump")
    p = run("sections", d.path, d.vmlinux)
    first = p.stdout.splitlines()[0]
    assert first == f"dump {d.path} (diskdump)"


def test_repeated_finding_is_one_with_a_line_per_place():
    """PAGEOFFLINE_IN_DUMP is one JSON finding per PageOffline range the
    file holds; the text shows the code once and one evidence line per
    range, each range one of the guest's PageOffline ranges."""
    d = need("6.12", "balloon", "kdump")
    doc = json.loads(run("offline", "--json", d.path, d.vmlinux).stdout)
    per_range = [f for f in doc["findings"] if f["code"] == "PAGEOFFLINE_IN_DUMP"]
    assert len(per_range) > 1
    text = run("offline", d.path, d.vmlinux).stdout.splitlines()
    heads = [i for i, line in enumerate(text) if " PAGEOFFLINE_IN_DUMP " in line]
    assert len(heads) == 1
    assert f"in {len(per_range)} pfn ranges; the first: " in text[heads[0]]
    evidence = text[heads[0] + 1:heads[0] + 1 + len(per_range)]
    guest = {(a, b) for a, b in d.manifest["offline_ranges"]}
    for line in evidence:
        m = re.match(r"^ {10}pfn_range 0x([0-9a-f]+)-0x([0-9a-f]+) ", line)
        assert m, line
        assert (int(m[1], 16), int(m[2], 16)) in guest


def test_one_envelope_for_every_command():
    """Every command's document starts with schema, tool, command and the
    same dump object (owner and page had a path string under memsect/1)."""
    d = need("6.12", "pageowner", "kdump")
    pfn = str(d.manifest["page_owner_samples"][0]["pfn"])
    heads = {}
    for cmd in COMMANDS:
        args = [cmd, "--json", d.path, d.vmlinux] + ([pfn] if cmd == "page" else [])
        doc = json.loads(run(*args).stdout)
        assert list(doc)[:4] == ["schema", "tool", "command", "dump"], cmd
        assert doc["schema"] == "memsect/2" and doc["command"] == cmd
        assert doc["dump"]["build_id"] == d.manifest["vmcoreinfo"]["BUILD-ID"]
        heads[cmd] = (doc["tool"], doc["dump"])
    assert len({json.dumps(h, sort_keys=True) for h in heads.values()}) == 1
