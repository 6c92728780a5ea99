"""Run an ensemble config (in memory or into an output folder, resumable) and the demo."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from multitemp.core.checkpoint import CHECKPOINT, ResumeError, check_same_run, config_array
from multitemp.core.config import validate
from multitemp.core.driver import BlowUpError, ProgressCallback, RunInterrupted
from multitemp.core.files import write_netcdf
from multitemp.ensemble.config import Config
from multitemp.ensemble.phase_space import PhaseSpaceMap
from multitemp.ensemble.results import result_dataset
from multitemp.ensemble.simulation import EnsembleResult, EnsembleSimulation
from multitemp.ensemble.summary import summarize
from multitemp.theory import LinearTheory

__all__ = ["RunOutput", "run_config", "demo_config", "histogram_range"]


@dataclass
class RunOutput:
    """What an ensemble run produced: the summary (as ``--json`` prints it), the Dataset (the
    content of ``results.nc``), the raw result and the files written (None in memory)."""

    summary: dict[str, Any]
    dataset: Any
    result: EnsembleResult
    results_file: Path | None = None
    figure: Path | None = None


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
    progress: ProgressCallback | None = None,
    figure: bool = True,
    resume: bool = False,
    checkpoint_seconds: float | None = None,
    stop_after_steps: int | None = None,
) -> RunOutput:
    """Simulate ``config``; with ``out``, write ``results.nc`` (and ``phase_space.png`` for a d = 1
    pair) there, and ``checkpoint.npz`` every ``checkpoint_seconds`` (default ``run.checkpoint_every``)
    of wall time and when stopped.

    On a blow-up or an interrupt (SIGINT, SIGTERM) the results so far (after burn-in) are
    written to ``results_partial.nc`` before the exception propagates; ``resume=True``
    continues from the checkpoint with the bits of an uninterrupted run.
    """
    system = config.build_system()
    params = config.build_run(histogram_range(config))
    if checkpoint_seconds is None:
        checkpoint_seconds = config.run.checkpoint_every
    resolved = json.loads(config.model_dump_json())
    out_dir = Path(out) if out is not None else None
    ck_path = out_dir / CHECKPOINT if out_dir is not None else None
    if resume:
        if ck_path is None or not ck_path.exists():
            raise ResumeError(f"nothing to resume: {ck_path} not found (run without resume first)")
        with np.load(ck_path) as saved:
            check_same_run(saved["config_json"], resolved, ck_path)
        try:
            sim, _ = EnsembleSimulation.load(ck_path, system, params)
        except ValueError as err:
            raise ResumeError(str(err)) from None
    else:
        sim = EnsembleSimulation(system, params)

    def checkpoint() -> None:
        if ck_path is not None:
            sim.save(ck_path, config_json=config_array(resolved))

    try:
        result = sim.run(progress=progress, checkpoint=checkpoint if ck_path is not None else None,
                         checkpoint_seconds=checkpoint_seconds, stop_after=stop_after_steps)  # fmt: skip
    except (BlowUpError, RunInterrupted) as err:  # keep what was computed
        if isinstance(err, RunInterrupted) and ck_path is not None:
            err.checkpoint = ck_path
        if out_dir is not None and err.partial.measured_time > 0:
            write_netcdf(result_dataset(err.partial, resolved, summarize(err.partial)), out_dir / "results_partial.nc")
        raise
    summary = summarize(result)
    results_file = fig_path = None
    summary["output"] = str(out_dir / "results.nc") if out_dir is not None else None
    dataset = result_dataset(result, resolved, summary)
    if out_dir is not None:
        results_file = write_netcdf(dataset, out_dir / "results.nc")
        (out_dir / "results_partial.nc").unlink(missing_ok=True)
        if figure and system.n_particles == 2 and system.dim == 1 and params.histogram_bins > 0:
            from multitemp.ensemble.plots import phase_space_figure

            theory = LinearTheory.from_system(system) if system.is_linear else None
            if theory is not None and not theory.is_stationary:
                theory = None  # no stationary density to draw the exact current on
            fig_path = out_dir / "phase_space.png"
            t1, t2 = system.temperatures
            phase_space_figure(
                PhaseSpaceMap.from_result(result), theory, fig_path,
                title=f"two-temperature pair, $T_1$ = {t1:g}, $T_2$ = {t2:g}",
            )  # fmt: skip
    return RunOutput(summary, dataset, result, results_file, fig_path)


def demo_config(replicas: int = 4096, time: float = 200.0) -> Config:
    """The course's numerics: harmonic pair, d = 1, k = lambda = 1, T = (5, 1)."""
    return validate(
        Config,
        {
            "system": {"dim": 1, "temperatures": [5.0, 1.0]},
            "pair_potential": {"kind": "harmonic", "k": 1.0},
            "external_potential": {"kind": "harmonic", "lam": 1.0},
            "run": {"dt": 1e-3, "time": time, "burn_in": 10.0, "replicas": replicas, "seed": 1, "integrator": "heun"},
            "observables": {"histogram_bins": 48},
        },
    )
