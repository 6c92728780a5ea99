"""Spurious entropy production at equal temperatures with a kinked force: the soft pair of the
'One library' issue (k = 30, s = 1, harmonic trap lam = 1, d = 2, T1 = T2 = 1.5), Euler and
Heun, two time steps.  The exact heat (discrete gradient) makes every entry 0 within its error
bar; the trapezoid rule gave 0.0060 +- 0.0005 for Heun at dt = 1e-3.

    python benchmarks/exact_heat.py [--replicas 2048] [--time 100]
"""

from __future__ import annotations

import argparse

import numpy as np

from multitemp import HarmonicTrap, RunParameters, SoftRepulsion, System, simulate
from multitemp.ensemble.summary import summarize


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--replicas", type=int, default=2048)
    ap.add_argument("--time", type=float, default=100.0)
    ap.add_argument("--burn-in", type=float, default=10.0)
    args = ap.parse_args()
    system = System(2, np.array([1.5, 1.5]), pair=SoftRepulsion(30.0, 1.0), external=HarmonicTrap(1.0))
    print("integrator  dt      entropy production rate   in standard errors")
    for integrator in ("heun", "euler"):
        for dt in (1e-3, 4e-3):
            params = RunParameters(dt=dt, time=args.time, burn_in=args.burn_in, replicas=args.replicas, seed=1,
                                   integrator=integrator)  # fmt: skip
            s = summarize(simulate(system, params))
            rate, se = s["entropy_production_rate"], s["entropy_production_rate_stderr"]
            print(f"{integrator:10s}  {dt:.0e}  {rate:+.5f} +- {se:.5f}          {rate / se:+.2f}")


if __name__ == "__main__":
    main()
