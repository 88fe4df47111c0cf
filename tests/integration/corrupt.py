"""Mutated copies of the real test dumps, for the corruption suite
(test_corruption.py, test_crash_corruption.py); no tests here.

A mutation is made on a copy, never on the cached dump: the copy keeps the
original's holes (the pipeline's ELF dumps are mostly holes), is cut short
for a truncation, or has a few bytes overwritten for a semantic corruption.
Where to write is found on the ORIGINAL dump, independently of memsect:
drgn (with the vmlinux's DWARF) gives the kernel addresses of the structures,
this module's own x86_64 page-table walk over the file turns them into
physical addresses, and the ELF PT_LOAD headers (or the kdump page
descriptors) turn those into file offsets.
"""

import errno
import itertools
import os
import struct
import sys
from dataclasses import dataclass, field
from pathlib import Path

import drgn
from drgn.helpers.linux.mm import pfn_to_page

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from dumps import all_dumps  # noqa: E402
from vmcores_readers import open_drgn  # noqa: E402  (puts vmcores/driver on sys.path)
from elfcore import kernel_image_range  # noqa: E402

PT_LOAD, PT_NOTE = 1, 4
PAGE_SIZE = 4096
START_KERNEL_MAP = 0xFFFFFFFF80000000
_PAGE_PRESENT, _PAGE_PSE = 0x1, 0x80
PTE_ADDR_MASK = 0x000FFFFFFFFFF000      # arch/x86 PTE_PFN_MASK, 52-bit physical
ALL_ONES = (1 << 64) - 1


# ---------------------------------------------------------------------------
# Copies

def copy_range(ifd, ofd, pos, n):
    """Bytes [pos, pos + n) from ifd to ofd: copy_file_range, or read and
    write where the two files are on different mounts (EXDEV: the sid
    chroot's /tmp and the bind-mounted cache)."""
    try:
        return os.copy_file_range(ifd, ofd, n, pos, pos)
    except OSError as e:
        if e.errno not in (errno.EXDEV, errno.ENOSYS, errno.EOPNOTSUPP):
            raise
    data = os.pread(ifd, min(n, 1 << 24), pos)
    return os.pwrite(ofd, data, pos) if data else 0


def copy_sparse(src, dst, length=None):
    """Copy the first ``length`` bytes of ``src`` (all by default) to
    ``dst``, data extents only (SEEK_DATA/SEEK_HOLE): the holes stay holes,
    so a copy of a 6 GiB ELF dump costs what it holds."""
    size = os.path.getsize(src)
    length = size if length is None else min(length, size)
    with open(src, "rb") as fi, open(dst, "wb") as fo:
        fo.truncate(length)
        ifd, ofd = fi.fileno(), fo.fileno()
        off = 0
        while off < length:
            try:
                data = os.lseek(ifd, off, os.SEEK_DATA)
            except OSError as e:
                if e.errno == errno.ENXIO:      # only a hole is left
                    break
                raise
            if data >= length:
                break
            end = min(os.lseek(ifd, data, os.SEEK_HOLE), length)
            pos = data
            while pos < end:
                n = copy_range(ifd, ofd, pos, end - pos)
                if n <= 0:
                    raise OSError(f"copying {src} -> {dst} at {pos}: {n} bytes")
                pos += n
            off = end
    return dst


def patch(path, writes):
    """Overwrite bytes of the copy at ``path``: ``writes`` is [(offset, bytes)]."""
    with open(path, "r+b") as f:
        for off, data in writes:
            f.seek(off)
            f.write(data)


def mutated_copy(src, dst, writes=(), length=None):
    copy_sparse(src, dst, length)
    patch(dst, writes)
    return dst


def u64(v):
    return struct.pack("<Q", v & ALL_ONES)


# ---------------------------------------------------------------------------
# File layouts

