#!/usr/bin/python3
"""Make one large-memory dump: the `big` scenario (vmcores/README.md, "Big
machines").

    make_big.py KERNEL SIZE_GIB [--baseline]

Output: $MEMSECT_CACHE/dumps-big/KERNEL/big-SIZEG/ (baseline-SIZEG with
--baseline: the kernel as booted, no ground truth pass).  Kept apart from
dumps/ on purpose: tests/dumps.py globs dumps/*/*, and the integration suite
must not open 256 GiB guests.

This reuses driver/ (QEMU, QMP, the guest protocol, the manifest) but lives
outside it, and adds its guest script through an initramfs overlay: the
stamps of every other dump hash driver/*.py and guest/scenarios/*.sh, so
putting `big` there would make `make vmcores` rebuild all of them.

Differences from driver/make_dump.py:
- guest RAM is a private mapping of a sparse file, reserve=off (plain
  `-m 256G` is refused by the host's overcommit heuristic; see boot());
- no ELF: QMP dump-guest-memory writes kdump-zlib directly, then
  `makedumpfile -R` and the utsname fix as for the other scenarios; the
  kdump sub-header's phys_base is rewritten from VMCOREINFO (QEMU 7.2 parses
  the decimal NUMBER(phys_base) as hex);
- VMCOREINFO for the manifest is read from the kdump file."""

import hashlib
import json
import os
import shutil
import struct
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DRIVER = os.path.join(os.path.dirname(HERE), "driver")
sys.path.insert(0, DRIVER)

import elfcore          # noqa: E402
import groundtruth      # noqa: E402
import kdumpfmt         # noqa: E402
import make_dump        # noqa: E402
import scenarios        # noqa: E402
from qemu import GuestError   # noqa: E402

GIB = 1 << 30
CACHE = make_dump.CACHE
log = make_dump.log

# Per guest size: 1 GiB hugetlb pages reserved at boot, 2 MiB ones at run
# time, boot-memory blocks offlined, GiB the balloon takes.
PARAMS = {
    64: dict(huge1g=4, huge2m=512, offline=2, balloon_gib=16),
    256: dict(huge1g=8, huge2m=1024, offline=4, balloon_gib=48),
}
# Debian's 6.1 inflated 16 GiB in ~7 min (6.12: 70 s): it gets 8 GiB (2 M pages).
STOCK_BALLOON_GIB = 8
BALLOON_TIMEOUT = 1800


def big_scenario(kernel, size_gib, baseline):
    p = PARAMS.get(size_gib, PARAMS[256])
    p = dict(p, size_gib=size_gib)
    if kernel.startswith("stock"):
        p["balloon_gib"] = min(p["balloon_gib"], STOCK_BALLOON_GIB)
    sc = dict(memory_mib=size_gib * 1024, big=p)
    # page_owner on the custom kernels (Debian's 6.1 has no CONFIG_PAGE_OWNER)
    owner = "" if kernel.startswith("stock") else "page_owner=on "
    if baseline:
        sc["cmdline"] = ""
        return sc
    sc["balloon"] = True
    sc["cmdline"] = (f"{owner}hugetlb_free_vmemmap=on hugepagesz=1G hugepages={p['huge1g']} "
                     f"hugepagesz=2M default_hugepagesz=2M "
                     f"memsect.big_offline={p['offline']} memsect.big_huge2m={p['huge2m']} "
                     f"memsect.big_balloon=1")
    return sc


def step_balloon_big(g, args, state):
    sc = state["scenario"]
    target = sc["memory_mib"] * scenarios.MIB - sc["big"]["balloon_gib"] * GIB
    g.qmp.cmd("balloon", value=target)
    last = [time.monotonic()]

    def inflated():
        actual = g.qmp.cmd("query-balloon")["actual"]
        if time.monotonic() - last[0] > 30:
            last[0] = time.monotonic()
            log(f"balloon: {(sc['memory_mib'] * scenarios.MIB - actual) / GIB:.1f} GiB inflated")
        return actual <= target
    scenarios.poll("the balloon to inflate", inflated, BALLOON_TIMEOUT, interval=2)
    return ""


