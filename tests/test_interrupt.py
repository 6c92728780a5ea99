"""Stopping an ensemble run: SIGINT or SIGTERM keep what was computed (results_partial.nc and a
checkpoint); --resume continues with the numbers of an uninterrupted run, also after kill -9."""

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
import xarray as xr
from conftest import child_env

from multitemp.core.checkpoint import ResumeError
from multitemp.core.driver import RunInterrupted
from multitemp.ensemble.run import demo_config, run_config

FIELDS = ("entropy_production", "heat", "angular_momentum", "position", "density", "current_x0")


def _same(a: xr.Dataset, b: xr.Dataset) -> None:
    for name in FIELDS:
        np.testing.assert_array_equal(a[name].values, b[name].values, err_msg=name)


def test_sigint_keeps_partial_results_and_resume_is_bit_identical(tmp_path):
    calls = []

    def progress(step, total, rate):
        calls.append(step)
        if len(calls) == 2:
            os.kill(os.getpid(), signal.SIGINT)  # handled by the driver: stop after this chunk

    cfg = demo_config(replicas=64, time=20.0)
    with pytest.raises(RunInterrupted) as info:
        run_config(cfg, tmp_path / "cut", progress=progress)
    assert info.value.checkpoint == tmp_path / "cut" / "checkpoint.npz" and info.value.checkpoint.exists()
    ds = xr.open_dataset(tmp_path / "cut" / "results_partial.nc")
    summary = json.loads(ds.attrs["summary"])
    assert 0 < summary["measured_time"] < 20.0 - 10.0
    assert ds["entropy_production"].shape == (64,)
    resumed = run_config(cfg, tmp_path / "cut", resume=True)
    assert not (tmp_path / "cut" / "results_partial.nc").exists()
    whole = run_config(cfg, tmp_path / "whole")
    _same(resumed.dataset, whole.dataset)
    assert resumed.summary["entropy_production_rate"] == whole.summary["entropy_production_rate"]


def test_resume_needs_the_same_config(tmp_path):
    cfg = demo_config(replicas=64, time=12.0)
    with pytest.raises(RunInterrupted):
        run_config(cfg, tmp_path, stop_after_steps=500)
    with pytest.raises(ResumeError, match="another config"):
        run_config(demo_config(replicas=32, time=12.0), tmp_path, resume=True)
    with pytest.raises(ResumeError, match="nothing to resume"):
        run_config(cfg, tmp_path / "empty", resume=True)


def _cli(*args):
    return [sys.executable, "-m", "multitemp.cli", "run", "examples/harmonic_pair.toml", "--set", "run.replicas=4096",
            "--set", "run.time=150", "--set", "run.checkpoint_every=0.3", *args]  # fmt: skip


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["sigterm", "kill-9"])
def test_signal_then_resume_matches_uninterrupted(tmp_path, sig):
    """A real signal to `multitemp run`: SIGTERM exits 130 with results_partial.nc; kill -9 leaves
    the last periodic checkpoint.  Either way --resume gives the numbers of an unbroken run."""
    cut = tmp_path / "cut"
    proc = subprocess.Popen(
        [*_cli("--out", str(cut), "--json")], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=child_env()
    )
    deadline = time.time() + 180
    while time.time() < deadline and not (cut / "checkpoint.npz").exists():
        time.sleep(0.05)
    time.sleep(0.2)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=120)
    if proc.returncode == 0:
        pytest.skip("the run finished before the signal arrived (fast machine)")
    if sig == signal.SIGTERM:
        assert proc.returncode == 130, err.decode()
        assert "--resume" in err.decode() and (cut / "results_partial.nc").exists()
    else:
        assert proc.returncode == -signal.SIGKILL
    done = int(np.load(cut / "checkpoint.npz")["steps_done"])
    if done == 150_000:
        pytest.skip("every step was done before the signal arrived (fast machine)")
    assert 0 < done < 150_000
    res = subprocess.run([*_cli("--out", str(cut), "--resume", "--json")], capture_output=True, env=child_env())
    assert res.returncode == 0, res.stderr.decode()
    whole = subprocess.run([*_cli("--out", str(tmp_path / "whole"), "--json")], capture_output=True, env=child_env())
    assert whole.returncode == 0, whole.stderr.decode()
    with xr.open_dataset(cut / "results.nc") as a, xr.open_dataset(tmp_path / "whole" / "results.nc") as b:
        _same(a, b)
    assert json.loads(res.stdout)["entropy_production_rate"] == json.loads(whole.stdout)["entropy_production_rate"]
