"""The explorer's live ensembles, without a browser: batches pool into one larger ensemble,
and new parameters never mix with old results."""

import threading
import time

import numpy as np
import pytest

from multitemp.explore.batches import ensemble_batch, phase_space, run_ensemble
from multitemp.explore.live import Batch, LiveEnsemble
from multitemp.explore.pages import pair

CONFIG = pair.configs(pair.DEFAULTS)[0]


def small(cfg: dict, replicas: int) -> dict:
    return {**cfg, "run": {**cfg["run"], "replicas": replicas, "time": cfg["run"]["burn_in"] + 0.5}}


def test_batches_are_replicas_of_one_larger_ensemble():
    two = [ensemble_batch(small(CONFIG, 32), b) for b in range(2)]
    one = run_ensemble(small(CONFIG, 64))
    pooled = np.concatenate([b.per_replica["entropy"] for b in two])
    np.testing.assert_array_equal(pooled, one.entropy / one.measured_time)


def test_pooled_phase_space_is_normalised():
    b = ensemble_batch(small(CONFIG, 64), 0, pair.map_range(pair.DEFAULTS))
    centers, density, _ = phase_space(b.sums, pair.map_range(pair.DEFAULTS))
    width = centers[1] - centers[0]
    assert 0.97 < density.sum() * width**2 <= 1.0  # +-3.5 sd holds nearly all of it


def test_new_parameters_start_an_empty_pool_and_stale_batches_are_dropped():
    gate = threading.Event()

    def batch(params, index):
        if params["slow"]:
            gate.wait(5)  # a batch of the old parameters still running when they change
        return Batch({"value": np.full(4, params["value"])}, {}, 4)

    live = LiveEnsemble(batch, {"value": 1.0, "slow": True}, max_replicas=40)
    live.restart({"value": 2.0, "slow": False})
    gate.set()
    pool = live.wait(40, timeout=10)
    assert pool.generation == 1 and pool.replicas == 40
    assert np.all(pool.per_replica["value"] == 2.0)  # nothing of generation 0
    time.sleep(0.2)
    assert live.snapshot().replicas == 40  # stops at max_replicas
    live.stop()


def test_a_failing_batch_is_reported_not_raised():
    def batch(params, index):
        raise ValueError("dt too large")

    live = LiveEnsemble(batch, {})
    pool = live.wait(1, timeout=5)
    assert pool.error == "ValueError: dt too large" and pool.replicas == 0
    live.stop()


@pytest.mark.parametrize("module", ["pair", "ratchet", "chase", "arrow"])
def test_every_page_config_is_valid(module):
    from multitemp.api import parse_config
    from multitemp.explore import pages

    mod = getattr(pages, module)
    for cfg in mod.configs(mod.DEFAULTS):
        parse_config(cfg)