class ElfCore:
    """An ELF64 core file's headers: PT_LOAD physical/virtual ranges to file
    offsets, and the notes (VMCOREINFO)."""

    def __init__(self, path):
        with open(path, "rb") as f:
            eh = f.read(64)
            if eh[:4] != b"\x7fELF" or eh[4] != 2:
                raise ValueError(f"{path}: not an ELF64 file")
            self.phoff, = struct.unpack_from("<Q", eh, 0x20)
            self.phentsize, self.phnum = struct.unpack_from("<HH", eh, 0x36)
            f.seek(self.phoff)
            ph = f.read(self.phentsize * self.phnum)
            self.loads, self.note = [], None
            for i in range(self.phnum):
                p_type, _, off, vaddr, paddr, filesz = struct.unpack_from(
                    "<IIQQQQ", ph, i * self.phentsize)
                if p_type == PT_LOAD:
                    self.loads.append((off, vaddr, paddr, filesz))
                elif p_type == PT_NOTE:
                    self.note = (off, filesz)
            f.seek(self.note[0])
            self.note_data = f.read(self.note[1])
        self.size = os.path.getsize(path)

    @property
    def headers_end(self):
        return self.phoff + self.phentsize * self.phnum

    def phys_offset(self, pa, n=1):
        """File offset of physical [pa, pa + n), or None when the file does
        not hold all of it in one PT_LOAD."""
        for off, _, paddr, filesz in self.loads:
            if paddr <= pa and pa + n <= paddr + filesz:
                return off + pa - paddr
        return None

    def kimage_phys(self, va):
        """Physical address of a kernel-image address (the PT_LOADs with a
        virtual address)."""
        for _, vaddr, paddr, filesz in self.loads:
            if vaddr and vaddr <= va < vaddr + filesz:
                return paddr + va - vaddr
        return None

    def notes(self):
        data, out, off = self.note_data, [], 0
        while off + 12 <= len(data):
            namesz, descsz, ntype = struct.unpack_from("<III", data, off)
            off += 12
            name = data[off:off + namesz].rstrip(b"\0").decode(errors="replace")
            off += (namesz + 3) & ~3
            out.append((name, ntype, data[off:off + descsz]))
            off += (descsz + 3) & ~3
        return out


class KdumpFile:
    """The diskdump layout (makedumpfile's diskdump_mod.h): header block,
    sub-header blocks, two bitmaps (the second: pages in the file), one
    24-byte page descriptor {offset, size, flags, page_flags} per stored
    page, then the page data."""

    def __init__(self, path):
        with open(path, "rb") as f:
            h = f.read(464)
            if h[:8] not in (b"KDUMP   ", b"DISKDUMP"):
                raise ValueError(f"{path}: not a kdump-compressed file")
            self.block_size, self.sub_hdr_size, self.bitmap_blocks = struct.unpack_from("<iiI", h, 428)
            bs = self.block_size
            self.bitmaps_start = bs * (1 + self.sub_hdr_size)
            half = bs * self.bitmap_blocks // 2
            f.seek(self.bitmaps_start + half)
            self.bitmap = f.read(half)
            self.table = self.bitmaps_start + 2 * half
            # rank[i]: stored pages before byte i of the bitmap
            self.rank = [0, *itertools.accumulate(b.bit_count() for b in self.bitmap)]
            self.ndesc = self.rank[-1]
            self._f, self._desc = path, None
        self.size = os.path.getsize(path)

    @property
    def descriptors_end(self):
        return self.table + 24 * self.ndesc

    def page_end(self, pfn):
        """Where the stored data of ``pfn`` ends in the file, or None when
        the file does not hold the page."""
        byte, bit = pfn >> 3, pfn & 7
        if byte >= len(self.bitmap) or not (self.bitmap[byte] >> bit) & 1:
            return None
        idx = self.rank[byte] + (self.bitmap[byte] & ((1 << bit) - 1)).bit_count()
        if self._desc is None:
            with open(self._f, "rb") as f:
                f.seek(self.table)
                self._desc = f.read(24 * self.ndesc)
        off, size = struct.unpack_from("<QI", self._desc, 24 * idx)
        return off + size


