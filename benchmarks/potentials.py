"""Throughput of the ensemble kernel with transcendental potentials, against the harmonic pair.

The models of ``tests/test_ratchet.py``: a soft pair on a ring in a smoothed sawtooth (three
tanh per force, three log-cosh per energy; Heun) and the Feynman ratchet (a spring and a cosine
per particle; Euler); the baseline is the harmonic pair in a trap (linear forces, no
discrete-gradient correction; Euler), in the same run.  1024 replicas, d = 1, the heat on from
step 500; ``EnsembleSimulation.advance`` timed (compilation excluded), pair-steps per second,
median of ``--repeats``.

    python benchmarks/potentials.py [--repeats 5] [--threads 1]
"""

from __future__ import annotations

import argparse
import statistics

import numba

from multitemp.api import parse_config
from multitemp.ensemble.simulation import EnsembleSimulation

RUN = {"dt": 1e-3, "time": 3.0, "burn_in": 0.5, "replicas": 1024}
MODELS = {
    "harmonic pair (baseline)": {
        "system": {"dim": 1, "temperatures": [5.0, 1.0]},
        "pair_potential": {"kind": "harmonic", "k": 1.0},
        "external_potential": {"kind": "harmonic", "lam": 1.0},
        "run": {**RUN, "seed": 1, "integrator": "euler"},
    },
    "sawtooth ratchet, soft pair": {
        "system": {"dim": 1, "temperatures": [2.0, 0.2]},
        "external_potential": {"kind": "sawtooth", "height": 4.0, "period": 1.0, "asymmetry": 0.2, "smoothing": 0.02},
        "pair_potential": {"kind": "soft", "k": 10.0, "s": 1.0},
        "box": {"kind": "periodic", "length": 3.0},
        "run": {**RUN, "seed": 5, "integrator": "heun"},
    },
    "Feynman ratchet (cosine)": {
        "system": {"dim": 1, "temperatures": [2.0, 0.1]},
        "pair_potential": {"kind": "harmonic", "k": 40.0},
        "external_potential": {"kind": "cosine", "amplitude": 1.0, "period": 1.0, "phase": [0.0, 1.5707963]},
        "run": {**RUN, "seed": 9, "integrator": "euler"},
    },
}


def pair_steps_per_second(cfg: dict) -> float:
    c = parse_config(cfg)
    params = c.build_run((-5.0, 5.0))
    sim = EnsembleSimulation(c.build_system(), params)  # compiles the kernel or loads it from the cache
    sim.advance(params.n_steps)
    return sim.result.replica_steps_per_second


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    numba.set_num_threads(args.threads)
    rates = {
        name: statistics.median(pair_steps_per_second(cfg) for _ in range(args.repeats)) for name, cfg in MODELS.items()
    }
    base = rates["harmonic pair (baseline)"]
    print(f"pair-steps per second, {args.threads} thread(s), median of {args.repeats}")
    for name, rate in rates.items():
        print(f"{name:>28} {rate:>10.3g}  {rate / base:>6.3f} x baseline")


if __name__ == "__main__":
    main()
