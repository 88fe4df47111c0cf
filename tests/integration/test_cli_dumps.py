"""`memsect --json` reproduces every manifest fact about sections, memory
blocks, PageOffline ranges and page_ext pointers, on every dump the
pipeline made (every kernel and every dump format).  Ground truth is the
manifest recorded by the guest kernel (sysfs, /proc/kpageflags, gdb at the
offline breakpoint), never memsect's own output."""

import pytest

from test_cli_common import (all_dumps, diagnose_run, dump_ids, filtered_gaps, memsect_json, run,
                             section_shift, sections_by_nr)

DUMPS = all_dumps()


@pytest.fixture(params=DUMPS, ids=dump_ids(DUMPS))
def dump(request):
    return request.param


def test_schema_and_identity(dump):
    doc = memsect_json(dump)
    assert doc["schema"] == "memsect/2"
    assert doc["command"] == "diagnose"
    assert doc["dump"]["osrelease"] == dump.manifest["kernel"]["release"]
    bid = dump.manifest["vmcoreinfo"].get("BUILD-ID")
    assert doc["dump"]["build_id"] == bid
    assert doc["partial"] is False or filtered_gaps(dump, doc), doc["errors"]


def test_partial_results_are_reported(dump):
    """Every failed read is counted in errors_total and in one READ_ERRORS
    finding naming the first failing address; the exit status is 4 exactly
    when the result is partial, else 1 exactly when a finding is of warning
    or worse."""
    rc, doc = diagnose_run(str(dump.path), str(dump.vmlinux))
    worse = any(f["severity"] in ("warning", "error") for f in doc["findings"])
    assert rc == (4 if doc["partial"] else 1 if worse else 0)
    rf = [f for f in doc["findings"] if f["code"] == "READ_ERRORS"]
    if not doc["partial"]:
        assert rf == [] and doc["errors_total"] == 0
        return
    assert len(rf) == 1
    assert rf[0]["evidence"]["count"] == doc["errors_total"] > 0
    assert rf[0]["place"]["address"] == doc["errors"][0]["address"]


def test_present_sections(dump):
    doc = memsect_json(dump)
    assert [s["nr"] for s in doc["sections"]] == sorted(dump.manifest["present_sections"])
    assert doc["section_summary"]["present"] == len(dump.manifest["present_sections"])


def test_memory_blocks(dump):
    doc = memsect_json(dump)
    mb = doc["memory_blocks"]
    assert mb["available"] is True
    assert mb["block_size"] == dump.manifest["memory_block_size"]
    shift = section_shift(doc)
    got = [(b["id"], b["state"], b["start_section"] << shift) for b in mb["blocks"]]
    want = [(b["id"], b["state"], b["start_pfn"]) for b in dump.manifest["memory_blocks"]]
    if not mb["complete"]:
        assert filtered_gaps(dump, doc), doc["errors"]
        assert set(got) <= set(want)
        return
    assert got == want


def test_section_online_flag_matches_block_state(dump):
    """online block -> every section ONLINE; offline block -> none.  A block
    caught going offline has its sections' ONLINE flag already cleared
    (offline_pages() clears it before the MEM_OFFLINE notifier runs)."""
    doc = memsect_json(dump)
    secs = sections_by_nr(doc)
    per_block = dump.manifest["memory_block_size"] >> (section_shift(doc) + 12)
    for b in dump.manifest["memory_blocks"]:
        for nr in range(b["id"] * per_block, (b["id"] + 1) * per_block):
            online = "online" in secs[nr]["flags"]
            assert online == (b["state"] == "online"), (nr, b)
            if doc["memory_blocks"]["complete"]:
                assert secs[nr]["memory_block"] == b["id"]


def test_offline_ranges(dump):
    """PageOffline ranges equal the guest's KPF_OFFLINE ranges.  kpageflags
    only sees pfns of online sections (pfn_to_online_page()), so memsect's
    ranges are compared on those sections."""
    doc = memsect_json(dump)
    secs = sections_by_nr(doc)
    shift = section_shift(doc)
    got = []
    for r in doc["offline"]["ranges"]:
        for pfn in (r["start_pfn"], r["end_pfn"] - 1):
            assert pfn >> shift in secs
        if all("online" in secs[nr]["flags"]
               for nr in range(r["start_pfn"] >> shift, ((r["end_pfn"] - 1) >> shift) + 1)):
            got.append([r["start_pfn"], r["end_pfn"]])
    assert got == [list(r) for r in dump.manifest["offline_ranges"]]
    assert doc["offline"]["pages"] >= sum(e - s for s, e in dump.manifest["offline_ranges"])


def test_offline_skippable(dump):
    """PG_offline_skippable (PG_owner_2 on PageOffline pages, recorded by the
    guest as offline_owner2_ranges) where the kernel defines it."""
    doc = memsect_json(dump)
    owner2 = dump.manifest.get("offline_owner2_ranges")
    if doc["layout"]["pg_offline_skippable_bit"] is None:
        assert doc["offline"]["skippable"] is None
        assert all(r["skippable"] is None for r in doc["offline"]["ranges"])
        return
    assert owner2 is not None, "manifest lacks offline_owner2_ranges"
    assert doc["offline"]["skippable"] == sum(e - s for s, e in owner2)


