# SPDX-License-Identifier: LGPL-2.1-or-later
"""
HugeTLB Vmemmap Optimization
----------------------------

Every hugetlb folio with its ``HPG_vmemmap_optimized`` flag and what the
kernel page tables say about its vmemmap: which 4 KiB vmemmap pages map to
which physical frame, whether each leaf is writable, whether the PMD was
split.  Up to 7.0 HVO maps a folio's tail vmemmap pages read-only onto the
head's page ("fake heads" at every 64th tail); from 7.1 (``compound_info``,
"Eliminate fake head pages from vmemmap optimization") onto one tail page
shared by all folios of an order in a zone.

The struct page scan goes up in pfn order and skips a hugetlb folio's tails
by order, so fake heads are counted but never taken for folios.  Page tables
are read directly (x86_64, 4- and 5-level); the result mirrors the memsect
CLI's ``hvo`` JSON object field by field (:func:`hvo_report`).
"""

import array
from typing import Dict, Iterator, List, NamedTuple, Optional, Tuple

from drgn import FaultError, Object, Program

from .offline import read_section_pages
from .partial import new_errors, partial, record_invalid, record_read
from .sections import for_each_present_section, section_layout, section_mem_map
from .vmcoreinfo import vmcoreinfo_number

__all__ = (
    "HugetlbFolio",
    "VmemmapWalk",
    "for_each_hugetlb_folio",
    "hugetlb_heads_in_section",
    "hvo_report",
    "kernel_page_table_leaf",
    "page_table_walk",
    "vmemmap_aliases",
)

_VMEMMAP_PAGE = 4096
_PTE_PRESENT = 1
_PTE_RW = 1 << 1
_PTE_PSE = 1 << 7
_PTE_ADDR = 0x000FFFFFFFFFF000
_MAX_FRAMES = 8  # aliased frames listed per folio (MS_HVO_MAX_FRAMES)


class HugetlbFolio(NamedTuple):
    pfn: int
    order: int
    page: Object  # struct page * of the head
    flag: bool  # HPG_vmemmap_optimized in the head's private
    fake_heads: int  # PG_head struct pages seen inside its tails


class _Layout(NamedTuple):
    size: int
    flags: int
    page_type: int
    private: int
    pg_head: int
    flag_bit: Optional[int]
    detect: str
    test: Tuple  # detection parameters
    order_off: Optional[int]  # page[1].compound_order; None: page[1].flags & 0xff


def _enum(prog: Program, name: str) -> Optional[int]:
    try:
        return prog.constant(name).value_()
    except LookupError:
        return None


def _member_offset(prog: Program, name: str) -> Optional[int]:
    try:
        return prog.type("struct page").member(name).offset
    except LookupError:
        return None


def _layout(prog: Program) -> _Layout:
    try:
        return prog.cache["memsect_hvo_layout"]
    except KeyError:
        pass
    page = prog.type("struct page")
    flag_bit = _enum(prog, "HPG_vmemmap_optimized")
    pgty = _enum(prog, "PGTY_hugetlb")
    mapcount = vmcoreinfo_number(prog, "PAGE_HUGETLB_MAPCOUNT_VALUE")
    pg_hugetlb = _enum(prog, "PG_hugetlb")
    dtor_off = _member_offset(prog, "compound_dtor")
    if pgty is not None:
        # 6.12+: one PGTY_* value in the top byte of page_type.
        detect, test = "page_type PGTY_hugetlb", ("pgty", pgty & 0xFF)
    elif mapcount is not None:
        # 6.9-6.11 (d99e3140a4d3 "mm: turn folio_test_hugetlb into a
        # PageType"): inverted type bit under PAGE_TYPE_BASE.
        base = _enum(prog, "PAGE_TYPE_BASE")
        base = 0xF0000000 if base is None else base & 0xFFFFFFFF
        bit = ~mapcount & ~base & 0xFFFFFFFF
        detect, test = "page_type PG_hugetlb (inverted)", ("inverted", base, bit)
    elif pg_hugetlb is not None:
        # 6.6-6.8 ("mm: free up a word in the first tail page"): page[1].flags.
        detect, test = "page[1].flags PG_hugetlb", ("flag", pg_hugetlb)
    elif dtor_off is not None:
        # <= 6.5: page[1].compound_dtor == HUGETLB_PAGE_DTOR.
        dtor = vmcoreinfo_number(prog, "HUGETLB_PAGE_DTOR")
        if dtor is None:
            dtor = _enum(prog, "HUGETLB_PAGE_DTOR")
        if dtor is None:
            raise LookupError("HUGETLB_PAGE_DTOR is in neither VMCOREINFO nor the debug info")
        detect, test = "page[1].compound_dtor", ("dtor", dtor_off, dtor)
    else:
        raise LookupError("cannot tell how this kernel marks hugetlb folios")
    pg_head = _enum(prog, "PG_head")
    if pg_head is None:
        raise LookupError("PG_head is not in the debug info")
    try:
        type_off = page.member("page_type").offset
    except LookupError:
        type_off = page.member("_mapcount").offset
    layout = _Layout(
        page.size,
        page.member("flags").offset,
        type_off,
        page.member("private").offset,
        pg_head,
        flag_bit,
        detect,
        test,
        _member_offset(prog, "compound_order"),
    )
    prog.cache["memsect_hvo_layout"] = layout
    return layout


