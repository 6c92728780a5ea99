"""Where numba caches multitemp's compiled kernels.

Numba invalidates a cached function only when *its own* file changes, not when a function it
inlines from another module does (numba docs, "Notes on caching").  The kernels inline the
RNG and the potentials, so unless the user chose ``NUMBA_CACHE_DIR`` the cache goes to a
folder named after a hash of the sources compiled into kernels (core/rng.py, core/potentials/,
the engines' kernel modules): any change to them compiles afresh; other modules do not touch
the cache.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numba

#: the sources (relative to the package) that numba compiles into the kernels
COMPILED_SOURCES = (
    "core/rng.py",
    "core/potentials/*.py",
    "ensemble/kernel.py",
    "ensemble/exact_heat.py",
    "mixture/kernel.py",
)


def _source_hash() -> str:
    root = Path(__file__).parent.parent
    h = hashlib.sha1()
    compiled = sorted(p for pattern in COMPILED_SOURCES for p in root.glob(pattern))
    for path in compiled:
        h.update(path.relative_to(root).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def configure() -> None:
    if os.environ.get("NUMBA_CACHE_DIR"):
        return
    base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    numba.config.CACHE_DIR = str(base / "multitemp" / "numba" / _source_hash())


configure()
