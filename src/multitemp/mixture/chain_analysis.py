"""Chains in a GSD trajectory (``multitemp chains``): contact maps with the compartment score,
mean squared separation against |i - j| per segment type, block radii of gyration, radial
positions of each type in a container, and where along the chains the entropy is produced
(from the per-particle heat stored in every frame's log).  physics.md section 8b.

The chains are read from the frames' bonds (runs of consecutive ids joined by (i, i + 1)
bonds); chains of one length and one type pattern are averaged together ("a group"); the
group with the most monomers is analysed.  Frames: the last ``1 - skip`` of the trajectory.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from multitemp.mixture import chains as obs
from multitemp.mixture.polymer import chains_from_bonds
from multitemp.mixture.trajectory import TrajectoryError

__all__ = ["ChainAnalysis", "analyze_chains", "chain_figure", "demixing_against_ratio"]


@dataclass
class ChainAnalysis:
    """What :func:`analyze_chains` found (see the module docstring); ``summary`` is the JSON."""

    summary: dict[str, Any]
    contact: obs.ContactMap
    type_names: list[str]
    entropy_along: np.ndarray | None  # (L,) entropy production rate per monomer index
    entropy_along_stderr: np.ndarray | None
    entropy_along_exact: np.ndarray | None  # ideal chains (physics.md 8b)
    separation: dict[str, np.ndarray]
    dataset: Any


def default_s_min(types: np.ndarray) -> int:
    """Twice the mean length of the runs of equal type along the chain (40 for blocks of 20 and
    20): the compartment score then counts contacts between different blocks, not within one."""
    runs = np.diff(np.flatnonzero(np.r_[True, types[1:] != types[:-1], True]))
    return max(2, int(round(2 * runs.mean())))


def analyze_chains(path: Path, radius: float | None = None, skip: float = 0.5, stride: int = 1,
                   s_min: int | None = None) -> ChainAnalysis:  # fmt: skip
    """Analyse the chains of a trajectory (frames after the first ``skip`` fraction, every
    ``stride``-th); the compartment score counts pairs with |i - j| >= ``s_min`` (default:
    :func:`default_s_min`)."""
    import xarray as xr

    from multitemp.mixture.analysis import open_trajectory

    with open_trajectory(path) as traj:
        n_frames = len(traj)
        if n_frames == 0:
            raise TrajectoryError(f"{path} has no frames")
        first = traj[0]
        if not first.bonds.N:
            raise TrajectoryError(f"{path} has no bonds: `multitemp chains` needs a run with a [polymer] table")
        picks = list(range(min(int(skip * n_frames), n_frames - 1), n_frames, stride))
        frames = [traj[i] for i in picks]
        cfg_raw = first.log.get("multitemp/config")
    d = int(first.configuration.dimensions)
    box = np.asarray(first.configuration.box[:d], dtype=np.float64)
    typeid = np.asarray(first.particles.typeid, dtype=np.int64)
    names = list(first.particles.types)
    temps = np.asarray(first.log["particles/temperature"], dtype=np.float64)
    pos = np.stack([np.asarray(f.particles.position[:, :d], dtype=np.float64) + box / 2 for f in frames])
    diameter = float(np.median(first.particles.diameter)) if first.particles.diameter is not None else 1.0
    radius = radius or 1.5 * diameter
    all_chains = chains_from_bonds(first.particles.N, first.bonds.group)
    groups: dict[tuple, list[tuple[int, int]]] = {}
    for c in all_chains:
        groups.setdefault((c[1], typeid[c[0] : c[0] + c[1]].tobytes()), []).append(c)
    group = max(groups.values(), key=lambda g: len(g) * g[0][1])
    length = group[0][1]
    cmap = obs.contact_map(pos, box, group, typeid, radius)
    s_min = s_min or default_s_min(cmap.types)
    score, score_err = obs.compartment_score(cmap, s_min)
    sep = obs.separation_msd(pos, box, group, typeid)
    rg = obs.block_gyration(pos, box, group, typeid)
    times = np.array([f.configuration.step for f in frames], dtype=np.float64)
    dt = None
    if cfg_raw is not None:
        config = json.loads(bytes(np.asarray(cfg_raw, dtype=np.uint8)).decode())
        dt = config["run"]["dt"]
        times = times * dt
    summary: dict[str, Any] = {
        "chains": len(all_chains),
        "chains_analysed": len(group),
        "monomers_per_chain": length,
        "frames_analysed": len(frames),
        "contact_radius": radius,
        "compartment_score": score,
        "compartment_score_stderr": score_err,
        "compartment_score_s_min": s_min,
        "block_gyration_radius2": {names[k]: v for k, v in rg.items()},
    }
    entropy_along = entropy_err = None
    heats = [f.log.get("particles/heat") for f in frames]
    if len(frames) > 1 and all(h is not None for h in heats) and times[-1] > times[0]:
        h = np.stack([np.asarray(x, dtype=np.float64) for x in heats])
        rate = (h[-1] - h[0]) / (times[-1] - times[0]) / temps  # entropy production per particle
        per_chain = np.stack([rate[a : a + length] for a, _ in group])
        entropy_along = per_chain.mean(axis=0)
        if len(group) > 1:
            entropy_err = per_chain.std(axis=0, ddof=1) / np.sqrt(len(group))
        chain_total = per_chain.sum(axis=1)
        summary["entropy_production_rate_per_chain"] = float(chain_total.mean())
        if len(group) > 1:
            summary["entropy_production_rate_per_chain_stderr"] = float(chain_total.std(ddof=1) / np.sqrt(len(group)))
    config_wall = exact_along = bonds_exact = None
    if cfg_raw is not None:
        from multitemp.mixture.config import MixtureConfig
        from multitemp.mixture.polymer import ideal_chain_theory

        try:
            mixture_config = MixtureConfig.model_validate(config)
        except ValueError:  # e.g. an activity file that moved: skip what needs the config
            mixture_config = None
        if mixture_config is not None and mixture_config.container.kind == "sphere":
            config_wall = mixture_config.container_radius()
        theory = ideal_chain_theory(mixture_config.build()) if mixture_config is not None else None
        if theory is not None:
            a = group[0][0]
            exact_along = (theory.heat_rate / temps)[a : a + length]
            summary["entropy_production_rate_per_chain_exact"] = float(exact_along.sum())
            bonds_exact = theory.separation_msds([(a + m, a + m + 1) for m in range(length - 1)])
    data: dict[str, Any] = {
        "contact_probability": (("monomer_i", "monomer_j"), cmap.probability),
        "monomer_type": ("monomer_i", cmap.types),
    }
    for key, values in sep.items():
        label = names[int(key)] if key.isdigit() else key
        data[f"separation_msd_{label}"] = ("s", values)
    bond_msd = np.mean([np.sum(np.diff(obs.unwrap_chain(pos, box, a, length), axis=1) ** 2, axis=-1).mean(0)
                        for a, _ in group], axis=0)  # fmt: skip
    data["bond_msd"] = ("bond", bond_msd)
    coords_bond = {"bond": np.arange(length - 1)}
    if bonds_exact is not None:
        data["bond_msd_exact"] = ("bond", bonds_exact)
    if exact_along is not None:
        data["entropy_production_rate_along_exact"] = ("monomer_i", exact_along)
    if entropy_along is not None:
        data["entropy_production_rate_along"] = ("monomer_i", entropy_along)
        if entropy_err is not None:
            data["entropy_production_rate_along_stderr"] = ("monomer_i", entropy_err)
    coords = {"s": np.arange(1, length), "monomer_i": np.arange(length), "monomer_j": np.arange(length), **coords_bond}
    if config_wall is not None:
        edges, dens = obs.radial_profile(pos, box / 2, typeid, config_wall)
        coords["radial_distance"] = 0.5 * (edges[1:] + edges[:-1])
        for k, v in dens.items():
            data[f"radial_density_{names[k]}"] = ("radial_distance", v)
            summary[f"mean_radial_position_{names[k]}"] = float(
                np.linalg.norm(pos[:, typeid == k] - box / 2, axis=-1).mean()
            )
    ds = xr.Dataset(data, coords=coords, attrs={"trajectory": str(path), "summary": json.dumps(summary),
                                                "type_names": json.dumps(names)})  # fmt: skip
    return ChainAnalysis(summary, cmap, names, entropy_along, entropy_err, exact_along, sep, ds)


def chain_figure(result: ChainAnalysis, out: Path, title: str = "") -> Path:
    """Contact map with the monomer types along both axes, and the entropy production along
    the chain (when the trajectory has the per-particle heat)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.colors import ListedColormap, LogNorm

    from multitemp.mixture.pictures import _colours

    cmap = result.contact
    length = len(cmap.types)
    colours = _colours(result.type_names)
    strip = ListedColormap(colours)
    ncols = 3 if result.entropy_along is not None else 2
    fig = plt.figure(figsize=(5.2 * ncols, 5.0))
    outer = fig.add_gridspec(1, ncols, wspace=0.3)
    gs = outer[0].subgridspec(2, 2, width_ratios=[1, 18], height_ratios=[1, 18], wspace=0.05, hspace=0.05)
    ax = fig.add_subplot(gs[1, 1])
    p = np.where(cmap.probability > 0, cmap.probability, np.nan)
    im = ax.imshow(p, origin="upper", cmap="magma_r", norm=LogNorm(vmin=max(np.nanmin(p), 1e-4), vmax=1.0),
                   interpolation="nearest")  # fmt: skip
    ax.set_xlabel("monomer j")
    ax.set_yticks([])
    top = fig.add_subplot(gs[0, 1], sharex=ax)
    top.imshow(cmap.types[None, :], aspect="auto", cmap=strip, vmin=-0.5, vmax=len(colours) - 0.5, interpolation="nearest")
    top.axis("off")
    left = fig.add_subplot(gs[1, 0], sharey=ax)
    left.imshow(cmap.types[:, None], aspect="auto", cmap=strip, vmin=-0.5, vmax=len(colours) - 0.5, interpolation="nearest")
    left.set_xticks([])
    left.set_ylabel("monomer i")
    s = result.summary
    top.set_title(
        f"{title}contact probability (r < {cmap.radius:.3g}); compartment score (|i - j| >= "
        f"{s['compartment_score_s_min']}) {s['compartment_score']:.3f} ± {s['compartment_score_stderr']:.3f}",
        fontsize=9,
    )
    fig.colorbar(im, cax=ax.inset_axes([1.02, 0.0, 0.04, 1.0]))
    # observed / expected contacts of like and unlike pairs against |i - j|: the compartments
    profile = obs.contacts_against_distance(cmap)
    ax_oe = fig.add_subplot(outer[1].subgridspec(2, 1, height_ratios=[1, 18], hspace=0.05)[1])
    ax_oe.plot(profile["s"], profile["like"], "o-", ms=3, color="0.2", label="like pairs (hot-hot, cold-cold)")
    ax_oe.plot(profile["s"], profile["unlike"], "s--", ms=3, color="0.55", label="unlike pairs (hot-cold)")
    ax_oe.axhline(1.0, color="k", lw=0.5)
    ax_oe.axvline(s["compartment_score_s_min"], color="k", lw=0.5, ls=":")
    ax_oe.set_xscale("log")
    ax_oe.set_xlabel("|i - j|")
    ax_oe.set_ylabel("observed / expected contacts")
    ax_oe.legend(fontsize=7)
    ax_oe.set_title("compartments: like pairs meet more than expected", fontsize=9)
    if result.entropy_along is not None:
        ax2 = fig.add_subplot(outer[2].subgridspec(2, 1, height_ratios=[1, 18], hspace=0.05)[1])
        i = np.arange(length)
        for k, name in enumerate(result.type_names):
            sel = cmap.types == k
            if sel.any():
                ax2.plot(i[sel], result.entropy_along[sel], "o", ms=3, color=colours[k], label=name)
        if result.entropy_along_stderr is not None:
            ax2.errorbar(i, result.entropy_along, result.entropy_along_stderr, fmt="none", ecolor="0.5", lw=0.6)
        if result.entropy_along_exact is not None:
            ax2.plot(i, result.entropy_along_exact, "-", color="k", lw=1.0, label="exact (ideal chain)")
        ax2.axhline(0, color="k", lw=0.5)
        ax2.set_xlabel("monomer index")
        ax2.set_ylabel("entropy production rate of its bath, Q_i / (T_i t)")
        ax2.yaxis.set_label_position("right")
        ax2.yaxis.tick_right()
        ax2.legend(fontsize=8)
        ax2.set_title("where along the chain entropy is produced", fontsize=9)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=130, bbox_inches="tight")
    plt.close(fig)
    return out