def _u(buf: bytes, off: int, size: int) -> int:
    return int.from_bytes(buf[off:off + size], "little")


def _is_hugetlb(L: _Layout, head: bytes, tail1: bytes) -> bool:
    kind = L.test[0]
    if kind == "pgty":
        return _u(head, L.page_type, 4) >> 24 == L.test[1]
    if kind == "inverted":
        base, bit = L.test[1], L.test[2]
        return _u(head, L.page_type, 4) & (base | bit) == base
    if kind == "flag":
        return bool((_u(tail1, L.flags, 8) >> L.test[1]) & 1)
    return tail1[L.test[1]] == L.test[2] & 0xFF


def _order(L: _Layout, tail1: bytes) -> int:
    if L.order_off is None:
        return _u(tail1, L.flags, 8) & 0xFF
    return tail1[L.order_off]


def hugetlb_heads_in_section(
    prog: Program, buf: bytes, base_pfn: int, mem_map: int
) -> List[Tuple[int, int, bytes]]:
    """
    The hugetlb folio heads among the struct pages *buf* of one section
    (first pfn *base_pfn*; *mem_map* the section's decoded mem_map), as
    (pfn, order, head struct page bytes).  A head must be aligned to its
    order, which rules out the fake heads HVO leaves at every 64th tail; an
    order above what any folio can have is recorded as invalid (once per
    section: its fake heads repeat it).  Raises
    LookupError when this kernel's hugetlb encoding is unknown.
    """
    L = _layout(prog)
    max_order = section_layout(prog).max_folio_order
    n = len(buf) // L.size
    words = array.array("Q")
    words.frombytes(buf[:n * L.size])
    flags = words[L.flags // 8::L.size // 8]
    out = []
    bad = set()  # (head, tail1) of invalid heads: HVO repeats them as fake heads
    for i in [i for i, f in enumerate(flags) if (f >> L.pg_head) & 1]:
        pfn = base_pfn + i
        head = buf[i * L.size:(i + 1) * L.size]
        if i + 1 < n:
            tail1 = buf[(i + 1) * L.size:(i + 2) * L.size]
        else:
            try:
                tail1 = prog.read((mem_map + (pfn + 1) * L.size) & 0xFFFFFFFFFFFFFFFF, L.size)
            except FaultError as e:
                record_read(prog, e.address, f"struct page of pfn {pfn + 1:#x} ({e.message})")
                continue
        if not _is_hugetlb(L, head, tail1):
            continue
        order = _order(L, tail1)
        if order > max_order:
            if (head, tail1) not in bad:
                bad.add((head, tail1))
                record_invalid(prog, (mem_map + (pfn + 1) * L.size) & 0xFFFFFFFFFFFFFFFF,
                               f"hugetlb folio pfn {pfn:#x}: order {order} in its first tail "
                               f"is not 1..{max_order}")
        elif order and not pfn & ((1 << order) - 1):
            out.append((pfn, order, head))
    return out


def for_each_hugetlb_folio(prog: Program) -> Iterator[HugetlbFolio]:
    """
    Iterate over every hugetlb folio in the memmap, in pfn order.

    How a hugetlb folio is recognised is probed from the debug info: the
    head's ``page_type`` (6.9+), ``PG_hugetlb`` in ``page[1].flags``
    (6.6-6.8) or ``page[1].compound_dtor`` (<= 6.5); the order comes from
    ``page[1].compound_order`` (<= 6.5) or the low byte of
    ``page[1].flags``.

    :return: Iterator of :class:`HugetlbFolio`; ``page`` is a
        ``struct page *``.
    """
    L = _layout(prog)
    per_section = 1 << section_layout(prog).pfn_section_shift
    words_per_page = L.size // 8
    page_type = prog.type("struct page *")
    pending: Optional[List] = None  # [pfn, order, page, flag, fake_heads]
    skip_until = 0
    for nr, section in for_each_present_section(prog):
        mem_map = section_mem_map(section, nr)
        if mem_map is None:
            continue
        buf, missing = read_section_pages(prog, nr, mem_map)
        base = nr * per_section
        good = [(pfn, order, head) for pfn, order, head in
                hugetlb_heads_in_section(prog, buf, base, mem_map)
                if not any(a <= pfn < b for a, b in missing)]
        if pending is not None and skip_until > base:
            # PG_head struct pages inside the open folio's tails: fake heads.
            words = array.array("Q")
            words.frombytes(buf)
            flags = words[L.flags // 8::words_per_page]
            end = min(skip_until, base + per_section) - base
            pending[4] += sum(1 for i in range(end) if (flags[i] >> L.pg_head) & 1
                              and base + i > pending[0])
        for pfn, order, head in good:
            if pfn < skip_until:
                continue
            if pending is not None:
                yield HugetlbFolio(*pending)
            vaddr = (mem_map + pfn * L.size) & 0xFFFFFFFFFFFFFFFF
            flag = L.flag_bit is not None and bool((_u(head, L.private, 8) >> L.flag_bit) & 1)
            pending = [pfn, order, Object(prog, page_type, value=vaddr), flag, 0]
            skip_until = pfn + (1 << order)
            words = array.array("Q")
            words.frombytes(buf)
            flags = words[L.flags // 8::words_per_page]
            end = min(skip_until, base + per_section) - base
            pending[4] += sum(1 for i in range(pfn - base + 1, end)
                              if (flags[i] >> L.pg_head) & 1)
    if pending is not None:
        yield HugetlbFolio(*pending)


def _root(prog: Program) -> Tuple[int, int]:
    """(virtual address of the top-level kernel page table, levels)."""
    try:
        return prog.cache["memsect_pgt_root"]
    except KeyError:
        pass
    # init_top_pgt since 4.13 (65ade2f872b4), init_level4_pgt before.
    for name in ("init_top_pgt", "init_level4_pgt"):
        try:
            root = prog.symbol(name).address
            break
        except LookupError:
            continue
    else:
        raise LookupError("neither init_top_pgt nor init_level4_pgt is in the symbol table")
    levels = 5 if vmcoreinfo_number(prog, "pgtable_l5_enabled") == 1 else 4
    prog.cache["memsect_pgt_root"] = (root, levels)
    return root, levels


def kernel_page_table_leaf(prog: Program, vaddr: int) -> Optional[Tuple[int, int, int]]:
    """
    Walk the x86_64 kernel page tables (``init_top_pgt``; 5 levels when
    VMCOREINFO ``NUMBER(pgtable_l5_enabled)`` is 1) for *vaddr*.

    :return: (physical address, leaf entry, level: 1 PTE, 2 PMD, 3 PUD), or
        None when *vaddr* is not mapped or a table cannot be read (recorded,
        :func:`memsect.dump_errors`).
    """
    root, levels = _root(prog)

    def read_entry(addr: int, physical: bool) -> int:
        return int.from_bytes(prog.read(addr, 8, physical), "little")

    try:
        return page_table_walk(read_entry, root, levels, vaddr)
    except FaultError as e:
        record_read(prog, e.address, f"page table entry for {vaddr:#x} ({e.message})")
        return None


def page_table_walk(read_entry, root: int, levels: int, vaddr: int) -> Optional[Tuple[int, int, int]]:
    """
    The x86_64 walk behind :func:`kernel_page_table_leaf`:
    ``read_entry(address, physical)`` returns the 8-byte entry at *address*
    (the top table is addressed virtually, the rest physically).

    :return: (physical address, leaf entry, level) or None if not present.
    """
    table, physical = root, False
    for level in range(levels, 0, -1):
        shift = 12 + 9 * (level - 1)
        slot = table + ((vaddr >> shift) & 511) * 8
        entry = read_entry(slot, physical)
        if not entry & _PTE_PRESENT:
            return None
        if level == 1 or (level <= 3 and entry & _PTE_PSE):
            size = 1 << shift
            pa = ((entry & _PTE_ADDR) & ~(size - 1)) | (vaddr & (size - 1))
            return pa, entry, level
        table, physical = entry & _PTE_ADDR, True
    return None


class VmemmapWalk(NamedTuple):
    frames: List[Optional[int]]  # frame of each 4 KiB vmemmap page; None unmapped
    entries: List[int]  # leaf entry of each (0 when unmapped)
    levels: List[int]
    scheme: str  # "none", "head-alias", "shared-tail", "mixed", "unknown"
    aliased_pages: int  # pages 1..N-1 whose frame another page also maps
    aliased_writable: int


def vmemmap_aliases(prog: Program, folio: HugetlbFolio) -> VmemmapWalk:
    """
    Translate every 4 KiB vmemmap page of *folio* through the page tables.

    ``scheme`` says how the tails are aliased: ``head-alias`` (up to 7.0:
    onto the head's frame, fake heads), ``shared-tail`` (7.1+: onto one
    frame that is not the head's), ``none``, ``mixed`` (several shared
    frames: no kernel does this) or ``unknown`` (some page is unmapped).
    """
    L = _layout(prog)
    head = folio.page.value_()
    n = -(-((1 << folio.order) * L.size) // _VMEMMAP_PAGE)
    frames: List[Optional[int]] = []
    entries: List[int] = []
    levels: List[int] = []
    for k in range(n):
        leaf = kernel_page_table_leaf(prog, head + k * _VMEMMAP_PAGE)
        if leaf is None:
            frames.append(None)
            entries.append(0)
            levels.append(0)
        else:
            frames.append(leaf[0] & ~(_VMEMMAP_PAGE - 1))
            entries.append(leaf[1])
            levels.append(leaf[2])
    count: Dict[int, int] = {}
    for f in frames:
        if f is not None:
            count[f] = count.get(f, 0) + 1
    aliased = [k for k in range(1, n) if frames[k] is not None and count[frames[k]] > 1]
    writable = sum(1 for k in aliased if entries[k] & _PTE_RW)
    tails = set(frames[1:])
    if None in frames:
        scheme = "unknown"
    elif not aliased:
        scheme = "none"
    elif len(tails) > 1:
        scheme = "mixed"
    elif frames[1] == frames[0]:
        scheme = "head-alias"
    else:
        scheme = "shared-tail"
    return VmemmapWalk(frames, entries, levels, scheme, len(aliased), writable)


def _node_spans(prog: Program) -> List[Tuple[int, int, int]]:
    """(start pfn, end pfn, nid) of every pgdat: node_data[] with NUMA,
    contig_page_data without."""
    try:
        pgdats = [prog["contig_page_data"].address_of_()]
    except KeyError:
        try:
            arr = prog["node_data"]
        except KeyError:
            return []
        pgdats = [p for p in arr if p.value_()]
    spans = []
    for p in pgdats:
        with partial(prog, "pglist_data", p.value_()):
            start = p.node_start_pfn.value_()
            spans.append((start, start + p.node_spanned_pages.value_(), p.node_id.value_()))
    return spans


def _hex(v: int) -> str:
    return f"0x{v:x}"


def hvo_report(prog: Program) -> Dict:
    """
    Return the memsect CLI's ``hvo`` JSON object (README, "hvo") for *prog*:
    every hugetlb folio with its flag, scheme, vmemmap frames and leaf
    entries, the frames several folios share, and how many struct pages a
    naive scan misreads.  What could not be read or failed a sanity check
    (the CLI's ``partial`` and ``errors``) is :func:`memsect.dump_errors`.
    """
    new_errors(prog)
    L = _layout(prog)
    per_page = _VMEMMAP_PAGE // L.size
    folios = []
    uses: Dict[int, List[Tuple[int, bool]]] = {}
    total_aliased = total_fake = 0
    walked = list(for_each_hugetlb_folio(prog))
    spans = _node_spans(prog) if walked else []
    for idx, f in enumerate(walked):
        w = vmemmap_aliases(prog, f)
        n = len(w.frames)
        head_frame = w.frames[0] or 0
        alias = w.scheme not in ("none",) and n > 1 and w.frames[1] is not None
        total_aliased += w.aliased_pages * per_page
        total_fake += f.fake_heads
        folios.append({
            "pfn": f.pfn,
            "order": f.order,
            "node": next((nid for a, b, nid in spans if a <= f.pfn < b), None),
            "flag": f.flag,
            "scheme": w.scheme,
            "head_vaddr": _hex(f.page.value_()),
            "vmemmap_pages": n,
            "pte_mapped": sum(1 for lv in w.levels if lv == 1),
            "pmd_split": all(lv == 1 for lv in w.levels),
            "unmapped": sum(1 for fr in w.frames if fr is None),
            "distinct_frames": len({fr for fr in w.frames if fr is not None}),
            "head_frame": _hex(head_frame),
            "head_pte": _hex(w.entries[0]),
            "head_level": w.levels[0],
            "head_writable": bool(w.entries[0] & _PTE_RW),
            "alias_frame": _hex(w.frames[1]) if alias else None,
            "alias_pte": _hex(w.entries[1]) if alias else None,
            "alias_level": w.levels[1] if alias else None,
            "alias_writable": bool(w.entries[1] & _PTE_RW) if alias else None,
            "aliased_pages": w.aliased_pages,
            "aliased_writable": w.aliased_writable,
            "aliased_struct_pages": w.aliased_pages * per_page,
            "fake_heads": f.fake_heads,
        })
        aliased: Dict[int, List[int]] = {}  # frame -> [first page, pages, writable]
        counts: Dict[int, int] = {}
        for fr in w.frames:
            if fr is not None:
                counts[fr] = counts.get(fr, 0) + 1
        for k, fr in enumerate(w.frames):
            if fr is None or counts[fr] < 2:
                continue
            if fr not in aliased:
                if len(aliased) == _MAX_FRAMES:
                    continue
                aliased[fr] = [k, 0, 0]
            aliased[fr][1] += 1
            aliased[fr][2] += bool(w.entries[k] & _PTE_RW)
        folios[-1]["aliased_frames"] = [
            {"frame": _hex(fr), "first_page": a[0], "pages": a[1], "writable": a[2]}
            for fr, a in aliased.items()]
        folios[-1]["aliased_frames_more"] = sum(1 for c in counts.values() if c > 1) - len(aliased)
        if w.scheme in ("none", "unknown"):
            continue
        uses.setdefault(head_frame, []).append((idx, True))
        if w.frames[1] != head_frame:
            uses.setdefault(w.frames[1], []).append((idx, False))
    shared = []
    for frame in sorted(uses):
        users = sorted(uses[frame])
        if len(users) < 2:
            continue
        head = any(h for _, h in users)
        differ = len({walked[i].order for i, _ in users}) > 1
        first = folios[users[0][0]]
        shared.append({
            "frame": _hex(frame),
            "folios": len(users),
            "first_pfn": first["pfn"],
            "second_pfn": folios[users[1][0]]["pfn"],
            "role": "head" if head else "tail",
            "orders_differ": differ,
            "expected": not head and not differ and first["scheme"] == "shared-tail",
        })
    return {
        "hugetlb_detect": L.detect,
        "flag_bit": L.flag_bit,
        "walked": True,
        "aliased_struct_pages": total_aliased,
        "fake_heads": total_fake,
        "folios": folios,
        "shared_frames": shared,
    }
