"""Bad input never crashes memsect: each case gives exactly one clear line
on stderr and its documented exit status (2 usage, 3 unreadable input or
unusable/mismatched debug info).  Run under ASan+UBSan with
`make SANITIZE=1 check`."""

import shutil

import pytest

from test_cli_common import all_dumps, run

STOCK = all_dumps(kernel="stock-6.1", scenario="baseline", fmt="kdump")
OTHER = all_dumps(kernel="6.12", scenario="baseline", fmt="kdump")


def one_line(p):
    lines = p.stderr.splitlines()
    assert len(lines) == 1, p.stderr
    assert lines[0].startswith("memsect: ")
    assert p.stdout == ""
    return lines[0]


def need(dumps):
    assert dumps, "the dump this test needs was not made (make vmcores)"
    return dumps[0]


@pytest.mark.parametrize("args", [[], ["bogus"], ["sections"], ["sections", "--frobnicate", "a", "b"],
                                  ["page", "a", "b"], ["sections", "a", "b", "c"]])
def test_usage_errors(args):
    p = run(*args)
    assert p.returncode == 2
    one_line(p)


def test_help_and_version():
    p = run("--help")
    assert p.returncode == 0 and "usage: memsect" in p.stdout and "diagnose" in p.stdout
    p = run("--version")
    assert p.returncode == 0 and "memsect/2" in p.stdout


def test_nonexistent_file(tmp_path):
    d = need(STOCK)
    p = run("sections", tmp_path / "nope", d.vmlinux)
    assert p.returncode == 3
    assert "No such file" in one_line(p)


def test_text_file_as_dump(tmp_path):
    d = need(STOCK)
    t = tmp_path / "notes.txt"
    t.write_text("this is not a crash dump\n" * 100)
    p = run("diagnose", t, d.vmlinux)
    assert p.returncode == 3
    assert "not a readable dump" in one_line(p)


def test_text_file_as_vmlinux(tmp_path):
    d = need(STOCK)
    t = tmp_path / "vmlinux.txt"
    t.write_text("not ELF\n")
    p = run("sections", d.path, t)
    assert p.returncode == 3
    assert "not an ELF file" in one_line(p)


@pytest.mark.parametrize("size", [4096, 1 << 20])
def test_truncated_dump(tmp_path, size):
    d = need(STOCK)
    t = tmp_path / "truncated.kdump"
    with open(d.path, "rb") as src, open(t, "wb") as dst:
        dst.write(src.read(size))
    p = run("diagnose", t, d.vmlinux)
    assert p.returncode == 3
    one_line(p)


def test_truncated_elf(tmp_path):
    d = need(all_dumps(kernel="stock-6.1", scenario="baseline", fmt="elf"))
    t = tmp_path / "truncated.elf"
    with open(d.path, "rb") as src, open(t, "wb") as dst:
        dst.write(src.read(8 << 20))
    p = run("offline", t, d.vmlinux)
    assert p.returncode == 3
    one_line(p)


def test_vmlinux_from_another_kernel():
    d, other = need(STOCK), need(OTHER)
    p = run("sections", d.path, other.vmlinux)
    assert p.returncode == 3
    assert "does not match the dump" in one_line(p)


def test_vmlinux_without_debug_info(tmp_path):
    d = need(STOCK)
    t = tmp_path / "vmlinux.stripped"
    shutil.copy("/bin/true", t)
    p = run("sections", d.path, t)
    assert p.returncode == 3
    one_line(p)


def test_vmlinux_check_without_build_id(tmp_path):
    """Without VMCOREINFO BUILD-ID the vmlinux is checked by comparing its
    linux_banner with the banner in the dump's memory."""
    d = need(all_dumps(kernel="stock-6.1", scenario="baseline", fmt="d31"))
    other = need(OTHER)
    data = d.path.read_bytes()
    assert b"BUILD-ID=" in data
    t = tmp_path / "no-build-id.d31"
    t.write_bytes(data.replace(b"BUILD-ID=", b"BUILD-XX="))
    p = run("sections", t, d.vmlinux)
    assert p.returncode in (0, 1, 4), p.stderr
    assert p.stderr == ""
    p = run("sections", t, other.vmlinux)
    assert p.returncode == 3
    assert "linux_banner differs" in one_line(p)
