"""Command line: JSON output, results file readable by xarray alone, clear errors (exit 2)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
import xarray as xr
from typer.testing import CliRunner

from multitemp.cli import app

EXAMPLE = Path(__file__).parents[1] / "examples" / "harmonic_pair.toml"
runner = CliRunner()
FAST = ["--set", "run.replicas=64", "--set", "run.time=3.0", "--set", "run.burn_in=1.0"]


def test_run_json(tmp_path):
    out = tmp_path / "out"
    res = runner.invoke(
        app, ["run", str(EXAMPLE), *FAST, "--set", "system.temperatures=[2,1]", "--out", str(out), "--json"]
    )
    assert res.exit_code == 0, res.output
    s = json.loads(res.stdout)
    for key in (
        "entropy_production_rate", "entropy_production_rate_stderr", "entropy_production_rate_exact",
        "heat_rate", "angular_momentum", "angular_momentum_exact", "pair_steps_per_second", "output",
    ):  # fmt: skip
        assert key in s, key
    assert s["entropy_production_rate_exact"] == pytest.approx(
        1 / 8
    )  # k^2 (T1 - T2)^2 / (2 T1 T2 (k + lam)) = 1 / (2 * 2 * 2)
    assert s["pair_steps_per_second"] > 0
    ds = xr.open_dataset(s["output"])
    assert ds.attrs["seed"] == 1 and "multitemp_version" in ds.attrs
    assert json.loads(ds.attrs["config"])["system"]["temperatures"] == [2.0, 1.0]
    assert ds["heat"].shape == (64, 2) and "density" in ds
    assert (out / "phase_space.png").stat().st_size > 10_000


def test_run_table(tmp_path):
    """The table's row for the entropy production rate: measured, its error bar and the exact 0.8,
    the measurement within 5 of its standard errors."""
    import re

    res = runner.invoke(app, ["run", str(EXAMPLE), *FAST, "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    row = next(line for line in res.stdout.splitlines() if re.search(r"\bentropy_production_rate\b(?!_)", line))
    measured, stderr, exact = (float(v) for v in re.findall(r"-?\d+\.?\d*(?:e[-+]?\d+)?", row)[-3:])
    assert exact == 0.8 and stderr > 0 and abs(measured - exact) < 5 * stderr, row


@pytest.mark.parametrize(
    "override,needle",
    [
        ("system.colour=1", "unknown key 'system.colour'; allowed keys here: dim, mobilities, temperatures"),
        ("run.replicas='many'", "run.replicas"),
        ("system.temperatures=[5,0]", "system.temperatures.1"),
        ("run.dt=0", "run.dt"),
        ("run.burn_in=500", "burn_in"),
        ("system.mobilities=[1,1,1]", "one mobility per particle"),
        ("system.temperatures=[1]", "at least 2 particles"),
        ("pair_potential.kind='bogus'", "allowed kinds"),
        ("external_potential.lam=-1", "external_potential.lam"),
    ],
)
def test_bad_input_exit_2(override, needle, tmp_path):
    res = runner.invoke(app, ["run", str(EXAMPLE), "--set", override, "--out", str(tmp_path)])
    assert res.exit_code == 2, res.output
    assert needle in res.output.replace("\n", " ").replace('"', "'")
    assert "Traceback" not in res.output


def test_missing_file_exit_2(tmp_path):
    res = runner.invoke(app, ["run", str(tmp_path / "nope.toml")])
    assert res.exit_code == 2 and "not found" in res.output


def test_blow_up_exit_1(tmp_path):
    res = runner.invoke(app, ["run", str(EXAMPLE), "--set", "run.dt=1.5", "--set", "run.time=3000", "--set", "run.burn_in=0",
                              "--set", "run.replicas=8", "--out", str(tmp_path)])  # fmt: skip
    assert res.exit_code == 1, res.output
    assert "blew up" in res.output and "run.dt = 0.15" in res.output.replace("\n", " ")


def test_console_script_runs():
    """The installed entry point (a fresh process; the compiled kernels come from the disk cache)."""
    exe = Path(sys.executable).with_name("multitemp")
    import multitemp

    res = subprocess.run([str(exe), "--version"], capture_output=True, text=True, check=True)
    assert res.stdout.strip() == multitemp.__version__
