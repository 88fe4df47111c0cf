"""`memsect batch --shard K/N` spread over "hosts" by GNU parallel, as the
README's recipe does: an sshd started here on 127.0.0.1 (its own config,
host key and user key under the test's tmp dir, a free port) serves two
ssh logins that stand for two machines; parallel runs shard 1/2 on one and
2/2 on the other and gathers their lines.  The merged output must equal the
local `memsect batch` over the same list, line for line, timings aside."""

import json
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

from test_cli_common import MEMSECT, all_dumps, env

SSHD = Path("/usr/sbin/sshd")
DUMPS = [d for d in all_dumps() if d.fmt == "kdump" and d.scenario == "baseline"]
TIMING = ("seconds", "scan_seconds", "pages_per_second")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def hosts(tmp_path_factory):
    """An ssh config naming two logins, h1 and h2, on a private sshd."""
    assert SSHD.exists() and shutil.which("parallel"), "install-deps installs openssh-server, parallel"
    root = tmp_path_factory.mktemp("sshd")
    os.chmod(root, 0o700)
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", root / "host_key"],
                   check=True)
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", root / "user_key"],
                   check=True)
    shutil.copyfile(root / "user_key.pub", root / "authorized_keys")
    port = free_port()
    (root / "sshd_config").write_text(
        f"Port {port}\nListenAddress 127.0.0.1\nHostKey {root / 'host_key'}\n"
        f"AuthorizedKeysFile {root / 'authorized_keys'}\nPidFile {root / 'sshd.pid'}\n"
        "PasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\n"
        "PermitRootLogin prohibit-password\nStrictModes no\n")
    Path("/run/sshd").mkdir(exist_ok=True)   # sshd's privilege separation directory
    sshd = subprocess.Popen([str(SSHD), "-D", "-f", str(root / "sshd_config"),
                             "-E", str(root / "sshd.log")])
    config = root / "ssh_config"
    config.write_text("".join(
        f"Host {h}\n  HostName 127.0.0.1\n  Port {port}\n  User {os.environ.get('USER', 'root')}\n"
        f"  IdentityFile {root / 'user_key'}\n  IdentitiesOnly yes\n  BatchMode yes\n"
        "  StrictHostKeyChecking no\n  UserKnownHostsFile /dev/null\n  LogLevel ERROR\n"
        for h in ("h1", "h2")))
    try:
        deadline = time.monotonic() + 30
        while subprocess.run(["ssh", "-F", config, "h1", "true"],
                             capture_output=True).returncode:
            assert sshd.poll() is None and time.monotonic() < deadline, \
                (root / "sshd.log").read_text() if (root / "sshd.log").exists() else "sshd died"
            time.sleep(0.5)
        yield config
    finally:
        sshd.terminate()
        sshd.wait(timeout=30)


def comparable(text):
    """Lines keyed by path, without what each run measures."""
    out = {}
    for line in text.splitlines():
        doc = json.loads(line)
        doc.pop("seconds")
        for rep in doc["report"].values():
            rep["stats"] = {k: v for k, v in rep["stats"].items() if k not in TIMING}
        out[doc["dump"]["path"]] = doc
    return out


def test_parallel_shards_equal_local_batch(hosts, tmp_path):
    listing = tmp_path / "list"
    broken = tmp_path / "empty"
    broken.write_bytes(b"")
    listing.write_text("".join(f"{p}\n" for p in [*(d.path for d in DUMPS), broken]))
    common = ["batch", "--commands", "sections", "--no-default-debug-dirs", "--no-vmlinux",
              "--from", str(listing)]
    local = subprocess.run([str(MEMSECT), *common], capture_output=True, text=True,
                           env=env(), timeout=1800)
    assert local.returncode == 3, local.stderr       # the empty file
    logins = tmp_path / "logins"
    logins.write_text("1/h1\n1/h2\n")
    # the remote shell gets no environment of ours: what the binary needs is
    # on its command line (the ASan build's leak suppressions)
    prefix = [f"LSAN_OPTIONS={env().get('LSAN_OPTIONS', '')}"] if env().get("LSAN_OPTIONS") else []
    p = subprocess.run(["parallel", "--will-cite", "--sshloginfile", str(logins),
                        "--ssh", f"ssh -F {hosts}", "-j1", *prefix, str(MEMSECT), *common,
                        "--shard", "{}/2", ":::", "1", "2"],
                       capture_output=True, text=True, timeout=1800)
    # parallel's status: how many jobs failed (each shard holds a dump or the empty file)
    assert p.returncode in (0, 1, 2), p.stderr
    assert comparable(p.stdout) == comparable(local.stdout)
    assert len(p.stdout.splitlines()) == len(DUMPS) + 1