def layout_of(path):
    """ElfCore or KdumpFile, by the file's magic."""
    with open(path, "rb") as f:
        head = f.read(8)
    return ElfCore(path) if head[:4] == b"\x7fELF" else KdumpFile(path)


def held_before(layout, pieces, cut):
    """Whether the file cut to ``cut`` bytes still holds every physical
    extent of ``pieces`` [(address, length)] (``layout`` of the whole file)."""
    for pa, n in pieces:
        if isinstance(layout, ElfCore):
            off = layout.phys_offset(pa, n)
            if off is None or off + n > cut:
                return False
            continue
        for pfn in range(pa >> 12, ((pa + n - 1) >> 12) + 1):
            end = layout.page_end(pfn)
            if end is None or end > cut:
                return False
    return True


# ---------------------------------------------------------------------------
# The original dump: physical reads and the page-table walk

class PhysMem:
    """Physical memory of an ORIGINAL ELF dump read straight from the file,
    and the x86_64 4/5-level walk of init_top_pgt over it."""

    def __init__(self, path, vmcoreinfo):
        self.path = path
        self.elf = ElfCore(path)
        self.levels = 5 if vmcoreinfo.get("NUMBER(pgtable_l5_enabled)") == "1" else 4
        top = int(vmcoreinfo["SYMBOL(init_top_pgt)"], 16)
        self.root = self.elf.kimage_phys(top)
        if self.root is None:
            phys_base = int(vmcoreinfo.get("NUMBER(phys_base)", "0"), 0)
            self.root = top - START_KERNEL_MAP + phys_base
        self._f = open(path, "rb")

    def close(self):
        self._f.close()

    def read(self, pa, n):
        off = self.elf.phys_offset(pa, n)
        if off is None:
            raise LookupError(f"physical {pa:#x}+{n} is not in {self.path}")
        self._f.seek(off)
        return self._f.read(n)

    def u64(self, pa):
        return struct.unpack("<Q", self.read(pa, 8))[0]

    def walk(self, va):
        """[(level, entry's physical address, entry)] from the top level
        down to the leaf, and the physical address of ``va`` (None when
        a level is not present)."""
        table, steps = self.root, []
        for level in range(self.levels, 0, -1):
            shift = 12 + 9 * (level - 1)
            entry_pa = table + ((va >> shift) & 511) * 8
            entry = self.u64(entry_pa)
            steps.append((level, entry_pa, entry))
            if not entry & _PAGE_PRESENT:
                return steps, None
            if level == 1 or (level in (2, 3) and entry & _PAGE_PSE):
                size = 1 << shift
                return steps, (entry & PTE_ADDR_MASK & ~(size - 1)) | (va & (size - 1))
            table = entry & PTE_ADDR_MASK
        raise AssertionError("unreachable")

    def phys(self, va):
        steps, pa = self.walk(va)
        if pa is None:
            raise LookupError(f"{va:#x} is not mapped in {self.path}")
        return pa

    def offset(self, va, n=8):
        """File offset of kernel virtual [va, va + n) (one page at most)."""
        assert (va & 4095) + n <= PAGE_SIZE, "crosses a page"
        off = self.elf.phys_offset(self.phys(va), n)
        if off is None:
            raise LookupError(f"{va:#x} is mapped but not in the file")
        return off

    def pieces(self, va, n=8):
        """The physical extents a reader touches to read kernel virtual
        [va, va + n): every page-table entry of the walks and the data,
        [(physical address, length)]."""
        out, end = [], va + n
        while va < end:
            steps, pa = self.walk(va)
            if pa is None:
                raise LookupError(f"{va:#x} is not mapped")
            size = 1 << (12 + 9 * (steps[-1][0] - 1))
            chunk = min(end, (va & ~(size - 1)) + size) - va
            out += [(p, 8) for _, p, _ in steps]
            out.append((pa, chunk))
            va += chunk
        return out


def is_mapped(mem, va):
    try:
        return mem.walk(va)[1] is not None
    except LookupError:
        return False


# ---------------------------------------------------------------------------
# Kernel structures, located with drgn on the original dump

