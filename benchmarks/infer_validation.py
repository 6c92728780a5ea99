"""Validation report of the model-free estimators (physics.md section 8) on simulated data of
known entropy production rate: estimate / exact with error bars, as functions of trajectory
length and sampling interval, and a figure (estimate / exact vs trajectory length).

Systems: the harmonic pair (d = 1 and 2; exact 0.8 d), the 5-bead chain between walls with a
linear temperature profile (Li et al. 2019; exact from the linear theory), and a soft-repulsive
pair in a harmonic trap in d = 2 (ground truth: the core's Stratonovich heat, same run; 'pair'
basis).  In d = 1 a soft pair crosses the kink of U at r = 0, where the force jumps: its heat
is carried by events shorter than any sampling interval, so it is not a fair test case.

    python benchmarks/infer_validation.py [--out infer_validation.png] [--quick]
"""

from __future__ import annotations

import argparse

import numpy as np

from multitemp.core.potentials import HarmonicSpring, HarmonicTrap, SoftRepulsion
from multitemp.ensemble.simulation import RunParameters, simulate
from multitemp.ensemble.summary import summarize
from multitemp.ensemble.system import System
from multitemp.inference import Trajectories, infer
from multitemp.theory import LinearTheory

DT = 1e-3


def systems():
    chain = System(
        1, np.linspace(5.0, 1.0, 5), bonds=tuple((i, i + 1, 1.0) for i in range(4)),
        tethers=((0, 1.0, (0.0,)), (4, 1.0, (0.0,))),
    )  # fmt: skip
    soft = System(2, np.array([5.0, 1.0]), pair=SoftRepulsion(10.0, 1.0), external=HarmonicTrap(1.0))
    pair1 = System(1, np.array([5.0, 1.0]), pair=HarmonicSpring(1.0), external=HarmonicTrap(1.0))
    pair2 = System(2, np.array([5.0, 1.0]), pair=HarmonicSpring(1.0), external=HarmonicTrap(1.0))
    # name: (system, basis, dim for the basis, sampling intervals in steps of DT)
    return {
        "pair d=1": (pair1, "linear", None, (50, 20)),
        "pair d=2": (pair2, "linear", None, (50, 20)),
        "chain N=5": (chain, "linear", None, (20, 50)),
        "soft pair d=2": (soft, "pair", 2, (5, 20)),
    }


def sample(system, every, frames, replicas, seed=4):
    burn = 20
    params = RunParameters(
        dt=DT, time=(frames + burn) * every * DT, burn_in=burn * every * DT, replicas=replicas, seed=seed,
        trajectory_every=every, trajectory_replicas=replicas,
    )  # fmt: skip
    res = simulate(system, params)
    truth = LinearTheory.from_system(system).entropy_production_rate if system.is_linear else None
    if truth is None:
        s = summarize(res)
        truth, truth_err = s["entropy_production_rate"], s["entropy_production_rate_stderr"]
    else:
        truth_err = 0.0
    return res.trajectory[:, burn:].reshape(replicas, frames, -1), every * DT, truth, truth_err


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="infer_validation.png")
    ap.add_argument("--quick", action="store_true", help="shorter trajectories")
    args = ap.parse_args()
    replicas = 100
    lengths = [1000, 3000, 10_000] if not args.quick else [500, 2000]
    rows = []
    print(
        f"{'system':<10} {'dt_s':>5} {'samples':>8} {'exact':>7}  "
        + "  ".join(f"{m:>22}" for m in ("tur", "short_time_tur", "current"))
    )
    for name, (system, basis, dim, everies) in systems().items():
        for every in everies:
            x, dts, truth, truth_err = sample(system, every, lengths[-1], replicas)
            for frames in lengths:
                res = infer(Trajectories.from_array(x[:, :frames], dts), basis=basis, dim=dim)
                cells = []
                for m in ("tur", "short_time_tur", "current"):
                    if m in res:
                        e = res[m]
                        rows.append(
                            (name, dts, replicas * frames, m, e.entropy_production_rate / truth, e.stderr / truth)
                        )
                        cells.append(f"{e.entropy_production_rate / truth:6.3f} +- {e.stderr / truth:5.3f} (x)")
                    else:
                        cells.append(f"{'-':>22}")
                exact = f"{truth:7.4f}" + ("" if truth_err == 0 else f"+-{truth_err:.3f}")
                print(
                    f"{name:<10} {dts:>5.3f} {replicas * frames:>8d} {exact}  " + "  ".join(f"{c:>22}" for c in cells)
                )
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    specs = systems()
    names = list(specs)
    fig, axes = plt.subplots(1, len(names), figsize=(4 * len(names), 3.6), sharey=True, constrained_layout=True)
    for ax, name in zip(axes, names, strict=True):
        for m, marker in (("tur", "v"), ("short_time_tur", "o"), ("current", "s")):
            sel = [r for r in rows if r[0] == name and r[3] == m and r[1] == specs[name][3][0] * DT]
            if sel:
                n, v, e = zip(*[(r[2], r[4], r[5]) for r in sel], strict=True)
                ax.errorbar(n, v, yerr=e, marker=marker, capsize=3, label=m)
        ax.axhline(1.0, color="k", lw=0.8)
        ax.set_xscale("log")
        ax.set_title(f"{name} (sampling dt = {specs[name][3][0] * DT:g})", fontsize=10)
        ax.set_xlabel("samples (replicas x time)")
    axes[0].set_ylabel("estimate / exact")
    axes[0].legend(fontsize=8)
    fig.savefig(args.out, dpi=120)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
