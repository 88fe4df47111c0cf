"""bash completion (completion/memsect.bash) in a real bash: commands, each
command's options as its --help lists them, option values, files."""

import subprocess

from test_cli_common import MEMSECT, REPO

SCRIPT = REPO / "completion" / "memsect.bash"


def complete(*words, cwd=None):
    """COMPREPLY for the command line `memsect WORDS...` (the last word is
    the one being completed)."""
    line = " ".join(f"'{w}'" for w in ("memsect", *words))
    prog = (f"source '{SCRIPT}'\n"
            f"COMP_WORDS=({line}); COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1)); COMPREPLY=()\n"
            "_memsect; printf '%s\\n' \"${COMPREPLY[@]}\"\n")
    env = {"PATH": f"{MEMSECT.parent}:/usr/bin:/bin"}
    p = subprocess.run(["bash", "--norc", "--noprofile", "-c", prog], capture_output=True,
                       text=True, env=env, cwd=cwd, timeout=60)
    assert p.returncode == 0, p.stderr
    return [w for w in p.stdout.splitlines() if w]


def test_commands():
    assert complete("") == ["sections", "offline", "hvo", "diagnose", "owner", "page",
                            "batch", "batch-summary"]
    assert complete("di") == ["diagnose"]


def test_command_options():
    owner = complete("owner", "--")
    for opt in ("--json", "--pid", "--type", "--threads", "--debug-dir", "--no-vmlinux",
                "--help"):
        assert opt in owner
    assert len(owner) == len(set(owner))
    assert "--pid" not in complete("sections", "--")
    assert complete("owner", "--type", "") == ["allocated", "freed"]
    assert "--jobs" in complete("batch", "--")
    assert complete("batch", "--commands", "di") == ["diagnose"]


def test_files(tmp_path):
    (tmp_path / "vmcore.kdump").write_bytes(b"")
    (tmp_path / "dbg").mkdir()
    assert complete("diagnose", "vm", cwd=tmp_path) == ["vmcore.kdump"]
    assert complete("diagnose", "--debug-dir", "", cwd=tmp_path) == ["dbg"]
