"""Page 2: ratchets (physics.md section 6).

* Sawtooth pair: a hot and a cold soft-repulsive particle on a ring of three periods of a
  smoothed sawtooth (barrier ``height``, ``asymmetry`` a); T_cold = 0.2.
* Feynman ratchet-and-pawl: x1 (hot) and x2 (cold, T2 = 0.1) in cosines of the same period,
  phase-shifted by phi, coupled by a spring k.

The centre-of-mass velocity accumulates with its error bar, next to the same system with both
baths at the cold temperature: the equilibrium null, whose current must vanish.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import panel as pn
from bokeh.models import ColumnDataSource
from bokeh.plotting import figure

from multitemp.explore.batches import ensemble_batch, rate
from multitemp.explore.common import numbers_table, page, slider, start
from multitemp.explore.live import LiveEnsemble

PATH = "ratchet"
TITLE = "Ratchet and Feynman ratchet"
MODELS = ("sawtooth pair", "Feynman ratchet")
DEFAULTS = {"model": MODELS[0], "barrier": 4.0, "asymmetry": 0.2, "phase": math.pi / 2, "ratio": 10.0, "coupling": 10.0}
FEYNMAN_DEFAULTS = {"barrier": 1.0, "coupling": 40.0}
T_COLD = {MODELS[0]: 0.2, MODELS[1]: 0.1}
REPLICAS_PER_BATCH = 256


def configs(p: Mapping[str, Any]) -> list[dict[str, Any]]:
    """[the two-temperature system, its equal-temperature null]."""
    cold = T_COLD[p["model"]]
    # burn-in 6: from the uniform start, doubly occupied wells empty for a few time units, with a
    # directed hop (a null current of -1.3e-3 +- 0.1e-3 measured after a burn-in of 2, 0 after 6)
    run = {"dt": 1e-3, "time": 16.0, "burn_in": 6.0, "replicas": REPLICAS_PER_BATCH, "seed": 5}
    out = []
    for hot in (p["ratio"] * cold, cold):
        if p["model"] == MODELS[0]:
            cfg = {"system": {"dim": 1, "temperatures": [hot, cold]},
                   "pair_potential": {"kind": "soft", "k": p["coupling"], "s": 1.0},
                   "external_potential": {"kind": "sawtooth", "height": p["barrier"], "period": 1.0,
                                          "asymmetry": p["asymmetry"], "smoothing": 0.02},
                   "box": {"kind": "periodic", "length": 3.0}}  # fmt: skip
        else:
            cfg = {"system": {"dim": 1, "temperatures": [hot, cold]},
                   "pair_potential": {"kind": "harmonic", "k": p["coupling"]},
                   "external_potential": {"kind": "cosine", "amplitude": p["barrier"], "period": 1.0,
                                          "phase": [0.0, p["phase"]]}}  # fmt: skip
        out.append({**cfg, "run": run, "observables": {"histogram_bins": 0}})
    return out


def _batch(which: int):
    return lambda p, index: ensemble_batch(configs(p)[which], index)


def view():
    model = pn.widgets.RadioButtonGroup(name="model", options=list(MODELS), value=DEFAULTS["model"],
                                        css_classes=["choice-model"], button_type="primary")  # fmt: skip
    sliders = {
        "barrier": slider(
            "barrier (sawtooth height / cosine amplitude)", 0.5, 8.0, DEFAULTS["barrier"], 0.1, "barrier"
        ),
        "asymmetry": slider("asymmetry a of the sawtooth", 0.05, 0.95, DEFAULTS["asymmetry"], 0.05, "asymmetry"),
        "phase": slider("phase phi of x2's cosine", -math.pi, math.pi, DEFAULTS["phase"], 0.05, "phase"),
        "ratio": slider("temperature ratio T_hot / T_cold", 1.0, 30.0, DEFAULTS["ratio"], 0.5, "ratio"),
        "coupling": slider("coupling k", 1.0, 60.0, DEFAULTS["coupling"], 0.5, "coupling"),
    }
    params = lambda: {"model": model.value, **{k: float(s.value) for k, s in sliders.items()}}  # noqa: E731
    lives = [LiveEnsemble(_batch(0), params()), LiveEnsemble(_batch(1), params())]
    source = ColumnDataSource({"replicas": [], "v": [], "lo": [], "hi": [], "v0": [], "lo0": [], "hi0": []})
    fig = figure(title="centre-of-mass velocity as replicas accumulate", width=700, height=380,
                 x_axis_label="replicas pooled", y_axis_label="<dX/dt>", tools="pan,wheel_zoom,reset,save")  # fmt: skip
    fig.varea(x="replicas", y1="lo", y2="hi", source=source, color="#d62728", alpha=0.2)
    fig.line(x="replicas", y="v", source=source, color="#d62728", line_width=2, legend_label="T_hot / T_cold as set")
    fig.varea(x="replicas", y1="lo0", y2="hi0", source=source, color="#7f7f7f", alpha=0.2)
    fig.line(
        x="replicas", y="v0", source=source, color="#7f7f7f", line_width=2, legend_label="equal temperatures (null)"
    )
    fig.legend.location = "top_right"
    numbers = pn.pane.HTML("", sizing_mode="stretch_width")
    state = {"shown": None}

    def show_model_sliders() -> None:
        sawtooth = model.value == MODELS[0]
        sliders["asymmetry"].visible = sawtooth
        sliders["phase"].visible = not sawtooth

    def restart(*_events) -> None:
        for live in lives:
            live.restart(params())
        source.data = {k: [] for k in source.data}
        state["shown"] = None
        refresh()

    def change_model(*_events) -> None:
        defaults = DEFAULTS if model.value == MODELS[0] else {**DEFAULTS, **FEYNMAN_DEFAULTS}
        for key in ("barrier", "coupling"):
            sliders[key].value = defaults[key]
        show_model_sliders()
        restart()

    def refresh() -> None:
        pools = [live.snapshot() for live in lives]
        key = tuple((pl.generation, pl.replicas) for pl in pools)
        if key == state["shown"]:
            return
        state["shown"] = key
        (v, ve), (v0, ve0) = (rate(pl.per_replica, "com_velocity") for pl in pools)
        rows = [("velocity, T_hot / T_cold as set", "velocity", v, ve, None),
                ("velocity, equal temperatures", "velocity-null", v0, ve0, 0.0)]  # fmt: skip
        n = min(pl.replicas for pl in pools)
        errors = "; ".join(pl.error for pl in pools if pl.error)
        numbers.object = numbers_table("ratchet-numbers", rows, generation=pools[0].generation, replicas=n,
                                       params=pools[0].params,
                                       note=errors or "The null has both baths at T_cold: detailed balance, no current.")  # fmt: skip
        if np.isfinite(v) and np.isfinite(v0):
            source.stream({"replicas": [n], "v": [v], "lo": [v - ve], "hi": [v + ve],
                           "v0": [v0], "lo0": [v0 - ve0], "hi0": [v0 + ve0]})  # fmt: skip

    model.param.watch(change_model, "value")
    show_model_sliders()
    start(sliders.values(), restart, refresh, lives)
    intro = (
        "Two coupled particles at different temperatures in a periodic potential without any tilt. "
        "Out of equilibrium (T_hot ≠ T_cold) and with a broken symmetry (a ≠ 1/2, or phi ≠ 0, ±π) they "
        "move on average; at equal temperatures they cannot (second law)."
    )
    return page(TITLE, intro, [model, *sliders.values()], [fig, numbers])
