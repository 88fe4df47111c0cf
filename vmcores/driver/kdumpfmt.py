"""Turn QEMU's kdump output into a kdump-compressed file every reader opens.

QEMU 7.2 writes the *flattened* makedumpfile stream (libkdumpfile 0.5.1 and
so drgn 0.0.22 reject it: "Unknown file format"); `makedumpfile -R`
rearranges it.  QEMU also leaves disk_dump_header.utsname zeroed, and
libkdumpfile then has no arch name; the guest's own uname is written there
(libkdumpfile trusts it when sysname is "Linux" and release, version and
machine are set)."""

import os
import struct
import subprocess
import zlib

UTS_LEN = 65
UTSNAME_OFFSET = 12  # after signature[8] and header_version (int)


def rearrange(flat, out):
    with open(flat, "rb") as src:
        r = subprocess.run(["makedumpfile", "-R", out], stdin=src, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"makedumpfile -R failed: {r.stderr.strip()}")


def set_utsname(path, release, version, machine="x86_64", nodename="memsect-guest"):
    fields = ["Linux", nodename, release, version, machine, "(none)"]
    raw = b"".join(s.encode()[:UTS_LEN - 1].ljust(UTS_LEN, b"\0") for s in fields)
    with open(path, "r+b") as f:
        if f.read(8) != b"KDUMP   ":
            raise RuntimeError(f"{path}: not a kdump-compressed file")
        f.seek(UTSNAME_OFFSET)
        f.write(raw)


# disk_dump_header (makedumpfile diskdump_mod.h): after signature, header_version,
# utsname and the timeval, status at 424, then block_size, sub_hdr_size,
# bitmap_blocks, max_mapnr.  kdump_sub_header (at block_size): the file offsets
# at 32..72, max_mapnr_64 at 96.  page_desc: offset, size, flags, page_flags.
HDR_SIZES = struct.Struct("<iIII")      # block_size, sub_hdr_size, bitmap_blocks, max_mapnr
HDR_SIZES_OFF = 428
SUB_OFFSETS = ((32, 40), (48, 56), (64, 72))   # (offset, size) of vmcoreinfo, notes, eraseinfo
SUB_MAX_MAPNR = 96
PAGE_DESC = struct.Struct("<QIIQ")
DUMP_DH_COMPRESSED_ZLIB = 1


def split_blocks(src, dst, page_size=4096):
    """Rewrite the kdump file `src` whose blocks are larger than the kernel's
    pages into `dst` with one block per kernel page (src is consumed).

    QEMU 7.2 writes an aarch64 guest's kdump with 64 KiB blocks, the largest
    aarch64 page size (target/arm/arch_dump.c cpu_get_dump_info(): "aarch64
    max pagesize"), whatever the guest's page size; libkdumpfile 0.5.1 then
    takes VMCOREINFO's PAGESIZE (4096) as the page size with the header's
    max_mapnr counted in 64 KiB blocks ("Out-of-bounds PFN" beyond the first
    128 MiB).  Each block is split into pages, zero pages share one
    uncompressed zero page, the others are compressed with zlib again (or
    stored raw when that is not smaller), as makedumpfile would."""
    with open(src, "rb") as f:
        head = f.read(4096)
        if head[:8] != b"KDUMP   ":
            raise RuntimeError(f"{src}: not a kdump-compressed file")
        bs, sub_blocks, bmp_blocks, max_mapnr = HDR_SIZES.unpack_from(head, HDR_SIZES_OFF)
        if bs == page_size:
            os.rename(src, dst)
            return
        if bs % page_size:
            raise RuntimeError(f"{src}: block size {bs} is not a multiple of {page_size}")
        k = bs // page_size
        f.seek(bs)
        sub = bytearray(f.read(sub_blocks * bs))
        bmp_len = bmp_blocks * bs // 2
        f.seek((1 + sub_blocks) * bs)
        bitmaps = [f.read(bmp_len), f.read(bmp_len)]
        dumpable = [p for p in range(max_mapnr) if bitmaps[1][p >> 3] >> (p & 7) & 1]
        descs = [PAGE_DESC.unpack(f.read(PAGE_DESC.size)) for _ in dumpable]

        new_mapnr = max_mapnr * k
        new_bmp_len = -(-new_mapnr // 8 // page_size) * page_size
        new_bitmaps = []
        for b in bitmaps:
            nb = bytearray(new_bmp_len)
            for p in range(max_mapnr):
                if b[p >> 3] >> (p & 7) & 1:
                    nb[p * k // 8:(p + 1) * k // 8] = b"\xff" * (k // 8)
            new_bitmaps.append(nb)
        new_sub_blocks = sub_blocks * k
        delta = page_size - bs     # the sub header moves from bs to page_size
        for o, n in SUB_OFFSETS:
            off, size = struct.unpack_from("<QQ", sub, o)
            if size:
                struct.pack_into("<Q", sub, o, off + delta)
        struct.pack_into("<Q", sub, SUB_MAX_MAPNR, new_mapnr)
        new_bmp_blocks = 2 * new_bmp_len // page_size
        desc_start = (1 + new_sub_blocks + new_bmp_blocks) * page_size
        data_start = desc_start + PAGE_DESC.size * len(dumpable) * k

        hdr = bytearray(head[:page_size])
        HDR_SIZES.pack_into(hdr, HDR_SIZES_OFF, page_size, new_sub_blocks, new_bmp_blocks, new_mapnr)
        zero = bytes(page_size)
        with open(dst, "wb") as out:
            out.write(hdr)
            out.write(sub)
            out.write(new_bitmaps[0])
            out.write(new_bitmaps[1])
            out.seek(data_start)
            out.write(zero)
            zero_desc = PAGE_DESC.pack(data_start, page_size, 0, 0)
            pos = data_start + page_size
            new_descs = []
            for off, size, flags, pflags in descs:
                f.seek(off)
                raw = f.read(size)
                if flags & DUMP_DH_COMPRESSED_ZLIB:
                    raw = zlib.decompress(raw)
                elif flags:
                    raise RuntimeError(f"{src}: page compressed with flags {flags:#x}, not zlib")
                if len(raw) != bs:
                    raise RuntimeError(f"{src}: block at {off:#x} is {len(raw)} bytes, not {bs}")
                for i in range(k):
                    page = raw[i * page_size:(i + 1) * page_size]
                    if page == zero:
                        new_descs.append(zero_desc)
                        continue
                    c = zlib.compress(page)
                    data, fl = (c, DUMP_DH_COMPRESSED_ZLIB) if len(c) < page_size else (page, 0)
                    out.write(data)
                    new_descs.append(PAGE_DESC.pack(pos, len(data), fl, pflags))
                    pos += len(data)
            out.seek(desc_start)
            out.write(b"".join(new_descs))
    os.unlink(src)
