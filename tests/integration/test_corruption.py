"""The corruption suite: memsect on mutated copies of real dumps (issue 12,
"a bad dump is never read as clean").

Each test copies a real dump (a sparse copy under tmp_path, deleted when the
test ends), breaks it in one known way, and runs memsect on the copy.  The
class of outcome each mutation must give follows from what was done to the
file, never from memsect's own output:

- ``error``: exit 3, nothing on stdout, exactly one stderr line starting
  "memsect: " (the file cannot be used at all);
- ``partial``: exit 4, ``partial: true``, and the reason named in the errors
  list (a read that failed, or a value that failed a check);
- a named finding, at the place that was broken.

``clean`` (exit 0) is never right, and neither is an answer that invents
data: where part of the dump is still intact, the answer must still hold
it (the manifest's sections, blocks, folios and page_owner samples, and the
values drgn reads from the original dump).  Where to write, and what the
intact part is, comes from the original dump through drgn, the ELF program
headers and an independent page-table walk (corrupt.py).

One representative dump per kind of structure: the 6.12 dumps (the kernel
of the issue's reports), ELF for the semantic corruptions (a kernel address
has one file offset there); truncations on all three formats.  The crash
extension's side is test_crash_corruption.py.
"""

import contextlib
import json
import re

import pytest

import corrupt
from corrupt import need
from test_cli_common import THREADS, run, untimed

KERNEL = "6.12"
# x86_64, 4 KiB pages: the largest folio is PUD-sized (PUD_SHIFT 30 - PAGE_SHIFT 12).
MAX_FOLIO_ORDER = 18
TRUNCATED = r"truncat|past the end|end of (the )?file|short read"
SANITIZER = re.compile(r"AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:")


@contextlib.contextmanager
def copy_of(dump, tmp_path, writes=(), length=None):
    """A mutated sparse copy of ``dump``, removed on exit."""
    dst = tmp_path / f"{dump.kernel}-{dump.scenario}.{dump.fmt}"
    try:
        corrupt.mutated_copy(dump.path, dst, writes, length)
        yield dst
    finally:
        dst.unlink(missing_ok=True)


@pytest.fixture(scope="module")
def originals():
    """originals(scenario) -> corrupt.Original of the KERNEL's ELF dump."""
    cache = corrupt.Originals()
    yield lambda scenario, kernel=KERNEL: cache(kernel, scenario)
    cache.close()


# ---------------------------------------------------------------------------
# Outcomes

class Outcome:
    def __init__(self, args, p):
        self.args, self.p, self.rc = args, p, p.returncode
        self.doc = None
        if self.rc in (0, 1, 4):
            try:
                self.doc = json.loads(p.stdout)
            except ValueError:
                pass

    @property
    def cls(self):
        if SANITIZER.search(self.p.stderr):
            return "sanitizer report"
        if self.rc == 3:
            lines = self.p.stderr.splitlines()
            ok = len(lines) == 1 and lines[0].startswith("memsect: ") and self.p.stdout == ""
            return "error" if ok else "exit 3 without one error line"
        if self.rc not in (0, 1, 4):
            return f"exit {self.rc} (killed or crashed)"
        if self.doc is None:
            return "no JSON document"
        if self.rc == 0:
            return "clean"
        if self.rc == 4:
            return "partial" if self.doc.get("partial") else "exit 4 without partial"
        if self.doc.get("partial"):
            return "partial with exit 1"
        return "finding" if self.doc.get("findings") else "exit 1 without a finding"

    def errors(self):
        return self.doc.get("errors") or self.doc.get("read_errors") or []

    def findings(self, code=None, **place):
        return [f for f in self.doc.get("findings", [])
                if (code is None or f["code"] == code)
                and all(f["place"].get(k) == v for k, v in place.items())]

    def __str__(self):
        s = f"memsect {' '.join(map(str, self.args))}: {self.cls}, exit {self.rc}"
        if self.p.stderr:
            s += f"\nstderr: {self.p.stderr[-1500:]}"
        if self.doc is not None:
            s += (f"\npartial={self.doc.get('partial')} errors="
                  f"{[e['what'] for e in self.errors()][:4]}"
                  f" findings={[f['code'] for f in self.doc.get('findings', [])]}")
        return s


