# SPDX-License-Identifier: GPL-2.0-or-later
"""The parts of the Python package pyproject.toml cannot say: the version,
which is the C core's MS_VERSION (one version for the CLI, the crash
extension and this package), and the binding compiled from src/."""

import glob
import re

from setuptools import Extension, setup

with open("src/include/memsect/report.h") as f:
    VERSION = re.search(r'#define MS_VERSION "([^"]+)"', f.read())[1]

SOURCES = sorted(glob.glob("src/python/*.c") + glob.glob("src/lib/*.c")
                 + glob.glob("src/lib/arch/*.c") + glob.glob("src/lib/checks/*.c")
                 + glob.glob("src/elf/*.c"))

setup(
    version=VERSION,
    ext_modules=[Extension(
        "memsect._memsect", SOURCES,
        include_dirs=["src/include", "src/lib", "src/elf"],
        extra_compile_args=["-std=c11", "-D_GNU_SOURCE", "-pthread", "-fvisibility=hidden"],
        libraries=["elf"],
    )],
)
