"""Sweep files: a run config (same schema as ``multitemp run``) plus a ``[sweep]`` table.

    [sweep]
    system.temperatures.0 = [1.0, 3.0, 10.0]                  # element 0 of a list
    run.dt = { start = 1e-3, stop = 1e-2, num = 3, scale = "log" }
    mode = "product"                                          # or "zip" (equal lengths)

Keys are dotted paths into the config (digits index lists); values are lists or ranges
``{start, stop, num, scale = "linear" | "log"}``.  Points are the Cartesian product of the
keys' values (``mode = "product"``, the default) or the keys' values taken together
(``mode = "zip"``).  Each point is identified by a hash of its fully resolved config.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from multitemp.api import parse_config
from multitemp.core.config import ConfigError, read_toml, set_path
from multitemp.ensemble.config import Config

_RANGE_KEYS = {"start", "stop", "num", "scale"}


@dataclass(frozen=True)
class SweepPoint:
    """One point: its swept values (key -> value), resolved config and identity hash."""

    values: dict[str, Any]
    config: Config | None
    config_dict: dict[str, Any]
    key: str
    error: str | None = None


@dataclass(frozen=True)
class SweepSpec:
    """The base config (as a dict), the swept keys with their values, and the mode."""

    base: dict[str, Any]
    axes: dict[str, list[Any]]
    mode: str = "product"

    def points(self) -> list[SweepPoint]:
        keys = list(self.axes)
        if self.mode == "zip":
            combos = list(zip(*(self.axes[k] for k in keys), strict=True))
        else:
            combos = list(itertools.product(*(self.axes[k] for k in keys)))
        out = []
        for combo in combos:
            values = dict(zip(keys, combo, strict=True))
            data = copy.deepcopy(self.base)
            error = None
            config = None
            try:
                for k, v in values.items():
                    set_path(data, k, v)
                config = parse_config(data)
                resolved = json.loads(config.model_dump_json())
            except ConfigError as err:
                error, resolved = str(err), data
            out.append(SweepPoint(values, config, resolved, config_hash(resolved), error))
        return out

    def definition(self) -> dict[str, Any]:
        return {"axes": self.axes, "mode": self.mode}


def config_hash(config_dict: dict[str, Any]) -> str:
    """Identity of a point: sha256 of its canonical resolved-config JSON (16 hex digits)."""
    text = json.dumps(config_dict, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _expand(path: str, spec: Any) -> list[Any]:
    if isinstance(spec, list):
        if not spec:
            raise ConfigError(f"sweep.{path}: empty list of values")
        return spec
    if isinstance(spec, dict) and _RANGE_KEYS.issuperset(spec) and {"start", "stop", "num"} <= set(spec):
        scale = spec.get("scale", "linear")
        num = spec["num"]
        if not isinstance(num, int) or num < 1:
            raise ConfigError(f"sweep.{path}.num = {num!r}: a positive integer is needed")
        if scale == "log":
            if spec["start"] <= 0 or spec["stop"] <= 0:
                raise ConfigError(f"sweep.{path}: a log range needs start, stop > 0")
            vals = np.geomspace(spec["start"], spec["stop"], num)
        elif scale == "linear":
            vals = np.linspace(spec["start"], spec["stop"], num)
        else:
            raise ConfigError(f"sweep.{path}.scale = {scale!r}: allowed 'linear', 'log'")
        return [float(v) for v in vals]
    raise ConfigError(
        f"sweep.{path} = {spec!r}: give a list of values or a range {{start, stop, num, scale = 'linear' | 'log'}}"
    )


def _flatten(table: dict, prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in table.items():
        path = f"{prefix}{k}"
        if isinstance(v, dict) and not ({"start", "stop", "num"} <= set(v)):
            out.update(_flatten(v, path + "."))
        else:
            out[path] = v
    return out


def parse_sweep(data: dict[str, Any]) -> SweepSpec:
    """Split a sweep-file dictionary into the base config and the swept axes."""
    data = copy.deepcopy(data)
    table = data.pop("sweep", None)
    if not isinstance(table, dict) or not table:
        raise ConfigError("a sweep file needs a [sweep] table of dotted keys to lists or ranges")
    mode = table.pop("mode", "product")
    if mode not in ("product", "zip"):
        raise ConfigError(f"sweep.mode = {mode!r}: allowed 'product', 'zip'")
    axes = {path: _expand(path, spec) for path, spec in _flatten(table).items()}
    if mode == "zip" and len({len(v) for v in axes.values()}) > 1:
        raise ConfigError(
            f"sweep.mode = 'zip' needs lists of equal length, got { ({k: len(v) for k, v in axes.items()}) }"
        )
    return SweepSpec(data, axes, mode)


def load_sweep(path: str | Path) -> SweepSpec:
    return parse_sweep(read_toml(path, "sweep file"))
