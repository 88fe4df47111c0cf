"""The crash extension memsect.so inside the real crash 8.0.2: it loads, its
output equals the memsect CLI's on the same dump (JSON field for field, text
line for line) and the manifest facts hold in it.  6.1 dumps (stock and
custom) run in crash's full mode, 6.12 and 7.3 dumps in --minimal.

Cost: a crash session is ~18 s on the stock 633 MB vmlinux, ~5 s on the
custom 6.1 one and ~3 s in minimal mode (CLI runs for comparison included),
so the tests open every scenario's kdump-compressed dump, and on the custom
kernels the virtio-mem and skippable dumps in all three formats (the in-dump
audit of PageOffline pages depends on the format): see
test_crash_common.selected().
test_crash_matrix.py fails when one of these dumps was not made."""

import pytest

from test_cli_common import memsect_json, run
from test_crash_common import (CrashSession, all_dumps, detail_free,
                               dump_ids, minimal_mode, selected, text_without_timing,
                               without_timing)


DUMPS = [d for d in all_dumps() if selected(d.kernel, d.scenario, d.fmt)]

COMMANDS = [
    ("usage", "memsect"),
    ("help", "help memsect"),
    ("version", "memsect --version"),
    ("diagnose.json", "memsect diagnose --json"),
    ("sections.json", "memsect sections --json"),
    ("offline.json", "memsect offline --json"),
    ("diagnose.txt", "memsect diagnose"),
    ("sections.txt", "memsect sections"),
    ("after", "sym mem_section"),
]


@pytest.fixture(scope="module", params=DUMPS, ids=dump_ids(DUMPS))
def session(request):
    d = request.param
    return d, CrashSession(d, COMMANDS)


def test_loads_and_survives(session):
    d, s = session
    assert "memsect.so: shared object loaded" in s.stdout, s.stdout[-2000:]
    assert "memsect:" not in s.stdout, s.stdout[-2000:]       # no error() lines
    assert s.out["after"] and "mem_section" in s.out["after"]   # a later command ran
    assert s.returncode == 0


def cli_commands():
    """The commands `memsect --help` lists (two-space indented words)."""
    p = run("--help")
    listed = p.stdout.split("commands:\n", 1)[1].split("\n\n", 1)[0]
    return [line.split()[0] for line in listed.splitlines() if line.startswith("  ") and
            not line.startswith("   ")]


def test_usage_and_help(session):
    """crash's help page lists every command the CLI has; the version is the
    CLI's."""
    _, s = session
    assert "Usage:" in s.out["usage"]
    h = s.out["help"]
    described = {line.split()[0] for line in h.splitlines() if line.startswith("    ") and
                 line.split()}
    commands = cli_commands()
    assert len(commands) >= 6, commands
    assert set(commands) <= described, (commands, h)
    assert s.out["version"].strip() == run("--version").stdout.strip()


def test_json_equals_cli(session):
    """Everything but the scan timing and read errors' reader-specific
    detail is identical to the CLI's diagnose --json on the same dump."""
    d, s = session
    ext = s.json("diagnose.json")
    cli = memsect_json(d)
    assert ext["dump"]["file_size"] == d.path.stat().st_size
    assert cli["dump"]["truncated"] is False
    assert detail_free(without_timing(ext)) == detail_free(without_timing(cli))
    assert ext["dump"]["path"] == str(d.path)
    assert ext["dump"]["vmlinux"] == str(d.vmlinux)


def test_sub_commands_equal_cli(session):
    import json
    d, s = session
    for sub in ("sections", "offline"):
        p = run(sub, "--json", d.path, d.vmlinux)
        assert p.returncode in (0, 1, 4), p.stderr
        assert detail_free(without_timing(s.json(f"{sub}.json"))) == \
            detail_free(without_timing(json.loads(p.stdout)))


def test_text_equals_cli(session):
    d, s = session
    for sub in ("diagnose", "sections"):
        p = run(sub, d.path, d.vmlinux)
        assert p.returncode in (0, 1, 4), p.stderr
        ext, cli = text_without_timing(s.out[f"{sub}.txt"]), text_without_timing(p.stdout)
        if "READ_ERRORS" not in cli:
            assert ext == cli
        else:
            assert ext.splitlines()[:5] == cli.splitlines()[:5]


def test_manifest_facts(session):
    """Checked against the manifest directly, not through the CLI."""
    d, s = session
    doc = s.json("diagnose.json")
    m = d.manifest
    assert doc["dump"]["osrelease"] == m["kernel"]["release"]
    assert [x["nr"] for x in doc["sections"]] == sorted(m["present_sections"])
    shift = doc["layout"]["section_size_bits"] - 12
    got = [(b["id"], b["state"], b["start_section"] << shift)
           for b in doc["memory_blocks"]["blocks"]]
    want = [(b["id"], b["state"], b["start_pfn"]) for b in m["memory_blocks"]]
    if doc["memory_blocks"]["complete"]:
        assert got == want
        assert doc["partial"] is False, doc["errors"]
    else:
        # makedumpfile 1.7.2 drops live 7.3 slab pages (the memory_blocks
        # xa_node) from -d 31 dumps: the extension must say so, as crash
        # reports it, and not invent blocks.
        assert d.fmt == "d31" and doc["partial"]
        assert all(e["what"].endswith("(crash: page excluded from the dump)")
                   for e in doc["errors"]), doc["errors"]
        assert set(got) <= set(want)
    inv = {x["nr"]: int(str(x["page_ext_raw"]), 0) for x in m["page_ext"]["invalidated_sections"]}
    assert {x["nr"]: int(x["page_ext"]["raw"], 16) for x in doc["sections"]
            if x["page_ext"]["state"] == "invalidated"} == inv
    assert sorted(f["place"]["section"] for f in doc["findings"]
                  if f["code"] == "PAGE_EXT_INVALIDATED") == sorted(inv)
    if not m["page_ext"]["enabled_clients"]:
        assert all(x["page_ext"]["state"] == "null" for x in doc["sections"])
    secs = {x["nr"]: x for x in doc["sections"]}
    online = [[r["start_pfn"], r["end_pfn"]] for r in doc["offline"]["ranges"]
              if all("online" in secs[nr]["flags"]
                     for nr in range(r["start_pfn"] >> shift, ((r["end_pfn"] - 1) >> shift) + 1))]
    assert online == [list(r) for r in m["offline_ranges"]]


def test_full_mode_where_crash_can():
    """Some dumps run in full mode (so `sys` etc. work there), the rest in --minimal."""
    assert any(not minimal_mode(d) for d in DUMPS)
    assert any(minimal_mode(d) for d in DUMPS)


def test_minimal_mode_equals_full_mode_output():
    """On a kernel crash 8.0.2 opens in both modes, --minimal gives the same
    document: the extension uses the same crash API in both."""
    dumps = all_dumps(kernel="6.1", scenario="midoffline", fmt="kdump")
    assert dumps, "6.1/midoffline/kdump was not made (make vmcores)"
    d = dumps[0]
    cmds = [("diagnose.json", "memsect diagnose --json")]
    full = CrashSession(d, cmds, minimal=False).json("diagnose.json")
    minimal = CrashSession(d, cmds, minimal=True).json("diagnose.json")
    assert without_timing(minimal) == without_timing(full)
    assert without_timing(minimal) == without_timing(memsect_json(d))
