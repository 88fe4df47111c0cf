"""Open the vmcores pipeline's dumps with the reference readers (drgn,
libkdumpfile, crash: bookworm's 0.0.22/0.5.1/8.0.2 or sid's 0.3.0/0.5.6/9.0.2)
and read kernel state with them directly — never through memsect — so that
manifest facts can be checked independently."""

import os
import subprocess
import sys

import drgn
import kdumpfile
from drgn.helpers.linux.mm import pfn_to_page

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, "vmcores", "driver"))
from scenarios import KERNEL_SCENARIOS  # noqa: E402

FORMATS = ("elf", "kdump", "d31")
PAGES_PER_SECTION = 1 << 15
SECTION_MARKED_PRESENT = 1 << 0
SECTION_IS_ONLINE = 1 << 2
PAGE_EXT_INVALID = 1
HPG_vmemmap_optimized = 4        # enum hugetlb_page_flags, 5.14+
# The kernels whose dumps crash opens in full mode; --minimal on the rest.
# crash 8.0.2 (the host's) manages only 6.1; crash 9.0.2 (make check-newest,
# tests/newest/in-chroot.sh) 6.12 and 7.3 too, named in the environment.
CRASH_FULL_MODE_KERNELS = tuple(
    os.environ.get("MEMSECT_CRASH_FULL_KERNELS", "stock-6.1 6.1").split())


def crash_full_mode(kernel, fmt):
    """Whether the tests open this dump in crash's full mode.  Not the
    makedumpfile -d 31 dumps of kernels after 6.1: makedumpfile 1.7.2 predates
    their page-type encodings and leaves out live slab pages (on 6.12 the
    xa_nodes of init_pid_ns.idr, on 7.3 those of memory_blocks too), so
    crash 9.0.2's task table stays incomplete ("cannot read pid struct from
    xarray") or crash exits while it gathers it."""
    return kernel in CRASH_FULL_MODE_KERNELS and (fmt != "d31" or kernel in ("stock-6.1", "6.1"))


def expected_dumps():
    """(kernel, scenario, fmt) of every dump `make vmcores` must have made."""
    return [(k, s, f) for k, names in KERNEL_SCENARIOS.items() for s in names for f in FORMATS]


def open_drgn(path, vmlinux):
    prog = drgn.Program()
    prog.set_core_dump(str(path))
    prog.load_debug_info([str(vmlinux)])
    return prog


# Two Python bindings answer to `import kdumpfile`: libkdumpfile 0.5.1's own
# (bookworm: class kdumpfile, KDUMP_* constants, NoDataException) and
# pykdumpfile, packaged apart from the library (sid: 0.5.5.1; class Context,
# KVADDR, NoDataError).
if hasattr(kdumpfile, "Context"):
    KDUMP_KVADDR, KDUMP_KPHYSADDR = kdumpfile.KVADDR, kdumpfile.KPHYSADDR
    KdumpNoData = kdumpfile.NoDataError

    def _kdump_context(path):
        k = kdumpfile.Context()
        k.open(path)
        return k
else:
    KDUMP_KVADDR, KDUMP_KPHYSADDR = kdumpfile.KDUMP_KVADDR, kdumpfile.KDUMP_KPHYSADDR
    KdumpNoData = kdumpfile.exceptions.NoDataException
    _kdump_context = kdumpfile.kdumpfile


def open_kdumpfile(path):
    k = _kdump_context(str(path))
    # 5-level paging: libkdumpfile 0.5.1 needs the OS type before the first read
    k.attr["addrxlat.ostype"] = "linux"
    return k


def kdumpfile_read_release(k, vmcoreinfo):
    """init_uts_ns.name.release through libkdumpfile's own address translation."""
    uts = int(vmcoreinfo["SYMBOL(init_uts_ns)"], 16) + int(vmcoreinfo["OFFSET(uts_namespace.name)"])
    raw = bytes(k.read(KDUMP_KVADDR, uts + 2 * 65, 65))
    return raw.split(b"\0")[0].decode()


def kernel_has_modules(vmlinux):
    """CONFIG_MODULES=y in the .config kept beside the kernel's vmlinux."""
    config = os.path.join(os.path.dirname(os.path.realpath(vmlinux)), "config")
    with open(config) as f:
        return "CONFIG_MODULES=y\n" in f


