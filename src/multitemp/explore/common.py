"""Shared pieces of the explorer's pages: sliders that restart a live ensemble, the numbers
table (each value an element with an id and ``data-value`` / ``data-err`` attributes, which
the browser test reads), and the per-session timer that pulls pooled results into the page."""

from __future__ import annotations

import html
import json
import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import panel as pn

from multitemp.explore.live import LiveEnsemble

__all__ = ["slider", "fmt", "Row", "numbers_table", "on_session_timer", "start", "page"]

#: how often a page pulls results from its live ensembles (ms)
REFRESH_MS = 300


def slider(name: str, start: float, end: float, value: float, step: float, key: str) -> pn.widgets.FloatSlider:
    """A float slider whose DOM element carries the class ``slider-<key>`` (the browser test
    finds it by that)."""
    return pn.widgets.FloatSlider(name=name, start=start, end=end, value=value, step=step,
                                  css_classes=[f"slider-{key}"], sizing_mode="stretch_width")  # fmt: skip


def fmt(value: float, err: float | None = None, digits: int = 3) -> str:
    if value is None or not math.isfinite(value):
        return "..."
    if err is None:
        return f"{value:.{digits}g}"
    if not math.isfinite(err):
        return f"{value:.{digits}g}"
    return f"{value:.{digits}g} ± {err:.2g}"


Row = tuple[str, str, float | None, float | None, float | None]  # label, id, value, err, exact


def numbers_table(table_id: str, rows: Iterable[Row], *, generation: int, replicas: int, params: Mapping[str, Any],
                  note: str = "") -> str:  # fmt: skip
    """HTML of measured values (with error bars) next to exact ones.

    ``<span id="ID" data-value data-err>`` for a measured value, ``id="ID-exact"`` for its exact
    value; the table carries the generation, the pooled replicas and the parameters as JSON.
    """

    def cell(id_: str, value, err) -> str:
        if value is None:
            return "<td>-</td>"
        attrs = f'id="{id_}" data-value="{value!r}"' + (f' data-err="{err!r}"' if err is not None else "")
        return f"<td><span {attrs}>{html.escape(fmt(value, err))}</span></td>"

    body = "".join(
        f"<tr><td>{html.escape(label)}</td>{cell(id_, v, e)}{cell(id_ + '-exact', x, None)}</tr>"
        for label, id_, v, e, x in rows
    )
    params_json = html.escape(json.dumps(dict(params)), quote=True)
    return (
        f'<table id="{table_id}" class="mt-numbers" data-generation="{generation}" data-replicas="{replicas}" '
        f"data-params=\"{params_json}\" style='font-size: 15px; border-collapse: separate; border-spacing: 14px 3px'>"
        "<tr><th style='text-align:left'>quantity</th><th>measured</th><th>exact / reference</th></tr>"
        f"{body}</table><p style='font-size: 13px'>{replicas} replicas pooled. {html.escape(note)}</p>"
    )


def on_session_timer(
    update: Callable[[], None], ensembles: Iterable[LiveEnsemble], period_ms: int = REFRESH_MS
) -> None:
    """Call ``update`` every ``period_ms`` in this browser session; stop the timer and the
    ensembles' threads when the session ends."""
    callback = pn.state.add_periodic_callback(update, period=period_ms)
    ensembles = list(ensembles)

    def cleanup(_context) -> None:
        callback.stop()
        for e in ensembles:
            e.stop()

    pn.state.on_session_destroyed(cleanup)


def start(
    sliders,
    restart: Callable[..., None],
    refresh: Callable[[], None],
    ensembles: Iterable[LiveEnsemble],
    animate: Callable[[], None] | None = None,
    animate_ms: int = 50,
) -> None:
    """Wire a page for this session: letting go of a slider restarts, the numbers refresh on a
    timer (and once now), and an optional animation runs every ``animate_ms``."""
    for s in sliders:
        s.param.watch(restart, "value_throttled")
    refresh()
    on_session_timer(refresh, ensembles)
    if animate is not None:
        pn.state.add_periodic_callback(animate, period=animate_ms)


def page(title: str, intro: str, sidebar: list, main: list) -> pn.template.BaseTemplate:
    """The explorer's page layout: a title bar, controls on the left, figures on the right."""
    template = pn.template.BootstrapTemplate(title=f"multitemp explore: {title}", sidebar_width=340,
                                             header_background="#1f3b57")  # fmt: skip
    template.sidebar.extend([pn.pane.Markdown(intro, sizing_mode="stretch_width"), *sidebar])
    template.main.extend(main)
    return template