scenarios.STEPS["balloon-big"] = step_balloon_big


def overlay_initramfs(kernel):
    """The kernel's initramfs (guest/build-initramfs.sh) with a second cpio
    archive appended that adds /memsect/scenarios/{big,bigbase}.sh; the
    kernel unpacks concatenated archives in order."""
    r = subprocess.run([os.path.join(make_dump.VMCORES, "guest", "build-initramfs.sh"), kernel],
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise GuestError(f"initramfs for {kernel}: {r.stderr.strip()}")
    base = r.stdout.strip().splitlines()[-1]
    out = os.path.join(CACHE, "initramfs", f"{kernel}-big.cpio.gz")
    root = os.path.join(CACHE, "initramfs", f".{kernel}-big.root")
    shutil.rmtree(root, ignore_errors=True)
    os.makedirs(os.path.join(root, "memsect", "scenarios"))
    shutil.copy(os.path.join(HERE, "guest", "big.sh"), os.path.join(root, "memsect", "scenarios"))
    with open(os.path.join(root, "memsect", "scenarios", "bigbase.sh"), "w") as f:
        f.write("# bigbase: the big guest as booted (no ground-truth pass).\nask dump\n")
    cpio = subprocess.run("find memsect | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0 | gzip -6",
                          shell=True, cwd=root, capture_output=True, check=True).stdout
    shutil.rmtree(root)
    with open(base, "rb") as f, open(out + ".new", "wb") as o:
        shutil.copyfileobj(f, o)
        o.write(cpio)
    os.rename(out + ".new", out)
    return base, out


def kdump_vmcoreinfo(path):
    """VMCOREINFO of a kdump-compressed file (kdump_sub_header at block 1)."""
    with open(path, "rb") as f:
        head = f.read(8 << 10)
        block_size, = struct.unpack_from("<i", head, 428)
        f.seek(block_size)
        sub = f.read(64)
        off, size = struct.unpack_from("<QQ", sub, 32)
        f.seek(off)
        return elfcore.parse_vmcoreinfo(f.read(size).decode(errors="replace"))


def fix_phys_base(path, vmcoreinfo):
    """QEMU 7.2 writes NUMBER(phys_base), a decimal, parsed as hex into
    kdump_sub_header.phys_base; makedumpfile then cannot translate kernel
    addresses.  Write the signed decimal value."""
    pb = int(vmcoreinfo["NUMBER(phys_base)"])
    with open(path, "r+b") as f:
        head = f.read(512)
        block_size, = struct.unpack_from("<i", head, 428)
        f.seek(block_size)
        old, = struct.unpack("<Q", f.read(8))
        f.seek(block_size)
        f.write(struct.pack("<q", pb))
    return old, pb


def fix_block_geometry(m):
    """driver/groundtruth.py takes sysfs phys_index for a block's first
    section number, and make_dump.py one block for one section.  That holds
    for 128 MiB blocks only: phys_index is start_section_nr /
    sections_per_block (drivers/base/memory.c), and from 64 GiB of boot
    memory x86_64 uses 2 GiB blocks.  Recompute the block ranges, the
    present sections and page_ext_size here."""
    pages = m["memory_block_size"] // groundtruth.PAGE_SIZE
    per_block = pages // groundtruth.PAGES_PER_SECTION
    for b in m["memory_blocks"]:
        b["start_pfn"] = b["phys_index"] * pages
        b["end_pfn"] = b["start_pfn"] + pages
    m["present_sections"] = sorted(b["phys_index"] * per_block + i
                                   for b in m["memory_blocks"] for i in range(per_block))
    pe = m["page_ext"]
    nblocks = len(m["memory_blocks"])   # no hot-plugged memory in `big`
    if pe["page_ext_boot_bytes"] is not None:
        pe["page_ext_size"] = pe["page_ext_boot_bytes"] // (nblocks * pages)
        m["notes"] = [n for n in m["notes"] if not n.startswith("page_ext_size")]
        m["notes"].append(f"page_ext_size = 'allocated N bytes of page_ext' "
                          f"({pe['page_ext_boot_bytes']}) / ({nblocks} boot-time blocks * {pages} pages)")
    m["notes"].append(f"memory_blocks, present_sections: phys_index is a block number "
                      f"(start_section_nr / {per_block}), recomputed by vmcores/big/make_big.py")


class BigRun(make_dump.Run):
    def __init__(self, kernel, size_gib, baseline=False):
        self.kernel, self.size_gib, self.baseline = kernel, size_gib, baseline
        self.scenario = "bigbase" if baseline else "big"
        self.sc = big_scenario(kernel, size_gib, baseline)
        self.kdir = os.path.join(CACHE, "kernels", kernel)
        self.vmlinux = os.path.join(self.kdir, "vmlinux")
        name = f"{'baseline' if baseline else 'big'}-{size_gib}G"
        self.final = os.path.join(CACHE, "dumps-big", kernel, name)
        self.work = os.path.join(CACHE, "dumps-big", kernel, f".{name}.tmp")
        self.lines, self.notes, self.timings = [], [], {}
        self.invalidated, self.stop_pc = [], None

    def boot(self, initrd):
        cmdline = (f"console=ttyS0 panic=-1 loglevel=6 no_timer_check "
                   f"memsect.scenario={self.scenario} " + self.sc.get("cmdline", "")).strip()
        self.gdb_port = None
        size = f"{self.size_gib}G"
        # A private mapping of a sparse file (QEMU creates it in the work
        # directory and unlinks it at once): the guest's writes land in
        # anonymous memory, reads of untouched RAM -- dump-guest-memory reads
        # all of it -- in clean, reclaimable page cache.  memory-backend-ram
        # (reserve=off) is not enough on the build host: its kernel maps no
        # zero page on read faults, so the dump's reads made QEMU's RSS the
        # guest's size (the OOM killer took QEMU at 22 GB of a 64 GiB guest).
        devs = ["-object", f"memory-backend-file,id=bigram,size={size},mem-path={self.work},"
                           "share=off,reserve=off",
                "-machine", "memory-backend=bigram"] + scenarios.qemu_devices(self.sc)
        return make_dump.Guest(self.kdir, initrd, cmdline, size, self.work, devs)

    def dump(self, g):
        start = time.monotonic()
        self.guest_cfg = scenarios.guest_config(g, self.sc)
        if self.guest_cfg["balloon"]:
            b = self.guest_cfg["balloon"]
            b["target"] = self.sc["memory_mib"] * scenarios.MIB - self.sc["big"]["balloon_gib"] * GIB
        g.qmp.cmd("dump-guest-memory", timeout=3600, paging=False,
                  protocol=f"file:{os.path.join(self.work, 'qemu.flat')}", format="kdump-zlib")
        self.t("qemu_dump_s", start)

    def convert(self, uts):
        start = time.monotonic()
        flat = os.path.join(self.work, "qemu.flat")
        kd = os.path.join(self.work, "vmcore.kdump")
        self.sizes = {"qemu_flat": os.path.getsize(flat)}
        kdumpfmt.rearrange(flat, kd)
        os.unlink(flat)
        kdumpfmt.set_utsname(kd, uts["release"], uts["version"])
        self.vmcoreinfo = kdump_vmcoreinfo(kd)
        old, new = fix_phys_base(kd, self.vmcoreinfo)
        self.notes.append(f"vmcore.kdump: QMP dump-guest-memory format kdump-zlib (no ELF was "
                          f"written), makedumpfile -R, utsname set, kdump_sub_header.phys_base "
                          f"{old:#x} (QEMU's) replaced by NUMBER(phys_base) = {new:#x}")
        self.sizes["kdump"] = os.path.getsize(kd)
        self.t("kdump_s", start)
        dumps = {"kdump": "vmcore.kdump"}
        start = time.monotonic()
        d31 = os.path.join(self.work, "vmcore.d31")
        r = subprocess.run(["makedumpfile", "-c", "-d", "31", kd, d31], capture_output=True, text=True)
        with open(os.path.join(self.work, "makedumpfile-d31.log"), "w") as f:
            f.write(r.stdout + r.stderr)
        self.t("d31_s", start)
        if r.returncode == 0:
            dumps["d31"] = "vmcore.d31"
            self.sizes["d31"] = os.path.getsize(d31)
        else:
            self.notes.append("d31: makedumpfile 1.7.2 -c -d 31 from vmcore.kdump failed (it "
                              "does not refilter QEMU's kdump files: it excludes the pages, then "
                              "exits 1 without a message); no d31 for this dump, and no ELF to "
                              "make it from")
            if os.path.exists(d31):
                os.unlink(d31)
        return dumps

    def stamp(self, initrd):
        h = hashlib.sha256()
        h.update(make_dump.input_stamp(self.kdir, initrd, self.sc).encode())
        for p in (os.path.abspath(__file__), os.path.join(HERE, "guest", "big.sh")):
            with open(p, "rb") as f:
                h.update(f.read())
        return h.hexdigest()[:16]

    def _run(self):
        total = time.monotonic()
        base, initrd = overlay_initramfs(self.kernel)
        stamp = self.stamp(base)
        try:
            with open(os.path.join(self.final, "stamp")) as f:
                if f.read().strip() == stamp and os.path.exists(os.path.join(self.final, "manifest.json")):
                    log(f"{self.kernel}/{os.path.basename(self.final)} is up to date")
                    return
        except OSError:
            pass
        st = os.statvfs(os.path.dirname(self.final))
        if st.f_bavail * st.f_frsize < (self.size_gib // 16 + 4) * GIB:
            raise GuestError(f"less than {self.size_gib // 16 + 4} GiB free for the dump")
        shutil.rmtree(self.work, ignore_errors=True)
        os.makedirs(self.work)
        log(f"{self.kernel}/{os.path.basename(self.final)}: booting ({self.size_gib} GiB guest)")
        g = self.boot(initrd)
        try:
            self.converse(g)
        finally:
            g.kill()
        recs = groundtruth.collect(self.lines)
        dumps = self.convert({"release": groundtruth.one(recs, "release") or "",
                              "version": groundtruth.one(recs, "version") or ""})
        if self.baseline:
            m = {"manifest_version": 1, "kernel": {"name": self.kernel}, "scenario": "bigbase",
                 "guest": self.guest_cfg, "dumps": dumps, "vmcoreinfo": self.vmcoreinfo,
                 "notes": self.notes + ["bigbase: the kernel as booted; no ground truth was read"]}
        else:
            m = self.manifest(dumps)
            fix_block_geometry(m)
            m["groundtruth_sampled"] = False
            m["big"] = {"params": self.sc["big"],
                        "offlined_blocks": [int(v) for v in recs.get("offlined", [])],
                        "offline_refused_blocks": [int(v) for v in recs.get("offline_refused", [])],
                        "guest_step_s": {k: float(v) for k, v in
                                         (x.split() for x in recs.get("tstep", []))}}
        self.t("total_s", total)
        m["timings"] = self.timings
        m["sizes"] = self.sizes
        with open(os.path.join(self.work, "manifest.json"), "w") as f:
            json.dump(m, f, indent=1)
        os.symlink(self.vmlinux, os.path.join(self.work, "vmlinux"))
        if os.path.exists(os.path.join(self.work, "qmp.sock")):
            os.unlink(os.path.join(self.work, "qmp.sock"))
        with open(os.path.join(self.work, "stamp"), "w") as f:
            f.write(stamp + "\n")
        shutil.rmtree(self.final, ignore_errors=True)
        os.rename(self.work, self.final)
        log(f"{self.kernel}/{os.path.basename(self.final)}: done in {self.timings['total_s']} s "
            f"({', '.join(f'{k} {v}' for k, v in self.timings.items())}); sizes {self.sizes}")


def main():
    args = [a for a in sys.argv[1:] if a != "--baseline"]
    if len(args) != 2 or not args[1].isdigit():
        sys.exit("usage: make_big.py KERNEL SIZE_GIB [--baseline]")
    try:
        BigRun(args[0], int(args[1]), "--baseline" in sys.argv).run()
    except (GuestError, RuntimeError, OSError) as e:
        sys.exit(f"vmcores: {args[0]}/big-{args[1]}G FAILED: {e}")


if __name__ == "__main__":
    main()
