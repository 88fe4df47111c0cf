"""Make QEMU's ELF dump readable by every reader, in place.

QEMU 7.2 (`dump-guest-memory`, paging false) writes the ELF header, then
section headers, then the program headers, then the notes, then memory, and
leaves p_vaddr 0 in every PT_LOAD.  makedumpfile 1.7.2 expects the program
headers right after the ELF header, crash 8.0.2 expects the notes right after
the program headers, and drgn 0.0.22 cannot translate any kernel address
without a PT_LOAD for the kernel-image mapping.  The fixed file has: program
headers at 0x40 (the original ones plus PT_LOADs for the kernel image at
__START_KERNEL_map + PA - phys_base, phys_base taken signed from VMCOREINFO),
then the notes, then memory; no section headers.  When the new headers fit
in front of QEMU's memory data, only the header area is rewritten; otherwise
the memory data is copied (copy_file_range) to a new file behind them.

An aarch64 guest's dump gets the same treatment; its kernel image is mapped
at PA + kimage_voffset (arch/arm64/include/asm/memory.h __phys_to_kimg(),
NUMBER(kimage_voffset) in VMCOREINFO)."""

import os
import struct
import subprocess

EHDR = struct.Struct("<16sHHIQQQIHHHHHH")
PHDR = struct.Struct("<IIQQQQQQ")
PT_LOAD, PT_NOTE = 1, 4
EM_X86_64, EM_AARCH64 = 62, 183
START_KERNEL_MAP = 0xffffffff80000000
PMD_SIZE = 2 << 20


def read_notes(data):
    """(name, type, desc) for each note in a PT_NOTE payload."""
    out, off = [], 0
    while off + 12 <= len(data):
        namesz, descsz, ntype = struct.unpack_from("<III", data, off)
        off += 12
        name = data[off:off + namesz].rstrip(b"\0").decode(errors="replace")
        off += (namesz + 3) & ~3
        desc = data[off:off + descsz]
        off += (descsz + 3) & ~3
        out.append((name, ntype, desc))
    return out


def parse_vmcoreinfo(text):
    info = {}
    for line in text.splitlines():
        if "=" in line:
            k, v = line.split("=", 1)
            info[k] = v
    return info


def kernel_image_range(vmlinux):
    """Link-time addresses of _text and _end from the vmlinux symbol table."""
    out = subprocess.run(["nm", vmlinux], capture_output=True, text=True, check=True).stdout
    syms = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[2] in ("_text", "_end"):
            syms[parts[2]] = int(parts[0], 16)
    if len(syms) != 2:
        raise RuntimeError(f"{vmlinux}: _text or _end missing from the symbol table")
    return syms["_text"], syms["_end"]


def fix_elf(src, dst, vmlinux):
    """Turn QEMU's ELF dump `src` into the fixed `dst` (src is consumed);
    return its VMCOREINFO as a dict."""
    path = src
    with open(src, "r+b") as f:
        ehdr = list(EHDR.unpack(f.read(EHDR.size)))
        ident, etype, machine, version, entry, phoff, shoff, flags, ehsize, phentsize, phnum = ehdr[:11]
        if ident[:4] != b"\x7fELF" or ident[4] != 2 or etype != 4:
            raise RuntimeError(f"{path}: not a 64-bit ELF core file")
        f.seek(phoff)
        phdrs = [list(PHDR.unpack(f.read(PHDR.size))) for _ in range(phnum)]
        notes = [p for p in phdrs if p[0] == PT_NOTE]
        loads = [p for p in phdrs if p[0] == PT_LOAD]
        if len(notes) != 1:
            raise RuntimeError(f"{path}: expected one PT_NOTE, found {len(notes)}")
        note = notes[0]
        f.seek(note[2])
        note_data = f.read(note[5])
        info = None
        for name, _, desc in read_notes(note_data):
            if name == "VMCOREINFO":
                info = parse_vmcoreinfo(desc.decode(errors="replace"))
        if info is None:
            raise RuntimeError(f"{path}: no VMCOREINFO note (is -device vmcoreinfo and fw_cfg there?)")
        data_start = min(p[2] for p in loads)

        koff = int(info.get("KERNELOFFSET", "0"), 16)
        text, end = kernel_image_range(vmlinux)
        va0 = text + koff
        va1 = (end + koff + PMD_SIZE - 1) & ~(PMD_SIZE - 1)
        if machine == EM_AARCH64:
            # VA = PA + kimage_voffset (printed as 0x%llx).
            voff = int(info["NUMBER(kimage_voffset)"], 0)
            va_of = lambda pa: (pa + voff) & (2**64 - 1)   # noqa: E731
            pa0, pa1 = (va0 - voff) & (2**64 - 1), (va1 - voff) & (2**64 - 1)
        elif machine == EM_X86_64:
            # The kernel image mapping: VA = __START_KERNEL_map + PA - phys_base.
            phys_base = int(info["NUMBER(phys_base)"])
            va_of = lambda pa: START_KERNEL_MAP + pa - phys_base   # noqa: E731
            pa0 = va0 - START_KERNEL_MAP + phys_base
            pa1 = va1 - START_KERNEL_MAP + phys_base
        else:
            raise RuntimeError(f"{path}: ELF machine {machine} is neither x86_64 nor aarch64")
        kload = []
        for p in loads:
            s, e = max(p[4], pa0), min(p[4] + p[5], pa1)   # p_paddr, p_filesz
            if s < e:
                kload.append([PT_LOAD, 7, p[2] + (s - p[4]), va_of(s), s, e - s, e - s, 0])
        if not kload:
            raise RuntimeError(f"{path}: kernel image PA {pa0:#x}-{pa1:#x} not in any PT_LOAD")

        new = [note] + loads + kload
        header_len = EHDR.size + len(new) * PHDR.size + len(note_data)
        data_end = max(p[2] + p[5] for p in loads)
        shift = 0 if header_len <= data_start else ((header_len + 4095) & ~4095) - data_start
        for p in loads + kload:
            p[2] += shift
        note[2] = EHDR.size + len(new) * PHDR.size
        ehdr[5] = EHDR.size      # e_phoff
        ehdr[6] = 0              # e_shoff
        ehdr[8] = EHDR.size      # e_ehsize
        ehdr[10] = len(new)      # e_phnum
        ehdr[11:14] = [0, 0, 0]  # no section headers
        header = EHDR.pack(*ehdr) + b"".join(PHDR.pack(*p) for p in new) + note_data
        header += b"\0" * (data_start + shift - len(header))
        if shift == 0:
            f.seek(0)
            f.write(header)
            f.truncate(data_end)
            f.close()
            os.rename(src, dst)
        else:
            with open(dst, "wb") as out:
                out.write(header)
                out.flush()
                left, off = data_end - data_start, data_start
                while left > 0:
                    n = os.copy_file_range(f.fileno(), out.fileno(), left, off)
                    if n <= 0:
                        raise RuntimeError(f"{src}: copy_file_range failed at {off:#x}")
                    off += n
                    left -= n
            os.unlink(src)
    return info
