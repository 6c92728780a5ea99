"""Page 4: the arrow of time (physics.md section 3), as a game.

A short movie of the harmonic pair (k = lambda = 1, T2 = 1, T1 = ratio) in the (x1, x2) plane is
played forward or backward at random; the user guesses.  The page keeps the user's score next to
the best possible one, P_correct(tau) = P(Sigma_tau > 0): the likelihood-ratio test says
"forward" when the movie, as shown, produces entropy.  It is measured in the kernel over all
pooled replicas, and drawn next to the Gaussian fluctuation-theorem value Phi(sqrt(sigma tau / 2)).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import panel as pn
from bokeh.models import ColumnDataSource, Range1d
from bokeh.plotting import figure
from scipy.special import ndtr

from multitemp.api import parse_config
from multitemp.ensemble.arrow import trajectory_forces
from multitemp.explore.batches import conditional, ensemble_batch, rate, run_ensemble
from multitemp.explore.common import numbers_table, page, slider, start
from multitemp.explore.live import LiveEnsemble
from multitemp.theory import LinearTheory

PATH = "arrow"
TITLE = "Arrow of time"
DEFAULTS = {"ratio": 5.0, "tau": 1.0}
FRAME_DT = 0.01  # time between movie frames (10 steps of dt = 1e-3)
MOVIE_TICKS = 60  # a movie plays in about MOVIE_TICKS x 40 ms
REPLICAS_PER_BATCH = 256


def theory(p: Mapping[str, float]) -> LinearTheory:
    """Exact sigma and covariance of the page's pair (k = lambda = 1, T = (ratio, 1))."""
    return LinearTheory.from_system(parse_config(configs(p)[0]).build_system())


def configs(p: Mapping[str, float], movie: bool = False) -> list[dict[str, Any]]:
    obs = ({"histogram_bins": 0, "trajectory_every": 10, "trajectory_replicas": 8} if movie
           else {"histogram_bins": 0, "arrow_tau": [p["tau"]], "lag_every": 10})  # fmt: skip
    return [{
        "system": {"dim": 1, "temperatures": [p["ratio"], 1.0]},
        "pair_potential": {"kind": "harmonic", "k": 1.0},
        "external_potential": {"kind": "harmonic", "lam": 1.0},
        "run": {"dt": 1e-3, "time": 65.0 if movie else 25.0, "burn_in": 5.0,
                "replicas": 8 if movie else REPLICAS_PER_BATCH, "seed": 4},
        "observables": obs,
    }]  # fmt: skip


def _batch(p, index):
    return ensemble_batch(configs(p)[0], index)


def _movies(p) -> dict[str, Any]:
    cfg = configs(p, movie=True)[0]
    traj = run_ensemble(cfg).trajectory[:, 500:, :, 0]  # after the burn-in: (replicas, frames, 2)
    return {"trajectories": traj, "system": parse_config(cfg).build_system()}


def movie_entropy(system, frames: np.ndarray) -> float:
    """Sigma of a movie as shown: sum_i int F_i o dx_i / T_i (trapezoid rule on the frames)."""
    x = frames[:, :, None]  # (frames, N, d = 1)
    f = trajectory_forces(system, x)
    return float(np.sum(0.5 * (f[1:] + f[:-1]) * np.diff(x, axis=0) / system.temperatures[None, :, None]))


