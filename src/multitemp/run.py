"""Public entry points behind the command line: run a config, run the demo."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from multitemp.analysis.phase_space import PhaseSpaceMap
from multitemp.analysis.summary import summarize
from multitemp.config import Config, parse_config
from multitemp.io.netcdf import result_dataset, write_dataset
from multitemp.simulation import BlowUpError, EnsembleResult, RunInterrupted, simulate
from multitemp.theory import LinearTheory

__all__ = ["RunOutput", "run_config", "demo_config", "histogram_range"]


@dataclass
class RunOutput:
    """What a run produced: the summary (as printed by ``--json``) and the files written."""

    summary: dict[str, Any]
    result: EnsembleResult
    results_file: Path | None
    figure: Path | None


def histogram_range(config: Config) -> tuple[float, float]:
    """The phase-space map's range: as configured, else +-4.5 standard deviations (linear), else +-5."""
    if config.observables.histogram_range is not None:
        return tuple(config.observables.histogram_range)
    system = config.build_system()
    if system.is_linear:
        theory = LinearTheory.from_system(system)
        c = theory.covariance
        if c is not None:
            half = 4.5 * float(np.sqrt(np.max(np.diag(c))))
            return (-half, half)
    return (-5.0, 5.0)


def run_config(
    config: Config,
    out: str | Path | None = None,
    *,
    progress: Callable[[int, int], None] | None = None,
    figure: bool = True,
) -> RunOutput:
    """Simulate ``config``; write ``results.nc`` (and ``phase_space.png`` for a d = 1 pair) to ``out``.

    On a blow-up or an interrupt (Ctrl-C) the results so far (after burn-in) are written to
    ``results_partial.nc`` before the exception propagates.
    """
    system = config.build_system()
    params = config.build_run(histogram_range(config))
    resolved = json.loads(config.model_dump_json())
    out_dir = Path(out) if out is not None else None
    try:
        result = simulate(system, params, progress=progress)
    except (BlowUpError, RunInterrupted) as err:  # keep what was computed
        if out_dir is not None and err.result.measured_time > 0:
            summary = summarize(err.result)
            write_dataset(result_dataset(err.result, resolved, summary), out_dir / "results_partial.nc")
        raise
    summary = summarize(result)
    results_file = fig_path = None
    if out_dir is not None:
        summary["output"] = str(out_dir / "results.nc")
        results_file = write_dataset(result_dataset(result, resolved, summary), out_dir / "results.nc")
        if figure and system.n_particles == 2 and system.dim == 1 and params.histogram_bins > 0:
            from multitemp.plots import phase_space_figure

            theory = LinearTheory.from_system(system) if system.is_linear else None
            if theory is not None and not theory.is_stationary:
                theory = None  # no stationary density to draw the exact current on
            fig_path = out_dir / "phase_space.png"
            t1, t2 = system.temperatures
            phase_space_figure(
                PhaseSpaceMap.from_result(result), theory, fig_path,
                title=f"two-temperature pair, $T_1$ = {t1:g}, $T_2$ = {t2:g}",
            )  # fmt: skip
    else:
        summary["output"] = None
    return RunOutput(summary, result, results_file, fig_path)


def demo_config(replicas: int = 4096, time: float = 200.0) -> Config:
    """The course's numerics: harmonic pair, d = 1, k = lambda = 1, T = (5, 1)."""
    return parse_config(
        {
            "system": {"dim": 1, "temperatures": [5.0, 1.0]},
            "pair_potential": {"kind": "harmonic", "k": 1.0},
            "external_potential": {"kind": "harmonic", "lam": 1.0},
            "run": {"dt": 1e-3, "time": time, "burn_in": 10.0, "replicas": replicas, "seed": 1, "integrator": "heun"},
            "observables": {"histogram_bins": 48},
        }
    )
