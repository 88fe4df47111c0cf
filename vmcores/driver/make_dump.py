#!/usr/bin/python3
"""Make one dump directory: boot KERNEL under QEMU, run SCENARIO in the guest,
dump, convert, and write manifest.json.

    make_dump.py KERNEL SCENARIO

Output: $MEMSECT_CACHE/dumps/KERNEL/SCENARIO/ (see vmcores/README.md).  The
directory is rebuilt only when its inputs changed (kernel stamp, initramfs,
this driver, the scenario's parameters); it appears atomically."""

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import elfcore          # noqa: E402
import groundtruth      # noqa: E402
import kdumpfmt         # noqa: E402
import midoffline       # noqa: E402
import scenarios        # noqa: E402
from qemu import Guest, GuestError   # noqa: E402

CACHE = os.environ.get("MEMSECT_CACHE", os.path.expanduser("~/.cache/memsect"))
VMCORES = os.path.dirname(HERE)
BOOT_TIMEOUT = 600
STEP_TIMEOUT = 600


def log(msg):
    print(f"vmcores: {msg}", file=sys.stderr, flush=True)


def read_config(path):
    cfg = {}
    with open(path) as f:
        for line in f:
            if line.startswith("CONFIG_") and "=" in line:
                k, v = line.rstrip("\n").split("=", 1)
                cfg[k] = v
    return cfg


def input_stamp(kdir, initrd, sc):
    h = hashlib.sha256()
    for p in [os.path.join(kdir, "stamp"), initrd + ".stamp"] + sorted(
            os.path.join(HERE, f) for f in os.listdir(HERE) if f.endswith(".py")):
        with open(p, "rb") as f:
            h.update(f.read())
    h.update(json.dumps(sc, sort_keys=True).encode())
    return h.hexdigest()[:16]


