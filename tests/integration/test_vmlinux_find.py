"""The vmlinux found, not handed over: with no VMLINUX argument memsect looks
for the dump's build id (VMCOREINFO BUILD-ID, recorded in each manifest) in
--debug-dir build-id trees and on a debuginfod server, and never uses a file
whose build id differs.

The server is elfutils' real `debuginfod`, started here on 127.0.0.1 over a
directory holding hard links to every test kernel's vmlinux; memsect fetches
through libdebuginfod into a cache under the test's tmp dir.  Every run uses
--no-default-debug-dirs so that what the host has in /usr/lib/debug or /boot
plays no part.  A found vmlinux must give the same JSON as the one given by
hand (the `dump` object's vmlinux path and source aside).
"""

import dataclasses
import json
import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from test_cli_common import MEMSECT, all_dumps, dump_ids, env, link_build_id_tree, run

# One kdump-compressed dump per kernel (its baseline where it has one; the
# 7.3-skippable kernel has one scenario): what is found depends on the kernel.
DUMPS = sorted({d.kernel: d for d in sorted(
                    (d for d in all_dumps() if d.fmt == "kdump"),
                    key=lambda d: d.scenario == "baseline")}.values(),
               key=lambda d: d.kernel)
SOURCE_FIELDS = ("vmlinux", "vmlinux_source")


def build_id(dump):
    return dump.manifest["vmcoreinfo"]["BUILD-ID"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def link_or_copy(src, dst):
    try:
        os.link(src, dst)
    except OSError:
        shutil.copyfile(src, dst)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """debuginfod over the test kernels' vmlinux files; its URL."""
    root = tmp_path_factory.mktemp("debuginfod")
    files = root / "files"
    files.mkdir()
    for d in DUMPS:
        link_or_copy(d.vmlinux.resolve(), files / f"vmlinux-{d.kernel}")
    port = free_port()
    log = open(root / "debuginfod.log", "w")
    p = subprocess.Popen(["debuginfod", "-F", str(files), "-p", str(port),
                          "-d", str(root / "db.sqlite"), "-t", "0", "-g", "0"],
                         stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        # ready when it serves every build id (it scans the files first)
        deadline = time.monotonic() + 300
        pending = {build_id(d) for d in DUMPS}
        while pending and time.monotonic() < deadline:
            assert p.poll() is None, (root / "debuginfod.log").read_text()
            for bid in list(pending):
                try:
                    # GET only (debuginfod refuses HEAD); the headers suffice
                    urllib.request.urlopen(f"{url}/buildid/{bid}/debuginfo",
                                           timeout=10).close()
                    pending.discard(bid)
                except (urllib.error.URLError, OSError):
                    pass
            time.sleep(1)
        assert not pending, f"debuginfod never served {pending}"
        yield url
    finally:
        p.terminate()
        try:
            p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()
        log.close()


def memsect_found(dump, *opts, extra_env=None, timeout=600):
    e = env()
    e.pop("DEBUGINFOD_URLS", None)
    e.update(extra_env or {})
    p = subprocess.run([str(MEMSECT), "sections", "--json",
                        "--no-default-debug-dirs", *opts, str(dump.path)],
                       capture_output=True, text=True, env=e, timeout=timeout)
    return p


def given(dump):
    p = run("sections", "--json", dump.path, dump.vmlinux)
    assert p.returncode in (0, 1, 4), p.stderr
    return json.loads(p.stdout)


def without_source(doc):
    doc = dict(doc)
    doc["dump"] = {k: v for k, v in doc["dump"].items() if k not in SOURCE_FIELDS}
    doc["stats"] = {k: v for k, v in doc["stats"].items()
                    if k not in ("scan_seconds", "pages_per_second")}
    return doc


def check_found(dump, p, source):
    assert p.returncode in (0, 1, 4), p.stderr
    doc = json.loads(p.stdout)
    assert doc["dump"]["vmlinux_source"] == source
    assert (doc["dump"]["types"], doc["dump"]["symbols"]) == ("dwarf", "elf")
    assert doc["dump"]["build_id"] == build_id(dump)
    assert without_source(doc) == without_source(given(dump))
    return doc


@pytest.mark.parametrize("dump", DUMPS, ids=dump_ids(DUMPS))
def test_build_id_dir(dump, tmp_path):
    leaf = link_build_id_tree([dump], tmp_path)[build_id(dump)]
    doc = check_found(dump, memsect_found(dump, "--debug-dir", tmp_path), "build-id-dir")
    assert doc["dump"]["vmlinux"] == str(leaf)


@pytest.mark.parametrize("dump", DUMPS, ids=dump_ids(DUMPS))
def test_debuginfod(dump, server, tmp_path):
    cache = tmp_path / "cache"
    p = memsect_found(dump, extra_env={"DEBUGINFOD_URLS": server,
                                       "DEBUGINFOD_CACHE_PATH": str(cache)})
    doc = check_found(dump, p, "debuginfod")
    assert doc["dump"]["vmlinux"].startswith(str(cache))


def test_wrong_build_id_never_used(tmp_path):
    """A file at the dump's build-id path that is another kernel's vmlinux
    is passed over: the dump's own BTF and kallsyms are used instead."""
    dump, other = DUMPS[0], DUMPS[-1]
    assert build_id(dump) != build_id(other)
    bid = build_id(dump)
    leaf = tmp_path / ".build-id" / bid[:2] / f"{bid[2:]}.debug"
    leaf.parent.mkdir(parents=True)
    leaf.symlink_to(other.vmlinux.resolve())
    p = memsect_found(dump, "--debug-dir", tmp_path)
    assert p.returncode in (0, 1, 4), p.stderr
    d = json.loads(p.stdout)["dump"]
    assert (d["vmlinux"], d["vmlinux_source"], d["types"]) == (None, None, "btf")


def test_server_down_falls_back_to_btf(tmp_path):
    """debuginfod unreachable: no hang, the dump's BTF and kallsyms."""
    dump = DUMPS[0]
    t0 = time.monotonic()
    p = memsect_found(dump, extra_env={"DEBUGINFOD_URLS": f"http://127.0.0.1:{free_port()}",
                                       "DEBUGINFOD_CACHE_PATH": str(tmp_path / "c")},
                      timeout=120)
    assert p.returncode in (0, 1, 4), p.stderr
    assert json.loads(p.stdout)["dump"]["types"] == "btf"
    assert time.monotonic() - t0 < 100


def test_nothing_found_one_line(tmp_path):
    """No vmlinux anywhere and no kallsyms in VMCOREINFO: one line naming
    the build id and the places searched, exit 3."""
    dump = DUMPS[0]
    copy = tmp_path / "vmcore.kdump"
    data = dump.path.read_bytes()
    old, new = b"SYMBOL(kallsyms_names)=", b"SYMBOL(kallsyms_nameX)="
    assert old in data
    copy.write_bytes(data.replace(old, new))
    p = memsect_found(dataclasses.replace(dump, path=copy),
                      "--debug-dir", tmp_path / "empty",
                      extra_env={"DEBUGINFOD_URLS": f"http://127.0.0.1:{free_port()}",
                                 "DEBUGINFOD_CACHE_PATH": str(tmp_path / "c")},
                      timeout=120)
    assert p.returncode == 3, p.stderr
    assert p.stdout == ""
    lines = p.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("memsect: "), p.stderr
    assert f"no vmlinux for build id {build_id(dump)}" in lines[0]
    assert str(tmp_path / "empty" / ".build-id") in lines[0]
    assert "debuginfod" in lines[0]
