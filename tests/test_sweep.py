"""Sweeps on Dask: resumable, failures recorded, same numbers on 1 or 2 workers, and a
separately started scheduler + worker reached by address, as a cluster user would."""

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from typer.testing import CliRunner

from multitemp.cli import app
from multitemp.sweep import run_sweep
from multitemp.sweep.spec import parse_sweep

TIMING = {"pair_steps_per_second", "replica_steps_per_second", "wall_seconds", "compile_seconds"}
BASE = {
    "system": {"dim": 1, "temperatures": [5.0, 1.0]},
    "pair_potential": {"kind": "harmonic", "k": 1.0},
    "external_potential": {"kind": "harmonic", "lam": 1.0},
    "run": {"dt": 1e-3, "time": 2.0, "burn_in": 0.5, "replicas": 64, "seed": 3},
}


def spec(**sweep):
    return parse_sweep({**BASE, "sweep": sweep})


def physics(ds: xr.Dataset) -> xr.Dataset:
    return ds.drop_vars([v for v in ds.data_vars if v in TIMING])


@pytest.fixture(scope="module")
def cluster():
    from distributed import Client, LocalCluster

    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as c,
        Client(c) as client,
    ):
        yield client


def test_resume_skips_finished_points(cluster, tmp_path):
    s = spec(**{"system.temperatures.0": [1.0, 2.0, 4.0], "pair_potential.k": [0.5, 1.0]})
    first = run_sweep(s, tmp_path / "a", client=cluster)
    assert first.computed == 6 and first.skipped == 0 and not first.failures
    # "kill" it part-way: drop two finished points, then re-run
    files = sorted((tmp_path / "a" / "points").glob("*.json"))
    for f in files[:2]:
        f.unlink()
    stamps = {f.name: f.stat().st_mtime_ns for f in files[2:]}
    again = run_sweep(s, tmp_path / "a", client=cluster)
    assert again.computed == 2 and again.skipped == 4
    assert {f.name: f.stat().st_mtime_ns for f in files[2:]} == stamps  # not recomputed
    whole = run_sweep(s, tmp_path / "b", client=cluster, zarr=True)
    xr.testing.assert_identical(physics(xr.open_dataset(again.output)), physics(xr.open_dataset(whole.output)))
    from_zarr = xr.open_zarr(tmp_path / "b" / "sweep.zarr").load()
    for name in ("entropy_production_rate", "heat_rate", "status"):
        np.testing.assert_array_equal(from_zarr[name].values, xr.open_dataset(whole.output)[name].values)


def test_failing_point_is_recorded(cluster, tmp_path):
    base = {**BASE, "run": {**BASE["run"], "time": 3000.0, "burn_in": 0.0, "replicas": 8}}
    s = parse_sweep({**base, "sweep": {"run.dt": [1e-3, 1.5], "system.temperatures.1": [1.0, -1.0]}})
    res = run_sweep(s, tmp_path, client=cluster)
    errors = sorted(f["error"] for f in res.failures)
    assert len(res.failures) == 3, res.failures  # dt = 1.5 blows up; T = -1 is invalid (twice)
    assert any("blew up" in e for e in errors) and sum("system.temperatures.1" in e for e in errors) == 2
    ds = xr.open_dataset(res.output)
    assert int(ds["status"].sum()) == 1
    assert np.isnan(ds["entropy_production_rate"].sel({"run.dt": 1.5, "system.temperatures.1": 1.0}))
    again = run_sweep(s, tmp_path, client=cluster)
    assert again.skipped == 1 and len(again.failures) == 3  # failures are retried and reported again


def test_same_numbers_on_one_and_two_workers(cluster, tmp_path):
    from distributed import Client, LocalCluster

    s = spec(**{"system.temperatures.0": {"start": 1.0, "stop": 8.0, "num": 4, "scale": "log"}})
    two = run_sweep(s, tmp_path / "two", client=cluster)
    with (
        LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=":0") as c,
        Client(c) as one_client,
    ):
        one = run_sweep(s, tmp_path / "one", client=one_client)
    xr.testing.assert_identical(physics(xr.open_dataset(one.output)), physics(xr.open_dataset(two.output)))
    ds = xr.open_dataset(two.output)
    np.testing.assert_allclose(ds["system.temperatures.0"].values, [1.0, 2.0, 4.0, 8.0])
    assert json.loads(ds.attrs["sweep"])["axes"]["system.temperatures.0"][-1] == pytest.approx(8.0)
    assert json.loads(ds.attrs["base_config"])["run"]["replicas"] == 64


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_cli_against_separately_started_scheduler_and_worker(tmp_path):
    dask = str(Path(sys.executable).with_name("dask"))
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = {**os.environ, "DASK_DISTRIBUTED__WORKER__DAEMON": "False"}
    sched = subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)  # fmt: skip
    worker = subprocess.Popen([dask, "worker", address, "--nthreads", "1", "--nworkers", "1", "--no-dashboard"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)  # fmt: skip
    try:
        from distributed import Client

        deadline = time.time() + 60
        while True:
            try:
                with Client(address, timeout=5) as c:
                    c.wait_for_workers(1, timeout=30)
                break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.5)
        sweep_file = tmp_path / "scan.toml"
        sweep_file.write_text(
            (Path(__file__).parents[1] / "examples" / "harmonic_pair.toml").read_text().replace("replicas = 4096", "replicas = 32").replace("time = 200.0", "time = 2.0").replace("burn_in = 10.0", "burn_in = 0.5")
            + '\n[sweep]\n"system.temperatures.0" = [1.0, 3.0]\n'
        )  # fmt: skip
        res = CliRunner().invoke(app, ["sweep", str(sweep_file), "--scheduler", address, "--json"])
        assert res.exit_code == 0, res.output
        out = json.loads(res.stdout.strip().splitlines()[-1])
        assert out["computed"] == 2 and out["failed"] == 0 and out["workers"] == 1
        plot = CliRunner().invoke(
            app, ["plot", out["output"], "--x", "system.temperatures.0", "--y", "entropy_production_rate"]
        )
        assert plot.exit_code == 0, plot.output
    finally:
        for p in (worker, sched):
            p.terminate()
            p.wait(timeout=30)


