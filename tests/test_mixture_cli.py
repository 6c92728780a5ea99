"""Mixtures from the command line: run, resume, analyze, and clear errors (exit 2)."""

from __future__ import annotations

import json
from pathlib import Path

import gsd.hoomd
import pytest
from conftest import child_env
from typer.testing import CliRunner

from multitemp.cli import app

EXAMPLE = Path(__file__).parents[1] / "examples" / "hot_cold_small.toml"
runner = CliRunner()
FAST = ["--set", "mixture.particles=400", "--set", "run.time=0.2", "--set", "run.burn_in=0.05",
        "--set", "output.write_every=500"]  # fmt: skip


@pytest.fixture(scope="module")
def small_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli") / "run"
    res = runner.invoke(app, ["run", str(EXAMPLE), *FAST, "--out", str(out), "--json"])
    assert res.exit_code == 0, res.output
    return out, json.loads(res.stdout)


def test_run_json_and_files(small_run):
    out, s = small_run
    for key in ("entropy_production_rate", "entropy_production_rate_stderr", "heat_rate", "center_diffusion",
                "particle_steps_per_second", "output"):  # fmt: skip
        assert key in s, key
    assert (out / "checkpoint.npz").exists() and (out / "results.nc").exists()
    with gsd.hoomd.open(str(out / "trajectory.gsd"), "r") as traj:
        assert len(traj) == 5 and traj[-1].configuration.step == 2000


def test_analyze_json(small_run, tmp_path):
    out, _ = small_run
    res = runner.invoke(app, ["analyze", str(out / "trajectory.gsd"), "--out", str(tmp_path), "--json"])
    assert res.exit_code == 0, res.output
    a = json.loads(res.stdout)
    assert 0 <= a["largest_cold_cluster_fraction"] <= 1 and -1 <= a["demixing"] <= 1
    assert Path(a["snapshot"]).stat().st_size > 10_000
    import xarray as xr

    ds = xr.open_dataset(a["output"])
    assert ds.sizes["frame"] == 5 and "g_hc" in ds


def test_movie(small_run, tmp_path):
    out, _ = small_run
    res = runner.invoke(
        app, ["analyze", str(out / "trajectory.gsd"), "--out", str(tmp_path), "--movie", "--no-pictures", "--json"]
    )
    assert res.exit_code == 0, res.output
    movie = Path(json.loads(res.stdout)["movie"])
    assert movie.stat().st_size > 1000 and movie.read_bytes()[4:8] == b"ftyp"  # an MP4 container


def _fails(args, *needles):
    res = runner.invoke(app, args)
    assert res.exit_code == 2, res.output
    text = " ".join(res.output.split())
    for n in needles:
        assert n in text, text
    assert "Traceback" not in res.output


def test_bad_fractions(tmp_path):
    _fails(["run", str(EXAMPLE), "--set", "mixture.types.1.fraction=0.3", "--out", str(tmp_path)],
           "fractions", "sum to 0.8", "must sum to 1")  # fmt: skip


def test_phi_too_high_for_the_cutoff(tmp_path):
    _fails(["run", str(EXAMPLE), "--set", "mixture.particles=4", "--set", "mixture.phi=0.9", "--out", str(tmp_path)],
           "mixture.phi = 0.9", "smaller than twice the cutoff")  # fmt: skip


def test_unknown_key_in_mixture(tmp_path):
    _fails(["run", str(EXAMPLE), "--set", "mixture.temperature=3", "--out", str(tmp_path)],
           "unknown key 'mixture.temperature'", "allowed keys here: aspect, dim, particles, phi, types")  # fmt: skip


def test_unknown_type_name_in_analyze(small_run, tmp_path):
    out, _ = small_run
    _fails(["analyze", str(out / "trajectory.gsd"), "--cold-type", "frozen", "--out", str(tmp_path)],
           "'frozen' is not a type", "['hot', 'cold']")  # fmt: skip


def test_gsd_from_another_n(small_run, tmp_path):
    out, _ = small_run
    gsd_path = out / "trajectory.gsd"
    _fails(["run", str(EXAMPLE), "--set", f'initial={{gsd = "{gsd_path}"}}', "--out", str(tmp_path)],
           "has 400 particles", "mixture.particles = 2000")  # fmt: skip


