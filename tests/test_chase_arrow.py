"""Run-and-chase correlations (physics.md section 5) and the arrow of time (section 3),
accumulated in the kernel, against their exact nulls and symmetries (5 standard errors)."""

import numpy as np
import pytest
from conftest import within
from typer.testing import CliRunner

from multitemp.api import parse_config
from multitemp.cli import app
from multitemp.ensemble.simulation import simulate
from multitemp.ensemble.summary import summarize


def measure(cfg):
    c = parse_config(cfg)
    return summarize(simulate(c.build_system(), c.build_run((-5.0, 5.0))))


def chase(temps, dim):
    return measure(
        {
            "system": {"dim": dim, "temperatures": list(temps)},
            "pair_potential": {"kind": "soft", "k": 10.0, "s": 1.0},
            "box": {"kind": "periodic", "length": 3.0},
            "run": {"dt": 1e-3, "time": 20.0, "burn_in": 2.0, "replicas": 512, "seed": 3},
            "observables": {"chase_tau": [0.05, 0.2, 0.5]},
        }
    )


@pytest.mark.parametrize("dim", [1, 2])
def test_chase(dim):
    hot_first = chase((5.0, 0.5), dim)
    cold_first = chase((0.5, 5.0), dim)
    equal = chase((1.0, 1.0), dim)
    np.testing.assert_allclose(hot_first["chase_tau"], [0.05, 0.2, 0.5])
    for k in range(3):
        b, e = hot_first["chase_backward"][k], hot_first["chase_backward_stderr"][k]
        assert b > 5 * e, (k, b, e)  # the pair met by moving from the hot towards the cold one
        b2, e2 = cold_first["chase_backward"][k], cold_first["chase_backward_stderr"][k]
        assert b2 < -5 * e2  # sign reversed when the temperatures are swapped
        assert within(b + b2, 0.0, np.hypot(e, e2))
        assert within(equal["chase_backward"][k], 0.0, equal["chase_backward_stderr"][k])
        for s in (hot_first, cold_first, equal):  # the centre is free: nothing to see forward
            assert within(s["chase_forward"][k], 0.0, s["chase_forward_stderr"][k])


def arrow(temps):
    return measure(
        {
            "system": {"dim": 1, "temperatures": list(temps)},
            "pair_potential": {"kind": "harmonic", "k": 1.0},
            "external_potential": {"kind": "harmonic", "lam": 1.0},
            "run": {"dt": 1e-3, "time": 30.0, "burn_in": 5.0, "replicas": 512, "seed": 4},
            "observables": {"arrow_tau": [0.02, 0.2, 1.0, 5.0]},
        }
    )


def test_arrow_of_time():
    s = arrow((5.0, 1.0))  # sigma = 0.8
    p, e = np.array(s["arrow_p_correct"]), np.array(s["arrow_p_correct_stderr"])
    assert np.all(np.diff(p) > 5 * np.hypot(e[1:], e[:-1])), (p, e)  # rises with tau
    # from 1/2 (sigma tau = 0.016) towards 1 (sigma tau = 4: measured 0.89) on the time scale 1/sigma
    assert 0.5 < p[0] < 0.6 and p[-1] > 0.85
    eq = arrow((2.0, 2.0))
    for p0, e0 in zip(eq["arrow_p_correct"], eq["arrow_p_correct_stderr"], strict=True):
        assert within(p0, 0.5, e0)


BASE = """
[system]
dim = 1
temperatures = [2.0, 0.5]
[pair_potential]
kind = "soft"
k = 10.0
s = 1.0
[box]
kind = "periodic"
length = 3.0
[run]
dt = 1e-3
time = 5.0
burn_in = 1.0
replicas = 8
"""


@pytest.mark.parametrize(
    "override,needle",
    [
        ("observables.chase_tau=[10.0]", "not shorter than the measured run"),
        ("observables.arrow_tau=[4.0]", "not shorter than the measured run"),
        ("observables.chase_tau=[0.001]", "shorter than the sampling interval"),
        ("pair_potential={kind='harmonic',k=1.0}", "needs a pair"),
    ],
)
def test_bad_lag_input_exit_2(tmp_path, override, needle):
    cfg = tmp_path / "c.toml"
    text = BASE
    if "chase" not in override and "harmonic" in override:
        override, text = (
            "observables.chase_tau=[0.1]",
            BASE.replace('kind = "soft"\nk = 10.0\ns = 1.0', 'kind = "harmonic"\nk = 1.0'),
        )
    cfg.write_text(text)
    res = CliRunner().invoke(app, ["run", str(cfg), "--set", override, "--out", str(tmp_path / "o")])
    assert res.exit_code == 2, res.output
    assert needle in res.output


@pytest.mark.parametrize("temps", [(5.0, 1.0), (2.0, 2.0)])
def test_reversal_game_agrees_with_the_kernel(temps):
    """Reverse half of the recorded windows at random; the likelihood-ratio test's success rate
    is P_correct(tau), as accumulated by the kernel (and 1/2 at equal temperatures)."""
    from multitemp.core.potentials import HarmonicSpring, HarmonicTrap
    from multitemp.ensemble.arrow import reversal_game
    from multitemp.ensemble.simulation import RunParameters
    from multitemp.ensemble.system import System

    system = System(1, np.array(temps), pair=HarmonicSpring(1.0), external=HarmonicTrap(1.0))
    params = RunParameters(dt=1e-3, time=45.0, burn_in=5.0, replicas=64, seed=2, trajectory_every=10,
                           trajectory_replicas=64, ring_every=10, arrow_lags=(20, 100))  # fmt: skip
    res = simulate(system, params)
    s = summarize(res)
    for k, frames in enumerate((21, 101)):  # windows of 20 and 100 samples: tau = 0.2, 1.0
        p, e, n = reversal_game(system, res.trajectory[:, 500:], frames)
        assert n > 1000
        assert within(p, s["arrow_p_correct"][k], np.hypot(e, s["arrow_p_correct_stderr"][k]))
        if temps[0] == temps[1]:
            assert within(p, 0.5, e)
        else:
            assert p > 0.5 + 5 * e
