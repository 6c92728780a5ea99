"""Figures (matplotlib, imported lazily so the package imports without a display)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from multitemp.analysis.phase_space import PhaseSpaceMap
from multitemp.theory import LinearTheory


def phase_space_figure(
    m: PhaseSpaceMap,
    theory: LinearTheory | None = None,
    path: str | Path | None = None,
    title: str = "",
    ax=None,
):
    """Density p(x_0, x_1) as a heatmap, measured current as streamlines, exact current as arrows.

    The streamline width follows |J|; arrows (exact J = M x p, physics.md section 4) are drawn
    on a coarser grid when the system is linear.
    """
    import matplotlib

    if ax is None:
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = None
    if ax is None:
        fig, ax = plt.subplots(figsize=(6.4, 5.6), constrained_layout=True)
    c = m.centers
    ext = (c[0] - (c[1] - c[0]) / 2, c[-1] + (c[1] - c[0]) / 2)
    im = ax.imshow(m.density.T, origin="lower", extent=(*ext, *ext), cmap="viridis", interpolation="nearest")
    (fig or ax.figure).colorbar(im, ax=ax, label="density $p(x_1, x_2)$")
    jx, jy = m.current
    speed = np.hypot(jx, jy)
    lw = 0.4 + 2.0 * speed / max(speed.max(), 1e-300)
    ax.streamplot(c, c, jx.T, jy.T, color="white", linewidth=lw.T, density=1.1, arrowsize=0.9)
    if theory is not None:
        g = np.linspace(ext[0], ext[1], 13)[1:-1]
        gx, gy = np.meshgrid(g, g, indexing="ij")
        ex, ey = theory.current(gx, gy)
        longest = max(float(np.hypot(ex, ey).max()), 1e-300)
        ax.quiver(
            gx, gy, ex, ey, color="tab:red", angles="xy", scale_units="xy", scale=longest / (0.9 * (g[1] - g[0])),
            width=0.004, label="exact current $J = Mx\\,p(x)$",
        )  # fmt: skip
        ax.legend(loc="upper left", fontsize=8, framealpha=0.8)
    ax.set_xlabel("$x_1$ (particle 1)")
    ax.set_ylabel("$x_2$ (particle 2)")
    ax.set_xlim(*ext)
    ax.set_ylim(*ext)
    ax.set_title(title or "phase-space density and Stratonovich current")
    if path is not None:
        (fig or ax.figure).savefig(path, dpi=130)
        if fig is not None:
            plt.close(fig)
    return ax
