"""Turn QEMU's kdump output into a kdump-compressed file every reader opens.

QEMU 7.2 writes the *flattened* makedumpfile stream (libkdumpfile 0.5.1 and
so drgn 0.0.22 reject it: "Unknown file format"); `makedumpfile -R`
rearranges it.  QEMU also leaves disk_dump_header.utsname zeroed, and
libkdumpfile then has no arch name; the guest's own uname is written there
(libkdumpfile trusts it when sysname is "Linux" and release, version and
machine are set)."""

import subprocess

UTS_LEN = 65
UTSNAME_OFFSET = 12  # after signature[8] and header_version (int)


def rearrange(flat, out):
    with open(flat, "rb") as src:
        r = subprocess.run(["makedumpfile", "-R", out], stdin=src, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"makedumpfile -R failed: {r.stderr.strip()}")


def set_utsname(path, release, version, machine="x86_64", nodename="memsect-guest"):
    fields = ["Linux", nodename, release, version, machine, "(none)"]
    raw = b"".join(s.encode()[:UTS_LEN - 1].ljust(UTS_LEN, b"\0") for s in fields)
    with open(path, "r+b") as f:
        if f.read(8) != b"KDUMP   ":
            raise RuntimeError(f"{path}: not a kdump-compressed file")
        f.seek(UTSNAME_OFFSET)
        f.write(raw)
