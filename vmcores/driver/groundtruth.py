"""Turn the guest's "@gt KEY ..." records (see guest/lib.sh) into the
ground-truth part of manifest.json.  Everything here restates what the
guest kernel printed; nothing is computed from the dump."""

import re

PAGES_PER_SECTION = 1 << (27 - 12)   # x86_64: SECTION_SIZE_BITS 27, 4 KiB pages
PAGE_SIZE = 4096

OWNER_HEAD = re.compile(r"Page allocated via order (\d+), mask (0x[0-9a-f]+)\(.*\), "
                        r"pid (-?\d+), tgid (-?\d+) \((.*)\), ts (\d+) ns")
OWNER_PFN = re.compile(r"PFN (0x[0-9a-f]+|\d+) type")
HVO_FREED = re.compile(r"HugeTLB: (\d+) KiB vmemmap can be freed for a ([\d.]+) (GiB|MiB) page")
PAGE_EXT_BYTES = re.compile(r"allocated (\d+) bytes of page_ext")


def collect(lines):
    """Group the records by key: {key: [value, ...]} in arrival order."""
    recs = {}
    for line in lines:
        key, _, value = line.partition(" ")
        recs.setdefault(key, []).append(value)
    return recs


def one(recs, key):
    vals = recs.get(key)
    return vals[-1] if vals else None


def memory_blocks(recs):
    block_size = int(one(recs, "block_size"), 16)
    pages = block_size // PAGE_SIZE
    blocks = []
    for v in recs.get("block", []):
        parts = v.split(" ")
        bid, state, phys = int(parts[0]), parts[1], int(parts[2], 16)
        zones = parts[3].split(",") if len(parts) > 3 and parts[3] else None
        start = phys * PAGES_PER_SECTION
        blocks.append({"id": bid, "state": state, "phys_index": phys, "start_pfn": start,
                       "end_pfn": start + pages, "zones": zones})
    return block_size, blocks


def kpf(recs, kind):
    out = []
    for v in recs.get("kpf", []):
        f = v.split()
        if f[0] == kind:
            out.append([int(x) for x in f[1:]])
    return out


def size_bytes(text):
    num, unit = float(text.split()[0]), text.split()[1]
    return int(num * (1 << 30 if unit == "GiB" else 1 << 20))


def hvo_by_order(recs):
    """{order: bool|None}: HVO is applied to new folios of an order when
    vm.hugetlb_optimize_vmemmap reads 1 and the kernel announced that
    vmemmap can be freed for that page size (a positive KiB count)."""
    sysctl = one(recs, "hvo_sysctl")
    freed = {}
    for line in recs.get("dmesg", []):
        m = HVO_FREED.search(line)
        if m:
            size = size_bytes(f"{m.group(2)} {m.group(3)}")
            order = (size // PAGE_SIZE).bit_length() - 1
            freed[order] = int(m.group(1)) > 0
    if sysctl == "absent":
        return {}, "vm.hugetlb_optimize_vmemmap is absent: no HVO in this kernel"
    on = sysctl == "1"
    return ({o: (on and f) for o, f in freed.items()},
            f"vm.hugetlb_optimize_vmemmap={sysctl}; HugeTLB boot lines say vmemmap can be freed "
            f"for orders {sorted(o for o, f in freed.items() if f)}")


def page_owner_samples(recs):
    samples, cur = [], None
    for line in recs.get("po", []):
        if line == "@end":
            if cur:
                samples.append(cur)
            cur = None
            continue
        m = OWNER_HEAD.match(line)
        if m:
            cur = {"pfn": None, "order": int(m.group(1)), "gfp_mask": m.group(2),
                   "pid": int(m.group(3)), "tgid": int(m.group(4)), "comm": m.group(5),
                   "ts_nsec": int(m.group(6)), "stack": []}
            continue
        if cur is None:
            continue
        m = OWNER_PFN.match(line)
        if m:
            cur["pfn"] = int(m.group(1), 0)
        elif line.startswith(" ") and line.strip():
            cur["stack"].append(line.strip())
    uniq = {}
    for s in samples:
        uniq.setdefault(s["pfn"], s)
    return [uniq[p] for p in sorted(uniq)]


def page_ext(recs, boot_sections, config):
    clients = []
    if one(recs, "page_owner_file") == "present":
        clients.append("page_owner")
    cmdline = one(recs, "cmdline") or ""
    if "page_table_check=on" in cmdline and config.get("CONFIG_PAGE_TABLE_CHECK") == "y":
        clients.append("page_table_check")
    if one(recs, "mem_profiling") == "1" and "compressed" not in cmdline:
        clients.append("alloc_tag")
    total = None
    for line in recs.get("dmesg", []):
        m = PAGE_EXT_BYTES.search(line)
        if m:
            total = int(m.group(1))
            break
    size = None
    if total is not None and boot_sections:
        size = total // (boot_sections * PAGES_PER_SECTION)
    return {"enabled_clients": clients, "page_ext_size": size, "page_ext_boot_bytes": total,
            "invalidated_sections": []}
