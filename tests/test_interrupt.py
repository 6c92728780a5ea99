"""Ctrl-C between segments keeps what was computed, in results_partial.nc."""

import json

import pytest
import xarray as xr

from multitemp.run import demo_config, run_config
from multitemp.simulation import RunInterrupted


def test_interrupt_keeps_partial_results(tmp_path):
    calls = []

    def progress(done, total):
        calls.append(done)
        if len(calls) == 2:
            raise KeyboardInterrupt  # as a SIGINT arriving between two kernel calls would

    cfg = demo_config(replicas=64, time=40.0)
    with pytest.raises(RunInterrupted):
        run_config(cfg, tmp_path, progress=progress)
    ds = xr.open_dataset(tmp_path / "results_partial.nc")
    summary = json.loads(ds.attrs["summary"])
    assert 0 < summary["measured_time"] < 40.0 - 10.0
    assert ds["entropy_production"].shape == (64,)
