"""``multitemp gallery``: every figure of the project from default parameters, the parameter
scans run through the Dask sweep machinery, and an index (``index.md``) with one line each.

Figures (physics.md sections in brackets): the phase-space density and current of the harmonic
pair [4]; run-and-chase trajectories and correlations [5]; the ratchet current against the
temperature ratio with its nulls [6]; the Feynman ratchet against the temperature ratio and the
phase [6]; the arrow of time [3]; phase separation of hot and cold disks [7].
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
import xarray as xr

from multitemp.sweep import run_sweep
from multitemp.sweep.spec import parse_sweep

RING = {
    "pair_potential": {"kind": "soft", "k": 10.0, "s": 1.0},
    "box": {"kind": "periodic", "length": 3.0},
    "observables": {"histogram_bins": 0},
}


def _scan(name: str, base: dict, sweep: dict, out: Path, client) -> xr.Dataset:
    summary = run_sweep(parse_sweep({**base, "sweep": sweep}), out / "scans" / name, client=client)
    return xr.open_dataset(summary.output).load()


def _save(fig, out: Path, name: str) -> str:
    for ext in ("png", "svg"):
        fig.savefig(out / f"{name}.{ext}", dpi=120)
    import matplotlib.pyplot as plt

    plt.close(fig)
    return f"{name}.png"


def phase_space(out: Path, client) -> tuple[str, str]:
    from multitemp.ensemble.run import demo_config, run_config

    res = run_config(demo_config(replicas=1024, time=100.0), out / "phase_space_run")
    target = out / "phase_space.png"
    target.write_bytes(res.figure.read_bytes())
    s = res.summary
    return "phase_space.png", (
        f"Harmonic pair, T = (5, 1): density of (x1, x2), measured (white) and exact (red) probability current; "
        f"entropy production {s['entropy_production_rate']:.3f} +- {s['entropy_production_rate_stderr']:.3f} (exact 0.8)."
    )


def chase(out: Path, client) -> tuple[str, str]:
    import matplotlib.pyplot as plt

    from multitemp.api import parse_config
    from multitemp.ensemble.simulation import simulate

    taus = [0.02, 0.05, 0.1, 0.2, 0.5, 1.0]
    base = {**RING, "system": {"dim": 1, "temperatures": [0.5, 0.5]},
            "run": {"dt": 1e-3, "time": 30.0, "burn_in": 2.0, "replicas": 1024, "seed": 3},
            "observables": {"histogram_bins": 0, "chase_tau": taus}}  # fmt: skip
    ds = _scan("chase", base, {"system.temperatures.0": [0.5, 1.5, 5.0]}, out, client)
    traj_cfg = parse_config({**base, "run": {**base["run"], "time": 12.0, "replicas": 1},
                             "system": {"dim": 1, "temperatures": [5.0, 0.5]},
                             "observables": {"histogram_bins": 0, "trajectory_every": 10, "trajectory_replicas": 1}})  # fmt: skip
    traj = simulate(traj_cfg.build_system(), traj_cfg.build_run((-5, 5))).trajectory[0, :, :, 0]
    fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(11, 4), constrained_layout=True)
    t = np.arange(traj.shape[0]) * 10 * 1e-3
    ax0.plot(t, traj[:, 0], color="tab:red", lw=0.8, label="hot, T = 5")
    ax0.plot(t, traj[:, 1], color="tab:blue", lw=0.8, label="cold, T = 0.5")
    ax0.set(xlabel="time", ylabel="position on the ring (unwrapped)", title="a hot-cold soft pair on a ring of 3")
    ax0.legend(fontsize=8)
    for i, ratio in enumerate(ds["system.temperatures.0"].values / 0.5):
        color = f"C{i}"
        b, be = ds["chase_backward"].values[i], ds["chase_backward_stderr"].values[i]
        f, fe = ds["chase_forward"].values[i], ds["chase_forward_stderr"].values[i]
        ax1.errorbar(taus, b, be, color=color, marker="o", capsize=3, label=f"backward, T_hot/T_cold = {ratio:g}")
        ax1.errorbar(taus, f, fe, color=color, marker="s", ls="--", mfc="none", capsize=3, label=f"forward, {ratio:g}")
    ax1.axhline(0, color="k", lw=0.6)
    ax1.set(xscale="log", xlabel="lag tau", ylabel="C(tau)", title="run-and-chase: <dX . n | contact>")
    ax1.legend(fontsize=7)
    return _save(fig, out, "chase"), (
        "Run and chase (physics.md section 5): the hot particle (red) chases the cold one; the backward "
        "correlation is positive and grows with T_hot/T_cold, the forward one is zero (the centre is free)."
    )


def ratchet(out: Path, client) -> tuple[str, str]:
    import matplotlib.pyplot as plt

    ratios = [1.0, 2.0, 5.0, 10.0, 20.0]
    saw = {"kind": "sawtooth", "height": 4.0, "period": 1.0, "asymmetry": 0.2, "smoothing": 0.02}
    run = {"dt": 1e-3, "time": 40.0, "burn_in": 5.0, "replicas": 1024, "seed": 5}
    base = {**RING, "system": {"dim": 1, "temperatures": [0.2, 0.2]}, "external_potential": saw, "run": run}
    ds = _scan("ratchet", base, {"system.temperatures.0": [0.2 * r for r in ratios], "external_potential.asymmetry": [0.2, 0.8]}, out, client)  # fmt: skip
    single = {"system": {"dim": 1, "temperatures": [0.2]}, "external_potential": saw, "box": RING["box"],
              "observables": RING["observables"], "run": run}  # fmt: skip
    ds1 = _scan("ratchet_single", single, {"system.temperatures.0": [0.2 * r for r in ratios]}, out, client)
    fig, ax = plt.subplots(figsize=(6.4, 4.6), constrained_layout=True)
    for j, a in enumerate(ds["external_potential.asymmetry"].values):
        v = ds["center_of_mass_velocity"].values[:, j]
        e = ds["center_of_mass_velocity_stderr"].values[:, j]
        ax.errorbar(ratios, v, e, marker="o", capsize=3, label=f"pair, asymmetry a = {a:g}")
    ax.errorbar(ratios, ds1["center_of_mass_velocity"].values, ds1["center_of_mass_velocity_stderr"].values,
                marker="x", ls=":", color="gray", capsize=3, label="single particle (null)")  # fmt: skip
    ax.axhline(0, color="k", lw=0.6)
    ax.set(xscale="log", xlabel="T_hot / T_cold (T_cold = 0.2)", ylabel="ratchet current <dX/dt>",
           title="soft pair on a ring in a sawtooth (height 4)")  # fmt: skip
    ax.legend(fontsize=8)
    return _save(fig, out, "ratchet"), (
        "Ratchet current of a hot-cold soft pair in a sawtooth (section 6): zero at equal temperatures and for "
        "one particle, opposite for the mirror sawtooth (a -> 1 - a)."
    )


def feynman(out: Path, client) -> tuple[str, str]:
    import matplotlib.pyplot as plt

    base = {"system": {"dim": 1, "temperatures": [2.0, 0.1]}, "pair_potential": {"kind": "harmonic", "k": 40.0},
            "external_potential": {"kind": "cosine", "amplitude": 1.0, "period": 1.0, "phase": [0.0, math.pi / 2]},
            "run": {"dt": 1e-3, "time": 25.0, "burn_in": 4.0, "replicas": 512, "seed": 9},
            "observables": {"histogram_bins": 0}}  # fmt: skip
    ratios = [1.0, 3.0, 10.0, 20.0, 50.0]
    dt_ = _scan("feynman_temperature", base, {"system.temperatures.0": [0.1 * r for r in ratios]}, out, client)
    phis = list(np.linspace(-math.pi, math.pi, 9))
    dp = _scan("feynman_phase", base, {"external_potential.phase.1": phis}, out, client)
    fig, axes = plt.subplots(1, 3, figsize=(13, 4), constrained_layout=True)
    axes[0].errorbar(
        ratios, dt_["center_of_mass_velocity"], dt_["center_of_mass_velocity_stderr"], marker="o", capsize=3
    )
    axes[0].set(xscale="log", xlabel="T1 / T2 (T2 = 0.1)", ylabel="velocity <dx/dt>", title="velocity, phi = pi/2")
    heat = -dt_["heat_rate"].values[:, 0]
    axes[1].errorbar(ratios, heat, dt_["heat_rate_stderr"].values[:, 0], marker="o", capsize=3, color="tab:red")
    # symlog: every point with its error bar, the zero (T1 = T2) and any negative one included
    axes[1].set(xscale="log", xlabel="T1 / T2", ylabel="heat flow out of the hot bath", title="heat flow")
    axes[1].set_yscale("symlog", linthresh=0.01)
    axes[2].errorbar(phis, dp["center_of_mass_velocity"], dp["center_of_mass_velocity_stderr"], marker="o", capsize=3)
    axes[2].set(xlabel="phase phi", ylabel="velocity", title="T = (2, 0.1): odd in phi, zero at 0 and +-pi")
    for ax in axes:
        ax.axhline(0, color="k", lw=0.6)
    return _save(fig, out, "feynman"), (
        "Feynman ratchet-and-pawl (section 6): two coupled coordinates in phase-shifted cosines at two temperatures "
        "move together only when T1 != T2; the velocity is odd in the phase. The heat-flow axis is symmetric-log "
        "(linear within +-0.01), so the point at T1 = T2 (zero within its error bar) is shown with the others."
    )


def arrow(out: Path, client) -> tuple[str, str]:
    import matplotlib.pyplot as plt

    taus = [float(t) for t in np.geomspace(0.01, 10.0, 10)]
    base = {"system": {"dim": 1, "temperatures": [1.0, 1.0]}, "pair_potential": {"kind": "harmonic", "k": 1.0},
            "external_potential": {"kind": "harmonic", "lam": 1.0},
            "run": {"dt": 1e-3, "time": 60.0, "burn_in": 5.0, "replicas": 512, "seed": 4},
            "observables": {"histogram_bins": 0, "arrow_tau": taus}}  # fmt: skip
    ratios = [1.0, 2.0, 5.0, 20.0]
    ds = _scan("arrow", base, {"system.temperatures.0": ratios}, out, client)
    fig, ax = plt.subplots(figsize=(6.4, 4.6), constrained_layout=True)
    for i, ratio in enumerate(ratios):
        sigma = (ratio - 1.0) ** 2 / (2 * ratio * 2)  # k = lam = 1: k^2 (T1 - T2)^2 / (2 T1 T2 (k + lam))
        x = np.array(taus) * (sigma if sigma > 0 else 1.0)
        label = f"T1/T2 = {ratio:g}" + (" (x: tau)" if sigma == 0 else "")
        ax.errorbar(
            x,
            ds["arrow_p_correct"].values[i],
            ds["arrow_p_correct_stderr"].values[i],
            marker="o",
            capsize=3,
            label=label,
        )
    # the direct way: recorded windows, half shown reversed, the likelihood-ratio test guesses
    from multitemp.api import parse_config
    from multitemp.ensemble.arrow import reversal_game
    from multitemp.ensemble.simulation import simulate

    game_cfg = parse_config({**base, "system": {"dim": 1, "temperatures": [5.0, 1.0]},
                             "run": {**base["run"], "time": 45.0, "replicas": 64},
                             "observables": {"histogram_bins": 0, "trajectory_every": 10, "trajectory_replicas": 64}})  # fmt: skip
    game_traj = simulate(game_cfg.build_system(), game_cfg.build_run((-5, 5))).trajectory[:, 500:]
    sigma5 = 16 / 20  # T = (5, 1)
    for j, frames in enumerate((3, 11, 31, 101, 301)):
        p, e, _ = reversal_game(game_cfg.build_system(), game_traj, frames)
        ax.errorbar((frames - 1) * 0.01 * sigma5, p, e, color="k", marker="x", ms=9, ls="none",
                    label="reversal game, T1/T2 = 5" if j == 0 else None)  # fmt: skip
    # a Gaussian entropy production obeying the fluctuation theorem: mean sigma tau, variance
    # 2 sigma tau, so P_correct = Phi(sqrt(sigma tau / 2))
    from scipy.special import ndtr

    st = np.geomspace(1e-3, 30.0, 200)
    ax.plot(st, ndtr(np.sqrt(st / 2)), color="0.4", ls="--", lw=1.2, label="Gaussian, FT: Phi(sqrt(sigma tau / 2))")
    ax.axhline(0.5, color="k", lw=0.6)
    ax.set(xscale="log", xlabel="tau x sigma", ylabel="P(correct direction)", title="arrow of time, harmonic pair")
    ax.legend(fontsize=8)
    return _save(fig, out, "arrow"), (
        "Arrow of time (section 3): the probability of telling a movie's direction from the sign of its entropy "
        "rises from 1/2 to 1 on the time scale 1/sigma for every temperature ratio, and stays 1/2 at equal T. "
        "Crosses: recorded windows, half shown reversed at random, guessed by the likelihood-ratio test. "
        "Dashed: a Gaussian entropy production obeying the fluctuation theorem (mean sigma tau, variance "
        "2 sigma tau), P = Phi(sqrt(sigma tau / 2)). The measurement lies below it for tau x sigma from 0.01 "
        "to about 3 (0.70 against 0.76 at 1): a short window's entropy is not Gaussian, and its sign is "
        "closer to a coin toss. The two meet again once tau x sigma is past about 10."
    )


def _slab(cold: float, particles: int = 1500, time: float = 300.0) -> dict:
    """examples/slab.toml: a cold slab (T = ``cold``) beside a hot gas (T = 1), phi = 0.5, box 3:1."""
    return {
        "mixture": {"dim": 2, "particles": particles, "phi": 0.5, "aspect": [3.0, 1.0], "types": [
            {"name": "hot", "temperature": 1.0, "fraction": 0.5},
            {"name": "cold", "temperature": cold, "fraction": 0.5}]},
        "pair_potential": {"kind": "soft", "k": 100.0, "s": 1.0},
        "initial": {"arrangement": "slab"},
        "run": {"dt": 2e-3, "time": time, "burn_in": 50.0, "seed": 1, "threads": 1},
        "neighbors": {"skin": 0.6},
        "output": {"write_every": 2500},
    }  # fmt: skip


def phase_separation(out: Path, client) -> tuple[str, str]:
    """A cold slab (T = 1/30) beside a hot gas (T = 1) against the equal-temperature control from
    the same start, run side by side on the Dask workers: snapshots, demixing and the largest
    cold cluster against time; and where the entropy is produced in the separated state."""
    import gsd.hoomd
    import matplotlib.pyplot as plt

    from multitemp.mixture.analysis import analyze_trajectory
    from multitemp.mixture.config import MixtureConfig
    from multitemp.mixture.local_entropy import local_entropy, local_entropy_figure
    from multitemp.mixture.pictures import _draw
    from multitemp.mixture.run import run_mixture

    runs = {"hot/cold": _slab(1 / 30), "equal T": _slab(1.0)}
    futures = {
        name: client.submit(run_mixture, MixtureConfig.model_validate(cfg), out / "phase_separation" / name.replace("/", "_").replace(" ", "_"), pure=False)
        for name, cfg in runs.items()
    }  # fmt: skip
    results = {name: f.result() for name, f in futures.items()}
    series = {name: analyze_trajectory(r.trajectory)[0] for name, r in results.items()}
    fig = plt.figure(figsize=(13, 6.4))
    grid = fig.add_gridspec(2, 2, width_ratios=[2.2, 1])
    for row, name in enumerate(runs):
        ax = fig.add_subplot(grid[row, 0])
        with gsd.hoomd.open(str(results[name].trajectory), "r") as traj:
            _draw(ax, traj[-1], float(series[name].time.values[-1]))
        ax.set_title(f"{name}: " + ax.get_title(), fontsize=9)
    a1, a2 = fig.add_subplot(grid[0, 1]), fig.add_subplot(grid[1, 1])
    for name, ds in series.items():
        style = "o-" if name == "hot/cold" else "s--"
        a1.plot(ds.time, ds.demixing, style, ms=3, label=name)
        a2.plot(ds.time, ds.largest_cold_cluster_fraction, style, ms=3, label=name)
    a1.set(xlabel="t", ylabel="demixing order parameter")
    a2.set(xlabel="t", ylabel="largest cold cluster / cold particles")
    a1.legend()
    fig.tight_layout()
    image = _save(fig, out, "phase_separation")
    local = local_entropy(results["hot/cold"].trajectory)
    local_entropy_figure(local, out / "entropy_map.png")
    last = {name: float(ds.demixing.values[-1]) for name, ds in series.items()}
    shares = local.summary["entropy_production_rate_per_environment"]
    total = sum(shares.values())
    return image, (
        "A cold slab (T = 1/30) beside a hot gas (T = 1), soft disks, phi = 0.5, N = 1500, no attraction: the "
        "slab stays and crystallises, squeezed by the hot gas; from the same start at equal temperatures it "
        f"dissolves. Demixing at the end {last['hot/cold']:.2f} against {last['equal T']:.2f} (section 7). "
        "Where the entropy is produced in the separated state ([entropy_map.png](entropy_map.png)): "
        + ", ".join(f"{e} {100 * v / total:.0f}%" for e, v in shares.items())
        + "."
    )


def chains(out: Path, client) -> tuple[str, str]:
    """Ideal block chains (10 hot at T = 5, then 10 cold): the entropy production of every
    monomer's bath along the chain, measured and exact (physics.md 8b)."""
    from multitemp.mixture.chain_analysis import analyze_chains, chain_figure
    from multitemp.mixture.config import MixtureConfig
    from multitemp.mixture.run import run_mixture

    cfg = {
        "mixture": {"dim": 3, "phi": 0.001, "types": [{"name": "hot", "temperature": 5.0},
                                                    {"name": "cold", "temperature": 1.0}]},
        "pair_potential": {"kind": "none"},
        "polymer": {"bond": {"kind": "harmonic", "k": 10.0}, "chains": [
            {"count": 32, "monomers": 20, "pattern": {"kind": "blocks", "blocks": [["hot", 10], ["cold", 10]]}}]},
        "run": {"dt": 2e-4, "time": 40.0, "burn_in": 10.0, "seed": 1, "threads": 1},
        "neighbors": {"skin": 1.0},
        "output": {"write_every": 2500},
    }  # fmt: skip
    result = client.submit(run_mixture, MixtureConfig.model_validate(cfg), out / "chains", pure=False).result()
    analysis = analyze_chains(result.trajectory, skip=0.25)
    chain_figure(analysis, out / "chains.png")
    s = analysis.summary
    return "chains.png", (
        "32 free ideal chains of 20 monomers, 10 hot (T = 5) then 10 cold (T = 1), Rouse springs k = 10, d = 3 "
        f"(section 8b). Entropy production per chain {s['entropy_production_rate_per_chain']:.2f} +- "
        f"{s['entropy_production_rate_per_chain_stderr']:.2f}, exact {s['entropy_production_rate_per_chain_exact']:.2f}: "
        "produced at the junction, where the last hot monomer heats the first cold one."
    )


FIGURES: list[Callable] = [phase_space, chase, ratchet, feynman, arrow, phase_separation, chains]


def make_gallery(out: str | Path, client=None, workers: int | None = None, log: Callable[[str], None] = print) -> Path:
    """Run every figure's scans (on ``client`` or a new LocalCluster) and write ``index.md``."""
    from distributed import Client, LocalCluster

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    cluster = None
    if client is None:
        cluster = LocalCluster(n_workers=workers or 2, threads_per_worker=1, processes=True, dashboard_address=":0")
        client = Client(cluster)
    lines = ["# multitemp gallery", "", "Regenerate with `multitemp gallery`. Scans: `scans/*/sweep.nc`.", ""]
    try:
        for make in FIGURES:
            log(f"gallery: {make.__name__}")
            image, caption = make(out, client)
            lines += [f"## {make.__name__.replace('_', ' ')}", "", f"![{make.__name__}]({image})", "", caption, ""]
    finally:
        if cluster is not None:
            client.close()
            cluster.close()
    index = out / "index.md"
    index.write_text("\n".join(lines))
    return index
