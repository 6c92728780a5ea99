"""The run driver both engines use: chunks of steps, SIGINT/SIGTERM, progress, reporters,
checkpoints, and the two ways a run ends early (:class:`BlowUpError`, :class:`RunInterrupted`).

A simulation is anything with an integer ``step`` and ``advance(n_steps)`` (which raises
:class:`BlowUpError`).  :func:`drive` advances it to a target step in chunks of about half a
second, so that Ctrl-C or SIGTERM is answered quickly; both stop the run at the end of the
current chunk, call ``checkpoint`` (if given) and raise :class:`RunInterrupted`.
Reporters (in the spirit of OpenMM's) are called every ``every`` steps and at the last step:
a series recorder, a GSD frame writer, a checkpoint.  Because the noise is a pure function of
(seed, replica or particle, step), where the chunks fall never changes a single bit.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

__all__ = ["BlowUpError", "RunInterrupted", "ProgressCallback", "Reporter", "StopSignals", "drive"]

#: ``progress(step, total_steps, rate)``: called after each chunk; ``rate`` is the engine's
#: throughput in its own unit (replica-steps or particle-steps per second)
ProgressCallback = Callable[[int, int, float], None]


class BlowUpError(RuntimeError):
    """The positions became non-finite (or jumped past half the box): dt is too large.

    Attributes: ``step`` (the first bad step), ``dt``, ``suggested_dt`` (dt / 10), ``where``
    (e.g. the replica), ``partial`` (what was computed before, or None).
    """

    def __init__(self, step: int, dt: float, where: str = "", partial: Any = None):
        self.step, self.dt, self.where, self.partial = step, dt, where, partial
        self.suggested_dt = dt / 10.0
        at = f" {where}" if where else ""
        super().__init__(
            f"the integration blew up at step {step} (t = {step * dt:g}){at}: dt = {dt:g} is too large for the "
            f"stiffness of the forces; suggested dt = {self.suggested_dt:g}"
        )


class RunInterrupted(KeyboardInterrupt):
    """Ctrl-C or SIGTERM (or ``stop_after``) between chunks.

    Attributes: ``step`` reached, ``total`` steps asked for, ``partial`` (what was computed so
    far, or None), ``checkpoint`` (the file to resume from, or None).
    """

    def __init__(self, step: int, total: int, partial: Any = None, checkpoint: Any = None):
        self.step, self.total, self.partial, self.checkpoint = step, total, partial, checkpoint
        kept = f"; checkpoint {checkpoint}" if checkpoint is not None else ""
        super().__init__(f"interrupted at step {step} of {total}{kept}")


class Steppable(Protocol):
    step: int

    def advance(self, n_steps: int) -> None: ...


@dataclass
class Reporter:
    """``report()`` is called whenever the step is a multiple of ``every`` (> 0) and at the last step."""

    every: int
    report: Callable[[], None]


class StopSignals:
    """SIGINT and SIGTERM set ``raised`` instead of killing the process (main thread only;
    elsewhere, e.g. in a Dask worker, the handlers are left alone)."""

    def __init__(self) -> None:
        self.raised = False
        self._old: dict = {}

    def __enter__(self) -> StopSignals:
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                self._old[sig] = signal.signal(sig, self._handle)
        return self

    def _handle(self, signum, frame) -> None:
        self.raised = True

    def __exit__(self, *exc) -> None:
        for sig, handler in self._old.items():
            signal.signal(sig, handler)


def drive(
    sim: Steppable,
    total: int,
    *,
    units_per_step: int = 1,
    progress: ProgressCallback | None = None,
    reporters: Iterable[Reporter] = (),
    checkpoint: Callable[[], None] | None = None,
    checkpoint_seconds: float | None = None,
    stop_after: int | None = None,
    first_chunk: int = 1,
    chunk_seconds: float = 0.5,
) -> None:
    """Advance ``sim`` until ``sim.step == total``.

    Args:
        units_per_step: replicas or particles advanced per step (for the progress rate).
        progress: see :data:`ProgressCallback`.
        reporters: called at their steps, in order, after the chunk that reaches them.
        checkpoint: writes the state to resume from; called every ``checkpoint_seconds`` of wall
            time (None: never on a timer) and when the run is stopped.
        stop_after: stop (as if interrupted) once this many steps are done (tests).
        first_chunk: steps in the first chunk; later chunks last about ``chunk_seconds``.

    Raises:
        RunInterrupted: SIGINT, SIGTERM or ``stop_after``; ``checkpoint`` was called first.
        BlowUpError: from ``sim.advance``.
    """
    reporters = list(reporters)
    chunk = max(1, first_chunk)
    t0 = last_checkpoint = time.perf_counter()
    start = sim.step
    with StopSignals() as stop:
        while sim.step < total:
            target = total
            for r in reporters:
                if r.every > 0:
                    target = min(target, (sim.step // r.every + 1) * r.every)
            if stop_after is not None:
                target = min(target, max(stop_after, sim.step + 1))
            n = min(chunk, target - sim.step)
            tc = time.perf_counter()
            sim.advance(n)
            elapsed = time.perf_counter() - tc
            chunk = int(max(1, min(n * chunk_seconds / max(elapsed, 1e-6), 4 * n + 1)))
            for r in reporters:
                if (r.every > 0 and sim.step % r.every == 0) or sim.step == total:
                    r.report()
            now = time.perf_counter()
            if progress is not None:
                progress(sim.step, total, units_per_step * (sim.step - start) / max(now - t0, 1e-9))
            if stop.raised or (stop_after is not None and total > sim.step >= stop_after):
                if checkpoint is not None:
                    checkpoint()
                raise RunInterrupted(sim.step, total)
            if checkpoint is not None and checkpoint_seconds is not None and now - last_checkpoint > checkpoint_seconds:
                checkpoint()
                last_checkpoint = time.perf_counter()
