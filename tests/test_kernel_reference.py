"""The fused kernel against the plain NumPy reference, and strong convergence with the same
Brownian path (Euler-Maruyama and Heun, additive noise: strong order 1)."""

import numpy as np
import pytest
from conftest import harmonic_pair, soft_pair

from multitemp.core.rng import normals
from multitemp.ensemble import reference
from multitemp.ensemble.simulation import RunParameters, initial_positions, simulate


def _chain():
    from multitemp.ensemble.system import System

    temps = np.array([3.0, 2.0, 1.0])
    return System(2, temps, bonds=((0, 1, 1.5), (1, 2, 0.5)), tethers=((0, 1.0, (0.5, -0.5)), (2, 2.0, (0.0, 0.0))))


def _ratchet():
    from multitemp.core.potentials import SmoothedSawtooth, SoftRepulsion
    from multitemp.ensemble.system import System

    return System(
        1, np.array([5.0, 0.5]), pair=SoftRepulsion(10.0, 1.0), external=SmoothedSawtooth(2.0, 1.0, 0.3, 0.05)
    )


@pytest.mark.parametrize("heun", [False, True])
@pytest.mark.parametrize(
    "make",
    [lambda: soft_pair(dim=2, box=1.5), lambda: harmonic_pair(dim=1), _chain, _ratchet],
    ids=["soft-periodic-2d", "harmonic-1d", "bonded-chain-2d", "sawtooth-soft-1d"],
)
def test_kernel_equals_reference(make, heun):
    system = make()
    n, d = system.n_particles, system.dim
    params = RunParameters(
        dt=2e-3, time=0.4, replicas=3, seed=11, integrator="heun" if heun else "euler", initial_spread=0.3
    )
    res = simulate(system, params)
    x0 = initial_positions(system, params)
    steps = params.n_steps
    for r in range(params.replicas):
        g = normals(params.seed, r, 0, steps * n * d).reshape(steps, n, d)
        ref = reference.integrate(system, x0[r], params.dt, g, heun)
        np.testing.assert_allclose(res.positions[r], ref["x"], rtol=1e-11, atol=1e-12)
        np.testing.assert_allclose(res.heat[r], ref["heat"], rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(res.entropy_production_ito[r], ref["ito"], rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(res.entropy_production_path[r], ref["path"], rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("heun", [False, True])
def test_strong_convergence_same_noise_path(heun):
    system = harmonic_pair(dim=1, k=2.0, lam=1.0)
    rng = np.random.default_rng(3)
    fine_steps, horizon, paths = 2048, 1.0, 12
    levels = [16, 32, 64, 128]
    errors = {m: [] for m in levels}
    heat_err = {m: [] for m in levels}
    for _ in range(paths):
        g_fine = rng.standard_normal((fine_steps, 2, 1))
        x0 = rng.standard_normal((2, 1))
        best = reference.integrate(system, x0, horizon / fine_steps, g_fine, heun)
        for m in levels:
            group = fine_steps // m
            g = g_fine.reshape(m, group, 2, 1).sum(axis=1) / np.sqrt(group)  # the same Brownian path
            out = reference.integrate(system, x0, horizon / m, g, heun)
            errors[m].append(np.abs(out["x"] - best["x"]).max())
            heat_err[m].append(np.abs(out["heat"] - best["heat"]).max())
    e = np.array([np.mean(errors[m]) for m in levels])
    h = np.array([np.mean(heat_err[m]) for m in levels])
    # positions: strong order 1 (additive noise), so 3 halvings of dt cut the error ~8x
    assert np.all(np.diff(e) < 0) and e[0] / e[-1] > 4.0, e
    # heat: an iterated Stratonovich integral whose sum contains Levy areas of (x_1, x_2)
    # (F_1 depends on x_2), so pathwise it converges at order 1/2 only (Kloeden & Platen
    # sec. 10.3): 3 halvings give ~2.8x; ask for order > 0.4
    assert np.all(np.diff(h) < 0) and h[0] / h[-1] > 2 ** (3 * 0.4), h
