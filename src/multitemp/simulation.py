"""Run an ensemble of independent replicas and collect the accumulated observables.

The run is cut into segments of steps (for progress reports and blow-up checks); the noise
is a pure function of (seed, replica, step, particle, axis), so the segmentation, the number
of threads and the split of replicas into chunks leave every bit of the result unchanged.
"""

from __future__ import annotations

import math
import time as _time
from collections.abc import Callable
from dataclasses import dataclass, field

import numba
import numpy as np
from scipy.special import erf

from multitemp.kernels.ensemble import LANES, advance, shape_witnesses
from multitemp.rng import STREAM_INIT, normal_array
from multitemp.system import System

__all__ = ["RunParameters", "EnsembleResult", "BlowUpError", "RunInterrupted", "simulate"]


@dataclass(frozen=True)
class RunParameters:
    """How to integrate (times in the system's time units).

    Args:
        dt: time step.
        time: total simulated time per replica, burn-in included.
        burn_in: time discarded before observables are accumulated.
        replicas: number R of independent replicas.
        seed: key of the counter-based noise.
        integrator: "euler" (Euler-Maruyama) or "heun" (predictor-corrector).
        threads: numba threads (None: numba's default, all cores).
        histogram_bins: bins per axis of the (x_0, x_1) phase-space map (0: none).
        histogram_range: (lo, hi) of the map on both axes.
        trajectory_every: store positions of the first ``trajectory_replicas`` replicas every
            this many steps (0: store none).
        trajectory_replicas: how many replicas' trajectories to store.
        initial_spread: standard deviation of the initial positions about the origin (open
            axes; periodic axes start uniform in the box).
        ring_every: steps between the samples of the lagged observables (after burn-in).
        chase_lags, arrow_lags: lags, in samples, of the run-and-chase correlations and of the
            arrow-of-time test (empty: not measured).
        contact_range: particles 0 and 1 are in contact when closer than this (chase).
    """

    dt: float
    time: float
    burn_in: float = 0.0
    replicas: int = 1024
    seed: int = 0
    integrator: str = "heun"
    threads: int | None = None
    histogram_bins: int = 0
    histogram_range: tuple[float, float] = (-5.0, 5.0)
    trajectory_every: int = 0
    trajectory_replicas: int = 0
    initial_spread: float = 1.0
    ring_every: int = 10
    chase_lags: tuple[int, ...] = ()
    arrow_lags: tuple[int, ...] = ()
    contact_range: float = 0.0

    @property
    def n_steps(self) -> int:
        return int(round(self.time / self.dt))

    @property
    def burn_steps(self) -> int:
        return int(round(self.burn_in / self.dt))


@dataclass
class EnsembleResult:
    """Per-replica accumulators of one run (measured over ``measured_time`` after burn-in).

    Attributes:
        heat: (R, N) heat dissipated into each bath (Stratonovich), energy.
        entropy_ito: (R,) Ito pre-point entropy (biased by design).
        path_log_ratio: (R,) log path-probability ratio of the Euler-Maruyama chain.
        angular_momentum: (R,) integral of x_0 o dx_1 - x_1 o dx_0 (summed over axes).
        positions: (R, N, d) unwrapped final positions; ``positions_burn`` at burn-in.
        histogram_*: phase-space map (counts, summed displacements) over (x_0, x_1).
        trajectory: (R_traj, frames, N, d) stored positions, every ``trajectory_every`` steps.
        chase: (4, R, n_lags) per replica: backward sum, count, forward sum, count.
        arrow: (2, R, n_lags) per replica: windows with S > 0 (ties 1/2), windows.
    """

    system: System
    params: RunParameters
    replica_offset: int
    heat: np.ndarray
    entropy_ito: np.ndarray
    path_log_ratio: np.ndarray
    angular_momentum: np.ndarray
    positions: np.ndarray
    positions_burn: np.ndarray
    histogram_counts: np.ndarray
    histogram_dx: np.ndarray
    trajectory: np.ndarray
    chase: np.ndarray = field(default_factory=lambda: np.zeros((4, 0, 0)))
    arrow: np.ndarray = field(default_factory=lambda: np.zeros((2, 0, 0)))
    steps_done: int = 0
    wall_seconds: float = 0.0
    compile_seconds: float = 0.0
    blowup_step: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))

    @property
    def measured_time(self) -> float:
        """Time over which observables were accumulated (after burn-in)."""
        return max(self.steps_done - self.params.burn_steps, 0) * self.params.dt

    @property
    def entropy(self) -> np.ndarray:
        """(R,) entropy produced in the baths, sum_i Q_i / T_i (k_B = 1)."""
        return self.heat @ (1.0 / self.system.temperatures)

    @property
    def replica_steps_per_second(self) -> float:
        if self.wall_seconds <= 0:
            return float("nan")
        return self.params.replicas * self.steps_done / self.wall_seconds


