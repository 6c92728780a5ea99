"""Entropy production, heat, covariance and angular momentum against exact results
(physics.md sections 2 and 4), each within 5 standard errors of the run's own error bar."""

import numpy as np
import pytest
from conftest import harmonic_pair, run, within

from multitemp.core.statistics import mean_stderr
from multitemp.ensemble.summary import summarize
from multitemp.theory import LinearTheory

CASES = [
    dict(dim=1, k=1.0, lam=1.0, temps=(5.0, 1.0)),
    dict(dim=2, k=2.0, lam=0.5, temps=(1.0, 3.0)),
    dict(dim=3, k=1.0, lam=1.0, temps=(2.0, 1.0)),
    dict(dim=1, k=1.0, lam=0.0, temps=(4.0, 1.0)),  # free centre of mass
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"d{c['dim']}-k{c['k']}-lam{c['lam']}-T{c['temps']}")
@pytest.mark.parametrize("integrator", ["heun", "euler"])
def test_rates_match_exact(case, integrator):
    system = harmonic_pair(**case)
    theory = LinearTheory.from_system(system)
    s = summarize(run(system, integrator=integrator))
    assert within(s["entropy_production_rate"], theory.entropy_production_rate, s["entropy_production_rate_stderr"])
    assert within(
        s["entropy_production_rate_path"], theory.entropy_production_rate, s["entropy_production_rate_path_stderr"]
    )
    for q, q_exact, err in zip(s["heat_rate"], theory.heat_rate, s["heat_rate_stderr"], strict=True):
        assert within(q, q_exact, err)
    hot = int(np.argmax(case["temps"]))
    assert s["heat_rate"][hot] < 0 < s["heat_rate"][1 - hot]  # heat flows out of the hot bath into the cold one
    if theory.is_stationary:
        assert within(s["angular_momentum"], theory.angular_momentum, s["angular_momentum_stderr"])


def test_ito_product_is_wrong():
    """The pre-point product converges to sigma + tr(mu K), not sigma: keep the midpoint rule."""
    system = harmonic_pair()
    theory = LinearTheory.from_system(system)
    s = summarize(run(system))
    err = s["entropy_production_rate_ito_stderr"]
    assert within(s["entropy_production_rate_ito"], theory.entropy_production_rate + 4.0, err)
    assert abs(s["entropy_production_rate_ito"] - theory.entropy_production_rate) > 50 * err


@pytest.mark.parametrize("dim", [1, 2])
def test_equal_temperatures_produce_no_entropy(dim):
    s = summarize(run(harmonic_pair(dim=dim, temps=(2.0, 2.0))))
    assert within(s["entropy_production_rate"], 0.0, s["entropy_production_rate_stderr"])
    assert within(s["angular_momentum"], 0.0, s["angular_momentum_stderr"])
    assert s["entropy_production_rate_stderr"] < 0.02


def test_stationary_covariance():
    system = harmonic_pair(dim=2, k=1.0, lam=1.0, temps=(5.0, 1.0))
    c_exact = LinearTheory.from_system(system).covariance
    res = run(system, time=20.0, replicas=8192)
    x = res.positions  # (R, N, d): independent samples of the stationary state
    for i in range(2):
        for j in range(2):
            prod = (x[:, i, :] * x[:, j, :]).reshape(-1)
            m, e = mean_stderr(prod)
            assert within(m, c_exact[i, j], e), (i, j, m, c_exact[i, j], e)


def test_free_centre_of_mass_diffuses_freely():
    """X = (r_1 + r_2) / 2 (equal mobilities): no drift, <dX^2> = 2 d (T_1 + T_2) / 4 t."""
    system = harmonic_pair(dim=2, lam=0.0, temps=(4.0, 1.0))
    res = run(system, time=30.0, replicas=4096)
    dx = (res.positions - res.positions_burn).mean(axis=1)  # (R, d)
    t = res.measured_time
    for a in range(2):
        m, e = mean_stderr(dx[:, a])
        assert within(m, 0.0, e)
    m, e = mean_stderr(np.sum(dx**2, axis=1))
    assert within(m, 2 * 2 * (4.0 + 1.0) / 4 * t, e)