def test_gsd_with_other_type_names(small_run, tmp_path):
    out, _ = small_run
    gsd_path = out / "trajectory.gsd"
    _fails(["run", str(EXAMPLE), *FAST, "--set", "mixture.types.0.name=warm", "--set", f'initial={{gsd = "{gsd_path}"}}',
            "--out", str(tmp_path)], "type names ['hot']", "not in mixture.types")  # fmt: skip


def test_start_from_gsd_frame(small_run, tmp_path):
    out, _ = small_run
    gsd_path = out / "trajectory.gsd"
    res = runner.invoke(
        app, ["run", str(EXAMPLE), *FAST, "--set", f'initial={{gsd = "{gsd_path}"}}', "--out", str(tmp_path), "--json"]
    )
    assert res.exit_code == 0, res.output
    import numpy as np

    with gsd.hoomd.open(str(gsd_path), "r") as old, gsd.hoomd.open(str(tmp_path / "trajectory.gsd"), "r") as new:
        start, end = new[0].particles.position, old[len(old) - 1].particles.position
        assert len(new) > 1 and new[0].configuration.step == 0
        np.testing.assert_allclose(start, end, atol=1e-5)  # the run starts where the other ended
        assert not np.allclose(new[len(new) - 1].particles.position, end, atol=1e-3)


def test_resume_without_checkpoint(tmp_path):
    _fails(["run", str(EXAMPLE), *FAST, "--out", str(tmp_path / "none"), "--resume"], "nothing to resume")


def test_resume_with_another_config(small_run, tmp_path):
    import shutil

    out, _ = small_run
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    _fails(["run", str(EXAMPLE), *FAST, "--set", "run.seed=99", "--out", str(copy), "--resume"], "another config")


def test_blow_up_exits_1(tmp_path):
    res = runner.invoke(app, ["run", str(EXAMPLE), *FAST, "--set", "run.dt=0.05", "--set", "run.time=5.0",
                              "--set", "pair_potential.k=1000", "--out", str(tmp_path)])  # fmt: skip
    assert res.exit_code == 1, res.output
    assert "blew up" in " ".join(res.output.split()) and "run.dt" in res.output


def test_sigterm_keeps_frames_and_resume_matches(tmp_path):
    """A real SIGTERM to `multitemp run`: exit 130, frames and checkpoint kept; --resume then
    gives the same trajectory as a run that was never stopped."""
    import signal
    import subprocess
    import sys
    import time

    import numpy as np

    args = ["run", str(EXAMPLE), "--set", "mixture.particles=400", "--set", "run.time=20.0",
            "--set", "output.write_every=10000"]  # fmt: skip
    cmd = [sys.executable, "-m", "multitemp.cli", *args]
    cut = tmp_path / "cut"
    proc = subprocess.Popen(
        [*cmd, "--out", str(cut), "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=child_env()
    )
    deadline = time.time() + 120
    while time.time() < deadline and not (cut / "trajectory.gsd").exists():
        time.sleep(0.05)
    time.sleep(1.0)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    if proc.returncode == 0:
        pytest.skip("the run finished before the signal arrived (fast machine)")
    assert proc.returncode == 130, err.decode()
    assert "--resume" in err.decode()
    with gsd.hoomd.open(str(cut / "trajectory.gsd"), "r") as traj:
        kept = len(traj)
    assert kept >= 1 and (cut / "checkpoint.npz").exists()
    res = subprocess.run([*cmd, "--out", str(cut), "--resume", "--json"], capture_output=True, env=child_env())
    assert res.returncode == 0, res.stderr.decode()
    whole = runner.invoke(app, [*args, "--out", str(tmp_path / "whole"), "--json"])
    assert whole.exit_code == 0
    with (
        gsd.hoomd.open(str(cut / "trajectory.gsd"), "r") as a,
        gsd.hoomd.open(str(tmp_path / "whole" / "trajectory.gsd"), "r") as b,
    ):
        assert len(a) == len(b) == 21
        for fa, fb in zip(a, b, strict=True):
            assert fa.configuration.step == fb.configuration.step
            assert np.array_equal(fa.particles.position, fb.particles.position)
