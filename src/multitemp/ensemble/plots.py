"""Figures (matplotlib, imported lazily so the package imports without a display)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from multitemp.ensemble.phase_space import PhaseSpaceMap
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


def sweep_figure(ds, x: str, y: str, path: str | Path) -> Path:
    """Curve of ``y`` against swept key ``x`` with ``y_stderr`` error bars and ``y_exact`` (dashed),
    one curve per value of any other swept key; a heatmap when exactly two keys are swept and
    ``y`` has no other dimension (``--x`` horizontal)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    if y not in ds:
        fields = ", ".join(k for k in ds.data_vars if k not in ("status", "error"))
        raise ValueError(f"y = {y!r} is not a field of this sweep; fields: {fields}")
    if x not in ds[y].dims:
        raise ValueError(f"x = {x!r} is not a swept key of {y}; swept keys: {', '.join(map(str, ds[y].dims))}")
    da = ds[y]
    others = [d for d in da.dims if d != x]
    fig, ax = plt.subplots(figsize=(6.4, 4.8), constrained_layout=True)
    swept = [d for d in others if d in ds.coords]
    if len(swept) == 1 and len(others) == 1:
        other = swept[0]
        mesh = ax.pcolormesh(ds[x].values, ds[other].values, da.transpose(other, x).values, shading="nearest")
        fig.colorbar(mesh, ax=ax, label=y)
        ax.set_ylabel(other)
    else:
        flat = da.stack(curve=others) if others else da.expand_dims(curve=[0])
        err = ds.get(f"{y}_stderr")
        exact = ds.get(f"{y}_exact")
        errs = (err.stack(curve=others) if others else err.expand_dims(curve=[0])) if err is not None else None
        exs = (exact.stack(curve=others) if others else exact.expand_dims(curve=[0])) if exact is not None else None
        for i in range(flat.sizes["curve"]):
            label = (
                ", ".join(f"{d}={v}" for d, v in zip(others, np.atleast_1d(flat["curve"].values[i]), strict=False))
                if others
                else y
            )
            yerr = errs.isel(curve=i).values if errs is not None else None
            line = ax.errorbar(ds[x].values, flat.isel(curve=i).values, yerr=yerr, marker="o", capsize=3, label=label)
            if exs is not None and np.any(np.isfinite(exs.isel(curve=i).values)):
                ax.plot(ds[x].values, exs.isel(curve=i).values, "--", color=line[0].get_color(), lw=1)
        ax.set_ylabel(y)
        if others or exact is not None:
            ax.legend(fontsize=8, title="dashed: exact" if exact is not None else None)
    ax.set_xlabel(x)
    path = Path(path)
    fig.savefig(path, dpi=130)
    plt.close(fig)
    return path
