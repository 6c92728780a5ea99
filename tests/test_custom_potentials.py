"""A user's own potentials, written in a test as numba functions, used by both engines without
editing the package: they reproduce the built-in ones they copy, and the heat stays exact."""

import math

import numba
import numpy as np
import pytest

from multitemp import CustomExternal, CustomPair, EnsembleSimulation, RunParameters, System
from multitemp.core.potentials import HarmonicTrap, SoftRepulsion
from multitemp.ensemble import reference


@numba.njit
def soft_energy(r2, p):  # U = k/2 (1 - r/s)^2 for r < s, written by the "user"
    r = math.sqrt(r2)
    return 0.5 * p[0] * (1.0 - r / p[1]) ** 2 if r < p[1] else 0.0


@numba.njit
def soft_force_over_r(r2, p):
    r = math.sqrt(r2)
    return p[0] * (1.0 - r / p[1]) / (p[1] * r) if (r < p[1]) and (r > 0.0) else 0.0


@numba.njit
def trap_energy(x, i, ln, p):  # V = lam |r|^2 / 2, as the built-in HarmonicTrap
    e = 0.0
    for a in range(x.shape[1]):
        e += x[i, a, ln] ** 2
    return 0.5 * p[0] * e


@numba.njit
def trap_force(x, i, a, ln, p):
    return -p[0] * x[i, a, ln]


def test_custom_potentials_match_builtin_ones_in_the_ensemble():  # compiles the kernel for them: ~12 s
    """A custom soft pair and a custom trap give the built-in run (same noise), and the heat
    through the user's path satisfies the first law on every replica."""
    params = RunParameters(dt=2e-3, time=1.0, replicas=64, seed=4, integrator="heun")
    builtin = System(1, [3.0, 1.0], pair=SoftRepulsion(10.0, 1.0), external=HarmonicTrap(0.5))
    custom = System(1, [3.0, 1.0], pair=CustomPair(soft_energy, soft_force_over_r, (10.0, 1.0)),
                    external=CustomExternal(trap_energy, trap_force, (0.5,)))  # fmt: skip
    a = EnsembleSimulation(builtin, params)
    b = EnsembleSimulation(custom, params)
    x0 = b.positions.copy()
    a.advance(params.n_steps)
    b.advance(params.n_steps)
    np.testing.assert_allclose(b.positions, a.positions, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(b.heat, a.heat, rtol=1e-9, atol=1e-12)
    assert np.any(np.abs(a.heat) > 1e-2)
    for r in range(params.replicas):
        de = reference.energy(custom, b.positions[r]) - reference.energy(custom, x0[r])
        assert abs(b.heat[r].sum() + de) < 1e-10 * max(1.0, abs(de))


@pytest.mark.validate  # compiles the many-body kernel for the user's function: about 50 s
def test_custom_pair_matches_builtin_soft_in_a_mixture():
    from multitemp import Mixture, MixtureSimulation

    def mix(pair):
        return Mixture.in_periodic_box(2, [("hot", 150, 10.0), ("cold", 150, 1.0)], pair, phi=0.5)

    a = MixtureSimulation(mix(SoftRepulsion(50.0, 1.0)), dt=1e-4, seed=2)
    b = MixtureSimulation(mix(CustomPair(soft_energy, soft_force_over_r, (50.0, 1.0), cutoff=1.0)), dt=1e-4, seed=2)
    a.advance(300)
    b.advance(300)
    np.testing.assert_allclose(b.unwrapped, a.unwrapped, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(b.heat, a.heat, rtol=1e-7, atol=1e-9)
    with pytest.raises(ValueError, match="cutoff"):
        MixtureSimulation(mix(CustomPair(soft_energy, soft_force_over_r, (50.0, 1.0))), dt=1e-4)
