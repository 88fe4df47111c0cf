"""One QEMU guest under TCG: its command line, the control channel (the
guest's ttyS1 on QEMU's stdio) and QMP.  Every wait has a deadline; a guest
that hangs or dies raises GuestError with the last lines of its console."""

import json
import os
import select
import socket
import subprocess
import time


class GuestError(Exception):
    pass


class QMP:
    def __init__(self, path, timeout=30):
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                if time.monotonic() > deadline:
                    raise GuestError(f"QMP socket {path} did not come up")
                time.sleep(0.1)
        self.buf = b""
        self._read(timeout)  # greeting
        self.cmd("qmp_capabilities")

    def _read(self, timeout):
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise GuestError("QMP did not answer in time")
            self.sock.settimeout(left)
            chunk = self.sock.recv(65536)
            if not chunk:
                raise GuestError("QMP connection closed")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def cmd(self, name, timeout=120, **args):
        msg = {"execute": name}
        if args:
            msg["arguments"] = args
        self.sock.sendall(json.dumps(msg).encode() + b"\n")
        while True:
            reply = self._read(timeout)
            if "event" in reply:
                continue
            if "error" in reply:
                raise GuestError(f"QMP {name}: {reply['error'].get('desc')}")
            return reply.get("return")


class Guest:
    """A running guest.  `workdir` receives console.log and the QMP socket."""

    def __init__(self, kernel_dir, initrd, cmdline, memory, workdir, extra_args=(), gdb_port=None,
                 arch="x86_64"):
        self.workdir = workdir
        self.console = os.path.join(workdir, "console.log")
        qmp_path = os.path.join(workdir, "qmp.sock")
        if os.path.exists(qmp_path):
            os.unlink(qmp_path)
        if arch == "x86_64":
            args = ["qemu-system-x86_64", "-accel", "tcg", "-cpu", "max", "-machine", "q35",
                    "-kernel", os.path.join(kernel_dir, "bzImage")]
            # console on ttyS0, control channel on ttyS1
            serial = ["-serial", "chardev:con", "-serial", "chardev:ctl"]
        elif arch == "aarch64":
            # virt has one UART (ttyAMA0, the console): the control channel
            # is a virtio console (hvc0).  pauth-impdef: TCG's QARMA pointer
            # authentication is the slowest part of -cpu max.
            args = ["qemu-system-aarch64", "-accel", "tcg", "-cpu", "max,pauth-impdef=on",
                    "-machine", "virt", "-kernel", os.path.join(kernel_dir, "Image")]
            serial = ["-serial", "chardev:con", "-device", "virtio-serial-pci,id=vser0",
                      "-device", "virtconsole,chardev=ctl"]
        else:
            raise GuestError(f"no QEMU for architecture {arch}")
        args += [
            "-smp", "1", "-m", memory, "-nodefaults", "-display", "none", "-no-reboot",
            "-initrd", initrd, "-append", cmdline, "-device", "vmcoreinfo",
            "-chardev", f"file,id=con,path={self.console}",
            "-chardev", "stdio,id=ctl,signal=off"] + serial + [
            "-qmp", f"unix:{qmp_path},server=on,wait=off",
        ]
        if gdb_port:
            args += ["-gdb", f"tcp:127.0.0.1:{gdb_port}"]
        args += list(extra_args)
        self.args = args
        self.proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=open(os.path.join(workdir, "qemu.stderr"), "wb"))
        self.buf = b""
        self.qmp = QMP(qmp_path)

    def tail(self, n=25):
        try:
            with open(self.console, errors="replace") as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return "(no console log)"

    def fail(self, msg):
        self.kill()
        raise GuestError(f"{msg}\n--- last console lines ({self.console}) ---\n{self.tail()}")

    def readline(self, timeout, what):
        """The next line from the guest's control channel."""
        deadline = time.monotonic() + timeout
        fd = self.proc.stdout.fileno()
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                self.fail(f"guest timed out after {timeout} s waiting for {what}")
            ready, _, _ = select.select([fd], [], [], min(left, 1.0))
            if ready:
                chunk = os.read(fd, 65536)
                if not chunk:
                    self.fail(f"QEMU exited (status {self.proc.wait()}) while waiting for {what}")
                self.buf += chunk.replace(b"\r", b"")
        line, self.buf = self.buf.split(b"\n", 1)
        return line.decode(errors="replace")

    def answer(self, text):
        self.proc.stdin.write(text.encode() + b"\n")
        self.proc.stdin.flush()

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
