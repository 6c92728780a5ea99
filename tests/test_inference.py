"""Entropy production from trajectories alone (physics.md section 8), on simulated data of
known sigma: the estimators see only positions and the sampling interval."""

import json
from pathlib import Path

import numpy as np
import pytest
from conftest import harmonic_pair, within
from typer.testing import CliRunner

from multitemp.api import parse_config
from multitemp.cli import app
from multitemp.ensemble.simulation import RunParameters, simulate
from multitemp.inference import Trajectories, infer
from multitemp.theory import LinearTheory

CHAIN = {
    "system": {"dim": 1, "temperatures": [5.0, 4.0, 3.0, 2.0, 1.0]},
    "bonds": {"pairs": [[0, 1], [1, 2], [2, 3], [3, 4]], "k": 1.0},
    "tethers": {"particles": [0, 4], "k": 1.0},
    "run": {"dt": 1e-3, "time": 10.0, "replicas": 8},
}


def sampled(system, every_steps, frames, replicas=100, dt=1e-3, burn_frames=20, seed=2):
    """Positions only, (replicas, frames, N d), sampled every ``every_steps`` steps after a burn-in."""
    total = (frames + burn_frames) * every_steps
    params = RunParameters(
        dt=dt, time=total * dt, replicas=replicas, seed=seed, trajectory_every=every_steps, trajectory_replicas=replicas
    )
    traj = simulate(system, params).trajectory[:, burn_frames:]
    return traj.reshape(replicas, frames, -1), every_steps * dt


def test_chain_is_a_config_with_exact_theory():
    system = parse_config(CHAIN).build_system()
    assert system.is_linear and len(system.bonds) == 4 and len(system.tethers) == 2
    theory = LinearTheory.from_system(system)
    h = np.diag([2.0, 2, 2, 2, 2]) - np.eye(5, k=1) - np.eye(5, k=-1)
    np.testing.assert_allclose(theory.hessian, h)
    assert theory.entropy_production_rate > 0 and abs(sum(theory.heat_rate)) < 1e-12


@pytest.mark.parametrize(
    "name,make,every",
    [("pair", lambda: harmonic_pair(), 50), ("chain", lambda: parse_config(CHAIN).build_system(), 20)],
)
def test_short_time_estimator_and_tur_bound_on_a_million_samples(name, make, every):
    system = make()
    exact = LinearTheory.from_system(system).entropy_production_rate
    x, dt = sampled(system, every, 10_000)  # 100 x 10^4 = 10^6 samples
    res = infer(Trajectories.from_array(x, dt), methods=("tur", "short_time_tur"))
    st, tur = res["short_time_tur"], res["tur"]
    assert abs(st.entropy_production_rate / exact - 1) < 0.05, (name, st, exact)
    assert within(st.entropy_production_rate, exact, st.stderr)
    assert tur.is_bound and tur.entropy_production_rate <= exact + 3 * tur.stderr, (tur, exact)
    assert tur.entropy_production_rate > 0.3 * exact  # and it is not a trivial bound


def test_equal_temperatures_give_zero():
    x, dt = sampled(harmonic_pair(temps=(2.0, 2.0)), 50, 4000, replicas=50)
    res = infer(Trajectories.from_array(x, dt))
    for est in res.values():
        assert within(est.entropy_production_rate, 0.0, est.stderr), est


def test_positions_and_dt_are_all_they_need(tmp_path):
    """A plain .npy of positions and --dt: no forces, temperatures or model parameters."""
    x, dt = sampled(harmonic_pair(), 50, 2000, replicas=40)
    path = tmp_path / "beads.npy"
    np.save(path, x)
    res = CliRunner().invoke(app, ["infer", str(path), "--dt", str(dt), "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert set(out) == {"tur", "short_time_tur", "current"}
    for est in out.values():
        assert {"entropy_production_rate", "stderr", "is_bound"} <= set(est)
    assert out["tur"]["is_bound"] and not out["short_time_tur"]["is_bound"]
    assert within(out["short_time_tur"]["entropy_production_rate"], 0.8, out["short_time_tur"]["stderr"])


def test_reads_the_projects_results_file(tmp_path):
    cfg = Path(__file__).parents[1] / "examples" / "harmonic_pair.toml"
    res = CliRunner().invoke(app, ["run", str(cfg), "--set", "run.replicas=16", "--set", "run.time=60", "--set", "run.burn_in=5",
                                   "--set", "observables.trajectory_every=20", "--set", "observables.trajectory_replicas=16",
                                   "--out", str(tmp_path), "--json"])  # fmt: skip
    assert res.exit_code == 0, res.output
    inf = CliRunner().invoke(app, ["infer", str(tmp_path / "results.nc"), "--method", "short_time_tur", "--json"])
    assert inf.exit_code == 0, inf.output
    est = json.loads(inf.stdout)["short_time_tur"]
    assert within(est["entropy_production_rate"], 0.8, est["stderr"])


@pytest.mark.parametrize(
    "content,args,needle",
    [
        (np.array([np.zeros(3), np.zeros(4)], dtype=object), ["--dt", "0.1"], "ragged"),
        (np.full((2, 50, 2), np.nan), ["--dt", "0.1"], "NaN"),
        (np.zeros((2, 5, 2)), ["--dt", "0.1"], "at least"),
        (np.zeros((2, 50, 2)), ["--dt", "0"], "positive"),
        (np.zeros((2, 50, 2)), [], "--dt"),
        (np.zeros((2, 50, 2)), ["--dt", "0.1", "--method", "magic"], "allowed"),
    ],
)
def test_bad_input_exit_2(tmp_path, content, args, needle):
    path = tmp_path / "x.npy"
    np.save(path, content, allow_pickle=content.dtype == object)
    res = CliRunner().invoke(app, ["infer", str(path), *args])
    assert res.exit_code == 2, res.output
    assert needle in res.output and "Traceback" not in res.output


def test_loaders_agree(tmp_path):
    """.npy, .npz, .csv and .gsd give the same (replicas, time, coordinates) array."""
    import gsd.hoomd

    from multitemp.inference import load_trajectories

    x = np.cumsum(np.random.default_rng(0).normal(size=(40, 2, 2)), axis=0).astype(np.float32).astype(float)
    flat = x.reshape(1, 40, 4)
    np.save(tmp_path / "a.npy", flat)
    np.savez(tmp_path / "b.npz", x=flat)
    np.savetxt(tmp_path / "c.csv", flat[0], delimiter=",", header="x0,y0,x1,y1", comments="")
    with gsd.hoomd.open(str(tmp_path / "d.gsd"), "w") as f:
        for t in range(40):
            frame = gsd.hoomd.Frame()
            frame.configuration.step = t
            frame.configuration.box = [100, 100, 0, 0, 0, 0]
            frame.configuration.dimensions = 2
            frame.particles.N = 2
            frame.particles.position = np.column_stack([x[t], np.zeros(2)]).astype(np.float32)
            frame.particles.image = np.zeros((2, 3), np.int32)
            f.append(frame)
    for name in ("a.npy", "b.npz", "c.csv", "d.gsd"):
        t = load_trajectories(tmp_path / name, dt=0.1)
        np.testing.assert_allclose(t.x, flat, atol=1e-6, err_msg=name)