class Run:
    def __init__(self, kernel, scenario):
        self.kernel, self.scenario = kernel, scenario
        self.arch = scenarios.kernel_arch(kernel)
        self.sc = scenarios.SCENARIOS[scenario]
        self.kdir = os.path.join(CACHE, "kernels", kernel)
        self.vmlinux = os.path.join(self.kdir, "vmlinux")
        # arm64 dumps live apart: the x86_64 suites take every dump in dumps/.
        top = os.path.join(CACHE, "dumps" if self.arch == "x86_64" else "dumps-arm64")
        self.final = os.path.join(top, kernel, scenario)
        self.work = os.path.join(top, kernel, f".{scenario}.tmp")
        self.lines = []
        self.notes = []
        self.timings = {}
        self.invalidated = []
        self.stop_pc = None

    def t(self, name, start):
        self.timings[name] = round(time.monotonic() - start, 1)

    def boot(self, initrd):
        if self.arch == "aarch64":
            # ttyAMA0: virt's PL011; hvc0: the control channel (qemu.py).
            base = "console=ttyAMA0 panic=-1 loglevel=6 memsect.ctl=hvc0"
        else:
            # no_timer_check: under TCG on a loaded host the kernel's early test
            # of the IO-APIC timer (arch/x86/kernel/apic/io_apic.c check_timer())
            # can miss its ticks and panic "IO-APIC + timer doesn't work!"
            # (seen on a 2-core machine building kernels alongside).
            base = "console=ttyS0 panic=-1 loglevel=6 no_timer_check"
        cmdline = (f"{base} memsect.scenario={self.scenario} " + self.sc.get("cmdline", "")).strip()
        self.gdb_port = midoffline.free_port() if self.scenario == "midoffline" else None
        return Guest(self.kdir, initrd, cmdline, scenarios.qemu_memory(self.sc), self.work,
                     scenarios.qemu_devices(self.sc), gdb_port=self.gdb_port, arch=self.arch)

    def dump(self, g):
        start = time.monotonic()
        self.guest_cfg = scenarios.guest_config(g, self.sc)
        elf = os.path.join(self.work, "qemu.elf")
        flat = os.path.join(self.work, "qemu.flat")
        g.qmp.cmd("dump-guest-memory", timeout=1800, paging=False, protocol=f"file:{elf}")
        g.qmp.cmd("dump-guest-memory", timeout=1800, paging=False, protocol=f"file:{flat}",
                  format="kdump-zlib")
        self.t("qemu_dump_s", start)

    def midoffline_arm(self, g, block_id):
        blocks = {b["id"]: b for b in groundtruth.memory_blocks(groundtruth.collect(self.lines))[1]}
        b = blocks[int(block_id)]
        nsec = (b["end_pfn"] - b["start_pfn"]) // groundtruth.PAGES_PER_SECTION
        sections = [b["phys_index"] + i for i in range(nsec)]
        stop = midoffline.Stop(self.vmlinux, self.gdb_port, sections, self.work)
        try:
            stop.armed()
            g.answer("ok")
            self.invalidated, self.stop_pc = stop.hit()
            self.notes.append(
                f"midoffline: block {block_id} was being offlined; the vCPU was held by a "
                f"hardware breakpoint at {self.stop_pc:#x} (call synchronize_rcu in {stop.fn}, "
                f"candidates {[hex(a) for a in stop.addrs]}) and the dump was taken there. "
                "invalidated_sections are gdb's reading of mem_section at that moment. The "
                "memory_blocks states were read by the guest before it started offlining; the "
                "block being offlined is listed as going-offline. Booted with nokaslr.")
            self.going_offline = int(block_id)
            self.dump(g)
        finally:
            stop.release()

    def converse(self, g):
        start = time.monotonic()
        line = g.readline(BOOT_TIMEOUT, "the guest to boot")
        while not line.startswith("@hello"):
            line = g.readline(BOOT_TIMEOUT, "the guest to boot")
        self.t("boot_s", start)
        start = time.monotonic()
        while True:
            line = g.readline(STEP_TIMEOUT, "the guest's next step")
            if line.startswith("@gt "):
                self.lines.append(line[4:])
            elif line.startswith("@fail"):
                g.fail(f"guest failed: {line[6:]}")
            elif line.startswith("@ask "):
                step, _, arg = line[5:].partition(" ")
                log(f"{self.kernel}/{self.scenario}: {step} {arg}".rstrip())
                if step == "dump":
                    self.t("scenario_s", start)
                    self.dump(g)
                    return
                if step == "midoffline-arm":
                    self.t("scenario_s", start)
                    self.midoffline_arm(g, arg)
                    return
                if step not in scenarios.STEPS:
                    g.fail(f"guest asked for unknown step {step}")
                try:
                    g.answer("ok " + scenarios.STEPS[step](g, arg, {"scenario": self.sc}))
                except GuestError as e:
                    g.fail(str(e))

    def makedumpfile(self):
        """The makedumpfile command for this guest's dumps.  makedumpfile
        translates addresses of its build's target architecture only: for
        aarch64, Debian's arm64 build under qemu-aarch64-static."""
        if self.arch == "x86_64":
            return ["makedumpfile"]
        r = subprocess.run([os.path.join(VMCORES, "lib", "makedumpfile-arm64.sh")],
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise GuestError(f"arm64 makedumpfile: {r.stderr.strip()}")
        root = r.stdout.strip().splitlines()[-1]
        self.notes.append("vmcore.d31: Debian's arm64 makedumpfile 1.7.2 run by qemu-aarch64-static "
                          "(the amd64 build translates x86_64 dumps only)")
        return ["qemu-aarch64-static", "-L", root, os.path.join(root, "usr", "bin", "makedumpfile")]

    def convert(self, uts):
        start = time.monotonic()
        elf = os.path.join(self.work, "vmcore.elf")
        self.vmcoreinfo = elfcore.fix_elf(os.path.join(self.work, "qemu.elf"), elf, self.vmlinux)
        # Most of a fresh guest's memory is zero: keep those blocks as holes.
        subprocess.run(["fallocate", "--dig-holes", elf], check=True)
        self.t("elf_fix_s", start)
        start = time.monotonic()
        kd = os.path.join(self.work, "vmcore.kdump")
        if self.arch == "aarch64":
            # QEMU writes 64 KiB blocks for any aarch64 guest (kdumpfmt.py).
            kd64 = os.path.join(self.work, "qemu.kdump64")
            kdumpfmt.rearrange(os.path.join(self.work, "qemu.flat"), kd64)
            kdumpfmt.split_blocks(kd64, kd)
        else:
            kdumpfmt.rearrange(os.path.join(self.work, "qemu.flat"), kd)
        kdumpfmt.set_utsname(kd, uts["release"], uts["version"], machine=self.arch)
        os.unlink(os.path.join(self.work, "qemu.flat"))
        self.t("kdump_s", start)
        dumps = {"elf": "vmcore.elf", "kdump": "vmcore.kdump"}
        start = time.monotonic()
        d31 = os.path.join(self.work, "vmcore.d31")
        r = subprocess.run(self.makedumpfile() + ["-c", "-d", "31", elf, d31],
                           capture_output=True, text=True)
        with open(os.path.join(self.work, "makedumpfile-d31.log"), "w") as f:
            f.write(r.stdout + r.stderr)
        self.t("d31_s", start)
        if r.returncode == 0:
            dumps["d31"] = "vmcore.d31"
        else:
            self.notes.append("makedumpfile 1.7.2 -c -d 31 failed on this dump: "
                              + " / ".join(r.stderr.strip().splitlines()[-3:]))
        warn = [l.strip() for l in (r.stdout + r.stderr).splitlines()
                if any(w in l.lower() for w in ("not supported", "unsupported", "warning"))]
        if warn:
            self.notes.append("makedumpfile 1.7.2 said: " + " / ".join(warn[:3]))
        return dumps

    def manifest(self, dumps):
        recs = groundtruth.collect(self.lines)
        block_size, blocks = groundtruth.memory_blocks(recs)
        if getattr(self, "going_offline", None) is not None:
            for b in blocks:
                if b["id"] == self.going_offline:
                    b["state"] = "going-offline"
        present = sorted({b["phys_index"] + i for b in blocks
                          for i in range((b["end_pfn"] - b["start_pfn"]) // groundtruth.PAGES_PER_SECTION)})
        hotplug = [(d["start_pfn"], d["end_pfn"]) for d in self.guest_cfg["dimms"]]
        if self.guest_cfg["virtio_mem"]:
            v = self.guest_cfg["virtio_mem"]
            hotplug.append((v["start_pfn"], v["end_pfn"]))
        boot_sections = len([b for b in blocks
                             if not any(s <= b["start_pfn"] < e for s, e in hotplug)])
        pe = groundtruth.page_ext(recs, boot_sections, read_config(os.path.join(self.kdir, "config")))
        pe["invalidated_sections"] = self.invalidated
        if pe["page_ext_boot_bytes"] is not None:
            self.notes.append(f"page_ext_size = 'allocated N bytes of page_ext' ({pe['page_ext_boot_bytes']}) "
                              f"/ ({boot_sections} boot-time sections * {groundtruth.PAGES_PER_SECTION} pages)")
        hvo, why = groundtruth.hvo_by_order(recs)
        self.notes.append("hugetlb_folios[].hvo: " + why)
        folios = [{"pfn": p, "order": o, "hvo": hvo.get(o)} for p, o in groundtruth.kpf(recs, "huge")]
        gig = groundtruth.one(recs, "gigantic")
        return {
            "manifest_version": 1,
            "kernel": {"name": self.kernel, "release": groundtruth.one(recs, "release"),
                       "version": groundtruth.one(recs, "version"),
                       "cmdline": groundtruth.one(recs, "cmdline")},
            "scenario": self.scenario,
            "guest": self.guest_cfg,
            "dumps": dumps,
            "vmcoreinfo": self.vmcoreinfo,
            "memory_block_size": block_size,
            "memory_blocks": blocks,
            "present_sections": present,
            "offline_ranges": groundtruth.kpf(recs, "offline"),
            "offline_owner2_ranges": groundtruth.kpf(recs, "owner2"),
            "max_pfn": int(groundtruth.kpf(recs, "maxpfn")[0][0]) if groundtruth.kpf(recs, "maxpfn") else None,
            "page_ext": pe,
            "hugetlb_folios": folios,
            "hugepages": dict(v.split(" ", 1) for v in recs.get("hugepages", [])),
            "page_owner_samples": groundtruth.page_owner_samples(recs),
            "memhog_pfns": [[int(x) for x in v.split()[1:]] for v in recs.get("hog", [])],
            "gigantic_folio_pfn": int(gig) if gig else None,
            "stop_pc": hex(self.stop_pc) if self.stop_pc else None,
            "kernel_log": recs.get("dmesg", []),
            "timings": self.timings,
            "notes": self.notes,
        }

    def run(self):
        """Make the dump unless it is up to date; one run per dump at a time."""
        os.makedirs(os.path.dirname(self.final), exist_ok=True)
        with open(self.final + ".lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            self._run()

    def _run(self):
        total = time.monotonic()
        r = subprocess.run([os.path.join(VMCORES, "guest", "build-initramfs.sh"), self.kernel],
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise GuestError(f"initramfs for {self.kernel}: {r.stderr.strip()}")
        initrd = r.stdout.strip().splitlines()[-1]
        stamp = input_stamp(self.kdir, initrd, self.sc)
        try:
            with open(os.path.join(self.final, "stamp")) as f:
                if f.read().strip() == stamp and os.path.exists(os.path.join(self.final, "manifest.json")):
                    log(f"{self.kernel}/{self.scenario} is up to date")
                    return
        except OSError:
            pass
        shutil.rmtree(self.work, ignore_errors=True)
        os.makedirs(self.work)
        log(f"{self.kernel}/{self.scenario}: booting ({self.sc['memory_mib']} MiB guest)")
        g = self.boot(initrd)
        try:
            self.converse(g)
        finally:
            g.kill()
        recs = groundtruth.collect(self.lines)
        dumps = self.convert({"release": groundtruth.one(recs, "release"),
                              "version": groundtruth.one(recs, "version")})
        m = self.manifest(dumps)
        self.t("total_s", total)
        m["timings"] = self.timings
        with open(os.path.join(self.work, "manifest.json"), "w") as f:
            json.dump(m, f, indent=1)
        os.symlink(self.vmlinux, os.path.join(self.work, "vmlinux"))
        for junk in ("qmp.sock",):
            if os.path.exists(os.path.join(self.work, junk)):
                os.unlink(os.path.join(self.work, junk))
        with open(os.path.join(self.work, "stamp"), "w") as f:
            f.write(stamp + "\n")
        shutil.rmtree(self.final, ignore_errors=True)
        os.rename(self.work, self.final)
        log(f"{self.kernel}/{self.scenario}: done in {self.timings['total_s']} s "
            f"({', '.join(f'{k} {v}' for k, v in self.timings.items())})")


def make_all(table=scenarios.KERNEL_SCENARIOS):
    """Every (kernel, scenario) of `table` (scenarios.KERNEL_SCENARIOS, or
    ARM64_KERNEL_SCENARIOS); a failed one does not stop the others, but makes
    the exit status 1."""
    failed = []
    start = time.monotonic()
    for kernel, names in table.items():
        for scenario in names:
            try:
                Run(kernel, scenario).run()
            except (GuestError, RuntimeError, OSError) as e:
                log(f"{kernel}/{scenario} FAILED: {e}")
                failed.append(f"{kernel}/{scenario}")
    log(f"all dumps: {round(time.monotonic() - start)} s")
    if failed:
        sys.exit(f"vmcores: failed: {' '.join(failed)}")


def main():
    if sys.argv[1:] == ["--all"]:
        return make_all()
    if sys.argv[1:] == ["--all-arm64"]:
        return make_all(scenarios.ARM64_KERNEL_SCENARIOS)
    if len(sys.argv) != 3:
        sys.exit("usage: make_dump.py KERNEL SCENARIO | --all | --all-arm64")
    kernel, scenario = sys.argv[1:]
    table = dict(scenarios.KERNEL_SCENARIOS, **scenarios.ARM64_KERNEL_SCENARIOS)
    if scenario not in table.get(kernel, []):
        sys.exit(f"vmcores: scenario {scenario} is not made for kernel {kernel}")
    try:
        Run(kernel, scenario).run()
    except (GuestError, RuntimeError) as e:
        sys.exit(f"vmcores: {kernel}/{scenario} FAILED: {e}")


if __name__ == "__main__":
    main()
