"""`memsect batch`: every test dump plus broken inputs made here (a kdump and
an ELF dump cut to 1% and 50%, random bytes, an empty file, a directory, a
missing path) in one batch of two jobs, the vmlinux files found through a
build-id tree made here.

- One line per input, each valid JSON with the documented keys.
- The broken inputs are `error` (or `crashed`) with a message; nothing is
  `clean` that the single-dump commands do not call clean.
- Every report equals the single-dump command's JSON on the same dump with
  its vmlinux given (the vmlinux's path and source and the scan timing
  aside), and the line's status and exit agree with that command's exit
  status.  The batch reads struct pages on one thread, the single command
  on reader threads (pages.c): on every dump, the same document, findings
  and errors in the same order.
- `--resume` runs nothing twice; `--shard K/N` splits the list into
  disjoint shares that add up to it; `batch-summary` counts what the lines
  say.
"""

import json
import os
import shutil
import subprocess

import pytest

from test_cli_common import MEMSECT, all_dumps, diagnose_run, env, link_build_id_tree, run

DUMPS = all_dumps()
COMMANDS = ("diagnose",)
TIMING = ("scan_seconds", "pages_per_second")
KEYS = ["schema", "dump", "vmlinux", "status", "exit", "signal", "error", "seconds",
        "findings", "report"]


def batch(*args, stdin=None, timeout=3600):
    return subprocess.run([str(MEMSECT), "batch", *map(str, args)], input=stdin,
                          capture_output=True, text=True, env=env(), timeout=timeout)


def comparable(doc):
    doc = dict(doc)
    doc["dump"] = {k: v for k, v in doc["dump"].items() if k not in ("vmlinux", "vmlinux_source")}
    doc["stats"] = {k: v for k, v in doc["stats"].items() if k not in TIMING}
    return doc


def cut_copy(src, dst, pct):
    with open(src, "rb") as f, open(dst, "wb") as g:
        g.write(f.read(max(1, os.path.getsize(src) * pct // 100)))
    return dst


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    root = tmp_path_factory.mktemp("batch")
    ids = root / "debug"
    link_build_id_tree(DUMPS, ids)
    small_kdump = min((d for d in DUMPS if d.fmt == "kdump"), key=lambda d: d.path.stat().st_size)
    small_elf = min((d for d in DUMPS if d.fmt == "elf"), key=lambda d: d.path.stat().st_size)
    broken = [cut_copy(small_kdump.path, root / f"kdump-{p}.kdump", p) for p in (1, 50)]
    broken += [cut_copy(small_elf.path, root / f"elf-{p}.elf", p) for p in (1, 50)]
    rnd = root / "random.bin"
    rnd.write_bytes(os.urandom(1 << 20))
    empty = root / "empty"
    empty.write_bytes(b"")
    directory = root / "a-directory"
    directory.mkdir()
    broken += [rnd, empty, directory, root / "missing"]
    yield root, ids, broken
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def result(inputs):
    root, ids, broken = inputs
    out = root / "out.jsonl"
    listing = root / "list"
    listing.write_text("".join(f"{p}\n" for p in [*(d.path for d in DUMPS), *broken]))
    p = batch("--jobs", 2, "--threads", 1, "--timeout", 1800, "--output", out, "--debug-dir", ids,
              "--no-default-debug-dirs", "--commands", ",".join(COMMANDS), "--from", listing)
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    return p, {line["dump"]["path"]: line for line in lines}, len(lines), out, listing


def test_one_line_per_input(result, inputs):
    p, by_path, n, _, _ = result
    _, _, broken = inputs
    assert n == len(DUMPS) + len(broken) == len(by_path), p.stderr
    for line in by_path.values():
        assert list(line) == KEYS
        assert line["schema"] == "memsect-batch/1"
    # a broken input makes the batch's exit status 3
    assert p.returncode == 3, p.stderr


def test_broken_inputs_are_errors(result, inputs):
    _, by_path, _, _, _ = result
    _, _, broken = inputs
    for path in broken:
        line = by_path[str(path)]
        assert line["status"] in ("error", "crashed"), line
        assert line["error"] and line["report"] == {}, line


@pytest.mark.parametrize("dump", DUMPS, ids=[d.id for d in DUMPS])
def test_reports_equal_single_commands(result, dump):
    _, by_path, _, _, _ = result
    line = by_path[str(dump.path)]
    assert line["vmlinux"]["source"] == "build-id-dir"
    assert line["dump"]["build_id"] == dump.manifest["vmcoreinfo"]["BUILD-ID"]
    assert line["dump"]["osrelease"] == dump.manifest["kernel"]["release"]
    rc, doc = diagnose_run(str(dump.path), str(dump.vmlinux))
    assert comparable(line["report"]["diagnose"]) == comparable(doc)
    assert line["exit"] == rc
    assert (line["status"] == "clean") == (rc == 0)
    codes = {(f["command"], f["code"]) for f in line["findings"]}
    assert codes == {(cmd, f["code"]) for cmd in COMMANDS
                     for f in line["report"][cmd]["findings"]}


def test_several_commands_per_dump(inputs, tmp_path):
    """--commands runs each command on the one opened dump: each report
    equals that single command's JSON, and the exit is the worst of them."""
    _, ids, _ = inputs
    cmds = ("sections", "hvo")
    picked = [d for d in DUMPS if d.fmt == "kdump" and d.scenario in ("hvo", "balloon")][:3]
    assert picked
    out = tmp_path / "out.jsonl"
    batch("--output", out, "--debug-dir", ids, "--no-default-debug-dirs",
          "--commands", ",".join(cmds), *(d.path for d in picked))
    lines = {json.loads(x)["dump"]["path"]: json.loads(x) for x in out.read_text().splitlines()}
    for d in picked:
        line, exits = lines[str(d.path)], []
        for cmd in cmds:
            p = run(cmd, "--json", d.path, d.vmlinux)
            assert p.returncode in (0, 1, 4), p.stderr
            exits.append(p.returncode)
            assert comparable(line["report"][cmd]) == comparable(json.loads(p.stdout)), cmd
        assert line["exit"] == max(exits)


def test_resume_runs_nothing_twice(result):
    _, _, n, out, listing = result
    p = batch("--resume", "--output", out, "--from", listing, timeout=600)
    assert p.returncode == 3, p.stderr          # the same verdict, from the file
    assert len(out.read_text().splitlines()) == n


def test_shards_split_the_list(inputs, tmp_path):
    root, _, broken = inputs
    paths = [str(p) for p in broken]
    seen = []
    for k in (1, 2, 3):
        p = batch("--shard", f"{k}/3", "--commands", "sections", "-",
                  stdin="".join(f"{x}\n" for x in paths))
        seen += [json.loads(line)["dump"]["path"] for line in p.stdout.splitlines()]
    assert sorted(seen) == sorted(paths)


def test_summary_counts_the_lines(result):
    _, by_path, n, out, _ = result
    p = run("batch-summary", out)
    assert p.returncode == 3
    assert f"memsect batch: {n} dumps" in p.stdout
    statuses = {}
    for line in by_path.values():
        statuses[line["status"]] = statuses.get(line["status"], 0) + 1
    for status, count in statuses.items():
        assert f"{status} {count}" in p.stdout
