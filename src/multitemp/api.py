"""The Python API: read a config (either engine), run it in memory or into a folder.

    import multitemp
    cfg = multitemp.load_config("examples/harmonic_pair.toml", ["run.replicas=512"])
    res = multitemp.run(cfg)              # nothing written
    res.summary["entropy_production_rate"], res.dataset

A config with a ``[mixture]`` table is a many-body run, otherwise an ensemble of small systems.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from multitemp.core.config import ConfigError, apply_overrides, read_toml, validate
from multitemp.core.driver import ProgressCallback
from multitemp.ensemble.config import Config
from multitemp.mixture.config import MixtureConfig

__all__ = ["Result", "load_config", "parse_config", "run"]

AnyConfig = Config | MixtureConfig


def parse_config(data: Mapping[str, Any]) -> AnyConfig:
    """Validate a config dictionary (:class:`ConfigError` names the key, the value and what is allowed)."""
    if not isinstance(data, Mapping):
        raise ConfigError(f"a config is a table of tables, got {type(data).__name__}")
    return validate(MixtureConfig if "mixture" in data else Config, dict(data))


def load_config(source: str | Path | Mapping[str, Any], overrides: Sequence[str] = ()) -> AnyConfig:
    """A validated config from a TOML file or a dictionary, with ``key.path=value`` overrides
    (values read as TOML; digits index lists, e.g. ``"system.temperatures.0=3"``).

    Raises:
        ConfigError: a missing file, bad TOML, an unknown key or a bad value.
    """
    data = copy.deepcopy(dict(source)) if isinstance(source, Mapping) else read_toml(source)
    return parse_config(apply_overrides(data, list(overrides)))


@dataclass
class Result:
    """A finished run.

    Attributes:
        summary: rates with error bars and exact values, exactly what ``multitemp run --json`` prints.
        dataset: an ``xarray.Dataset``, the content of ``results.nc``.
        files: the files written (empty when ``out`` was None).
        raw: the engine's own result (an ``EnsembleResult``, or the ``MixtureSimulation``).
    """

    summary: dict[str, Any]
    dataset: Any
    files: dict[str, Path] = field(default_factory=dict)
    raw: Any = None


def run(
    config: AnyConfig | str | Path | Mapping[str, Any],
    out: str | Path | None = None,
    progress: ProgressCallback | None = None,
    *,
    resume: bool = False,
) -> Result:
    """Run a config (a validated one, a TOML path or a dictionary), ensemble or mixture.

    Args:
        out: folder for ``results.nc`` and the engine's other files; None: nothing is written.
        progress: ``progress(step, total_steps, rate)`` after each chunk of steps.
        resume: continue from ``out/checkpoint.npz`` (same numbers as an uninterrupted run).

    Raises:
        ConfigError: invalid config.  BlowUpError: dt too large (``err.partial``: so far).
        RunInterrupted: SIGINT/SIGTERM (``err.partial``; ``err.checkpoint`` when ``out`` is given).
        ResumeError: nothing to resume, or a checkpoint of another config.
    """
    if not isinstance(config, Config | MixtureConfig):
        config = load_config(config)
    if isinstance(config, MixtureConfig):
        from multitemp.mixture.run import run_mixture

        m = run_mixture(config, out, resume=resume, progress=progress)
        files = {"trajectory": m.trajectory, "results": m.results_file} if m.results_file is not None else {}
        return Result(m.summary, m.dataset, files, m.simulation)
    from multitemp.ensemble.run import run_config

    e = run_config(config, out, progress=progress, resume=resume)
    files = {k: v for k, v in (("results", e.results_file), ("figure", e.figure)) if v is not None}
    return Result(e.summary, e.dataset, files, e.result)
