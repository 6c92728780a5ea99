"""The phase diagram of a hot/cold mixture from a sweep (``sweep.nc`` of
``examples/phase_diagram_2d.toml``): the demixing order parameter over the temperature ratio
T_hot / T_cold and the packing fraction phi, with the Grosberg-Joanny mean-field spinodal
(:mod:`multitemp.theory.spinodal`) drawn over it, and the list of points where simulation
and theory disagree.

A point counts as *separated* by one of two criteria, on averages over the final quarter of
its run:

* ``"demixing"``: the demixing order parameter exceeds 0.05 by more than 3 standard errors
  (equal-temperature controls give |psi| < 0.01).  From a mixed start this also counts local
  demixing (cold clusters) that never coarsens;
* ``"cluster"``: the largest cold cluster holds more than half of the cold particles (by more
  than 3 standard errors).  With a prepared slab (``initial.arrangement = "slab"``) this is a
  coexistence test: the slab survives where hot and cold coexist and dissolves where they mix.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from multitemp.theory.spinodal import spinodal_phi

__all__ = ["phase_diagram", "THRESHOLD"]

THRESHOLD = 0.05
#: (summary field, threshold, label) of each criterion
CRITERIA = {
    "demixing": ("demixing", 0.05, "demixing order parameter psi"),
    "cluster": ("largest_cold_cluster_fraction", 0.5, "largest cold cluster / cold particles"),
}


def _ratios(ds, base: dict) -> tuple[str, np.ndarray]:
    """(swept temperature key, T_hot / T_cold along it)."""
    types = base["mixture"]["types"]
    hot = next(k for k, t in enumerate(types) if t["name"] == "hot")
    cold = next(k for k, t in enumerate(types) if t["name"] == "cold")
    for k, other, invert in ((cold, hot, True), (hot, cold, False)):
        key = f"mixture.types.{k}.temperature"
        if key in ds.dims:
            values = ds[key].values.astype(float)
            fixed = float(types[other]["temperature"])
            return key, (fixed / values) if invert else (values / fixed)
    raise ValueError("the sweep does not vary the hot or the cold temperature (mixture.types.N.temperature)")


def phase_diagram(ds, out: Path, criterion: str = "demixing") -> tuple[Path, dict[str, Any]]:
    """Draw the diagram to ``out`` (PNG); return it and a summary (points, disagreements)."""
    if criterion not in CRITERIA:
        raise ValueError(f"criterion = {criterion!r}; allowed: {', '.join(CRITERIA)}")
    field, threshold, what = CRITERIA[criterion]
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    base = json.loads(ds.attrs["base_config"])
    dim = int(base["mixture"].get("dim", 2))
    tkey, ratio = _ratios(ds, base)
    order = np.argsort(ratio)
    phis = ds["mixture.phi"].values.astype(float)
    psi = ds[field].transpose(tkey, "mixture.phi").values[order]
    err = ds[field + "_stderr"].transpose(tkey, "mixture.phi").values[order]
    ratio = ratio[order]
    separated = (psi > threshold) & (psi - threshold > 3 * np.nan_to_num(err, nan=np.inf))
    fig, ax = plt.subplots(figsize=(7.5, 5.5))
    x = np.arange(len(ratio))
    y = np.arange(len(phis))
    im = ax.pcolormesh(x, y, psi.T, cmap="viridis", shading="nearest", vmin=min(0.0, np.nanmin(psi)),
                       vmax=max(2 * threshold, np.nanmax(psi)))  # fmt: skip
    fig.colorbar(im, ax=ax, label=f"{what} (final quarter of each run)")
    for i in x:
        for j in y:
            label = f"{psi[i, j]:.2f}\n±{err[i, j]:.2f}" if np.isfinite(psi[i, j]) else "failed"
            ax.text(i, j, label, ha="center", va="center", fontsize=7,
                    color="w" if psi[i, j] < threshold else "k")  # fmt: skip
            if separated[i, j]:
                ax.add_patch(plt.Rectangle((i - 0.5, j - 0.5), 1, 1, fill=False, ec="r", lw=1.5))
    # the spinodal, drawn in the index coordinates (log ratio, linear phi)
    fine = np.geomspace(max(ratio.min(), 1.0001), ratio.max(), 200)
    ps = spinodal_phi(fine, dim)
    ok = np.isfinite(ps) & (ps <= phis.max() + 0.5 * (phis[1] - phis[0]))
    xi = np.interp(np.log(fine), np.log(np.maximum(ratio, 1e-12)), x)
    slope = (y[-1] - y[0]) / (phis[-1] - phis[0]) if len(phis) > 1 else 1.0
    yi = y[0] + (ps - phis[0]) * slope  # phi axis drawn linear (evenly spaced phi values)
    ax.plot(xi[ok], yi[ok], "r--", lw=2, label="Grosberg-Joanny spinodal (hard cores, mean field)")
    ax.set_xticks(x, [f"{r:.3g}" for r in ratio])
    ax.set_yticks(y, [f"{p:.2g}" for p in phis])
    ax.set_xlabel("T_hot / T_cold")
    ax.set_ylabel("area fraction phi" if dim == 2 else "volume fraction phi")
    ax.set_ylim(-0.5, len(phis) - 0.5)
    ax.legend(loc="upper left", fontsize=8)
    start = base.get("initial", {}).get("arrangement", "mixed") if base.get("initial") else "mixed"
    ax.set_title(f"{dim}D hot/cold soft {'disks' if dim == 2 else 'spheres'}, {start} start: red boxes = "
                 f"separated ({field} > {threshold} by 3 s.e.)", fontsize=9)  # fmt: skip
    fig.tight_layout()
    fig.savefig(out, dpi=130)
    plt.close(fig)
    spin = spinodal_phi(ratio, dim)
    points, disagree = [], []
    for i, r in enumerate(ratio):
        for j, p in enumerate(phis):
            unstable = bool(p > spin[i])
            row = {"temperature_ratio": float(r), "phi": float(p), field: float(psi[i, j]),
                   field + "_stderr": float(err[i, j]), "separated": bool(separated[i, j]),
                   "spinodal_unstable": unstable}  # fmt: skip
            points.append(row)
            if unstable != bool(separated[i, j]):
                disagree.append(row)
    return out, {"dim": dim, "criterion": criterion, "field": field, "threshold": threshold, "points": points,
                 "disagreements": disagree, "swept_temperature": tkey}  # fmt: skip
