"""Overhead of the Dask sweep machinery: 64 short points on a 2-worker LocalCluster, against
the sum of the same points' single-point times run one after the other in this process
(1 numba thread each, as on a worker).  Ideal: wall = sum / 2.

    python benchmarks/sweep.py [--points 64] [--workers 2] [--replicas 512] [--time 20]
"""

from __future__ import annotations

import argparse
import tempfile
import time

from multitemp.sweep import run_sweep
from multitemp.sweep.runner import run_point
from multitemp.sweep.spec import parse_sweep


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--points", type=int, default=64)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--replicas", type=int, default=512)
    ap.add_argument("--time", type=float, default=20.0)
    args = ap.parse_args()
    spec = parse_sweep(
        {
            "system": {"dim": 1, "temperatures": [5.0, 1.0]},
            "pair_potential": {"kind": "harmonic", "k": 1.0},
            "external_potential": {"kind": "harmonic", "lam": 1.0},
            "run": {"dt": 1e-3, "time": args.time, "burn_in": 1.0, "replicas": args.replicas, "seed": 1},
            "sweep": {"system.temperatures.0": {"start": 1.0, "stop": 10.0, "num": args.points}},
        }
    )
    points = spec.points()
    run_point(points[0].config_dict)  # compile / load the kernel cache once
    single = [run_point(p.config_dict)["seconds"] for p in points]
    total_single = sum(single)

    from distributed import Client, LocalCluster

    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        with LocalCluster(
            n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster:
            with Client(cluster) as client:
                client.run(run_point, points[0].config_dict)  # warm each worker (kernel cache load)
                t1 = time.perf_counter()
                summary = run_sweep(spec, tmp, client=client)
                t2 = time.perf_counter()
        t3 = time.perf_counter()
    ideal = total_single / args.workers
    print(f"{args.points} points, {args.replicas} replicas x {int(args.time / 1e-3)} steps each")
    print(f"sum of single-point times: {total_single:.2f} s (median point {sorted(single)[len(single) // 2]:.3f} s)")
    print(f"sweep on {args.workers} workers: {t2 - t1:.2f} s (ideal {ideal:.2f} s): ratio {(t2 - t1) / ideal:.2f}")
    print(f"with cluster start-up, worker warm-up and shutdown: {t3 - t0:.2f} s: ratio {(t3 - t0) / ideal:.2f}")
    print(f"computed {summary.computed}, failed {len(summary.failures)}")


if __name__ == "__main__":
    main()
