"""Cold start: the wall time of a whole ``multitemp run`` command whose kernel is not compiled yet.

The issue's case: 3 particles in d = 2 with a soft pair and a harmonic trap, 64 replicas,
t = 0.2.  Each repeat gets a new, empty numba cache (``NUMBA_CACHE_DIR``): the first run
compiles everything it needs, the second loads it from the cache.  Then, in the warm cache, a
system of another (N, d) (4 particles in d = 3), whose ensemble kernel is specialised anew.
Prints medians of ``--repeats`` (wall seconds of the command, and the kernel's own compile time
from the run's summary).

    python benchmarks/cold_start.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CONFIG = """
[system]
dim = {dim}
temperatures = {temperatures}
[pair_potential]
kind = "soft"
k = 10.0
s = 1.0
[external_potential]
kind = "harmonic"
lam = 1.0
[run]
dt = 1e-3
time = 0.2
replicas = 64
seed = 1
"""


def timed_run(config: Path, cache: Path, out: Path) -> tuple[float, float]:
    """(wall seconds of the command, compile seconds reported by the run)."""
    env = {**os.environ, "NUMBA_CACHE_DIR": str(cache)}
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "multitemp.cli", "run", str(config), "--json", "--out", str(out)],
                          capture_output=True, text=True, env=env, check=True)  # fmt: skip
    wall = time.perf_counter() - t0
    return wall, float(json.loads(done.stdout)["compile_seconds"])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    rows: dict[str, list[tuple[float, float]]] = {
        "first run, empty cache": [],
        "second run": [],
        "new (N, d), warm cache": [],
    }
    for _ in range(args.repeats):
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            three = tmp / "three.toml"
            three.write_text(CONFIG.format(dim=2, temperatures="[3.0, 1.0, 1.0]"))
            four = tmp / "four.toml"
            four.write_text(CONFIG.format(dim=3, temperatures="[3.0, 1.0, 1.0, 1.0]"))
            cache = tmp / "cache"
            rows["first run, empty cache"].append(timed_run(three, cache, tmp / "a"))
            rows["second run"].append(timed_run(three, cache, tmp / "b"))
            rows["new (N, d), warm cache"].append(timed_run(four, cache, tmp / "c"))
    print(f"multitemp run, 3 particles in d = 2, 64 replicas, t = 0.2; medians of {args.repeats}")
    print(f"{'':26} {'command wall s':>15} {'kernel compile s':>17}")
    for name, values in rows.items():
        wall = statistics.median(v[0] for v in values)
        compile_ = statistics.median(v[1] for v in values)
        print(f"{name:26} {wall:>15.1f} {compile_:>17.1f}")


if __name__ == "__main__":
    main()
