"""What each scenario needs from the host: guest memory, kernel parameters,
QEMU devices, and the host side of each guest step (see guest/lib.sh)."""

import time

from qemu import GuestError

MIB = 1 << 20
DIMM_SIZE = 512 * MIB
VMEM_SIZE = 512 * MIB          # virtio-mem region and its initial requested-size
VMEM_SHRUNK = 300 * MIB        # not a multiple of the 128 MiB block: leaves a partial block
BALLOON_INFLATE = 256 * MIB

SCENARIOS = {
    "baseline": dict(memory_mib=1024),
    "offline": dict(memory_mib=1024, maxmem_mib=4096, slots=2,
                    cmdline="memhp_default_state=online_movable"),
    "midoffline": dict(memory_mib=1024, maxmem_mib=4096, slots=2,
                       cmdline="memhp_default_state=online_movable nokaslr page_owner=on"),
    "virtio-mem": dict(memory_mib=1024, maxmem_mib=4096, virtio_mem=True,
                       cmdline="memhp_default_state=online_movable"),
    "skippable": dict(memory_mib=1024, maxmem_mib=4096, virtio_mem=True,
                      cmdline="memhp_default_state=online_movable"),
    "balloon": dict(memory_mib=1024, balloon=True),
    "offline-vmem": dict(memory_mib=1024, maxmem_mib=4096, virtio_mem=True,
                         cmdline="memhp_default_state=online_movable"),
    "hvo": dict(memory_mib=4096,
                cmdline="hugetlb_free_vmemmap=on hugepagesz=1G hugepages=1 "
                        "hugepagesz=2M default_hugepagesz=2M"),
    "pageowner": dict(memory_mib=1024, cmdline="page_owner=on page_table_check=on"),
    "gigantic": dict(memory_mib=6144, cmdline="page_owner=on"),
}

CUSTOM = ["baseline", "offline", "midoffline", "virtio-mem", "balloon", "hvo", "pageowner", "gigantic"]
KERNEL_SCENARIOS = {
    "stock-6.1": ["baseline", "offline", "virtio-mem", "balloon", "hvo"],
    "6.1": CUSTOM,
    "6.12": CUSTOM,
    "7.3": CUSTOM,
    "7.3-skippable": ["skippable"],
}
# arm64 guests (qemu-system-aarch64 -machine virt): `make vmcores-arm64`, not
# part of `make vmcores` (make_dump.py --all-arm64).
ARM64_KERNEL_SCENARIOS = {
    "stock-6.1-arm64": ["baseline", "balloon", "virtio-mem", "offline-vmem", "hvo"],
}


def kernel_arch(kernel):
    """The guest architecture of a cache kernel: names ending in -arm64 are aarch64."""
    return "aarch64" if kernel.endswith("-arm64") else "x86_64"


def qemu_memory(sc):
    m = f"{sc['memory_mib']}M"
    if sc.get("maxmem_mib"):
        m += f",slots={sc.get('slots', 1)},maxmem={sc['maxmem_mib']}M"
    return m


def qemu_devices(sc):
    args = []
    if sc.get("virtio_mem"):
        args += ["-object", f"memory-backend-ram,id=vmem0,size={VMEM_SIZE}",
                 "-device", f"virtio-mem-pci,id=vm0,memdev=vmem0,requested-size={VMEM_SIZE}"]
    if sc.get("balloon"):
        args += ["-device", "virtio-balloon-pci,id=bal0"]
    return args


def poll(what, fn, timeout, interval=0.5):
    deadline = time.monotonic() + timeout
    while True:
        v = fn()
        if v:
            return v
        if time.monotonic() > deadline:
            raise GuestError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


def vmem_size(qmp):
    return qmp.cmd("qom-get", path="/machine/peripheral/vm0", property="size")


def step_plug_dimm(g, args, state):
    g.qmp.cmd("object-add", **{"qom-type": "memory-backend-ram", "id": "dimm0", "size": DIMM_SIZE})
    g.qmp.cmd("device_add", driver="pc-dimm", id="dimm0dev", memdev="dimm0")
    return ""


def step_vmem_plugged(g, args, state):
    poll("virtio-mem to plug its requested size", lambda: vmem_size(g.qmp) == VMEM_SIZE, 180)
    return ""


def step_vmem_shrink(g, args, state):
    g.qmp.cmd("qom-set", path="/machine/peripheral/vm0", property="requested-size", value=VMEM_SHRUNK)
    poll("virtio-mem to unplug down to its new size", lambda: vmem_size(g.qmp) == VMEM_SHRUNK, 300)
    return ""


def step_balloon(g, args, state):
    target = state["scenario"]["memory_mib"] * MIB - BALLOON_INFLATE
    g.qmp.cmd("balloon", value=target)
    poll("the balloon to inflate", lambda: g.qmp.cmd("query-balloon")["actual"] <= target, 300)
    return ""


STEPS = {
    "plug-dimm": step_plug_dimm,
    "vmem-plugged": step_vmem_plugged,
    "vmem-shrink": step_vmem_shrink,
    "balloon": step_balloon,
}


def guest_config(g, sc):
    """What the host configured, for the manifest's "guest" object."""
    devs = g.qmp.cmd("query-memory-devices")
    dimms, vmem = [], None
    for d in devs:
        data = d["data"]
        if d["type"] == "dimm":
            dimms.append({"id": data.get("id"), "addr": hex(data["addr"]), "size": data["size"],
                          "start_pfn": data["addr"] >> 12, "end_pfn": (data["addr"] + data["size"]) >> 12})
        elif d["type"] == "virtio-mem":
            vmem = {"id": data.get("id"), "memaddr": hex(data["memaddr"]), "max_size": data["max-size"],
                    "block_size": data["block-size"], "requested_size": data["requested-size"],
                    "size": data["size"], "start_pfn": data["memaddr"] >> 12,
                    "end_pfn": (data["memaddr"] + data["max-size"]) >> 12}
    balloon = None
    if sc.get("balloon"):
        b = g.qmp.cmd("query-balloon")
        balloon = {"target": sc["memory_mib"] * MIB - BALLOON_INFLATE, "actual": b["actual"],
                   "inflated_bytes": sc["memory_mib"] * MIB - b["actual"]}
    return {"memory_mib": sc["memory_mib"], "maxmem_mib": sc.get("maxmem_mib"),
            "dimms": dimms, "virtio_mem": vmem, "balloon": balloon}