def memsect(command, path, vmlinux, *extra):
    """The command on reader threads unless @extra says --threads 1."""
    args = [command, "--json", path, vmlinux, *extra]
    if "--threads" not in extra:
        args += ["--threads", str(THREADS)]
    return Outcome(args, run(*args))


# Predicates on an outcome: None when it holds, else why not.

def error(o):
    return None if o.cls == "error" else "not a one-line error with exit 3"


def partial(reason=None, findings_count=False):
    """partial, its errors naming ``reason`` (a regex); with findings_count a
    finding's code or message may name it instead (a truncated file has no
    failed read when nothing past the cut was needed)."""
    def check(o):
        if o.cls != "partial":
            return "not partial with exit 4"
        if reason is None:
            return None
        texts = [e["what"] for e in o.errors()]
        if findings_count:
            texts += [f"{f['code']}: {f['message']}" for f in o.findings()]
        if any(re.search(reason, t, re.I) for t in texts):
            return None
        return f"no error entry names /{reason}/"
    return check


def finding(code, **place):
    def check(o):
        if o.rc not in (1, 4) or o.doc is None:
            return "no findings document with exit 1 or 4"
        return None if o.findings(code, **place) else f"no {code} finding at {place}"
    return check


def expect(o, *predicates):
    """At least one predicate holds; memsect never crashed or said clean."""
    why = [p(o) for p in predicates]
    assert None in why, f"{o}\nexpected: {'; or '.join(w for w in why if w)}"


# ---------------------------------------------------------------------------
# What an answer must still hold

def check_sections_kept(doc, orig, layout, cut=None, broken=()):
    """Every reported section is one the guest had, with the original
    section_mem_map word; every present section the damage did not reach
    (``broken``, or the file past ``cut``) is reported."""
    present = set(orig.dump.manifest["present_sections"])
    got = {s["nr"]: s for s in doc.get("sections", [])}
    assert set(got) <= present, f"sections the guest did not have: {sorted(set(got) - present)}"
    for nr, s in got.items():
        if nr not in broken:
            assert int(s["section_mem_map"], 16) == orig.section_word(nr, "section_mem_map"), nr
    want = {nr for nr in present - set(broken)
            if cut is None or corrupt.held_before(layout, orig.section_pieces(nr), cut)}
    assert want <= set(got), f"intact sections not reported: {sorted(want - set(got))}"


