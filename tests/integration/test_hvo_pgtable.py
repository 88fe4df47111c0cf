"""The Python binding's x86_64 page-table walk (memsect._memsect.vtop, the
drgn helpers' vtop) on synthetic tables served by a fake target, 4- and
5-level (every real test dump runs with 5-level paging, so the 4-level path
is pinned down here): PTE, 2 MiB PMD and 1 GiB PUD leaves, not-present
entries, and the same virtual address resolving differently by level count."""

import sys

from test_cli_common import REPO

sys.path.insert(0, str(REPO / "drgn_helpers"))
from memsect import _memsect  # noqa: E402

ROOT_VA = 0xFFFFFFFF82000000
P, RW, PSE, NX = 0x1, 0x2, 0x80, 1 << 63


class Tables:
    """Sparse page tables: the root by virtual address, the rest physical."""

    def __init__(self):
        self.mem = {}
        self.next_pa = 0x100000

    def table(self):
        pa, self.next_pa = self.next_pa, self.next_pa + 4096
        return pa

    def set(self, base, index, entry, physical=True):
        self.mem[(base + index * 8, physical)] = entry

    def entry(self, addr, physical):
        return self.mem.get((addr, physical), 0)


class Target:
    """The target callbacks the walk uses: the root symbol, VMCOREINFO's
    level count and reads of the tables (whole tables or single entries)."""

    def __init__(self, tables, levels):
        self.tables, self.levels = tables, levels

    def symbol(self, name):
        return ROOT_VA if name == "init_top_pgt" else None

    def vmcoreinfo(self, key):
        return str(int(self.levels == 5)) if key == "NUMBER(pgtable_l5_enabled)" else None

    def read(self, addr, size, physical):
        assert addr % 8 == 0 and size % 8 == 0
        return b"".join(self.tables.entry(a, physical).to_bytes(8, "little")
                        for a in range(addr, addr + size, 8))


def page_table_walk(tables, levels, va):
    return _memsect.vtop(Target(tables, levels), va)


def index(va, level):
    return (va >> (12 + 9 * (level - 1))) & 511


def build(levels, va, leaf_level, leaf_entry):
    t = Tables()
    base, physical = ROOT_VA, False
    for level in range(levels, leaf_level, -1):
        nxt = t.table()
        t.set(base, index(va, level), nxt | P | RW, physical)
        base, physical = nxt, True
    t.set(base, index(va, leaf_level), leaf_entry, physical)
    return t


VMEMMAP_4 = 0xFFFFEA0004001000  # 4-level vmemmap_base region
VMEMMAP_5 = 0xFFD1173CC4001000  # 5-level


def test_pte_leaf_both_depths():
    for levels, va in ((4, VMEMMAP_4), (5, VMEMMAP_5)):
        entry = 0x17DC00000 | P | NX | 0x160  # read-only alias
        t = build(levels, va, 1, entry)
        assert page_table_walk(t, levels, va + 0x40) == (0x17DC00040, entry, 1)


def test_pmd_and_pud_leaves():
    for levels, va in ((4, VMEMMAP_4), (5, VMEMMAP_5)):
        pmd = 0x140000000 | P | RW | PSE
        t = build(levels, va, 2, pmd)
        assert page_table_walk(t, levels, va) == (0x140000000 | (va & 0x1FFFFF), pmd, 2)
        pud = 0x40000000 | P | RW | PSE
        t = build(levels, va, 3, pud)
        assert page_table_walk(t, levels, va) == (0x40000000 | (va & 0x3FFFFFFF), pud, 3)


def test_not_present():
    t = build(4, VMEMMAP_4, 1, 0x17DC00000)  # leaf without _PAGE_PRESENT
    assert page_table_walk(t, 4, VMEMMAP_4) is None
    assert page_table_walk(Tables(), 5, VMEMMAP_5) is None


def test_level_count_matters():
    """Tables built for 4 levels do not resolve when walked as 5 (the top
    index comes from different address bits)."""
    t = build(4, VMEMMAP_4, 1, 0x17DC00000 | P)
    assert page_table_walk(t, 4, VMEMMAP_4) is not None
    assert page_table_walk(t, 5, VMEMMAP_4) is None
