"""The Python API: the README's examples run as written, and the API behaves like the CLI."""

import json
import re
from pathlib import Path

import pytest

import multitemp

ROOT = Path(__file__).resolve().parent.parent


def _readme_blocks() -> list[str]:
    text = (ROOT / "README.md").read_text()
    section = text[text.index("## Python API") :]
    section = section[: section.index("\n## ", 5)]
    return re.findall(r"```python\n(.*?)```", section, flags=re.S)


def test_readme_examples_run(monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    before = sorted(p for p in ROOT.rglob("*") if ".git" not in p.parts and ".venv" not in p.parts)
    blocks = _readme_blocks()
    assert len(blocks) == 3
    namespace: dict = {}
    for block in blocks:
        exec(compile(block, "README.md", "exec"), namespace)
    # the ensemble examples measure the exact entropy production within their error bars
    s = namespace["s"]
    assert (
        abs(s["entropy_production_rate"] - s["entropy_production_rate_exact"]) < 5 * s["entropy_production_rate_stderr"]
    )
    summary = namespace["sim"].summary()
    assert summary["entropy_production_rate"] > 0
    assert namespace["res"].dataset["heat"].dims == ("time", "type")
    after = sorted(p for p in ROOT.rglob("*") if ".git" not in p.parts and ".venv" not in p.parts)
    assert [p for p in after if p not in before and "__pycache__" not in p.parts] == []  # nothing written


def test_object_layer_continues_like_one_run():
    from multitemp import EnsembleSimulation, HarmonicSpring, RunParameters, System

    system = System(dim=2, temperatures=[3.0, 1.0], pair=HarmonicSpring(k=2.0))
    params = RunParameters(dt=1e-3, time=2.0, burn_in=0.5, replicas=64, seed=2)
    a = EnsembleSimulation(system, params)
    a.advance(2000)
    b = EnsembleSimulation(system, params)
    b.advance(700)
    heat_then = b.heat.copy()
    b.advance(1300)
    assert (b.heat == a.heat).all() and not (heat_then == b.heat).all()


def test_load_config_from_dict_and_errors():
    data = {"system": {"dim": 1, "temperatures": [2.0, 1.0]}, "pair_potential": {"kind": "harmonic", "k": 1.0},
            "run": {"dt": 1e-3, "time": 1.0}}  # fmt: skip
    cfg = multitemp.load_config(data, ["run.replicas=32"])
    assert cfg.run.replicas == 32 and data["run"].get("replicas") is None  # the dict is not changed
    with pytest.raises(multitemp.ConfigError, match="unknown key 'run.step'"):
        multitemp.load_config(data, ["run.step=3"])
    with pytest.raises(multitemp.ConfigError, match="not found"):
        multitemp.load_config("no/such/file.toml")


def test_run_summary_is_what_the_cli_prints(tmp_path):
    from typer.testing import CliRunner

    from multitemp.cli import app

    over = ["run.replicas=64", "run.time=2", "run.burn_in=0.5"]
    res = multitemp.run(multitemp.load_config(ROOT / "examples/harmonic_pair.toml", over), out=tmp_path / "api")
    cli = CliRunner().invoke(app, ["run", str(ROOT / "examples/harmonic_pair.toml"), *[x for o in over for x in ("--set", o)],
                                   "--out", str(tmp_path / "cli"), "--json"])  # fmt: skip
    assert cli.exit_code == 0, cli.output
    printed = json.loads(cli.stdout.strip().splitlines()[-1])
    assert set(printed) == set(res.summary)
    for key in ("entropy_production_rate", "heat_rate", "angular_momentum"):
        assert printed[key] == res.summary[key]
    assert res.files["results"] == tmp_path / "api" / "results.nc" and res.files["results"].exists()


def test_blow_up_is_a_python_error():
    bad = {"system": {"dim": 1, "temperatures": [1.0, 1.0]}, "pair_potential": {"kind": "harmonic", "k": 5000.0},
           "run": {"dt": 0.01, "time": 1.0, "replicas": 8}}  # fmt: skip
    with pytest.raises(multitemp.BlowUpError) as info:
        multitemp.run(bad)
    err = info.value
    assert err.suggested_dt == pytest.approx(1e-3) and "run.dt" not in str(err) and err.partial is not None


def test_one_replica_run_has_a_summary_without_error_bars():
    """A single replica (a tracked bead, a movie) is a valid run: its error bars are None."""
    cfg = multitemp.load_config(ROOT / "examples/harmonic_pair.toml", ["run.replicas=1", "run.time=1.0", "run.burn_in=0.1"])
    s = multitemp.run(cfg).summary
    assert isinstance(s["entropy_production_rate"], float)
    assert s["entropy_production_rate_stderr"] is None and s["heat_rate_stderr"] == [None, None]
