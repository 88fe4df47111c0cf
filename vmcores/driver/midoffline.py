"""midoffline: hold the vCPU inside offline_page_ext() after the block's
sections were invalidated (__invalidate_page_ext sets PAGE_EXT_INVALID, bit 0
of mem_section.page_ext) and before __free_page_ext() clears them, read those
mem_section entries through the QEMU gdbstub as ground truth, and let the
caller dump while the vCPU is held.

The breakpoint is a hardware breakpoint on the `call synchronize_rcu` that
separates the two loops (b1d5488a252d, v6.1); it is found by disassembling
offline_page_ext, or page_ext_callback where offline_page_ext is inlined.
The guest runs with nokaslr so that vmlinux addresses are the run-time ones."""

import os
import re
import socket
import subprocess
import time

from qemu import GuestError

SECTIONS_PER_ROOT = 4096 // 32   # PAGE_SIZE / sizeof(struct mem_section) with page_ext


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def breakpoint_addresses(vmlinux):
    """Addresses of `call synchronize_rcu` in offline_page_ext (or the function
    it is inlined into)."""
    for fn in ("offline_page_ext", "page_ext_callback"):
        r = subprocess.run(["gdb", "-q", "-nx", "-batch", "-ex", f"disassemble {fn}", vmlinux],
                           capture_output=True, text=True, timeout=300)
        calls = re.findall(r"^\s*(0x[0-9a-f]+) <\+\d+>:\s+call\s+0x[0-9a-f]+ <synchronize_rcu>",
                           r.stdout, re.M)
        if calls:
            return fn, [int(c, 16) for c in calls]
    raise GuestError(f"{vmlinux}: no call to synchronize_rcu in offline_page_ext/page_ext_callback")


class Stop:
    """A gdb in batch mode attached to the guest, waiting at the breakpoint."""

    def __init__(self, vmlinux, port, sections, workdir):
        self.fn, addrs = breakpoint_addresses(vmlinux)
        self.addrs = addrs
        self.sections = sections
        self.done = os.path.join(workdir, "gdb.done")
        self.out = os.path.join(workdir, "gdb.log")
        cmds = ["set pagination off", "set confirm off", f"target remote 127.0.0.1:{port}"]
        cmds += [f"hbreak *{a:#x}" for a in addrs]
        cmds += ["echo @armed\\n", "continue", "echo @hit\\n", "print/x $pc"]
        for nr in sections:
            ms = f"mem_section[{nr // SECTIONS_PER_ROOT}][{nr % SECTIONS_PER_ROOT}]"
            cmds.append(f"printf \"@section {nr} %#lx %#lx\\n\", "
                        f"(unsigned long){ms}.page_ext, {ms}.section_mem_map")
        cmds += [f"shell while [ ! -e {self.done} ]; do sleep 0.2; done", "kill"]
        args = ["gdb", "-q", "-nx", "-batch"]
        for c in cmds:
            args += ["-ex", c]
        args.append(vmlinux)
        self.log = open(self.out, "w")
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT)

    def _wait_for(self, marker, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with open(self.out) as f:
                text = f.read()
            if marker in text:
                return text
            if self.proc.poll() is not None:
                raise GuestError(f"gdb exited before {marker}:\n{text[-2000:]}")
            time.sleep(0.2)
        raise GuestError(f"gdb: no {marker} within {timeout} s (see {self.out})")

    def armed(self, timeout=300):
        self._wait_for("@armed", timeout)

    def hit(self, timeout=300):
        """Wait for the breakpoint; return the invalidated-section records."""
        text = self._wait_for("@hit", timeout)
        deadline = time.monotonic() + 120
        while text.count("@section ") < len(self.sections):
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise GuestError(f"gdb did not print every mem_section entry:\n{text[-2000:]}")
            time.sleep(0.2)
            with open(self.out) as f:
                text = f.read()
        recs = []
        for m in re.finditer(r"^@section (\d+) (0x[0-9a-f]+|0) (0x[0-9a-f]+|0)$", text, re.M):
            recs.append({"nr": int(m.group(1)), "page_ext_raw": hex(int(m.group(2), 16)),
                         "section_mem_map_raw": hex(int(m.group(3), 16))})
        pc = re.search(r"^\$1 = (0x[0-9a-f]+)", text, re.M)
        return recs, (int(pc.group(1), 16) if pc else None)

    def release(self):
        open(self.done, "w").close()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()