def test_bad_sweep_files_exit_2(tmp_path):
    f = tmp_path / "bad.toml"
    f.write_text(
        (Path(__file__).parents[1] / "examples" / "harmonic_pair.toml").read_text() + "\n[sweep]\nrun.dt = 3\n"
    )
    res = CliRunner().invoke(app, ["sweep", str(f)])
    assert res.exit_code == 2 and "sweep.run.dt" in res.output
    f.write_text((Path(__file__).parents[1] / "examples" / "harmonic_pair.toml").read_text())
    res = CliRunner().invoke(app, ["sweep", str(f)])
    assert res.exit_code == 2 and "[sweep]" in res.output


def test_lagged_observables_get_their_own_dimension(cluster, tmp_path):
    base = {
        **BASE,
        "pair_potential": {"kind": "soft", "k": 10.0, "s": 1.0},
        "external_potential": {"kind": "none"},
        "box": {"kind": "periodic", "length": 3.0},
        "observables": {"chase_tau": [0.02, 0.05, 0.1], "arrow_tau": [0.02, 0.1]},
    }
    res = run_sweep(parse_sweep({**base, "sweep": {"system.temperatures.0": [1.0, 5.0]}}), tmp_path, client=cluster)
    ds = xr.open_dataset(res.output)
    assert ds["chase_backward"].dims == ("system.temperatures.0", "chase_tau")
    assert ds["arrow_p_correct"].dims == ("system.temperatures.0", "arrow_tau")
    assert ds["heat_rate"].dims == ("system.temperatures.0", "particle")


@pytest.mark.slow
def test_gallery(tmp_path):
    """Every figure and the index (about a minute on 2 cores): pytest -m slow."""
    from multitemp.gallery import make_gallery

    index = make_gallery(tmp_path)
    text = index.read_text()
    for name in ("phase_space", "chase", "ratchet", "feynman", "arrow", "phase_separation", "chains", "entropy_map"):
        assert (tmp_path / f"{name}.png").stat().st_size > 10_000 and f"{name}.png" in text


def test_mixture_and_chain_points_with_their_analysis(cluster, tmp_path):
    """Many-body points (free particles, then chains of 10: a whole list of chains as one
    swept value) come back with the phase-separation observables of their final frames."""
    free = [{"count": 100, "monomers": 1, "pattern": {"kind": "uniform", "type": t}} for t in ("hot", "cold")]
    chains = [{"count": 10, "monomers": 10, "pattern": {"kind": "uniform", "type": t}} for t in ("hot", "cold")]
    base = {
        "mixture": {"dim": 2, "phi": 0.4, "types": [{"name": "hot", "temperature": 5.0},
                                                  {"name": "cold", "temperature": 1.0}]},
        "pair_potential": {"kind": "soft", "k": 50.0},
        "polymer": {"bond": {"kind": "harmonic", "k": 50.0, "r0": 0.9}, "chains": free},
        "run": {"dt": 1e-3, "time": 1.0, "burn_in": 0.2, "seed": 2},
        "neighbors": {"skin": 0.5},
        "output": {"write_every": 100},
    }  # fmt: skip
    s = parse_sweep({**base, "sweep": {"mixture.types.0.temperature": [1.0, 5.0], "polymer.chains": [free, chains]}})
    res = run_sweep(s, tmp_path, client=cluster)
    assert not res.failures, res.failures
    ds = xr.open_dataset(res.output)
    for name in ("demixing", "demixing_stderr", "largest_cold_cluster_fraction", "coarsening_length",
                 "entropy_production_rate"):  # fmt: skip
        assert ds[name].dims == ("mixture.types.0.temperature", "polymer.chains"), name
        assert np.isfinite(ds[name].values).all(), name
    assert ds["heat_rate"].dims[-1] == "type" and ds["center_drift"].dims[-1] == "axis"
    assert int(ds["analysis_frames"].min()) == 3  # steps 800, 900, 1000 of 1000
    ep = ds["entropy_production_rate"].sel({"mixture.types.0.temperature": 1.0}).values
    err = ds["entropy_production_rate_stderr"].sel({"mixture.types.0.temperature": 1.0}).values
    assert np.all(np.abs(ep) < 5 * err)  # equal temperatures: no entropy production