def view():
    sliders = {
        "ratio": slider("T1 / T2 (T2 = 1)", 1.0, 20.0, DEFAULTS["ratio"], 0.5, "ratio"),
        "tau": slider("movie length tau", 0.05, 5.0, DEFAULTS["tau"], 0.05, "tau"),
    }
    params = lambda: {k: float(s.value) for k, s in sliders.items()}  # noqa: E731
    live = LiveEnsemble(_batch, params(), prepare=_movies)
    rng = np.random.default_rng()
    fig = figure(title="a movie of (x1, x2): forward or backward?", width=460, height=440, x_range=Range1d(-1, 1),
                 y_range=Range1d(-1, 1), x_axis_label="x1", y_axis_label="x2", tools="")  # fmt: skip

    def fit_axes(p: Mapping[str, float]) -> None:
        lim = 3.0 * math.sqrt(theory(p).covariance[0, 0])  # 3 standard deviations of x1
        for r in (fig.x_range, fig.y_range):
            r.start, r.end = -lim, lim

    fit_axes(DEFAULTS)
    trail = ColumnDataSource({"x": [], "y": []})
    head = ColumnDataSource({"x": [], "y": []})
    fig.line(x="x", y="y", source=trail, color="#1f3b57", line_width=2)
    fig.scatter(x="x", y="y", source=head, color="#d62728", size=12)
    forward = pn.widgets.Button(name="It runs forward", button_type="success", css_classes=["guess-forward"])
    backward = pn.widgets.Button(name="It runs backward", button_type="warning", css_classes=["guess-backward"])
    replay = pn.widgets.Button(name="Replay", css_classes=["replay"])
    verdict = pn.pane.HTML(
        "<p>Watch the movie, then guess. A new one starts after each guess.</p>", sizing_mode="stretch_width"
    )
    numbers = pn.pane.HTML("", sizing_mode="stretch_width")
    game = {"movie": None, "shown": 0, "right": 0, "played": 0, "answered": True, "generation": -1}
    state = {"shown": (-1, -1)}

    def new_movie() -> None:
        pool = live.snapshot()
        movies = pool.extra.get("trajectories")
        if movies is None:
            return
        n = int(round(pool.params["tau"] / FRAME_DT)) + 1
        r = int(rng.integers(movies.shape[0]))
        start = int(rng.integers(movies.shape[1] - n))
        frames = movies[r, start : start + n]
        reversed_ = bool(rng.random() < 0.5)
        shown = frames[::-1] if reversed_ else frames
        game.update(movie=shown, reversed=reversed_, shown=0, answered=False, generation=pool.generation,
                    entropy=movie_entropy(pool.extra["system"], shown))  # fmt: skip

    def animate() -> None:
        if game["movie"] is None or game["generation"] != live.snapshot().generation:
            new_movie()
            return
        movie = game["movie"]
        if game["shown"] >= len(movie):
            return
        game["shown"] = min(len(movie), game["shown"] + max(1, len(movie) // MOVIE_TICKS))
        part = movie[: game["shown"]]
        trail.data = {"x": part[:, 0], "y": part[:, 1]}
        head.data = {"x": [part[-1, 0]], "y": [part[-1, 1]]}

    def guess(says_reversed: bool) -> None:
        if game["movie"] is None or game["answered"]:
            return
        right = says_reversed == game["reversed"]
        game["right"] += int(right)
        game["played"] += 1
        game["answered"] = True
        s = game["entropy"]
        test = "backward" if s < 0 else "forward"
        truth = "backward" if game["reversed"] else "forward"
        verdict.object = (
            f"<p id='verdict' data-right='{int(right)}'><b>{'Right' if right else 'Wrong'}</b>: it was played {truth}. "
            f"The entropy this movie shows is Σ = {s:+.2f}, so the likelihood-ratio test says {test}.</p>"
        )
        new_movie()
        state["shown"] = (-1, -1)
        refresh()

    def restart(*_events) -> None:
        fit_axes(params())
        live.restart(params())
        game.update(movie=None, right=0, played=0)
        state["shown"] = (-1, -1)
        refresh()

    def refresh() -> None:
        pool = live.snapshot()
        if (pool.generation, pool.replicas) == state["shown"]:
            return
        state["shown"] = (pool.generation, pool.replicas)
        p = pool.params
        sig = theory(p).entropy_production_rate
        sigma, sigma_err = rate(pool.per_replica, "entropy")
        pc, pc_err = (float("nan"), float("nan"))
        if "arrow" in pool.per_replica and pool.replicas > 1:
            a, ae = conditional(pool.per_replica, "arrow", 0)
            pc, pc_err = float(a[0]), float(ae[0])
        played = game["played"]
        score = game["right"] / played if played else float("nan")
        score_err = math.sqrt(score * (1 - score) / played) if played else None
        rows = [
            ("entropy production rate σ", "sigma", sigma, sigma_err, sig),
            ("P_correct(τ) = P(Σ_τ > 0); reference: Φ(√(στ/2))", "p-correct", pc, pc_err,
             float(ndtr(math.sqrt(sig * p["tau"] / 2.0)))),
            (f"your score ({game['right']} of {played})", "score", score if played else None, score_err, None),
        ]  # fmt: skip
        note = pool.error or (
            "The reference is a Gaussian entropy production obeying the fluctuation theorem; a short "
            "movie's entropy is not Gaussian, and the measured P_correct lies below it for στ ≲ 3."
        )
        numbers.object = numbers_table("arrow-numbers", rows, generation=pool.generation, replicas=pool.replicas,
                                       params={**p, "played": played, "right": game["right"]}, note=note)  # fmt: skip

    forward.on_click(lambda _e: guess(False))
    backward.on_click(lambda _e: guess(True))
    replay.on_click(lambda _e: game.update(shown=0))
    start(sliders.values(), restart, refresh, [live], animate, animate_ms=40)
    intro = (
        "Is the movie running forward or backward? At T1 = T2 nobody can tell (P = 1/2 for any τ). "
        "Out of equilibrium the best possible guess is the sign of the entropy the movie shows, right "
        "with probability P_correct(τ), which rises from 1/2 to 1 once τ exceeds about 1/σ."
    )
    return page(TITLE, intro, list(sliders.values()),
                [pn.Row(fig, pn.Column(pn.Row(forward, backward, replay), verdict, numbers))])  # fmt: skip