def crash_args(vmlinux, vmcoreinfo, minimal=False):
    """crash's options for a pipeline dump: batch mode, --minimal on request,
    --kaslr from VMCOREINFO KERNELOFFSET, and --no_modules on the fixture
    kernels, which have no CONFIG_MODULES.  crash (8.0.2 and 9.0.2, defs.h)
    gives KALLSYMS_V2 and KMOD_V2 the same kt->flags bit (0x2000): where the
    DWARF describes struct module with core_kallsyms (our 7.3 build does,
    6.1 and 6.12 do not), kernel_init() sets KALLSYMS_V2, module_init() then
    takes it for KMOD_V2 and stops with 'cannot resolve: "modules"'.
    --no_modules makes module_init() return before that."""
    args = ["crash", "-s"]
    if minimal:
        args.append("--minimal")
    koff = int(vmcoreinfo.get("KERNELOFFSET", "0"), 16)
    if koff:
        args.append(f"--kaslr={koff:#x}")
    if not kernel_has_modules(vmlinux):
        args.append("--no_modules")
    return args


def crash_run(path, vmlinux, vmcoreinfo, commands, timeout=600):
    """Run crash in batch mode, in full mode; return its output."""
    script = path.parent / f".crash-{path.name}.in"
    script.write_text("\n".join(commands + ["quit"]) + "\n")
    args = crash_args(vmlinux, vmcoreinfo) + [str(vmlinux), str(path), "-i", str(script)]
    try:
        r = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
    finally:
        script.unlink()
    return r.stdout + r.stderr


# crash's command for every memory block's state: its own xarray walk of
# memory_blocks (5.9+), each member printed by gdb from the DWARF type.
CRASH_MEMORY_BLOCK_STATES = "tree -t xarray -s memory_block.state,start_section_nr memory_blocks"
# include/linux/memory.h up to 6.1: unsigned long state, MEM_* (1<<n) defines.
MEM_STATE_DEFINES = {1: "ONLINE", 2: "GOING_OFFLINE", 4: "OFFLINE", 8: "GOING_ONLINE",
                     16: "CANCEL_ONLINE", 32: "CANCEL_OFFLINE"}


def crash_memory_block_states(out, memory_block_size):
    """{name: STATE} from CRASH_MEMORY_BLOCK_STATES: gdb prints an enum
    memory_block_state (6.12.117, 7.x) by enumerator name, the older
    unsigned long as a number."""
    blocks, state = {}, None
    per_block = memory_block_size >> 27           # x86_64 SECTION_SIZE_BITS
    for line in out.splitlines():
        line = line.strip().rstrip(",")
        if line.startswith("state = "):
            v = line.split(" = ", 1)[1]
            state = MEM_STATE_DEFINES.get(int(v)) if v.isdigit() else v.removeprefix("MEM_")
        elif line.startswith("start_section_nr = "):
            blocks[f"memory{int(line.split(' = ', 1)[1]) // per_block}"] = state
    return blocks


def crash_memory_blocks(out):
    """{name: STATE} from the MEM_BLOCK table of `kmem -n`.  crash (8.0.2,
    9.0.2) decodes STATE by the (1<<n) defines only: the enum of 6.12.117 and
    7.x comes out as UNKNOWN (or as another state)."""
    blocks, on = {}, False
    for line in out.splitlines():
        if "MEM_BLOCK" in line and "STATE" in line:
            on = True
            continue
        parts = line.split()
        if on and len(parts) >= 7 and parts[1].startswith("memory"):
            # MEM_BLOCK NAME START - END NODE STATE START_SECTION_NO
            blocks[parts[1]] = parts[6]
    return blocks


