"""Exact linear-system theory against the closed forms of physics.md section 4."""

import numpy as np
import pytest
from conftest import harmonic_pair

from multitemp.core.potentials import HarmonicSpring, HarmonicTrap
from multitemp.ensemble.system import System
from multitemp.theory import LinearTheory


def test_reference_values():
    t = LinearTheory.from_system(harmonic_pair())
    np.testing.assert_allclose(t.covariance, [[3, 1], [1, 1]], atol=1e-12)
    np.testing.assert_allclose(t.mean_local_velocity, [[0.5, -1.5], [0.5, -0.5]], atol=1e-12)
    assert t.entropy_production_rate == pytest.approx(0.8)
    assert t.angular_momentum == pytest.approx(2.0)
    np.testing.assert_allclose(t.heat_rate, [-1.0, 1.0], atol=1e-12)
    assert t.ito_entropy_rate == pytest.approx(0.8 + 4.0)


@pytest.mark.parametrize("k,lam,t1,t2,dim", [(1, 1, 5, 1, 1), (2, 0.5, 1, 3, 2), (0.7, 3, 2, 2.5, 3)])
def test_closed_forms(k, lam, t1, t2, dim):
    t = LinearTheory.from_system(harmonic_pair(dim, k, lam, (t1, t2)))
    c = t.covariance
    den = 2 * lam * (k + lam) * (2 * k + lam)
    assert c[0, 0] == pytest.approx((t1 * (k * k + 4 * k * lam + 2 * lam * lam) + t2 * k * k) / den)
    assert c[1, 1] == pytest.approx((t2 * (k * k + 4 * k * lam + 2 * lam * lam) + t1 * k * k) / den)
    assert c[0, 1] == pytest.approx(k * (t1 + t2) / (2 * lam * (2 * k + lam)))
    sigma = dim * k * k * (t1 - t2) ** 2 / (2 * t1 * t2 * (k + lam))
    assert t.entropy_production_rate == pytest.approx(sigma, abs=1e-12)
    assert t.angular_momentum == pytest.approx(dim * k * (t1 - t2) / (k + lam))
    m, d = t.mean_local_velocity, t.diffusion
    assert t.entropy_production_rate == pytest.approx(dim * np.trace(m.T @ np.linalg.inv(d) @ m @ c), abs=1e-12)


def test_free_centre_of_mass():
    t = LinearTheory.from_system(harmonic_pair(lam=0.0, k=1.5, temps=(4.0, 1.0)))
    assert not t.is_stationary and t.covariance is None
    assert t.entropy_production_rate == pytest.approx(1.5 * 9 / (2 * 4))


def test_general_linear_system_with_mobilities():
    rng = np.random.default_rng(0)
    for _ in range(5):
        n = 4
        temps, mob = rng.uniform(0.5, 3, n), rng.uniform(0.5, 2, n)
        s = System(2, temps, mob, pair=HarmonicSpring(rng.uniform(0.5, 2)), external=HarmonicTrap(rng.uniform(0.2, 1)))
        t = LinearTheory.from_system(s)
        m, d, c = t.mean_local_velocity, t.diffusion, t.covariance
        assert np.allclose(t.drift @ c + c @ t.drift.T, 2 * d)
        assert t.entropy_production_rate == pytest.approx(2 * np.trace(m.T @ np.linalg.inv(d) @ m @ c), rel=1e-10)
        assert t.entropy_production_rate >= 0
        assert np.sum(t.heat_rate) == pytest.approx(0, abs=1e-10)  # first law in the steady state
