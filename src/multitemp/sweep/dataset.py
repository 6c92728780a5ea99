"""Gather the points of a sweep into one xarray Dataset whose dimensions are the swept keys
(``mode = "product"``) or a single ``point`` dimension (``mode = "zip"``)."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import xarray as xr

from multitemp import __version__
from multitemp.sweep.spec import SweepPoint, SweepSpec
from multitemp.sweep.store import PointStore

_EXTRA_DIMS = ("particle", "axis")


def _extra_dims(name: str, ndim: int, many_body: bool = False) -> tuple[str, ...]:
    """Names of a field's own dimensions: the lag times (chase_tau, arrow_tau, as in results.nc)
    for the lagged observables, else particle, axis; for many-body points, axis for the
    centre's drift and type for the rest (heat rates per type)."""
    for prefix in ("chase", "arrow"):
        if name.startswith(prefix + "_"):
            return (f"{prefix}_tau",)[:ndim]
    if many_body:
        return (("axis",) if name.startswith("center_") else ("type",))[:ndim]
    return _EXTRA_DIMS[:ndim]


def _coord(values: list[Any]) -> np.ndarray:
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        return np.asarray(values, dtype=np.float64)
    return np.asarray([v if isinstance(v, str) else json.dumps(v) for v in values], dtype=object)


def sweep_dataset(spec: SweepSpec, points: list[SweepPoint], store: PointStore) -> xr.Dataset:
    """Numeric fields of each point's summary (``run --json``) on the sweep's grid; NaN where a
    point failed.  ``status`` is 1 (ok) or 0 (failed), ``error`` the failure message."""
    keys = list(spec.axes)
    if spec.mode == "zip":
        dims = ("point",)
        shape = (len(points),)
        coords: dict[str, Any] = {"point": np.arange(len(points))}
        for k in keys:
            coords[k] = ("point", _coord(spec.axes[k]))
        index = {p.key: (i,) for i, p in enumerate(points)}
    else:
        dims = tuple(keys)
        shape = tuple(len(spec.axes[k]) for k in keys)
        coords = {k: _coord(spec.axes[k]) for k in keys}
        index = {p.key: np.unravel_index(i, shape) for i, p in enumerate(points)}
    records = {p.key: store.load(p.key) or {} for p in points}
    status = np.zeros(shape, dtype=np.int8)
    error = np.full(shape, "", dtype=object)
    fields: dict[str, np.ndarray] = {}
    skip: set[str] = set()
    for p in points:
        rec = records[p.key]
        at = index[p.key]
        if rec.get("status") != "ok":
            error[at] = rec.get("error", "not run")
            continue
        status[at] = 1
        for name, value in rec["summary"].items():
            if name in skip or name == "output" or isinstance(value, (str, bool)):
                continue
            try:
                arr = np.asarray(np.nan if value is None else value, dtype=np.float64)
            except (TypeError, ValueError):  # names, nested tables: not a number
                skip.add(name)
                continue
            if name not in fields:
                fields[name] = np.full(shape + arr.shape, np.nan)
            if fields[name].shape[len(shape) :] != arr.shape:
                skip.add(name)  # shape changes across points (e.g. a swept particle count)
                continue
            fields[name][at] = arr
    data_vars: dict[str, Any] = {"status": (dims, status), "error": (dims, error)}
    many_body = any("types" in (r.get("summary") or {}) for r in records.values())
    for name, arr in fields.items():
        if name in skip:
            continue
        extra = _extra_dims(name, arr.ndim - len(dims), many_body)
        data_vars[name] = (dims + extra, arr)
    return xr.Dataset(
        data_vars,
        coords=coords,
        attrs={
            "title": "multitemp sweep",
            "multitemp_version": __version__,
            "base_config": json.dumps(spec.base),
            "sweep": json.dumps(spec.definition()),
        },
    )