def section(prog, nr):
    per_root = 4096 // drgn.sizeof(prog.type("struct mem_section"))   # x86_64 PAGE_SIZE
    return prog["mem_section"][nr // per_root][nr % per_root]


def page_type_is_offline(prog, page, vmcoreinfo):
    """The kernel's own PageOffline encoding: the whole _mapcount equals
    NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE) up to 6.11; from 6.12 (4ffca5a96678)
    the page type is the top byte, PGTY_offline."""
    v = page._mapcount.counter.value_() & 0xffffffff
    try:
        return (v >> 24) == prog.constant("PGTY_offline").value_()
    except LookupError:
        want = int(vmcoreinfo["NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)"]) & 0xffffffff
        return v == want


def page_ext_entry(prog, pfn):
    """Address of pfn's page_ext entry, looked up in pfn's own section (bit 0 stripped)."""
    ms = section(prog, pfn // PAGES_PER_SECTION)
    base = ms.page_ext.value_() & ~PAGE_EXT_INVALID
    if not base:
        return None
    return base + prog["page_ext_size"].value_() * pfn


def page_owner_at(prog, entry):
    off = prog["page_owner_ops"].offset.value_()
    return drgn.Object(prog, "struct page_owner", address=entry + off)


def page_owner_samples_held(prog, manifest):
    """The manifest's page_owner samples whose allocation the dump still
    holds, read straight from each pfn's page_ext entry.

    The guest reads its samples moments before the dump.  A sample spread
    across memory can be a page of a task that exits in between (the
    sampling pipeline itself) or freed by one that lives on: its record is
    then later than the sample -- __reset_page_owner() keeps the allocation's
    fields, clears PAGE_EXT_OWNER_ALLOCATED and sets free_ts_nsec, a new
    allocation writes a new ts_nsec.  memhog holds its pages through the
    dump: those samples are always held."""
    bit = prog["PAGE_EXT_OWNER_ALLOCATED"].value_()
    memhog = {pfn for _, pfn in manifest.get("memhog_pfns") or []}
    held = []
    for s in manifest["page_owner_samples"]:
        entry = page_ext_entry(prog, s["pfn"])
        assert entry, s
        po = page_owner_at(prog, entry)
        allocated = bool(drgn.Object(prog, "struct page_ext", address=entry).flags.value_() >> bit & 1)
        ts = po.ts_nsec.value_()
        if allocated and ts == s["ts_nsec"]:
            held.append(s)
            continue
        assert s["pfn"] not in memhog, f"memhog's page {s['pfn']:#x} changed before the dump: {s}"
        assert ts > s["ts_nsec"] or (not allocated and ts == s["ts_nsec"]
                                     and po.free_ts_nsec.value_() >= s["ts_nsec"]), s
    assert any(s["pfn"] in memhog for s in held), "no sample of memhog's pages"
    return held


def gigantic_page_owner(prog, pfn, order):
    """What a linear page_ext walk over the folio of 2^order pages at pfn
    (6.11-6.14: post_alloc_hook() sets page_owner for the whole order with
    page_ext_next(), 9039b9096ea2 missing) left in the dump, read with drgn.

    For each later section start q = pfn + j * PAGES_PER_SECTION: "own",
    whether q's entry in its own section holds the head's record
    (PAGE_EXT_OWNER, order, handle); "linear", whether the entry the walk
    wrote for q (head entry + j * PAGES_PER_SECTION * page_ext_size) still
    does (None: the dump lacks it); "own_in_span", whether q's own entry
    lies inside the memory the walk wrote, [head entry, head entry +
    2^order * page_ext_size).  Where each section's table was allocated
    differs from boot to boot: only an own entry outside that span is
    certain not to hold the record, and a page reused after the walk may
    have lost the linear one."""
    size = prog["page_ext_size"].value_()
    bit = prog["PAGE_EXT_OWNER"].value_()
    e0 = page_ext_entry(prog, pfn)
    head = page_owner_at(prog, e0)
    want = (head.order.value_(), head.handle.value_())

    def record(entry):
        flags = drgn.Object(prog, "struct page_ext", address=entry).flags.value_()
        po = page_owner_at(prog, entry)
        return bool(flags >> bit & 1) and (po.order.value_(), po.handle.value_()) == want

    out = []
    for j in range(1, (1 << order) // PAGES_PER_SECTION):
        q = pfn + j * PAGES_PER_SECTION
        own = page_ext_entry(prog, q)
        try:
            linear = record(e0 + j * PAGES_PER_SECTION * size)
        except drgn.FaultError:
            linear = None
        out.append({"pfn": q, "own": record(own), "linear": linear,
                    "own_in_span": e0 <= own < e0 + (size << order)})
    return head, out


_held = {}


def held_owner_samples(dump):
    """page_owner_samples_held() of a tests/dumps.py Dump (cached)."""
    key = str(dump.path)
    if key not in _held:
        _held[key] = page_owner_samples_held(open_drgn(dump.path, dump.vmlinux), dump.manifest)
    return _held[key]


def page_flags(page):
    """page->flags as an integer; 7.x wraps it in memdesc_flags_t { f }."""
    try:
        return page.flags.f.value_()
    except (AttributeError, LookupError):
        return page.flags.value_()


def page_is_head(page, vmcoreinfo):
    """PG_head from VMCOREINFO's NUMBER(PG_head_mask) (bit 16 on 6.1, 6 on 6.12)."""
    return bool(page_flags(page) & int(vmcoreinfo["NUMBER(PG_head_mask)"]))


def folio_order(prog, pfn):
    """Order of the compound page headed at pfn (page[1] keeps it)."""
    tail = pfn_to_page(prog, pfn + 1)
    try:
        return tail.compound_order.value_()               # up to 6.5
    except (AttributeError, LookupError):
        return page_flags(tail) & 0xff                     # 6.6+: folio->_flags_1 low byte
