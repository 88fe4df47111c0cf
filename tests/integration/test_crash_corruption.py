"""The crash extension on the corruption suite's mutated dumps: whatever is
broken in the dump, `memsect diagnose/sections/owner/hvo` end and the crash
session keeps answering (issue 12: a failed read never aborts the session).

The mutations are test_corruption.py's, made by corrupt.py on copies of the
same 6.12 ELF dumps.  The session runs in the mode the other crash tests
give the dump (test_crash_common.minimal_mode: --minimal with crash 8.0.2,
full mode with crash 9.0.2 under `make check-newest`); where the damage
keeps crash's own start-up from completing (a truncated file, a broken
mem_section array: crash reads them before the first prompt), always in
--minimal, and a cut file keeps the kernel image.  The last command proves the session alive: `sys` in full mode,
`rd -a linux_banner` in minimal mode.  The vmlinux with a forged build id
is tested with the CLI only (test_corruption.py)."""

import dataclasses

import pytest

import corrupt
from test_crash_common import CrashSession, minimal_mode

KERNEL = "6.12"
# `owner` for one pid: the scan still reads every page_ext entry, but only
# that pid's stacks are fetched (all of them take the extension ~40 s).
COMMANDS = [
    ("diagnose", "memsect diagnose --json"),
    ("sections", "memsect sections"),
    ("owner", "memsect owner --pid {pid} --json"),
    ("hvo", "memsect hvo --json"),
]


def truncated(keep):
    """The file cut to keep(size) bytes, or just past the kernel image where
    that lies beyond: crash itself stops before its first prompt when the
    image is cut (its read error, not the extension's)."""
    def build(o):
        size = o.dump.path.stat().st_size
        cut = max(keep(size), -(-o.kernel_image_end() // 4096) * 4096)
        assert cut < size, f"{o.dump.id}: the kernel image ends the file; no cut leaves it whole"
        return corrupt.Mutation(f"cut to {cut} of {size} bytes", []), cut
    return build


def semantic(build):
    return lambda o: (build(o), None)


def page_ext_pointer(value_of):
    def build(o):
        nr, _ = corrupt.sample_section(o)
        return corrupt.section_word(o, nr, "page_ext", value_of(o, nr))
    return semantic(build)


def unmapped_table(o, nr):
    return (corrupt.unmapped_kernel_address(o.mem)
            - o.page_ext_size * nr * o.pages_per_section)


def middle_section(o):
    present = o.dump.manifest["present_sections"]
    return present[len(present) // 2]


# name: (scenario, mutation builder, forced into --minimal)
CASES = {
    "cut-50%": ("midoffline", truncated(lambda size: size // 2), True),
    "cut-90%": ("balloon", truncated(lambda size: size * 9 // 10), True),
    # whether the analysis needs the last page is up to the boot: either
    # answer is fine, but a document must say the file is cut
    "cut-last-page": ("baseline", truncated(lambda size: size - 4096), True),
    "mem_section-root": ("baseline", semantic(corrupt.mem_section_root), True),
    "section_mem_map": ("baseline", semantic(lambda o: corrupt.section_word(
        o, middle_section(o), "section_mem_map", corrupt.ALL_ONES)), True),
    "memory_blocks-self-loop": ("baseline", semantic(corrupt.xarray_slot_self_loop), False),
    "page_ext-0x1000": ("pageowner", page_ext_pointer(lambda o, nr: 0x1000), False),
    "page_ext-unmapped": ("pageowner", page_ext_pointer(unmapped_table), False),
    **{f"page_ext_size-{v:#x}": ("pageowner", semantic(
        lambda o, v=v: corrupt.page_ext_size(o, v)), False)
       for v in (0, 8, 16, corrupt.ALL_ONES, 1 << 47)},
    "stack-pool-0": ("pageowner", semantic(corrupt.stack_pool), False),
    "handle-past-pools": ("pageowner", semantic(lambda o: corrupt.handle_past_pools(
        o, max(o.dump.manifest["page_owner_samples"], key=lambda s: s["pid"])["pfn"])), False),
    **{f"folio-order-{n}": ("hvo", semantic(
        lambda o, n=n: corrupt.folio_order(o, corrupt.hvo_folio(o, 9), n)), False)
       for n in (40, 63, 255)},
    "vmemmap-pte-self": ("hvo", semantic(lambda o: corrupt.vmemmap_pte_to_own_table(
        o, corrupt.hvo_folio(o, 9, pte_mapped=True))), False),
}


@pytest.fixture(scope="module")
def originals():
    cache = corrupt.Originals()
    yield cache
    cache.close()


@pytest.fixture(scope="module", params=sorted(CASES))
def session(request, originals, tmp_path_factory):
    scenario, build, minimal = CASES[request.param]
    orig = originals(KERNEL, scenario)
    mutation, length = build(orig)
    path = tmp_path_factory.mktemp("crash-corrupt") / f"{KERNEL}-{scenario}.elf"
    try:
        corrupt.mutated_copy(orig.dump.path, path, mutation.writes, length)
        dump = dataclasses.replace(orig.dump, path=path)
        minimal = minimal or minimal_mode(dump)
        alive = ("alive", "rd -a linux_banner" if minimal else "sys")
        # the pid of the page_owner sample the mutation broke, else init's
        pid = next((smp["pid"] for smp in orig.dump.manifest["page_owner_samples"]
                    if smp["pfn"] == mutation.facts.get("pfn")), 1)
        commands = [(n, c.format(pid=pid)) for n, c in COMMANDS]
        s = CrashSession(dump, commands + [alive], minimal=minimal)
    finally:
        path.unlink(missing_ok=True)
    return request.param, orig.dump, minimal, s


def test_session_survives(session):
    name, dump, minimal, s = session
    release = dump.manifest["kernel"]["release"]
    alive = s.out["alive"] or ""
    assert (release in alive) if minimal else (f"RELEASE: {release}" in alive), \
        f"{name}: the session stopped answering; it said:\n{s.stdout[-3000:]}"
    assert s.returncode == 0, s.stdout[-3000:]
    for cmd, _ in COMMANDS:
        assert s.out[cmd] is not None, f"{name}: memsect {cmd} did not run"


def test_extension_does_not_say_clean(session):
    """The extension's answer on a broken dump is one "memsect: " error
    line, or a document that is partial or has findings: diagnose's, or
    owner's / hvo's where the damage is theirs."""
    name, _, _, s = session
    cmd = ("owner" if name.startswith(("stack", "handle")) else
           "hvo" if name.startswith(("folio", "vmemmap")) else "diagnose")
    text = s.out[cmd] or ""
    lines = text.splitlines()
    if len(lines) == 1 and lines[0].startswith("memsect: "):
        return
    doc = s.json(cmd)
    assert doc["partial"] or doc.get("findings"), \
        f"{name}: memsect {cmd} gave a clean answer on a broken dump"
    if name.startswith("cut-"):
        assert doc["dump"]["truncated"] is True, doc["dump"]
        assert "DUMP_TRUNCATED" in {f["code"] for f in doc["findings"]}