class BlowUpError(RuntimeError):
    """A replica's positions became non-finite; ``result`` holds what was computed before."""

    def __init__(self, step: int, replica: int, dt: float, result: EnsembleResult):
        self.step, self.replica, self.result = step, replica, result
        self.suggested_dt = dt / 10.0
        super().__init__(
            f"the integration blew up (positions not finite) at step {step} (t = {step * dt:g}) "
            f"in replica {replica}: dt = {dt:g} is too large for the stiffness of the forces; "
            f"try run.dt = {self.suggested_dt:g}"
        )


class RunInterrupted(KeyboardInterrupt):
    """Ctrl-C or SIGINT between segments; ``result`` holds everything accumulated so far."""

    def __init__(self, result: EnsembleResult):
        self.result = result
        super().__init__(f"interrupted at step {result.steps_done} of {result.params.n_steps}")


def initial_positions(system: System, params: RunParameters, replica_offset: int = 0) -> np.ndarray:
    """(R, N, d) initial positions from the initial-condition noise stream (deterministic)."""
    n, d = system.n_particles, system.dim
    z = normal_array(params.seed, replica_offset, params.replicas, n * d, STREAM_INIT).reshape(-1, n, d)
    pos = params.initial_spread * z
    for a in range(d):
        length = system.box[a]
        if length > 0:
            pos[:, :, a] = length * 0.5 * (1.0 + erf(z[:, :, a] / math.sqrt(2.0)))
    return pos


