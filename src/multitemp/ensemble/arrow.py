"""The arrow of time shown the direct way (physics.md section 3): cut recorded trajectories into
windows of length tau, reverse half of them at random, and let the likelihood-ratio test guess.

For overdamped dynamics the log-likelihood ratio of a movie against its reverse is the entropy
it shows, ``sum_i int F_i o dr_i / T_i`` (trapezoid rule on the samples, forces known); the test
says "forward" when it is positive.  The fraction guessed right estimates
P_correct(tau) = P(Sigma_tau > 0), which the kernel accumulates too.
"""

from __future__ import annotations

import numpy as np

from multitemp.core.potentials.registry import kernel_user_functions
from multitemp.ensemble.kernel import compute_forces
from multitemp.ensemble.system import System


def trajectory_forces(system: System, trajectory: np.ndarray) -> np.ndarray:
    """F = -grad E at every frame of one trajectory (frames, N, d), by the kernel's own function."""
    x = np.ascontiguousarray(trajectory.transpose(1, 2, 0))  # frames as lanes: (N, d, frames)
    f = np.empty_like(x)
    n, d = system.n_particles, system.dim
    lanes = x.shape[2]
    compute_forces(
        x, n, d, system.box, system.pair.kind_id, system.pair.params(), system.external.kind_id,
        system.external.params(), *system.bonded_arrays(), f, np.empty((d, lanes)), np.empty(lanes), np.empty(lanes),
        kernel_user_functions(system.pair, system.external), np.empty((d, n, lanes)),
    )  # fmt: skip
    return f.transpose(2, 0, 1)


def reversal_game(
    system: System, trajectories: np.ndarray, frames_per_window: int, seed: int = 0
) -> tuple[float, float, int]:
    """Fraction of windows whose direction the likelihood-ratio test guesses right.

    ``trajectories`` (replicas, frames, N, d) are recorded positions; non-overlapping windows of
    ``frames_per_window`` samples; half of them, chosen at random, are shown reversed.
    Returns (fraction correct, its binomial standard error, number of windows); ties count 1/2.
    """
    rng = np.random.default_rng(seed)
    inv_t = 1.0 / system.temperatures[None, None, :, None]
    right, n = 0.0, 0
    for traj in trajectories:
        per = traj.shape[0] // frames_per_window
        frames = np.arange(per * frames_per_window).reshape(per, frames_per_window)
        shown_reversed = rng.random(per) < 0.5
        frames[shown_reversed] = frames[shown_reversed, ::-1]  # the movies as shown
        x = traj[frames]  # (windows, frames, N, d)
        f = trajectory_forces(system, traj)[frames]
        sigma = np.sum(0.5 * (f[:, 1:] + f[:, :-1]) * np.diff(x, axis=1) * inv_t, axis=(1, 2, 3))
        guess_reversed = sigma < 0  # the likelihood-ratio test
        right += float(np.sum(np.where(sigma == 0, 0.5, guess_reversed == shown_reversed)))
        n += per
    p = right / n
    return p, float(np.sqrt(p * (1 - p) / n)), n
