"""Page 1: the two-temperature pair in d = 1 (physics.md section 4).

E = (k/2)(x_1 - x_2)^2 + (lambda/2)(x_1^2 + x_2^2), particle i at temperature T_i with
mobility mu_i.  The exact density N(0, C) and current J = M x p(x) redraw as soon as a
slider moves; batches of replicas fill in the measured ones, and the entropy production rate
and the phase-space angular momentum converge on their exact values.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import panel as pn
from bokeh.models import ColumnDataSource
from bokeh.plotting import figure

from multitemp.core.potentials import HarmonicSpring, HarmonicTrap
from multitemp.ensemble.system import System
from multitemp.explore.batches import ensemble_batch, phase_space, rate
from multitemp.explore.common import numbers_table, page, slider, start
from multitemp.explore.live import LiveEnsemble
from multitemp.theory import LinearTheory

PATH = "pair"
TITLE = "Two-temperature pair"
DEFAULTS = {"T1": 5.0, "T2": 1.0, "k": 1.0, "lam": 1.0, "mu1": 1.0, "mu2": 1.0}
BINS = 32
REPLICAS_PER_BATCH = 256
MEASURE_TIME = 10.0


def theory(p: Mapping[str, float]) -> LinearTheory:
    system = System(1, np.array([p["T1"], p["T2"]]), mobilities=np.array([p["mu1"], p["mu2"]]),
                    pair=HarmonicSpring(p["k"]), external=HarmonicTrap(p["lam"]))  # fmt: skip
    return LinearTheory.from_system(system)


def map_range(p: Mapping[str, float]) -> tuple[float, float]:
    """A square window of +-3.5 standard deviations of the wider coordinate."""
    half = 3.5 * float(np.sqrt(np.max(np.diag(theory(p).covariance))))
    return -half, half


def configs(p: Mapping[str, float]) -> list[dict[str, Any]]:
    """One batch: dt resolves the fastest relaxation, the burn-in covers the slowest.

    Euler-Maruyama: its heat is biased by about -0.1 % at dt = 1e-3 here (k = lambda = 1,
    T = (5, 1)), Heun's by -0.3 % (measured with 65536 replicas, same noise, against dt/4);
    at dt = 5e-4 the bias stays below the error bar of the pool's 1e5 replicas.
    """
    rates = np.linalg.eigvals(theory(p).drift).real
    dt = min(5e-4, 0.005 / rates.max())
    burn = min(5.0 / rates.min(), 50.0)
    return [{
        "system": {"dim": 1, "temperatures": [p["T1"], p["T2"]], "mobilities": [p["mu1"], p["mu2"]]},
        "pair_potential": {"kind": "harmonic", "k": p["k"]},
        "external_potential": {"kind": "harmonic", "lam": p["lam"]},
        "run": {"dt": dt, "time": burn + MEASURE_TIME, "burn_in": burn, "replicas": REPLICAS_PER_BATCH, "seed": 11,
                "integrator": "euler"},
        "observables": {"histogram_bins": BINS},
    }]  # fmt: skip


def _batch(p: Mapping[str, float], index: int):
    return ensemble_batch(configs(p)[0], index, map_range(p))


def _image_and_arrows(centers, density, current, stride: int = 3) -> tuple[dict, dict]:
    lo = centers[0] - 0.5 * (centers[1] - centers[0])
    width = (centers[1] - centers[0]) * len(centers)
    image = {"image": [np.asarray(density).T], "x": [lo], "y": [lo], "dw": [width], "dh": [width]}
    sub = slice(stride // 2, None, stride)
    xs, ys = np.meshgrid(centers[sub], centers[sub], indexing="ij")
    j0, j1 = current[0][sub, sub], current[1][sub, sub]
    size = np.hypot(j0, j1)
    norm = np.nanmax(size)
    scale = 0.9 * stride * (centers[1] - centers[0]) / norm if norm > 0 else 0.0
    keep = size > 0.03 * norm  # no arrows where there is next to no probability
    arrows = {"x0": xs[keep], "y0": ys[keep], "x1": (xs + scale * j0)[keep], "y1": (ys + scale * j1)[keep]}
    return image, arrows


def _map_figure(title: str):
    fig = figure(title=title, width=430, height=400, x_axis_label="x1 (hot when T1 > T2)", y_axis_label="x2",
                 match_aspect=True, tools="pan,wheel_zoom,reset,save")  # fmt: skip
    img = ColumnDataSource({"image": [np.zeros((2, 2))], "x": [0.0], "y": [0.0], "dw": [1.0], "dh": [1.0]})
    arr = ColumnDataSource({"x0": [], "y0": [], "x1": [], "y1": []})
    fig.image(image="image", x="x", y="y", dw="dw", dh="dh", source=img, palette="Viridis256")
    fig.segment(x0="x0", y0="y0", x1="x1", y1="y1", source=arr, color="white", line_width=1.5)
    fig.scatter(x="x1", y="y1", source=arr, color="white", size=3)
    return fig, img, arr


def view():
    sliders = {
        "T1": slider("T1, bath of particle 1", 0.1, 10.0, DEFAULTS["T1"], 0.1, "T1"),
        "T2": slider("T2, bath of particle 2", 0.1, 10.0, DEFAULTS["T2"], 0.1, "T2"),
        "k": slider("k, coupling spring", 0.0, 5.0, DEFAULTS["k"], 0.1, "k"),
        "lam": slider("lambda, trap", 0.2, 5.0, DEFAULTS["lam"], 0.1, "lam"),
        "mu1": slider("mu1, mobility of 1", 0.2, 5.0, DEFAULTS["mu1"], 0.1, "mu1"),
        "mu2": slider("mu2, mobility of 2", 0.2, 5.0, DEFAULTS["mu2"], 0.1, "mu2"),
    }
    params = lambda: {k: float(s.value) for k, s in sliders.items()}  # noqa: E731
    live = LiveEnsemble(_batch, params(), max_replicas=100_000)
    exact_fig, exact_img, exact_arr = _map_figure("exact density and current J = M x p(x)")
    meas_fig, meas_img, meas_arr = _map_figure("measured density and current")
    numbers = pn.pane.HTML("", sizing_mode="stretch_width")
    state = {"shown": (-1, -1)}

    def draw_exact(*_events) -> None:
        p = params()
        th = theory(p)
        lo, hi = map_range(p)
        centers = np.linspace(lo, hi, BINS + 1)[:-1] + 0.5 * (hi - lo) / BINS
        x1, x2 = np.meshgrid(centers, centers, indexing="ij")
        image, arrows = _image_and_arrows(centers, th.density(x1, x2), th.current(x1, x2))
        exact_img.data, exact_arr.data = image, arrows
        state["exact"] = (p, th, (lo, hi))

    def restart(*_events) -> None:
        draw_exact()
        live.restart(params())
        state["shown"] = (-1, -1)
        meas_arr.data = {"x0": [], "y0": [], "x1": [], "y1": []}
        refresh()

    def refresh() -> None:
        pool = live.snapshot()
        if (pool.generation, pool.replicas) == state["shown"] and pool.error is None:
            return
        state["shown"] = (pool.generation, pool.replicas)
        p = pool.params
        th = theory(p)
        sigma, sigma_err = rate(pool.per_replica, "entropy")
        am, am_err = rate(pool.per_replica, "angular_momentum")
        heat = pool.per_replica.get("heat")
        rows = [
            ("entropy production rate σ", "sigma", sigma, sigma_err, th.entropy_production_rate),
            ("angular momentum <x1 ẋ2 - x2 ẋ1>", "angular-momentum", am, am_err, th.angular_momentum),
        ]
        if heat is not None and len(heat) > 1:
            for i in range(2):
                m = float(heat[:, i].mean())
                e = float(heat[:, i].std(ddof=1) / np.sqrt(len(heat)))
                rows.append((f"heat into bath {i + 1} per unit time", f"heat-{i + 1}", m, e, float(th.heat_rate[i])))
        note = pool.error or "Replicas accumulate in batches of 256; moving a slider starts afresh."
        numbers.object = numbers_table("pair-numbers", rows, generation=pool.generation, replicas=pool.replicas,
                                       params=p, note=note)  # fmt: skip
        if pool.sums:
            centers, density, current = phase_space(pool.sums, map_range(p))
            meas_img.data, meas_arr.data = _image_and_arrows(centers, density, current)

    for s in sliders.values():
        s.param.watch(draw_exact, "value")  # the exact maps follow the slider as it moves
    draw_exact()
    start(sliders.values(), restart, refresh, [live])  # the simulation restarts where a slider is let go
    intro = (
        "Two beads coupled by a spring k, each in a trap lambda, each in its own bath. With T1 ≠ T2 the "
        "density is a tilted Gaussian and the probability current circulates (Brownian gyrator). "
        "Exact: σ = k²(T1 − T2)² / (2 T1 T2 (k + λ)) for equal mobilities."
    )
    return page(TITLE, intro, list(sliders.values()), [pn.Row(exact_fig, meas_fig), numbers])
