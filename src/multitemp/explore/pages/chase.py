"""Page 3: run and chase (physics.md section 5).

A hot and a cold soft-repulsive particle on a ring of length 3 (overlap energy
(k/2)(s - r)^2 for r < s = 1).  The animation is one replica; the correlations pool all of
them.  With n(t) the unit vector from the cold to the hot particle while they are in contact,

    C_back(tau) = <[X(t) - X(t - tau)] . n(t) | contact>,   C_fwd(tau) = <[X(t + tau) - X(t)] . n(t) | contact>

for the friction-weighted centre X.  C_back > 0 when the hot particle is number 1: the pair got
into contact by moving, as a whole, from the hot particle towards the cold one (the hot one
chased it).  C_fwd = 0: the centre is a free Brownian motion, with no memory of the contact.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import panel as pn
from bokeh.models import ColumnDataSource, Range1d, Whisker
from bokeh.plotting import figure

from multitemp.explore.batches import conditional, ensemble_batch, run_ensemble
from multitemp.explore.common import numbers_table, page, slider, start
from multitemp.explore.live import LiveEnsemble

PATH = "chase"
TITLE = "Run and chase"
DEFAULTS = {"T_hot": 5.0, "T_cold": 0.5, "k": 10.0}
TAUS = [0.02, 0.05, 0.1, 0.2, 0.5, 1.0]
RING = 3.0
FRAME_EVERY = 10  # steps between movie frames (dt = 1e-3)
REPLICAS_PER_BATCH = 256


def configs(p: Mapping[str, float], movie: bool = False) -> list[dict[str, Any]]:
    run = {"dt": 1e-3, "time": 30.0 if movie else 10.0, "burn_in": 2.0, "replicas": 1 if movie else REPLICAS_PER_BATCH,
           "seed": 3}  # fmt: skip
    obs = ({"histogram_bins": 0, "trajectory_every": FRAME_EVERY, "trajectory_replicas": 1} if movie
           else {"histogram_bins": 0, "chase_tau": TAUS})  # fmt: skip
    return [{
        "system": {"dim": 1, "temperatures": [p["T_hot"], p["T_cold"]]},
        "pair_potential": {"kind": "soft", "k": p["k"], "s": 1.0},
        "box": {"kind": "periodic", "length": RING},
        "run": run,
        "observables": obs,
    }]  # fmt: skip


def _batch(p, index):
    return ensemble_batch(configs(p)[0], index)


def _movie(p) -> dict[str, Any]:
    traj = run_ensemble(configs(p, movie=True)[0]).trajectory[0, :, :, 0]  # (frames, 2)
    return {"angles": 2 * np.pi * traj / RING}


def view():
    sliders = {
        "T_hot": slider("T_hot, bath of the red particle", 0.5, 10.0, DEFAULTS["T_hot"], 0.1, "T_hot"),
        "T_cold": slider("T_cold, bath of the blue particle", 0.1, 5.0, DEFAULTS["T_cold"], 0.05, "T_cold"),
        "k": slider("k, stiffness of the soft repulsion", 2.0, 40.0, DEFAULTS["k"], 0.5, "k"),
    }
    params = lambda: {k: float(s.value) for k, s in sliders.items()}  # noqa: E731
    live = LiveEnsemble(_batch, params(), prepare=_movie)
    ring = figure(title="one replica on the ring (length 3, drawn as a circle)", width=380, height=380,
                  x_range=Range1d(-1.4, 1.4), y_range=Range1d(-1.4, 1.4), tools="")  # fmt: skip
    ring.circle(x=0, y=0, radius=1.0, fill_alpha=0.0, line_color="#999999", line_width=2)
    dots = ColumnDataSource({"x": [1.0, -1.0], "y": [0.0, 0.0], "color": ["#d62728", "#1f77b4"]})
    # drawn at a third of their size: a particle of diameter s = 1 covers a third of the ring
    ring.circle(x="x", y="y", radius=np.pi / RING / 3, color="color", alpha=0.8, source=dots)
    ring.axis.visible = False
    ring.grid.visible = False
    corr = figure(title="C(tau): backward (filled) and forward (open)", width=520, height=380, x_axis_type="log",
                  x_axis_label="lag tau", y_axis_label="C(tau)", tools="pan,wheel_zoom,reset,save")  # fmt: skip
    cs = ColumnDataSource({"tau": [], "b": [], "blo": [], "bhi": [], "f": [], "flo": [], "fhi": []})
    corr.line(x="tau", y="b", source=cs, color="#d62728")
    corr.scatter(x="tau", y="b", source=cs, color="#d62728", size=8, legend_label="backward")
    corr.add_layout(Whisker(source=cs, base="tau", upper="bhi", lower="blo", line_color="#d62728"))
    corr.line(x="tau", y="f", source=cs, color="#555555", line_dash="dashed")
    corr.scatter(
        x="tau", y="f", source=cs, color="#555555", fill_alpha=0.0, size=8, marker="square", legend_label="forward"
    )
    corr.add_layout(Whisker(source=cs, base="tau", upper="fhi", lower="flo", line_color="#555555"))
    corr.legend.location = "top_left"
    numbers = pn.pane.HTML("", sizing_mode="stretch_width")
    state = {"shown": (-1, -1), "frame": 0}

    def restart(*_events) -> None:
        live.restart(params())
        cs.data = {k: [] for k in cs.data}
        state["shown"] = (-1, -1)
        refresh()

    def animate() -> None:
        angles = live.snapshot().extra.get("angles")
        if angles is None:
            return
        state["frame"] = (state["frame"] + 2) % len(angles)
        a = angles[state["frame"]]
        dots.data = {"x": list(np.cos(a)), "y": list(np.sin(a)), "color": ["#d62728", "#1f77b4"]}

    def refresh() -> None:
        pool = live.snapshot()
        if (pool.generation, pool.replicas) == state["shown"]:
            return
        state["shown"] = (pool.generation, pool.replicas)
        rows = []
        if "chase" in pool.per_replica and pool.replicas > 1:
            b, be = conditional(pool.per_replica, "chase", 0)
            f, fe = conditional(pool.per_replica, "chase", 1)
            cs.data = {"tau": TAUS, "b": b, "blo": b - be, "bhi": b + be, "f": f, "flo": f - fe, "fhi": f + fe}
            for i, tau in enumerate(TAUS):
                rows.append((f"C_back({tau:g})", f"chase-backward-{i}", float(b[i]), float(be[i]), None))
                rows.append((f"C_fwd({tau:g})", f"chase-forward-{i}", float(f[i]), float(fe[i]), 0.0))
        note = (
            pool.error
            or "C_back > 0 when the red particle is the hotter one, 0 at equal temperatures; C_fwd = 0 always."
        )
        numbers.object = numbers_table("chase-numbers", rows, generation=pool.generation, replicas=pool.replicas,
                                       params=pool.params, note=note)  # fmt: skip

    start(sliders.values(), restart, refresh, [live], animate, animate_ms=50)
    intro = (
        "A hot (red) and a cold (blue) soft particle on a ring. The cold one feels the repulsion more and "
        "slides away from the hot one, which seems to chase it. Measured exactly: looking backward from a "
        "contact, the pair moved as a whole from the hot particle towards the cold one (C_back > 0); looking "
        "forward, nothing (C_fwd = 0, the centre is a free Brownian motion). Physics.md §5."
    )
    return page(TITLE, intro, list(sliders.values()), [pn.Row(ring, corr), numbers])
