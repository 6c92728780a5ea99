"""Throughput of the two-temperature harmonic pair: multitemp vs a plain NumPy ensemble.

Same model for both (physics.md section 4): d = 1, k = lambda = 1, T = (5, 1), dt = 1e-3,
Euler-Maruyama, entropy production accumulated with the trapezoid (Stratonovich) rule.
The baseline is what a student writes: NumPy vectorised over replicas, one
``rng.standard_normal`` call per step.  Prints pair-steps per second (median of several
repeats) and the ratio; both are measured in this run, on this machine.

Also, as a user meets it: ``multitemp run --json`` of the same pair with the default
observables (the 48-bin phase-space histogram is on for d = 1 pairs) at 10^5 replicas, whose
``pair_steps_per_second`` is compared with NumPy at 10^5 replicas in the same run.

    python benchmarks/pair.py [--repeats 5] [--threads 2]
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

import numba
import numpy as np

from multitemp.core.potentials import HarmonicSpring, HarmonicTrap
from multitemp.core.rng import fill_normal_lanes
from multitemp.ensemble.simulation import RunParameters, simulate
from multitemp.ensemble.system import System

DT, K, LAM, TEMPS = 1e-3, 1.0, 1.0, (5.0, 1.0)


def numpy_ensemble(replicas: int, steps: int, seed: int = 0) -> np.ndarray:
    """Euler-Maruyama over all replicas at once; returns the entropy per replica."""
    rng = np.random.default_rng(seed)
    temps = np.array(TEMPS)[:, None]
    amp = np.sqrt(2 * temps * DT)
    drift = np.array([[K + LAM, -K], [-K, K + LAM]])
    x = np.zeros((2, replicas))
    f = -drift @ x
    entropy = np.zeros(replicas)
    for _ in range(steps):
        xn = x + f * DT + amp * rng.standard_normal((2, replicas))
        fn = -drift @ xn
        entropy += np.sum(0.5 * (f + fn) * (xn - x) / temps, axis=0)
        x, f = xn, fn
    return entropy


def time_numpy(replicas: int, steps: int) -> float:
    t = time.perf_counter()
    numpy_ensemble(replicas, steps)
    return replicas * steps / (time.perf_counter() - t)


def time_multitemp(replicas: int, steps: int, integrator: str) -> float:
    system = System(1, np.array(TEMPS), pair=HarmonicSpring(K), external=HarmonicTrap(LAM))
    params = RunParameters(dt=DT, time=steps * DT, replicas=replicas, seed=1, integrator=integrator)
    return simulate(system, params).replica_steps_per_second  # excludes compilation


@numba.njit(cache=True)
def _lane_normals(n_batches, out, words, keys, alive):
    for b in range(n_batches):  # 16 Philox4x32 blocks: 64 normals per lane
        fill_normal_lanes(out, words, np.uint64(1), keys, alive, b * 16, 16, np.uint64(0))


def time_noise(count: int) -> tuple[float, float]:
    """Normals per second, 1 thread: numpy PCG64 standard_normal vs multitemp's Philox4x32-10
    ziggurat as the kernel draws it (32 replicas side by side, 64 normals each per call)."""
    out = np.empty(count)
    g = np.random.default_rng(0)
    t = time.perf_counter()
    g.standard_normal(out=out)
    numpy_rate = count / (time.perf_counter() - t)
    lanes = np.empty((64, 32))
    words = np.empty((64, 32), dtype=np.int64)
    args = (lanes, words, np.arange(32, dtype=np.uint64), np.ones(32, dtype=np.bool_))
    _lane_normals(1, *args)
    n_batches = count // lanes.size
    t = time.perf_counter()
    _lane_normals(n_batches, *args)
    return numpy_rate, n_batches * lanes.size / (time.perf_counter() - t)


EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "harmonic_pair.toml"  # the same model


def time_cli(integrator: str, threads: int) -> float:
    """``multitemp run --json`` (default observables) at 10^5 replicas: its pair_steps_per_second."""
    overrides = ["run.replicas=100000", "run.time=10.0", "run.burn_in=0.5", f"run.integrator='{integrator}'"]
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "multitemp.cli", "run", str(EXAMPLE), "--json", "--out", str(Path(tmp) / "out")]
        cmd += [arg for o in overrides for arg in ("--set", o)]
        env = {**os.environ, "NUMBA_NUM_THREADS": str(threads)}
        out = subprocess.run(cmd, capture_output=True, text=True, check=True, env=env)
    return float(json.loads(out.stdout)["pair_steps_per_second"])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--threads", type=int, default=numba.config.NUMBA_NUM_THREADS)
    args = ap.parse_args()
    numba.set_num_threads(args.threads)
    time_multitemp(64, 10, "euler")  # compile / load the cache outside the timings
    time_multitemp(64, 10, "heun")
    npr, mtr = zip(*(time_noise(10_000_000) for _ in range(args.repeats)), strict=True)
    print(
        f"noise, 1 thread: numpy PCG64 {statistics.median(npr):.3g} normals/s, multitemp Philox4x32+ziggurat {statistics.median(mtr):.3g} normals/s"
    )
    print(f"pair-steps per second, median of {args.repeats}, multitemp on {args.threads} threads, NumPy on 1 core")
    print(f"{'replicas':>9} {'numpy EM':>10} {'mt euler':>10} {'ratio':>6} {'mt heun':>10} {'ratio':>6}")
    for replicas, np_steps, mt_steps in ((10_000, 2_000, 20_000), (1_000_000, 30, 300)):
        base = statistics.median(time_numpy(replicas, np_steps) for _ in range(args.repeats))
        em = statistics.median(time_multitemp(replicas, mt_steps, "euler") for _ in range(args.repeats))
        heun = statistics.median(time_multitemp(replicas, mt_steps, "heun") for _ in range(args.repeats))
        print(f"{replicas:>9} {base:>10.3g} {em:>10.3g} {em / base:>6.2f} {heun:>10.3g} {heun / base:>6.2f}")
    print("multitemp run --json, default observables (48-bin phase-space histogram), 10^5 replicas:")
    base = statistics.median(time_numpy(100_000, 300) for _ in range(args.repeats))
    em = statistics.median(time_cli("euler", args.threads) for _ in range(args.repeats))
    heun = statistics.median(time_cli("heun", args.threads) for _ in range(args.repeats))
    print(f"{100_000:>9} {base:>10.3g} {em:>10.3g} {em / base:>6.2f} {heun:>10.3g} {heun / base:>6.2f}")


if __name__ == "__main__":
    main()