def check_offline_kept(doc, orig, layout, cut):
    """PageOffline ranges lie inside the guest's own (balloon: all memory
    online, so /proc/kpageflags saw every one); a section whose mem_section
    and struct pages are wholly before the cut keeps all of its pages."""
    want = orig.dump.manifest["offline_ranges"]
    got = [(r["start_pfn"], r["end_pfn"]) for r in doc["offline"]["ranges"]]
    for s, e in got:
        assert any(ws <= s and e <= we for ws, we in want), f"invented PageOffline range {s}-{e}"
    per = orig.pages_per_section
    for ws, we in want:
        for nr in range(ws // per, (we - 1) // per + 1):
            pieces = orig.section_pieces(nr) + orig.mem_map_pieces(nr)
            if not corrupt.held_before(layout, pieces, cut):
                continue
            lo, hi = max(ws, nr * per), min(we, (nr + 1) * per)
            covered = sum(max(0, min(hi, e) - max(lo, s)) for s, e in got)
            assert covered == hi - lo, f"section {nr}: PageOffline pfns {lo}-{hi} intact but not reported"


def check_samples_kept(doc, orig, skip_sections=(), stack=True):
    """The manifest's page_owner samples outside ``skip_sections`` come out
    as the guest's kernel printed them."""
    recs = {r["pfn"]: r for r in doc["records"]}
    kept = [s for s in orig.dump.manifest["page_owner_samples"]
            if orig.section_of(s["pfn"]) not in skip_sections]
    assert kept
    for s in kept:
        r = recs.get(s["pfn"])
        assert r, f"sample pfn {s['pfn']} lost"
        assert (r["order"], r["gfp_mask"], r["pid"], r["comm"], r["ts_nsec"]) == (
            s["order"], s["gfp_mask"], s["pid"], s["comm"], s["ts_nsec"]), s["pfn"]
        if stack:
            assert r["stack"][:len(s["stack"])] == s["stack"], s["pfn"]


# ---------------------------------------------------------------------------
# Truncations

def cut_point(layout, where):
    if isinstance(layout, corrupt.ElfCore):
        return {"elf-header": 40,
                "program-headers": layout.phoff + layout.phentsize * layout.phnum // 2,
                "notes": layout.note[0] + layout.note[1] // 2}[where]
    return {"kdump-header": 200,
            "sub-header": layout.block_size + 64,
            "bitmaps": layout.bitmaps_start + (layout.table - layout.bitmaps_start) * 3 // 4,
            "page-descriptors": layout.table + 24 * layout.ndesc // 2}[where]


HEADER_CUTS = ([("midoffline", "elf", w) for w in ("elf-header", "program-headers", "notes")]
               + [("balloon", f, w) for f in ("kdump", "d31")
                  for w in ("kdump-header", "sub-header", "bitmaps", "page-descriptors")])
# The reports: midoffline ELF at 50% ("0 present sections",
# partial false), balloon ELF at 75/90/97% (0 PageOffline pages, exit 0).
PAGE_DATA_CUTS = ([("midoffline", "elf", "sections", pct) for pct in (50, 75, 90, 97)]
                  + [("balloon", "elf", "offline", pct) for pct in (75, 90, 97)]
                  + [("balloon", f, "diagnose", pct) for f in ("kdump", "d31")
                     for pct in (50, 75, 90, 97)])


class TestTruncation:
    @pytest.mark.parametrize("scenario,fmt,where", HEADER_CUTS,
                             ids=[f"{s}-{f}-{w}" for s, f, w in HEADER_CUTS])
    def test_cut_inside_headers(self, scenario, fmt, where, tmp_path):
        """Cut inside what the file's headers announce before any page:
        one line, exit 3 (libkdumpfile SIGBUSed on kdump files)."""
        d = need(KERNEL, scenario, fmt)
        size = cut_point(corrupt.layout_of(d.path), where)
        with copy_of(d, tmp_path, length=size) as path:
            o = memsect("diagnose", path, d.vmlinux)
        expect(o, error)

    @pytest.mark.parametrize("scenario,fmt,command,pct", PAGE_DATA_CUTS,
                             ids=[f"{s}-{f}-{c}-{p}%" for s, f, c, p in PAGE_DATA_CUTS])
    def test_cut_inside_page_data(self, scenario, fmt, command, pct, tmp_path, originals):
        """Cut inside the page data: an error, or partial saying the file
        is truncated, keeping what lies before the cut."""
        d = need(KERNEL, scenario, fmt)
        size = d.path.stat().st_size * pct // 100
        with copy_of(d, tmp_path, length=size) as path:
            o = memsect(command, path, d.vmlinux)
            one = memsect(command, path, d.vmlinux, "--threads", "1")
        expect(o, error, partial(TRUNCATED, findings_count=True))
        # Reader threads record the failed reads as one thread does.
        assert untimed(one.doc) == untimed(o.doc)
        if o.cls != "partial":
            return
        orig, layout = originals(scenario), corrupt.layout_of(d.path)
        if command in ("sections", "diagnose"):
            check_sections_kept(o.doc, orig, layout, size)
        if command in ("offline", "diagnose"):
            check_offline_kept(o.doc, orig, layout, size)

    def test_empty_file(self, tmp_path):
        d = need(KERNEL, "baseline")
        (tmp_path / "empty").write_bytes(b"")
        expect(memsect("diagnose", tmp_path / "empty", d.vmlinux), error)

    def test_directory(self, tmp_path):
        d = need(KERNEL, "baseline")
        expect(memsect("diagnose", tmp_path, d.vmlinux), error)


# ---------------------------------------------------------------------------
# mem_section and memory_blocks

class TestSections:
    def test_root_pointer_all_ones(self, tmp_path, originals):
        """mem_section[0] = ~0: the sections under root 0 are unreadable."""
        orig = originals("baseline")
        m = corrupt.mem_section_root(orig)
        assert m.facts["lost_sections"]
        with copy_of(orig.dump, tmp_path, m.writes) as path:
            o = memsect("diagnose", path, orig.dump.vmlinux)
        expect(o, error, partial(r"mem_section|root"))
        if o.cls == "partial":
            check_sections_kept(o.doc, orig, None, broken=m.facts["lost_sections"])

    def test_section_mem_map_all_ones(self, tmp_path, originals):
        orig = originals("baseline")
        present = orig.dump.manifest["present_sections"]
        nr = present[len(present) // 2]
        m = corrupt.section_word(orig, nr, "section_mem_map", corrupt.ALL_ONES)
        with copy_of(orig.dump, tmp_path, m.writes) as path:
            o = memsect("diagnose", path, orig.dump.vmlinux)
        expect(o, partial(r"mem_map|struct page|section"))
        check_sections_kept(o.doc, orig, None, broken=[nr])

    def test_memory_blocks_slot_points_at_its_node(self, tmp_path, originals):
        """An xa_node slot pointing at its own node: the walk stops, the
        block behind the slot is missing and the list says it is incomplete;
        the node's other blocks are still there."""
        orig = originals("baseline")
        m = corrupt.xarray_slot_self_loop(orig, "memory_blocks")
        with copy_of(orig.dump, tmp_path, m.writes) as path:
            o = memsect("sections", path, orig.dump.vmlinux)
        expect(o, partial(r"xa|memory.block"))
        mb = o.doc["memory_blocks"]
        assert mb["complete"] is False
        ids = {b["id"] for b in mb["blocks"]}
        want = {b["id"] for b in orig.dump.manifest["memory_blocks"]} - {m.facts["lost_index"]}
        assert m.facts["lost_index"] not in ids
        assert want <= ids, f"blocks outside the loop lost: {sorted(want - ids)}"


# ---------------------------------------------------------------------------
# page_ext

PAGE_EXT_SIZES = [0, 8, 16, corrupt.ALL_ONES, 1 << 47]


def check_owner_without(o, orig, nr):
    """owner on a dump whose section nr lost its page_ext: partial, nothing
    from nr, every other sample intact."""
    expect(o, partial(r"page_ext|section"))
    assert not [r for r in o.doc["records"] if r["section"] == nr]
    check_samples_kept(o.doc, orig, skip_sections=[nr])


class TestPageExt:
    def test_pointer_to_user_address(self, tmp_path, originals):
        """page_ext = 0x1000: low addresses read fine in these dumps, but no
        page_ext allocator returns one."""
        orig = originals("pageowner")
        nr, pfns = corrupt.sample_section(orig)
        m = corrupt.section_word(orig, nr, "page_ext", 0x1000)
        with copy_of(orig.dump, tmp_path, m.writes) as path:
            diag = memsect("diagnose", path, orig.dump.vmlinux)
            own = memsect("owner", path, orig.dump.vmlinux)
            page = memsect("page", path, orig.dump.vmlinux, pfns[0])
        expect(diag, finding("PAGE_EXT_IMPLAUSIBLE", kind="section", section=nr))
        assert {s["nr"]: s for s in diag.doc["sections"]}[nr]["page_ext"]["state"] != "valid"
        check_owner_without(own, orig, nr)
        expect(page, error, partial())
        if page.doc:
            assert page.doc["pages"][0]["page_owner"] is None

    def test_pointer_unmapped(self, tmp_path, originals):
        """page_ext points (un-biased) at a kernel address the page tables
        do not map."""
        orig = originals("pageowner")
        nr, pfns = corrupt.sample_section(orig)
        table = corrupt.unmapped_kernel_address(orig.mem)
        raw = table - orig.page_ext_size * nr * orig.pages_per_section
        m = corrupt.section_word(orig, nr, "page_ext", raw)
        with copy_of(orig.dump, tmp_path, m.writes) as path:
            diag = memsect("diagnose", path, orig.dump.vmlinux)
            own = memsect("owner", path, orig.dump.vmlinux)
            page = memsect("page", path, orig.dump.vmlinux, pfns[0])
        expect(diag, finding("PAGE_EXT_UNREADABLE", kind="section", section=nr))
        f, = diag.findings("PAGE_EXT_UNREADABLE", section=nr)
        assert int(f["evidence"]["page_ext_table"], 16) == table
        check_owner_without(own, orig, nr)
        expect(page, error, partial())
        if page.doc:
            assert page.doc["pages"][0]["page_owner"] is None

    @pytest.mark.parametrize("value", PAGE_EXT_SIZES, ids=[f"{v:#x}" for v in PAGE_EXT_SIZES])
    def test_page_ext_size(self, value, tmp_path, originals):
        """page_ext_size no set of this kernel's enabled clients adds up to
        (page_owner is on in this dump): no table is located with it."""
        orig = originals("pageowner")
        assert value != orig.page_ext_size
        m = corrupt.page_ext_size(orig, value)
        pfn = orig.dump.manifest["page_owner_samples"][0]["pfn"]
        with copy_of(orig.dump, tmp_path, m.writes) as path:
            diag = memsect("diagnose", path, orig.dump.vmlinux)
            own = memsect("owner", path, orig.dump.vmlinux)
            page = memsect("page", path, orig.dump.vmlinux, pfn)
        expect(diag, partial(r"page_ext_size"))
        check_sections_kept(diag.doc, orig, None)
        for s in diag.doc["sections"]:       # no table located with the bad size
            pe = s["page_ext"]
            if pe["state"] == "valid" and pe["table"] is not None:
                truth = orig.section_word(s["nr"], "page_ext") + orig.page_ext_size * s["start_pfn"]
                assert int(pe["table"], 16) == truth, s["nr"]
        expect(own, error, partial(r"page_ext_size"))
        if own.doc:
            assert own.doc["records"] == []
        expect(page, error, partial())
        if page.doc:
            assert page.doc["pages"][0]["page_owner"] is None


# ---------------------------------------------------------------------------
# page_owner and the stack depot

class TestPageOwner:
    def test_stack_pool_all_ones(self, tmp_path, originals):
        """stack_pools[0] = ~0: the stacks in pool 0 are lost (not 64
        garbage frames each); every other pool's stacks are intact."""
        orig = originals("pageowner")
        m = corrupt.stack_pool(orig, 0, corrupt.ALL_ONES)
        with copy_of(orig.dump, tmp_path, m.writes) as path:
            o = memsect("owner", path, orig.dump.vmlinux)
        expect(o, partial(r"stack|pool|depot"))
        in_pool0 = [r for r in o.doc["records"]
                    if int(r["handle"], 16) and orig.handle_pool_index(int(r["handle"], 16)) == 0]
        assert in_pool0, "no record with a stack in pool 0"
        assert not [r["pfn"] for r in in_pool0 if r["stack"]], "stacks printed from a bad pool"
        check_samples_kept(o.doc, orig, stack=False)
        for s in orig.dump.manifest["page_owner_samples"]:
            handle = orig.prog.read_u32(orig.page_owner_addr(s["pfn"])
                                        + orig.offsetof("struct page_owner", "handle"))
            r = next(r for r in o.doc["records"] if r["pfn"] == s["pfn"])
            if orig.handle_pool_index(handle) != 0:
                assert r["stack"][:len(s["stack"])] == s["stack"], s["pfn"]

    def test_handle_past_pools_num(self, tmp_path, originals):
        """A handle naming the first pool past the depot's count: that
        record's stack is missing, and said so."""
        orig = originals("pageowner")
        pfn = orig.dump.manifest["page_owner_samples"][0]["pfn"]
        m = corrupt.handle_past_pools(orig, pfn)
        with copy_of(orig.dump, tmp_path, m.writes) as path:
            o = memsect("owner", path, orig.dump.vmlinux)
        expect(o, partial(r"handle|pool|stack"))
        r = next((r for r in o.doc["records"] if r["pfn"] == pfn), None)
        assert r is not None, "the record itself is intact and must be printed"
        assert not r["stack"]
        others = [s for s in orig.dump.manifest["page_owner_samples"] if s["pfn"] != pfn]
        recs = {r["pfn"]: r for r in o.doc["records"]}
        for s in others:
            assert recs[s["pfn"]]["stack"][:len(s["stack"])] == s["stack"], s["pfn"]


# ---------------------------------------------------------------------------
# hugetlb folios and their vmemmap

def check_folios_kept(o, orig, victim, bad_order=False):
    """Every other folio of the guest is reported as it was; the victim is
    listed, and with a bad order byte it carries no order but a problem."""
    folios = {f["pfn"]: f for f in o.doc["hvo"]["folios"]}
    assert all(f["order"] is None or f["order"] <= MAX_FOLIO_ORDER
               for f in folios.values()), [(f["pfn"], f["order"]) for f in folios.values()]
    if bad_order:
        assert folios[victim]["order"] is None and "order" in folios[victim]["problem"]
        assert [p for p, f in folios.items() if f["order"] is None] == [victim]
    for f in orig.dump.manifest["hugetlb_folios"]:
        if f["pfn"] != victim:
            assert folios.get(f["pfn"], {}).get("order") == f["order"], f


ORDERS = [40, 63, 255]


class TestHvo:
    @pytest.mark.parametrize("order", ORDERS)
    def test_folio_order_byte(self, order, tmp_path, originals):
        """A hugetlb folio whose order byte no folio can have: it does not
        vanish silently."""
        orig = originals("hvo")
        pfn = corrupt.hvo_folio(orig, 9)
        m = corrupt.folio_order(orig, pfn, order)
        with copy_of(orig.dump, tmp_path, m.writes) as path:
            o = memsect("hvo", path, orig.dump.vmlinux)
        expect(o, partial(r"order"), finding(None, kind="pfn_range", start_pfn=pfn))
        check_folios_kept(o, orig, pfn, bad_order=True)

    def test_vmemmap_pte_maps_its_own_table(self, tmp_path, originals):
        """The PTE of a folio's head vmemmap page points at its own page
        table: the head struct page reads as PTEs."""
        orig = originals("hvo")
        pfn = corrupt.hvo_folio(orig, 9, pte_mapped=True)
        m = corrupt.vmemmap_pte_to_own_table(orig, pfn)
        with copy_of(orig.dump, tmp_path, m.writes) as path:
            o = memsect("hvo", path, orig.dump.vmlinux)
        expect(o, partial(), finding(None, kind="pfn_range", start_pfn=pfn))
        check_folios_kept(o, orig, pfn)


# ---------------------------------------------------------------------------
# The debug info

class TestDebugInfo:
    def test_forged_build_id(self, tmp_path):
        """Another kernel's vmlinux with its build-id note forged to the
        dump's BUILD-ID: VMCOREINFO's SIZE()/OFFSET() values disagree with its
        DWARF, so it is refused."""
        d, other = need(KERNEL, "baseline"), need("6.1", "baseline")
        build_id = bytes.fromhex(d.manifest["vmcoreinfo"]["BUILD-ID"])
        off, n = corrupt.build_id_note_offset(other.vmlinux)
        assert n == len(build_id)
        forged = tmp_path / "vmlinux.forged"
        try:
            corrupt.mutated_copy(other.vmlinux, forged, [(off, build_id)])
            # the forged file's DWARF is the other build's own
            assert corrupt.debug_info_sizes(corrupt.open_drgn(other.path, other.vmlinux),
                                            d.manifest["vmcoreinfo"]), \
                "the two builds agree on every VMCOREINFO size and offset"
            for command in ("sections", "owner"):
                expect(memsect(command, d.path, forged), error)
        finally:
            forged.unlink(missing_ok=True)