def _segment_steps(total: int, n_rep: int) -> int:
    """Steps per kernel call: about 50 segments, at least ~1e6 replica-steps each."""
    return max(1, min(total, max(total // 50, 1_000_000 // max(n_rep, 1))))


def simulate(
    system: System,
    params: RunParameters,
    *,
    replica_offset: int = 0,
    progress: Callable[[int, int], None] | None = None,
) -> EnsembleResult:
    """Integrate ``params.replicas`` independent replicas of ``system``.

    ``replica_offset`` shifts the replicas' noise keys: running replicas [0, a) and then
    [a, R) with ``replica_offset=a`` gives, replica by replica, the bits of one run of R.
    ``progress(steps_done, steps_total)`` is called after each segment.

    Raises:
        BlowUpError: positions became non-finite (dt too large); carries the partial result.
    """
    if params.integrator not in ("euler", "heun"):
        raise ValueError(f"integrator must be 'euler' or 'heun', got {params.integrator!r}")
    if params.threads:
        numba.set_num_threads(min(params.threads, numba.config.NUMBA_NUM_THREADS))
    n, d, r = system.n_particles, system.dim, params.replicas
    total = params.n_steps
    traj_reps = min(params.trajectory_replicas, r) if params.trajectory_every > 0 else 0
    n_frames = (total + params.trajectory_every - 1) // params.trajectory_every if traj_reps else 1
    nbins = params.histogram_bins if (n >= 2 and params.histogram_bins > 0) else 0
    n_chunks = max(1, min(-(-r // LANES), 8 * numba.get_num_threads()))
    res = EnsembleResult(
        system=system,
        params=params,
        replica_offset=replica_offset,
        heat=np.zeros((r, n)),
        entropy_ito=np.zeros(r),
        path_log_ratio=np.zeros(r),
        angular_momentum=np.zeros(r),
        positions=initial_positions(system, params, replica_offset),
        positions_burn=np.zeros((r, n, d)),
        histogram_counts=np.zeros((n_chunks, nbins, nbins), np.int64),
        histogram_dx=np.zeros((2, n_chunks, nbins, nbins), np.int64),
        trajectory=np.full((traj_reps, n_frames, n, d), np.nan),
        blowup_step=np.full(r, -1, np.int64),
        chase=np.zeros((4, r, len(params.chase_lags))),
        arrow=np.zeros((2, r, len(params.arrow_lags))),
    )
    wn, wd = shape_witnesses(n, d)
    chase_lags = np.asarray(params.chase_lags, dtype=np.int64)
    arrow_lags = np.asarray(params.arrow_lags, dtype=np.int64)
    ring_len = int(max([*params.chase_lags, *params.arrow_lags, 0])) + 1
    ring_reps = r if (chase_lags.size or arrow_lags.size) else 0
    ring = (
        np.zeros((ring_reps, ring_len, d)),
        np.zeros((ring_reps, ring_len, d)),
        np.zeros((ring_reps, ring_len)),
        np.zeros((ring_reps, ring_len)),
    )
    lo, hi = (float(v) for v in params.histogram_range)

    def call(pos, step0, n_steps, out, rings=ring):
        advance(
            wn, wd, pos, params.seed, replica_offset, step0, n_steps, params.burn_steps, params.dt,
            system.mobilities, system.temperatures, system.box,
            system.pair.kind_id, system.pair.params(), system.external.kind_id, system.external.params(),
            *system.bonded_arrays(),
            params.integrator == "heun",
            out.heat, out.entropy_ito, out.path_log_ratio, out.angular_momentum, out.positions_burn,
            lo, hi, out.histogram_counts, out.histogram_dx[0], out.histogram_dx[1],
            out.trajectory, max(params.trajectory_every, 1), out.blowup_step,
            max(params.ring_every, 1), params.contact_range, chase_lags, arrow_lags, *rings,
            out.chase[0], out.chase[1], out.chase[2], out.chase[3], out.arrow[0], out.arrow[1],
        )  # fmt: skip

    # compile (or load from the on-disk cache) outside the timed loop, on a throwaway replica
    t0 = _time.perf_counter()
    scratch = EnsembleResult(
        system, params, 0, np.zeros((1, n)), np.zeros(1), np.zeros(1), np.zeros(1), np.zeros((1, n, d)),
        np.zeros((1, n, d)), np.zeros((1, nbins, nbins), np.int64), np.zeros((2, 1, nbins, nbins), np.int64),
        np.zeros((0, n_frames, n, d)), blowup_step=np.full(1, -1, np.int64),
        chase=np.zeros((4, 1, chase_lags.size)), arrow=np.zeros((2, 1, arrow_lags.size)),
    )  # fmt: skip
    scratch_ring = tuple(np.zeros((1, *a.shape[1:])) for a in ring)
    call(scratch.positions, 0, 1, scratch, scratch_ring)
    res.compile_seconds = _time.perf_counter() - t0

    seg = _segment_steps(total, r)
    step = 0
    t_start = _time.perf_counter()
    pending = 0
    try:
        while step < total:
            n_now = min(seg, total - step)
            pending = n_now  # a SIGINT during the kernel call is raised when it returns, complete
            call(res.positions, step, n_now, res)
            step += n_now
            pending = 0
            res.steps_done = step
            res.wall_seconds = _time.perf_counter() - t_start
            blown = np.flatnonzero(res.blowup_step >= 0)
            if blown.size:
                first = blown[np.argmin(res.blowup_step[blown])]
                res.steps_done = int(res.blowup_step[first])
                raise BlowUpError(int(res.blowup_step[first]), int(first) + replica_offset, params.dt, res)
            if progress is not None:
                progress(step, total)
    except KeyboardInterrupt:
        res.steps_done = step + pending
        res.wall_seconds = _time.perf_counter() - t_start
        raise RunInterrupted(res) from None
    return res
