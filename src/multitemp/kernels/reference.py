"""Plain NumPy reference of the ensemble kernel for one replica (slow; for tests).

Same integrators and the same per-step observables as :mod:`multitemp.kernels.ensemble`,
written the obvious way, with the noise supplied by the caller: either the kernel's own
counter-based stream (to check the kernel) or any Brownian path (for convergence tests).
"""

from __future__ import annotations

import numpy as np

from multitemp.system import System


def forces(system: System, x: np.ndarray) -> np.ndarray:
    """F = -grad E at positions x (N, d), pair by pair, using the potentials' own force functions."""
    n, d = x.shape
    f = np.zeros_like(x)
    p_ext = system.external.params()
    xl = x[:, :, None]
    for i in range(n):
        for a in range(d):
            f[i, a] += system.external.force_kernel(xl, i, a, 0, p_ext)
    p_pair = system.pair.params()
    for i in range(n):
        for j in range(i + 1, n):
            dx = x[i] - x[j]
            box = system.box
            dx = np.where(box > 0, dx - box * np.floor(dx / np.where(box > 0, box, 1) + 0.5), dx)
            fr = system.pair.force_kernel(float(dx @ dx), p_pair)
            f[i] += fr * dx
            f[j] -= fr * dx
    for i, j, kb in system.bonds:
        dx = x[i] - x[j]
        f[i] -= kb * dx
        f[j] += kb * dx
    for i, kt, anchor in system.tethers:
        f[i] -= kt * (x[i] - np.asarray(anchor))
    return f


def integrate(system: System, x0: np.ndarray, dt: float, noise: np.ndarray, heun: bool) -> dict[str, np.ndarray]:
    """Integrate one replica with standard-normal ``noise`` of shape (steps, N, d).

    Returns the final position, the trajectory (steps + 1, N, d), the heat into each bath
    (trapezoid rule), the Ito entropy and the Euler-Maruyama path log-ratio.
    """
    mu = system.mobilities[:, None]
    temp = system.temperatures
    amp = np.sqrt(2.0 * mu * temp[:, None] * dt)
    x = np.array(x0, dtype=np.float64)
    f = forces(system, x)
    traj = [x.copy()]
    heat = np.zeros(system.n_particles)
    ito = 0.0
    path = 0.0
    for g in noise:
        xi = amp * g
        if heun:
            xt = x + mu * f * dt + xi
            xn = x + 0.5 * mu * (f + forces(system, xt)) * dt + xi
        else:
            xn = x + mu * f * dt + xi
        fn = forces(system, xn)
        dx = xn - x
        q = np.sum(0.5 * (f + fn) * dx, axis=1)
        heat += q
        ito += np.sum(np.sum(f * dx, axis=1) / temp)
        path += np.sum((q + 0.25 * mu[:, 0] * dt * np.sum(fn * fn - f * f, axis=1)) / temp)
        x, f = xn, fn
        traj.append(x.copy())
    return {"x": x, "trajectory": np.array(traj), "heat": heat, "ito": ito, "path": path}
