"""The extension never takes the crash session down: an unreadable page_ext
table is reported with its address and later commands still run; Ctrl-C
stops a scan and the partial results are printed; bad arguments print the
usage.

Reads are made to fail with the extension's test hook
MEMSECT_CRASH_FAIL_READ=0xADDR (extensions/README.md): a kdump cannot be
edited in place, and no dump here has a page_ext table missing from it.
Ctrl-C is delivered by MEMSECT_CRASH_SIGINT_AFTER=N: the extension raises a
real SIGINT at its N-th read, so crash's and memsect's signal handling run
as for a key press."""

import pytest

from test_cli_common import memsect_json
from test_crash_common import CrashSession, all_dumps

# A 6.1 dump with page_ext clients: full mode, so `sys` can prove the
# session still works afterwards.
FULL = all_dumps(kernel="6.1", scenario="pageowner", fmt="kdump")
# A 6.12 dump in --minimal, with PageOffline pages to scan.
MINIMAL = all_dumps(kernel="6.12", scenario="virtio-mem", fmt="kdump")


def one(dumps, what):
    assert dumps, f"the {what} dump was not made (make vmcores)"
    return dumps[0]


@pytest.fixture(scope="module")
def unreadable():
    d = one(FULL, "6.1/pageowner/kdump")
    cli = memsect_json(d)
    victim = next(s for s in cli["sections"] if s["page_ext"]["state"] == "valid")
    table = int(victim["page_ext"]["table"], 16)
    s = CrashSession(d, [
        ("json", "memsect sections --json"),
        ("text", "memsect diagnose"),
        ("sys", "sys"),
        ("again", "memsect sections"),
    ], env={"MEMSECT_CRASH_FAIL_READ": f"{table:#x}"})
    return d, victim["nr"], table, s


def test_unreadable_page_ext_reported(unreadable):
    _, nr, table, s = unreadable
    doc = s.json("json")
    sec = {x["nr"]: x for x in doc["sections"]}[nr]
    assert sec["page_ext"]["state"] == "unreadable"
    assert int(sec["page_ext"]["failed_address"], 16) == table
    assert doc["section_summary"]["page_ext"]["unreadable"] == 1
    assert [f["place"]["section"] for f in doc["findings"]
            if f["code"] == "PAGE_EXT_UNREADABLE"] == [nr]
    assert f"unreadable at {table:#x}" in s.out["text"]
    assert "PAGE_EXT_UNREADABLE" in s.out["text"]


def test_session_survives_unreadable_page_ext(unreadable):
    d, _, table, s = unreadable
    assert f"RELEASE: {d.manifest['kernel']['release']}" in s.out["sys"]
    assert f"unreadable at {table:#x}" in s.out["again"]
    assert s.returncode == 0


@pytest.fixture(scope="module")
def interrupted():
    d = one(MINIMAL, "6.12/virtio-mem/kdump")
    return d, CrashSession(d, [
        ("json", "memsect offline --json"),
        ("text", "memsect offline"),
        ("after", "sym mem_section"),
        ("usage", "memsect sections extra"),
        ("usage2", "memsect nonsense"),
        ("after2", "rd mem_section"),
    ], env={"MEMSECT_CRASH_SIGINT_AFTER": "20"})


def test_ctrl_c_prints_partial_results(interrupted):
    d, s = interrupted
    doc = s.json("json")
    assert doc["partial"] is True
    # Reads through ms_read() carry the target's detail; the core's bulk
    # struct page reads (src/lib/pages.c) record no detail.
    assert any("interrupted by Ctrl-C" in e["what"] for e in doc["errors"])
    full = memsect_json(d)
    assert doc["offline"]["pages"] < full["offline"]["pages"]
    assert "interrupted by Ctrl-C: the results above are partial" in s.stdout + s.out["text"]
    assert "PageOffline pages in" in s.out["text"]


def test_session_survives_ctrl_c_and_bad_arguments(interrupted):
    _, s = interrupted
    assert "mem_section" in s.out["after"]
    assert "Usage:" in s.out["usage"]
    assert "memsect: unexpected argument 'extra'" in s.stdout + s.out["usage"]
    assert "Usage:" in s.out["usage2"]
    assert "memsect: unknown sub-command: nonsense" in s.stdout + s.out["usage2"]
    # rd prints the address and the 8 bytes there: the session reads memory.
    assert s.out["after2"].split(":")[0].strip() == s.out["after"].split()[0]
    assert s.returncode == 0
