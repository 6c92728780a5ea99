"""Bit-identical results whatever the thread count, the chunking of replicas, the segments."""

import numba
import numpy as np
from conftest import harmonic_pair, soft_pair

from multitemp.ensemble.simulation import RunParameters, simulate

PARAMS = RunParameters(dt=1e-3, time=3.0, burn_in=0.5, replicas=301, seed=5, histogram_bins=16, histogram_range=(-6, 6))


def _same(a, b):
    for name in (
        "heat",
        "entropy_production_ito",
        "entropy_production_path",
        "angular_momentum",
        "positions",
        "positions_burn",
    ):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name


def test_one_and_two_threads_agree(fresh_threads):
    system = harmonic_pair()
    numba.set_num_threads(1)
    one = simulate(system, PARAMS)
    numba.set_num_threads(2)
    two = simulate(system, PARAMS)
    _same(one, two)
    assert np.array_equal(one.histogram_counts.sum(0), two.histogram_counts.sum(0))
    assert np.array_equal(one.histogram_dx.sum(1), two.histogram_dx.sum(1))


def test_chunks_of_replicas_agree():
    system = soft_pair(dim=1)
    whole = simulate(system, PARAMS)
    a = 120
    first = simulate(system, RunParameters(**{**PARAMS.__dict__, "replicas": a}))
    rest = simulate(system, RunParameters(**{**PARAMS.__dict__, "replicas": PARAMS.replicas - a}), replica_offset=a)
    for name in ("heat", "entropy_production_path", "positions"):
        joined = np.concatenate([getattr(first, name), getattr(rest, name)])
        assert np.array_equal(joined, getattr(whole, name)), name
    counts = first.histogram_counts.sum(0) + rest.histogram_counts.sum(0)
    assert np.array_equal(counts, whole.histogram_counts.sum(0))
    assert np.array_equal(first.histogram_dx.sum(1) + rest.histogram_dx.sum(1), whole.histogram_dx.sum(1))


def test_seed_changes_result():
    system = harmonic_pair()
    a = simulate(system, PARAMS)
    b = simulate(system, RunParameters(**{**PARAMS.__dict__, "seed": 6}))
    assert not np.array_equal(a.heat, b.heat)


def test_segments_of_steps_agree():
    """The same run advanced in different segments (across the burn-in, a noise batch, odd sizes)
    gives the same bits, lagged observables and stored trajectories included."""
    from multitemp.ensemble.simulation import EnsembleSimulation

    system = soft_pair(dim=1)
    params = RunParameters(**{**PARAMS.__dict__, "chase_lags": (3, 20), "arrow_lags": (5,), "contact_range": 1.0,
                              "trajectory_every": 50, "trajectory_replicas": 3})  # fmt: skip
    whole = EnsembleSimulation(system, params)
    whole.advance(params.n_steps)
    for cuts in ([1, 31, 468, 1000, 1500], [499, 2, 2499]):
        sim = EnsembleSimulation(system, params)
        for n in cuts:
            sim.advance(n)
        assert sim.step == whole.step == params.n_steps
        _same(sim.result, whole.result)
        for name in ("chase", "arrow", "trajectory", "histogram_counts", "histogram_dx"):
            assert np.array_equal(getattr(sim.result, name), getattr(whole.result, name), equal_nan=True), name