def _over_seeds(da, err=None, seed_key: str = "run.seed"):
    """Mean over the seeds and its standard error (their spread / sqrt(n)); without seeds the
    value and its own error bar."""
    if seed_key in da.dims and da.sizes[seed_key] > 1:
        return da.mean(seed_key).values, (da.std(seed_key, ddof=1) / np.sqrt(da.sizes[seed_key])).values
    if seed_key in da.dims:
        da = da.isel({seed_key: 0})
        err = err.isel({seed_key: 0}) if err is not None else None
    return da.values, (err.values if err is not None else np.zeros(da.shape))


def demixing_against_ratio(ds, out: Path, temperature_key: str = "mixture.types.0.temperature",
                           chains_key: str = "polymer.chains") -> tuple[Path, list[dict[str, Any]]]:  # fmt: skip
    """Figure of a chain-length sweep (``examples/chain_demixing_sweep.toml``): demixing and
    entropy production per particle against T_hot / T_cold, one curve per chain length; error
    bars from the spread over seeds (``run.seed``) when swept; and the table of the points."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    base = json.loads(ds.attrs["base_config"]) if "base_config" in ds.attrs else None
    t_cold = base["mixture"]["types"][1]["temperature"] if base else 1.0
    fig, axes = plt.subplots(1, 3, figsize=(14, 4))
    rows = []
    for value in ds[chains_key].values:
        length = json.loads(value)[0]["monomers"] if isinstance(value, str) else int(value)
        sel = ds.sel({chains_key: value})
        ratio = sel[temperature_key].values / t_cold
        n = float(np.sum(np.asarray(sel["type_counts"]).reshape(-1, 2)[0])) if "type_counts" in sel else 1.0
        label = "free particles" if length == 1 else f"chains of {length}"
        psi, psi_err = _over_seeds(sel["demixing"], sel["demixing_stderr"])
        cl, cl_err = _over_seeds(sel["largest_cold_cluster_fraction"], sel["largest_cold_cluster_fraction_stderr"])
        ep, ep_err = _over_seeds(sel["entropy_production_rate"] / n, sel["entropy_production_rate_stderr"] / n)
        axes[0].errorbar(ratio, psi, psi_err, marker="o", capsize=3, label=label)
        axes[1].errorbar(ratio, cl, cl_err, marker="o", capsize=3, label=label)
        axes[2].errorbar(ratio, ep, ep_err, marker="o", capsize=3, label=label)
        for k, r in enumerate(ratio):
            rows.append({
                "chain_length": length, "temperature_ratio": float(r), "demixing": float(psi[k]),
                "demixing_stderr": float(psi_err[k]), "largest_cold_cluster_fraction": float(cl[k]),
                "entropy_production_rate_per_particle": float(ep[k]),
                "entropy_production_rate_per_particle_stderr": float(ep_err[k]),
            })  # fmt: skip
    axes[0].axhline(0, color="k", lw=0.5)
    axes[0].set_ylabel("demixing order parameter")
    axes[1].set_ylabel("largest cold cluster / cold particles")
    axes[2].set_ylabel("entropy production rate per particle")
    for ax in axes:
        ax.set_xscale("log", base=2)
        ax.set_xlabel("T_hot / T_cold")
        ax.legend(fontsize=8)
    axes[2].set_yscale("symlog", linthresh=1.0)
    fig.suptitle("active (hot) and passive (cold) particles and chains: demixing against the temperature ratio",
                 fontsize=10)  # fmt: skip
    fig.tight_layout()
    fig.savefig(out, dpi=130)
    plt.close(fig)
    return out, rows