def test_page_ext_pointers(dump):
    """Invalidated sections (bit 0) exactly as recorded; NULL everywhere on a
    kernel without page_ext clients; a table for every online section when
    clients are enabled; page_ext_size as the kernel reported it."""
    doc = memsect_json(dump)
    pe = dump.manifest["page_ext"]
    secs = sections_by_nr(doc)
    want_inv = {s["nr"]: int(str(s["page_ext_raw"]), 0) for s in pe["invalidated_sections"]}
    got_inv = {s["nr"]: int(s["page_ext"]["raw"], 16) for s in doc["sections"]
               if s["page_ext"]["state"] == "invalidated"}
    assert got_inv == want_inv
    for nr in want_inv:
        raw = want_inv[nr]
        assert int(secs[nr]["page_ext"]["table"], 16) == (raw & ~1) + \
            doc["layout"]["page_ext_size"] * secs[nr]["start_pfn"]
    if not pe["enabled_clients"]:
        assert all(s["page_ext"]["state"] == "null" for s in doc["sections"])
    else:
        for s in doc["sections"]:
            if "online" in s["flags"]:
                assert s["page_ext"]["state"] == "valid", s
    if pe["page_ext_size"] is not None:
        assert doc["layout"]["page_ext_size"] == pe["page_ext_size"]
    assert doc["section_summary"]["page_ext"]["unreadable"] == 0


def test_findings_match_facts(dump):
    """The diagnose findings agree with the manifest: one PAGE_EXT_INVALIDATED
    per invalidated section, BLOCK_IN_TRANSITION for each block not online or
    offline, no mismatch findings on a consistent dump."""
    doc = memsect_json(dump)
    codes = [f["code"] for f in doc["findings"]]
    inv = sorted(s["nr"] for s in dump.manifest["page_ext"]["invalidated_sections"])
    assert sorted(f["place"]["section"] for f in doc["findings"]
                  if f["code"] == "PAGE_EXT_INVALIDATED") == inv
    moving = sorted(b["id"] for b in dump.manifest["memory_blocks"]
                    if b["state"] not in ("online", "offline"))
    if doc["memory_blocks"]["complete"]:
        assert sorted(f["place"]["memory_block"] for f in doc["findings"]
                      if f["code"] == "BLOCK_IN_TRANSITION") == moving
    assert "SECTION_ONLINE_MISMATCH" not in codes
    # the sanity checks of values read from the dump never fire on a real,
    # whole dump: only reads the dumper left out make it partial
    assert not {"INVALID_VALUES", "DUMP_TRUNCATED", "PAGE_EXT_IMPLAUSIBLE"} & set(codes)
    assert [e for e in doc["errors"] if e["kind"] != "read"] == []
    assert doc["dump"]["truncated"] is False
    assert ("READ_ERRORS" in codes) == doc["partial"]


def test_sections_and_offline_commands_agree(dump):
    """`sections --json` and `offline --json` give the same data as diagnose."""
    import json
    doc = memsect_json(dump)
    p = run("sections", "--json", dump.path, dump.vmlinux)
    assert p.returncode in (0, 1, 4), p.stderr
    s = json.loads(p.stdout)
    assert s["sections"] == doc["sections"]
    assert s["memory_blocks"] == doc["memory_blocks"]
    p = run("offline", "--json", dump.path, dump.vmlinux)
    assert p.returncode in (0, 1, 4), p.stderr
    o = json.loads(p.stdout)
    assert o["offline"] == doc["offline"]


def test_offline_in_file_audit(dump):
    """The in-dump audit agrees with the dump file itself (PT_LOAD segments or
    the kdump dumpable bitmap, read here without libkdumpfile), and a
    PAGEOFFLINE_IN_DUMP warning names exactly the ranges with stored pages."""
    from test_cli_common import StoredPages
    doc = memsect_json(dump)
    stored = StoredPages(dump.path)
    flagged = sorted((f["place"]["start_pfn"], f["place"]["end_pfn"]) for f in doc["findings"]
                     if f["code"] == "PAGEOFFLINE_IN_DUMP")
    want_flagged = []
    for r in doc["offline"]["ranges"]:
        n = stored.count(r["start_pfn"], r["end_pfn"])
        assert r["in_file"] == n, r
        if n:
            want_flagged.append((r["start_pfn"], r["end_pfn"]))
    assert flagged == want_flagged
    assert doc["offline"]["in_file"] == sum(r["in_file"] for r in doc["offline"]["ranges"])


def test_exit_status_and_text_output(dump):
    """Exit status 4 when the result is partial, else 1 exactly when a
    warning or error finding exists; the text report carries the same counts
    as the JSON."""
    doc = memsect_json(dump)
    worst = {f["severity"] for f in doc["findings"]}
    p = run("diagnose", dump.path, dump.vmlinux)
    assert p.stderr == ""
    assert p.returncode == (4 if doc["partial"] else 1 if worst & {"warning", "error"} else 0)
    s = doc["section_summary"]
    assert (f"sections: {s['present']} present, {s['online']} online; page_ext valid "
            f"{s['page_ext']['valid']}, null {s['page_ext']['null']}, invalidated "
            f"{s['page_ext']['invalidated']}") in p.stdout
    assert f"PageOffline: {doc['offline']['pages']} pages in {len(doc['offline']['ranges'])} ranges" \
        in p.stdout
    for f in doc["findings"]:
        assert f["code"] in p.stdout
