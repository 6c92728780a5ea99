"""Plain NumPy reference of the ensemble kernel for one replica (slow; for tests).

Same integrators and the same per-step observables as :mod:`multitemp.ensemble.kernel`,
written the obvious way, with the noise supplied by the caller: either the kernel's own
counter-based stream (to check the kernel) or any Brownian path (for convergence tests).
"""

from __future__ import annotations

import numpy as np

from multitemp.ensemble.system import System


def _min_image(dx: np.ndarray, box: np.ndarray) -> np.ndarray:
    return np.where(box > 0, dx - box * np.floor(dx / np.where(box > 0, box, 1) + 0.5), dx)


def external_forces(system: System, x: np.ndarray) -> np.ndarray:
    """-grad V(r_i) for every particle, (N, d)."""
    n, d = x.shape
    p_ext = system.external.params()
    xl = x[:, :, None]
    return np.array([[system.external.force_kernel(xl, i, a, 0, p_ext) for a in range(d)] for i in range(n)])


def energy(system: System, x: np.ndarray) -> float:
    """E(x): external, pair, bond and tether energies at positions x (N, d)."""
    n = x.shape[0]
    p_ext, p_pair = system.external.params(), system.pair.params()
    e = sum(system.external.energy_kernel(x[:, :, None], i, 0, p_ext) for i in range(n))
    for i in range(n):
        for j in range(i + 1, n):
            dx = _min_image(x[i] - x[j], system.box)
            e += system.pair.energy_kernel(float(dx @ dx), p_pair)
    for i, j, kb in system.bonds:
        dx = _min_image(x[i] - x[j], system.box)
        e += 0.5 * kb * float(dx @ dx)
    for i, kt, anchor in system.tethers:
        dx = x[i] - np.asarray(anchor)
        e += 0.5 * kt * float(dx @ dx)
    return float(e)


def forces(system: System, x: np.ndarray) -> np.ndarray:
    """F = -grad E at positions x (N, d), pair by pair, using the potentials' own force functions."""
    n, d = x.shape
    f = external_forces(system, x)
    p_pair = system.pair.params()
    for i in range(n):
        for j in range(i + 1, n):
            dx = _min_image(x[i] - x[j], system.box)
            fr = system.pair.force_kernel(float(dx @ dx), p_pair)
            f[i] += fr * dx
            f[j] -= fr * dx
    for i, j, kb in system.bonds:
        dx = _min_image(x[i] - x[j], system.box)
        f[i] -= kb * dx
        f[j] += kb * dx
    for i, kt, anchor in system.tethers:
        f[i] -= kt * (x[i] - np.asarray(anchor))
    return f


def step_heat(system: System, x: np.ndarray, xn: np.ndarray, f: np.ndarray, fn: np.ndarray) -> np.ndarray:
    """Heat into each bath over the step x -> xn, (N,): the trapezoid rule for linear terms, the
    discrete gradient ``f_bar = fa + [(-du - fa . dd) / |dd|^2] dd`` for nonlinear ones
    (see :mod:`multitemp.ensemble.exact_heat`), written term by term."""
    dx = xn - x
    q = np.sum(0.5 * (f + fn) * dx, axis=1)
    n = x.shape[0]
    if system.pair.spring_constant is None:  # nonlinear pair force
        p = system.pair.params()
        for i in range(n):
            for j in range(i + 1, n):
                u = _min_image(xn[i] - xn[j], system.box)
                dd = dx[i] - dx[j]
                v = u - dd
                fa = 0.5 * (
                    system.pair.force_kernel(float(u @ u), p) * u + system.pair.force_kernel(float(v @ v), p) * v
                )
                du = system.pair.energy_kernel(float(u @ u), p) - system.pair.energy_kernel(float(v @ v), p)
                dd2 = float(dd @ dd)
                correction = (-du - float(fa @ dd)) / dd2 * dd if dd2 > 0 else 0.0 * dd
                q[i] += float(correction @ dx[i])
                q[j] -= float(correction @ dx[j])
    if system.external.trap_stiffness is None:  # nonlinear external force
        fa = 0.5 * (external_forces(system, x) + external_forces(system, xn))
        p = system.external.params()
        for i in range(n):
            dv = system.external.energy_kernel(xn[:, :, None], i, 0, p) - system.external.energy_kernel(
                x[:, :, None], i, 0, p
            )
            q[i] = q[i] - float(fa[i] @ dx[i]) - dv
    return q


def integrate(system: System, x0: np.ndarray, dt: float, noise: np.ndarray, heun: bool) -> dict[str, np.ndarray]:
    """Integrate one replica with standard-normal ``noise`` of shape (steps, N, d).

    Returns the final position, the trajectory (steps + 1, N, d), the heat into each bath
    (exact: :func:`step_heat`), the Ito entropy and the Euler-Maruyama path log-ratio.
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
        q = np.sum(0.5 * (f + fn) * dx, axis=1)  # trapezoid: the path log-ratio's own form
        heat += step_heat(system, x, xn, f, fn)
        ito += np.sum(np.sum(f * dx, axis=1) / temp)
        path += np.sum((q + 0.25 * mu[:, 0] * dt * np.sum(fn * fn - f * f, axis=1)) / temp)
        x, f = xn, fn
        traj.append(x.copy())
    return {"x": x, "trajectory": np.array(traj), "heat": heat, "ito": ito, "path": path}
