"""Ratchet currents of two-temperature pairs (physics.md section 6): a current where both
parity and time reversal are broken, and zero for every exact null, within 5 standard errors."""

import math

import numpy as np
import pytest
from conftest import within
from typer.testing import CliRunner

from multitemp.api import parse_config
from multitemp.cli import app
from multitemp.core.potentials import SmoothedSawtooth
from multitemp.ensemble.summary import summarize


def ring_ratchet(temps=(2.0, 0.2), a=0.2, pair=True, replicas=1024, time=25.0):
    """Soft pair (k = 10, s = 1) on a ring of 3 periods of a sawtooth of height 4."""
    cfg = {
        "system": {"dim": 1, "temperatures": list(temps)},
        "external_potential": {"kind": "sawtooth", "height": 4.0, "period": 1.0, "asymmetry": a, "smoothing": 0.02},
        "box": {"kind": "periodic", "length": 3.0},
        "run": {"dt": 1e-3, "time": time, "burn_in": 5.0, "replicas": replicas, "seed": 5},
    }
    if pair:
        cfg["pair_potential"] = {"kind": "soft", "k": 10.0, "s": 1.0}
    return _velocity(cfg)


def feynman(temps=(2.0, 0.1), phi=math.pi / 2, kappa=40.0):
    """x_1 at T_1, x_2 at T_2, each in V0 cos(2 pi x / l + phase), coupled by a spring kappa."""
    cfg = {
        "system": {"dim": 1, "temperatures": list(temps)},
        "pair_potential": {"kind": "harmonic", "k": kappa},
        "external_potential": {"kind": "cosine", "amplitude": 1.0, "period": 1.0, "phase": [0.0, phi]},
        "run": {"dt": 1e-3, "time": 16.0, "burn_in": 4.0, "replicas": 1024, "seed": 9},
    }
    return _velocity(cfg)


def _velocity(cfg):
    c = parse_config(cfg)
    from multitemp.ensemble.simulation import simulate

    s = summarize(simulate(c.build_system(), c.build_run((-5.0, 5.0))))
    return s["center_of_mass_velocity"], s["center_of_mass_velocity_stderr"], s


def test_sawtooth_shape():
    saw = SmoothedSawtooth(height=4.0, period=1.0, asymmetry=0.2, smoothing=0.01)
    x = np.linspace(0.0, 3.0, 3001)
    v = saw.energy(x[:, None])
    assert np.allclose(v[:1001], v[1000:2001], atol=1e-9)  # periodic
    assert abs(x[np.argmax(v[:1000])] - 0.2) < 0.03  # the peak after the gentle rise over a l
    assert 3.8 < v.max() < 4.0  # height, minus what the rounded corners take off


def test_hot_cold_soft_pair_on_a_ring_has_a_current_and_mirror_symmetry():
    v, e, _ = ring_ratchet(a=0.2)
    assert abs(v) > 5 * e, (v, e)
    vm, em, _ = ring_ratchet(a=0.8)
    assert within(v + vm, 0.0, math.hypot(e, em))  # v(a) = -v(1 - a)
    vs, es, _ = ring_ratchet(temps=(0.2, 2.0))  # particles differ only by temperature
    assert within(v - vs, 0.0, math.hypot(e, es))


@pytest.mark.parametrize(
    "kwargs",
    [dict(temps=(1.0, 1.0)), dict(a=0.5), dict(pair=False)],
    ids=["equal-T", "symmetric-sawtooth", "uncoupled"],
)
def test_ratchet_nulls(kwargs):
    """No current without coupling, without asymmetry, or at equal temperatures.  (The uncoupled
    pair is two single particles, each in the sawtooth at its own temperature: the single-particle
    null, without compiling a one-particle kernel.)"""
    v, e, _ = ring_ratchet(**kwargs)
    assert within(v, 0.0, e), (v, e)


def test_feynman_ratchet():
    v, e, s = feynman()
    assert abs(v) > 5 * e
    assert s["heat_rate"][0] < 0 < s["heat_rate"][1]  # heat flows from the hot to the cold bath
    vm, em, _ = feynman(phi=-math.pi / 2)
    assert within(v + vm, 0.0, math.hypot(e, em))  # phi -> -phi flips the velocity
    for kwargs in (dict(temps=(0.5, 0.5)), dict(kappa=0.0), dict(phi=0.0), dict(phi=math.pi)):
        v0, e0, _ = feynman(**kwargs)
        assert within(v0, 0.0, e0), (kwargs, v0, e0)


BASE = """
[system]
dim = 1
temperatures = [2.0, 0.2]
[pair_potential]
kind = "soft"
k = 10.0
s = 1.0
[external_potential]
kind = "sawtooth"
height = 4.0
period = 1.0
asymmetry = 0.2
smoothing = 0.02
[box]
kind = "periodic"
length = 3.0
[run]
dt = 1e-3
time = 2.0
replicas = 8
"""


@pytest.mark.parametrize(
    "override,needle",
    [
        ("external_potential.asymmetry=1.2", "external_potential.asymmetry"),
        ("external_potential.asymmetry=0", "external_potential.asymmetry"),
        ("external_potential.smoothing=0", "external_potential.smoothing"),
        ("external_potential.smoothing=0.2", "smoothing"),
        ("box.length=1.0", "twice the interaction range"),
        ("box.length=3.5", "whole number"),
    ],
)
def test_bad_ratchet_input_exit_2(tmp_path, override, needle):
    cfg = tmp_path / "ratchet.toml"
    cfg.write_text(BASE)
    res = CliRunner().invoke(app, ["run", str(cfg), "--set", override, "--out", str(tmp_path / "out")])
    assert res.exit_code == 2, res.output
    assert needle in res.output.replace('"', "'")


@pytest.mark.parametrize("dim", [1, 2])
def test_centre_of_mass_of_a_free_interacting_pair_diffuses_freely(dim):
    """No V, soft repulsion on a ring/torus: X = (r_1 + r_2)/2 has no drift and
    <|dX|^2> = 2 d (T_1 + T_2) / 4 t (physics.md section 5); the pair does interact."""
    from conftest import run, soft_pair

    res = run(soft_pair(dim=dim, temps=(5.0, 0.5), box=3.0), time=20.0, burn_in=2.0, replicas=4096)
    dx = (res.positions - res.positions_burn).mean(axis=1)  # (R, d)
    t = res.measured_time
    from multitemp.core.statistics import mean_stderr

    for a in range(dim):
        m, e = mean_stderr(dx[:, a])
        assert within(m, 0.0, e)
    m, e = mean_stderr(np.sum(dx**2, axis=1))
    assert within(m, 2 * dim * (5.0 + 0.5) / 4 * t, e)
    assert summarize(res)["entropy_production_rate"] > 0.1  # they interact and produce entropy
