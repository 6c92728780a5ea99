"""Where numba caches multitemp's compiled kernels.

Numba invalidates a cached function only when *its own* file changes, not when a function it
inlines from another module does (numba docs, "Notes on caching").  The kernels inline the
RNG and the potentials, so unless the user chose ``NUMBA_CACHE_DIR`` the cache goes to a
folder named after a hash of the sources compiled into kernels (rng.py, potentials/,
kernels/): any change to them compiles afresh; other modules do not touch the cache.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numba


def _source_hash() -> str:
    root = Path(__file__).parent
    h = hashlib.sha1()
    compiled = [root / "rng.py", *sorted((root / "potentials").glob("*.py")), *sorted((root / "kernels").glob("*.py"))]
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
