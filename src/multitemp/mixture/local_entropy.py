"""Where in space the entropy is produced (physics.md section 7): maps and environments from a
GSD trajectory whose frames hold each particle's cumulative heat (``particles/heat``).

Between consecutive frames f and f + 1 (interval dt_f), particle i produced
``s_i = [Q_i(f+1) - Q_i(f)] / (T_i dt_f)`` (entropy production rate of its bath, 1 / time),
credited to where it was at frame f.  Over many intervals this gives

* a **map**: the entropy production density on a grid (2D; in 3D the x-y projection), the
  coarse-grained field sigma(r) = sum of s_i of the particles in a cell / cell area, averaged
  over intervals;
* **environments**: each particle at frame f is *bulk cold* (>= 80 % of its neighbours within
  ``2 s`` are cold), *bulk hot* (<= 20 %) or *interface* (in between; freud neighbour query),
  and the mean s_i per (type, environment) and the share of the total each environment
  produces, with standard errors from batches of intervals;
* the same environments measured from the snapshots alone (configurational estimator,
  :mod:`multitemp.mixture.configurational`), as an independent check.  It assumes continuous
  time: with a time step that is not small against the stiffest curvature (mu k dt > 0.02) it is
  off by O(mu k dt), and the summary says so (``configurational_warning``);
* a **snapshot** coloured by each particle's entropy production over the last intervals.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import freud
import numpy as np

from multitemp.mixture.trajectory import TrajectoryError

__all__ = ["LocalEntropy", "local_entropy", "ENVIRONMENTS", "local_entropy_figure"]

ENVIRONMENTS = ("bulk hot", "interface", "bulk cold")


@dataclass
class LocalEntropy:
    summary: dict[str, Any]
    density: np.ndarray  # (bins_x, bins_y) entropy production per area per time
    edges: tuple[np.ndarray, np.ndarray]
    last_positions: np.ndarray  # (N, d) at the last analysed frame
    last_rates: np.ndarray  # (N,) entropy production rate over the final intervals
    type_names: list[str]
    typeid: np.ndarray
    box: np.ndarray
    diameter: float


def _cold_fraction(box: np.ndarray, x: np.ndarray, cold: np.ndarray, radius: float) -> np.ndarray:
    d = x.shape[1]
    fbox = freud.box.Box(Lx=box[0], Ly=box[1], is2D=True) if d == 2 else freud.box.Box(*box[:3])
    pts = np.zeros((len(x), 3), dtype=np.float32)
    pts[:, :d] = x - box / 2
    nl = freud.locality.AABBQuery(fbox, pts).query(pts, {"r_max": radius, "exclude_ii": True}).toNeighborList()
    qi, pj = nl.query_point_indices, nl.point_indices
    total = np.bincount(qi, minlength=len(x))
    n_cold = np.bincount(qi, weights=cold[pj].astype(float), minlength=len(x))
    return np.where(total > 0, n_cold / np.maximum(total, 1), cold.astype(float))


def environment(cold_fraction: np.ndarray) -> np.ndarray:
    """0 bulk hot (<= 0.2 of the neighbours cold), 1 interface, 2 bulk cold (>= 0.8)."""
    return np.where(cold_fraction <= 0.2, 0, np.where(cold_fraction >= 0.8, 2, 1))


def local_entropy(path: Path, skip: float = 0.5, bins: int = 48, batches: int = 8, window: int = 5,
                  cold_type: str = "cold", configurational: bool = True) -> LocalEntropy:  # fmt: skip
    """Analyse the frames after the first ``skip`` fraction (see the module docstring)."""
    from multitemp.mixture.analysis import open_trajectory

    with open_trajectory(path) as traj:
        n = len(traj)
        first = traj[0]
        if first.log.get("particles/heat") is None:
            raise TrajectoryError(f"{path}: the frames hold no per-particle heat (written by multitemp >= 0.1 runs)")
        picks = list(range(min(int(skip * n), n - 2), n))
        if len(picks) < 3:
            raise TrajectoryError(f"{path}: {n} frames; the analysis needs at least 3 after --skip")
        frames = [traj[i] for i in picks]
        cfg_raw = first.log.get("multitemp/config")
    config = json.loads(bytes(np.asarray(cfg_raw, dtype=np.uint8)).decode()) if cfg_raw is not None else None
    d = int(first.configuration.dimensions)
    box = np.asarray(first.configuration.box[:d], dtype=np.float64)
    names = list(first.particles.types)
    if cold_type not in names:
        raise TrajectoryError(f"--cold-type {cold_type!r} is not a type of this trajectory; its types are {names}")
    typeid = np.asarray(first.particles.typeid, dtype=np.int64)
    cold = typeid == names.index(cold_type)
    temps = np.asarray(first.log["particles/temperature"], dtype=np.float64)
    dia = float(np.median(first.particles.diameter)) if first.particles.diameter is not None else 1.0
    dt = config["run"]["dt"] if config else 1.0
    steps = np.array([f.configuration.step for f in frames], dtype=np.float64)
    times = steps * dt
    pos = [np.asarray(f.particles.position[:, :d], dtype=np.float64) + box / 2 for f in frames]
    heat = np.stack([np.asarray(f.log["particles/heat"], dtype=np.float64) for f in frames])
    rates = np.diff(heat, axis=0) / np.diff(times)[:, None] / temps  # (I, N)
    n_int = len(rates)
    ex, ey = np.linspace(0, box[0], bins + 1), np.linspace(0, box[1], int(round(bins * box[1] / box[0])) + 1)
    cell = (ex[1] - ex[0]) * (ey[1] - ey[0])
    density = np.zeros((len(ex) - 1, len(ey) - 1))
    env_sum = np.zeros((n_int, len(names), 3))
    env_count = np.zeros((n_int, len(names), 3))
    conf_sum = np.zeros((n_int, len(names), 3))
    mixture = None
    if configurational and config is not None:
        from multitemp.mixture.config import MixtureConfig
        from multitemp.mixture.configurational import forces_and_laplacians

        try:
            mixture = MixtureConfig.model_validate(config).build()
        except (ValueError, NotImplementedError):
            mixture = None
    for k in range(n_int):
        x = pos[k]
        h, _, _ = np.histogram2d(x[:, 0], x[:, 1], bins=(ex, ey), weights=rates[k])
        density += h / cell
        env = environment(_cold_fraction(box, x, cold, 2.0 * dia))
        np.add.at(env_sum[k], (typeid, env), rates[k])
        np.add.at(env_count[k], (typeid, env), 1.0)
        if mixture is not None:
            f, lap = forces_and_laplacians(x, mixture)
            q = mixture.mobilities * (np.einsum("ij,ij->i", f, f) - temps * lap) / temps
            np.add.at(conf_sum[k], (typeid, env), q)
    density /= n_int
    total_rate = rates.sum(axis=1)  # (I,)
    nb = max(2, min(batches, n_int))
    edges = np.linspace(0, n_int, nb + 1).round().astype(int)

    def batched(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        means = np.stack([values[a:b].mean(axis=0) for a, b in zip(edges[:-1], edges[1:], strict=True) if b > a])
        return means.mean(axis=0), means.std(axis=0, ddof=1) / np.sqrt(len(means))

    tot, tot_err = batched(total_rate)
    share, share_err = batched(env_sum.sum(axis=1))  # (3,) entropy production per environment
    counts = env_count.sum(axis=0)
    per_particle = np.where(counts > 0, env_sum.sum(axis=0) / np.maximum(counts, 1), np.nan)
    pp_means = np.stack([env_sum[a:b].sum(0) / np.maximum(env_count[a:b].sum(0), 1)
                         for a, b in zip(edges[:-1], edges[1:], strict=True) if b > a])  # fmt: skip
    pp_err = pp_means.std(axis=0, ddof=1) / np.sqrt(len(pp_means))
    summary: dict[str, Any] = {
        "frames_analysed": len(frames),
        "intervals": n_int,
        "entropy_production_rate": float(tot),
        "entropy_production_rate_stderr": float(tot_err),
        "particles_per_environment": {e: float(counts[:, j].sum() / n_int) for j, e in enumerate(ENVIRONMENTS)},
        "entropy_production_rate_per_environment": {e: float(share[j]) for j, e in enumerate(ENVIRONMENTS)},
        "entropy_production_rate_per_environment_stderr": {e: float(share_err[j]) for j, e in enumerate(ENVIRONMENTS)},
        "entropy_production_rate_per_particle": {
            f"{names[t]} in {e}": [float(per_particle[t, j]), float(pp_err[t, j])]
            for t in range(len(names)) for j, e in enumerate(ENVIRONMENTS) if counts[t, j] > 0
        },  # fmt: skip
    }
    if mixture is not None:
        stiffness = getattr(mixture.pair, "k", 0.0) / getattr(mixture.pair, "s", 1.0) ** 2
        if mixture.pair.kind == "wca":
            stiffness = 57.1 * mixture.pair.epsilon / mixture.pair.sigma**2  # U'' at the WCA minimum
        stiffness = max(stiffness, getattr(mixture.bond, "k", 0.0) if mixture.bond is not None else 0.0)
        bias = float(np.max(mixture.mobilities) * stiffness * dt)
        summary["configurational_mu_k_dt"] = bias
        if bias > 0.02:
            summary["configurational_warning"] = (
                f"mu k dt = {bias:.2g}: the configurational estimator assumes continuous time and is off by "
                "O(mu k dt) here (Euler samples a distribution broader by about that fraction); "
                "trust the trajectory values, or rerun with a smaller dt"
            )
        conf_pp = np.where(counts > 0, conf_sum.sum(axis=0) / np.maximum(counts, 1), np.nan)
        cp_means = np.stack([conf_sum[a:b].sum(0) / np.maximum(env_count[a:b].sum(0), 1)
                             for a, b in zip(edges[:-1], edges[1:], strict=True) if b > a])  # fmt: skip
        cp_err = cp_means.std(axis=0, ddof=1) / np.sqrt(len(cp_means))
        summary["entropy_production_rate_per_particle_configurational"] = {
            f"{names[t]} in {e}": [float(conf_pp[t, j]), float(cp_err[t, j])]
            for t in range(len(names)) for j, e in enumerate(ENVIRONMENTS) if counts[t, j] > 0
        }  # fmt: skip
    w = min(window, n_int)
    last_rates = (heat[-1] - heat[-1 - w]) / (times[-1] - times[-1 - w]) / temps
    return LocalEntropy(summary, density, (ex, ey), pos[-1], last_rates, names, typeid, box, dia)


def local_entropy_figure(result: LocalEntropy, out: Path) -> Path:
    """Three panels: the entropy production density map, a snapshot coloured by each particle's
    entropy production over the last intervals, and the mean per particle in each environment."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.collections import EllipseCollection
    from matplotlib.colors import SymLogNorm

    fig, axes = plt.subplots(1, 3, figsize=(16, 5.2))
    ex, ey = result.edges
    dens = result.density.T
    lim = float(np.nanpercentile(np.abs(dens), 99)) or 1.0
    im = axes[0].imshow(dens, origin="lower", extent=(ex[0], ex[-1], ey[0], ey[-1]), cmap="RdBu_r",
                        norm=SymLogNorm(linthresh=lim / 30, vmin=-lim, vmax=lim))  # fmt: skip
    fig.colorbar(im, ax=axes[0], fraction=0.046, label="entropy production per area and time")
    axes[0].set_title("coarse-grained entropy production density", fontsize=9)
    ax = axes[1]
    x = result.last_positions
    r = result.last_rates
    lim2 = float(np.percentile(np.abs(r), 98)) or 1.0
    coll = EllipseCollection(np.full(len(x), result.diameter), np.full(len(x), result.diameter), np.zeros(len(x)),
                             units="xy", offsets=x[:, :2], offset_transform=ax.transData, cmap="RdBu_r",
                             norm=SymLogNorm(linthresh=lim2 / 30, vmin=-lim2, vmax=lim2), linewidths=0)  # fmt: skip
    coll.set_array(r)
    ax.add_collection(coll)
    ax.set_xlim(0, result.box[0])
    ax.set_ylim(0, result.box[1])
    ax.set_aspect("equal")
    fig.colorbar(coll, ax=ax, fraction=0.046, label="Q_i / (T_i t) over the last frames")
    ax.set_title("each particle's entropy production (last frames)", fontsize=9)
    for a in axes[:2]:
        a.set_xticks([])
        a.set_yticks([])
    ax = axes[2]
    s = result.summary
    labels, vals, errs, colours = [], [], [], []
    conf = s.get("entropy_production_rate_per_particle_configurational", {})
    for key, (v, e) in s["entropy_production_rate_per_particle"].items():
        labels.append(key)
        vals.append(v)
        errs.append(e)
        colours.append("#d62728" if key.startswith("hot") else "#1f77b4")
    pos = np.arange(len(labels))
    ax.bar(pos - 0.2, vals, 0.4, yerr=errs, color=colours, capsize=3, label="from trajectories (heat)")
    if conf:
        biased = " (biased: mu k dt = {:.2g})".format(s["configurational_mu_k_dt"]) if "configurational_warning" in s else ""
        ax.bar(pos + 0.2, [conf[k][0] for k in labels], 0.4, yerr=[conf[k][1] for k in labels], color=colours,
               alpha=0.45, hatch="//", capsize=3, label="from snapshots (configurational)" + biased)  # fmt: skip
    ax.set_xticks(pos, labels, rotation=30, ha="right", fontsize=8)
    ax.axhline(0, color="k", lw=0.5)
    ax.set_yscale("symlog", linthresh=1.0)
    ax.set_ylabel("entropy production rate per particle")
    ax.legend(fontsize=7)
    shares = s["entropy_production_rate_per_environment"]
    total = sum(shares.values())
    ax.set_title("by environment: " + ", ".join(f"{e} {100 * v / total:.0f}%" for e, v in shares.items()), fontsize=9)
    fig.tight_layout()
    fig.savefig(out, dpi=120)
    plt.close(fig)
    return out