class Original:
    """One ORIGINAL ELF dump opened with drgn, plus its file layout."""

    def __init__(self, dump):
        assert dump.fmt == "elf", dump.id
        self.dump = dump
        self.prog = open_drgn(dump.path, dump.vmlinux)
        self.mem = PhysMem(str(dump.path), dump.manifest["vmcoreinfo"])
        self.vmcoreinfo = dump.manifest["vmcoreinfo"]

    def close(self):
        self.mem.close()

    # -- types and symbols
    def sizeof(self, type_name):
        return drgn.sizeof(self.prog.type(type_name))

    def offsetof(self, type_name, member):
        return drgn.offsetof(self.prog.type(type_name), member)

    def has_member(self, type_name, member):
        try:
            self.offsetof(type_name, member)
            return True
        except LookupError:
            return False

    def symbol_exists(self, name):
        try:
            self.prog[name]
            return True
        except KeyError:
            return False

    def offset(self, va, n=8):
        return self.mem.offset(va, n)

    def write_u64(self, va, value):
        return [(self.offset(va, 8), u64(value))]

    def kernel_image_end(self):
        """File offset just past the kernel image (_text.._end): crash reads
        its variables before its first prompt, so a cut that keeps crash
        able to start lies past this.  Where KASLR puts the image
        physically differs from boot to boot.  _end from the vmlinux's
        symbol table plus VMCOREINFO's KERNELOFFSET (drgn releases differ in
        whether they relocate _end for KASLR)."""
        _, end = kernel_image_range(self.dump.vmlinux)
        last = end + int(self.vmcoreinfo.get("KERNELOFFSET", "0"), 16) - 1
        return self.mem.offset(last, 1) + 1

    # -- mem_section
    @property
    def sections_per_root(self):
        return PAGE_SIZE // self.sizeof("struct mem_section")

    @property
    def pages_per_section(self):
        return 1 << (int(self.vmcoreinfo["NUMBER(SECTION_SIZE_BITS)"]) - 12)

    def roots_array(self):
        """The mem_section root array (the pointer's value)."""
        return self.prog["mem_section"].value_()

    def root_entry(self, root):
        """Address of mem_section[root] (a pointer to a page of sections)."""
        return self.roots_array() + 8 * root

    def section_addr(self, nr):
        spr = self.sections_per_root
        root = self.prog.read_u64(self.root_entry(nr // spr))
        return root + (nr % spr) * self.sizeof("struct mem_section")

    def section_word(self, nr, member):
        return self.prog.read_u64(self.section_addr(nr) + self.offsetof("struct mem_section", member))

    def section_of(self, pfn):
        return pfn // self.pages_per_section

    def section_pieces(self, nr):
        """The physical pages a reader touches to read section nr's
        mem_section (its root array entry, the section itself, and the
        page tables on the way)."""
        spr = self.sections_per_root
        return (self.mem.pieces(self.root_entry(nr // spr), 8)
                + self.mem.pieces(self.section_addr(nr), self.sizeof("struct mem_section")))

    def mem_map_pieces(self, nr):
        """The physical extents of section nr's struct pages (its vmemmap)."""
        start = nr * self.pages_per_section
        return self.mem.pieces(self.page_addr(start),
                               self.pages_per_section * self.sizeof("struct page"))

    # -- page_ext
    @property
    def page_ext_size(self):
        return self.prog["page_ext_size"].value_()

    def page_ext_entry(self, pfn):
        """Address of pfn's page_ext entry (the section's pointer is biased
        by its start pfn, mm/page_ext.c)."""
        raw = self.section_word(self.section_of(pfn), "page_ext")
        assert raw and not raw & 1, f"pfn {pfn}: no usable page_ext table"
        return raw + self.page_ext_size * pfn

    def page_owner_addr(self, pfn):
        return self.page_ext_entry(pfn) + self.prog["page_owner_ops"].offset.value_()

    # -- stack depot
    def stack_pools_symbol(self):
        """stack_pools (6.3+) or stack_slabs (<= 6.2)."""
        return "stack_pools" if self.symbol_exists("stack_pools") else "stack_slabs"

    def pool_count(self):
        """(value, is_count): pools_num (6.8+, a count) or pool_index /
        depot_index (the last used index)."""
        for name, is_count in (("pools_num", True), ("pool_index", False), ("depot_index", False)):
            if self.symbol_exists(name):
                return self.prog[name].value_(), is_count
        raise LookupError("no stack depot pool counter")

    def handle_fields(self):
        """{name: (bit offset, bits)} of union handle_parts' bit fields."""
        t = self.prog.type("union handle_parts")
        out = {}
        for m in t.members:
            if m.name is None:          # the anonymous struct of bit fields
                for f in m.type.members:
                    out[f.name] = (m.bit_offset + f.bit_offset, f.bit_field_size)
        return out

    def handle_pool_index(self, handle):
        """The pool index a handle names (pool_index_plus_1 - 1 on 6.8+)."""
        fields = self.handle_fields()
        name = next(n for n in fields if "index" in n)
        off, bits = fields[name]
        v = (handle >> off) & ((1 << bits) - 1)
        return v - 1 if name.endswith("plus_1") else v

    def handle_with_pool(self, handle, index):
        fields = self.handle_fields()
        name = next(n for n in fields if "index" in n)
        off, bits = fields[name]
        v = index + 1 if name.endswith("plus_1") else index
        assert v < 1 << bits
        return (handle & ~(((1 << bits) - 1) << off)) | (v << off)

    # -- struct page
    def page_addr(self, pfn):
        return pfn_to_page(self.prog, pfn).value_()

    def order_location(self, head_pfn):
        """Address of a large folio's order byte: page[1].compound_order up
        to 6.5, the low byte of page[1].flags (folio->_flags_1) from 6.6."""
        tail1 = self.page_addr(head_pfn + 1)
        if self.has_member("struct page", "compound_order"):
            return tail1 + self.offsetof("struct page", "compound_order")
        return tail1 + self.offsetof("struct page", "flags")   # little-endian: low byte

    # -- xarray
    def xa_leaf_node(self, xa_name):
        """The xa_node holding index 0 of the xarray ``xa_name`` (a
        struct xarray variable): (node address, its slots' address)."""
        xa_node_internal = 2
        entry = self.prog[xa_name].xa_head.value_()
        assert entry & 3 == xa_node_internal and entry > 4096, f"{xa_name} has no node"
        while True:
            node = entry - xa_node_internal
            slots = node + self.offsetof("struct xa_node", "slots")
            if self.prog.read_u8(node + self.offsetof("struct xa_node", "shift")) == 0:
                return node, slots
            entry = self.prog.read_u64(slots)


def need(kernel, scenario, fmt="elf"):
    """The pipeline's dump KERNEL/SCENARIO/FMT; a missing one fails the test."""
    dumps = all_dumps(kernel=kernel, scenario=scenario, fmt=fmt)
    assert dumps, f"{kernel}/{scenario}/{fmt} was not made (make vmcores)"
    return dumps[0]


class Originals:
    """originals(kernel, scenario) -> Original of that ELF dump, opened with
    drgn once (a test module's fixture holds one per xdist worker)."""

    def __init__(self):
        self.cache = {}

    def __call__(self, kernel, scenario):
        if (kernel, scenario) not in self.cache:
            self.cache[kernel, scenario] = Original(need(kernel, scenario, "elf"))
        return self.cache[kernel, scenario]

    def close(self):
        for o in self.cache.values():
            o.close()


# ---------------------------------------------------------------------------
# Semantic mutations: where to write what, found on the original dump

@dataclass
class Mutation:
    """Bytes to write into a copy of the original (``writes``: [(file
    offset, bytes)]) and what the tests need to know about the victim."""
    name: str
    writes: list
    facts: dict = field(default_factory=dict)


def mem_section_root(o, value=ALL_ONES, root=0):
    """mem_section[root], the pointer to a page of struct mem_section."""
    spr = o.sections_per_root
    lost = [nr for nr in o.dump.manifest["present_sections"] if nr // spr == root]
    return Mutation(f"mem_section[{root}]={value:#x}", o.write_u64(o.root_entry(root), value),
                    {"root": root, "lost_sections": lost})


def section_word(o, nr, member, value):
    """One section's section_mem_map or page_ext word."""
    va = o.section_addr(nr) + o.offsetof("struct mem_section", member)
    return Mutation(f"section {nr} {member}={value:#x}", o.write_u64(va, value),
                    {"section": nr, "address": va,
                     "original": o.section_word(nr, member)})


def page_ext_size(o, value):
    va = o.prog["page_ext_size"].address_
    return Mutation(f"page_ext_size={value:#x}", o.write_u64(va, value),
                    {"address": va, "original": o.page_ext_size})


def stack_pool(o, index=0, value=ALL_ONES):
    """stack_pools[index] (stack_slabs[] before 6.3; on 7.x stack_pools is a
    pointer to a kvcalloc'ed array, the element is written there)."""
    name = o.stack_pools_symbol()
    va = o.prog[name][index].address_
    return Mutation(f"{name}[{index}]={value:#x}", o.write_u64(va, value),
                    {"symbol": name, "index": index, "address": va})


def handle_past_pools(o, pfn):
    """pfn's page_owner handle made to name the first pool past the
    depot's count (pools_num on 6.8+, the last used index before)."""
    va = o.page_owner_addr(pfn) + o.offsetof("struct page_owner", "handle")
    handle = o.prog.read_u32(va)
    assert handle, f"pfn {pfn} has no page_owner stack handle"
    count, is_count = o.pool_count()
    past = count if is_count else count + 1
    new = o.handle_with_pool(handle, past)
    return Mutation(f"pfn {pfn} handle pool {past}", [(o.offset(va, 4), struct.pack("<I", new))],
                    {"pfn": pfn, "handle": handle, "new_handle": new, "pool": past,
                     "pools": count})


def folio_order(o, head_pfn, order):
    va = o.order_location(head_pfn)
    return Mutation(f"folio {head_pfn} order={order}", [(o.offset(va, 1), bytes([order]))],
                    {"pfn": head_pfn, "order": order, "original": o.prog.read_u8(va)})


def vmemmap_pte_to_own_table(o, head_pfn):
    """The PTE mapping the vmemmap page of head_pfn's struct page made to
    map the page table that holds it."""
    va = o.page_addr(head_pfn)
    steps, _ = o.mem.walk(va)
    level, entry_pa, entry = steps[-1]
    assert level == 1, f"pfn {head_pfn}: struct page mapped at level {level}, not by a PTE"
    table = entry_pa & ~(PAGE_SIZE - 1)
    new = (entry & ~PTE_ADDR_MASK) | table
    off = o.mem.elf.phys_offset(entry_pa, 8)
    return Mutation(f"vmemmap PTE of pfn {head_pfn} -> its table", [(off, u64(new))],
                    {"pfn": head_pfn, "pte_address": entry_pa, "pte": entry, "new_pte": new})


def xarray_slot_self_loop(o, xa_name="memory_blocks"):
    """Slot 0 of the xa_node holding index 0 made to point at that node."""
    node, slots = o.xa_leaf_node(xa_name)
    return Mutation(f"{xa_name} node slot 0 -> itself", o.write_u64(slots, node | 2),
                    {"node": node, "lost_index": 0})


def page_ext_sections(o):
    """Present sections with a usable page_ext table (not NULL, not being
    invalidated), in section order."""
    out = []
    for nr in o.dump.manifest["present_sections"]:
        raw = o.section_word(nr, "page_ext")
        if raw and not raw & 1:
            out.append(nr)
    return out


def sample_section(o):
    """A section holding page_owner samples of the manifest, with samples in
    other sections too, and a usable page_ext table: (section, its sample
    pfns)."""
    usable = set(page_ext_sections(o))
    by_sec = {}
    for smp in o.dump.manifest["page_owner_samples"]:
        by_sec.setdefault(o.section_of(smp["pfn"]), []).append(smp["pfn"])
    for nr in sorted(by_sec, key=lambda n: -len(by_sec[n])):
        if nr in usable and len(by_sec) > 1:
            return nr, by_sec[nr]
    raise LookupError("no section with page_owner samples and a page_ext table")


def hvo_folio(o, order=9, pte_mapped=False):
    """The first manifest hugetlb folio of ``order`` with HVO applied (and,
    on request, whose head struct page is mapped by a PTE)."""
    for f in o.dump.manifest["hugetlb_folios"]:
        if f["order"] != order or not f["hvo"]:
            continue
        if pte_mapped and o.mem.walk(o.page_addr(f["pfn"]))[0][-1][0] != 1:
            continue
        return f["pfn"]
    raise LookupError(f"no HVO folio of order {order}" + (" mapped by PTEs" if pte_mapped else ""))


def unmapped_kernel_address(mem):
    """A kernel-half address that the dump's page tables do not map: the
    guard hole at the start of the kernel half (0xff00... with 5 levels,
    0xffff8000... with 4)."""
    base = 0xFF00000000000000 if mem.levels == 5 else 0xFFFF800000000000
    for k in range(1, 64):
        va = base + k * (1 << 21)
        if not is_mapped(mem, va):
            return va
    raise LookupError("no unmapped kernel address found")


# ---------------------------------------------------------------------------
# vmlinux build-id

NT_GNU_BUILD_ID = 3


def build_id_note_offset(vmlinux):
    """(file offset, length) of the descriptor of the vmlinux's GNU
    build-id note (its .note.gnu.build-id section; the PT_NOTE segment
    covers the same bytes)."""
    with open(vmlinux, "rb") as f:
        eh = f.read(64)
        shoff, = struct.unpack_from("<Q", eh, 0x28)
        shentsize, shnum = struct.unpack_from("<HH", eh, 0x3A)
        f.seek(shoff)
        sh = f.read(shentsize * shnum)
        for i in range(shnum):
            sh_type, = struct.unpack_from("<I", sh, i * shentsize + 4)
            off, size = struct.unpack_from("<QQ", sh, i * shentsize + 0x18)
            if sh_type != 7:            # SHT_NOTE
                continue
            f.seek(off)
            data = f.read(size)
            pos = 0
            while pos + 12 <= len(data):
                namesz, descsz, ntype = struct.unpack_from("<III", data, pos)
                name_at = pos + 12
                desc_at = name_at + ((namesz + 3) & ~3)
                if ntype == NT_GNU_BUILD_ID and data[name_at:name_at + namesz].rstrip(b"\0") == b"GNU":
                    return off + desc_at, descsz
                pos = desc_at + ((descsz + 3) & ~3)
    raise LookupError(f"{vmlinux}: no GNU build-id note")


def debug_info_sizes(prog, vmcoreinfo):
    """The VMCOREINFO SIZE(x) / OFFSET(x.y) keys whose value the debug info
    ``prog`` holds contradicts: {key: (vmcoreinfo value, debug info value)}.
    (drgn 0.3.0 uses a vmlinux only as a module of a program with a core.)"""
    out = {}
    for key, value in vmcoreinfo.items():
        try:
            if key.startswith("SIZE(") and key.endswith(")"):
                name = key[5:-1]
                t = None
                for kind in ("struct", "union", "", "enum"):
                    try:
                        t = prog.type(f"{kind} {name}".strip())
                        break
                    except LookupError:
                        continue
                if t is not None and drgn.sizeof(t) != int(value):
                    out[key] = (int(value), drgn.sizeof(t))
            elif key.startswith("OFFSET(") and key.endswith(")"):
                sname, _, member = key[7:-1].partition(".")
                t = prog.type(f"struct {sname}")
                got = drgn.offsetof(t, member)
                if got != int(value):
                    out[key] = (int(value), got)
        except (LookupError, ValueError, TypeError):
            continue
    return out


