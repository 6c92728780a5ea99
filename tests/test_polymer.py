"""Chains with hot and cold monomers (physics.md section 8b): the exact theory of ideal
chains, bonds in the many-body engine (forces, first law, resume, FENE breaks), the ideal
chain against the theory in both engines, the chain observables, and bad input."""

from __future__ import annotations

import json

import gsd.hoomd
import numpy as np
import pytest
from conftest import override, within, write_toml
from typer.testing import CliRunner

from multitemp.api import parse_config
from multitemp.cli import app
from multitemp.core.driver import BlowUpError, RunInterrupted
from multitemp.core.potentials import SoftRepulsion
from multitemp.core.potentials.bond import HarmonicBond
from multitemp.ensemble.simulation import RunParameters, simulate
from multitemp.mixture import chains, kernel
from multitemp.mixture.engine import ManyBodyEngine, random_positions
from multitemp.mixture.model import Mixture
from multitemp.mixture.run import run_mixture
from multitemp.mixture.simulation import MixtureSimulation
from multitemp.theory import LinearTheory

TYPES = [{"name": "hot", "temperature": 5.0}, {"name": "cold", "temperature": 1.0}]


def chain_config(**over) -> dict:
    data = {
        "mixture": {"dim": 3, "phi": 0.05, "types": TYPES},
        "pair_potential": {"kind": "soft", "k": 20.0, "s": 1.0},
        "polymer": {
            "bond": {"kind": "harmonic", "k": 20.0, "r0": 1.0},
            "chains": [{"count": 6, "monomers": 20, "pattern": {"kind": "blocks", "blocks": [["hot", 5], ["cold", 5]]}}],
        },
        "run": {"dt": 1e-3, "time": 0.6, "burn_in": 0.1, "seed": 4},
        "neighbors": {"skin": 0.5},
        "output": {"write_every": 100},
    }
    return override(data, **over)


# --- exact theory of ideal chains (physics.md 8b worked numbers) ---------------------------


def test_worked_numbers_of_ideal_chains():
    chain = [(i, i + 1) for i in range(19)]
    dimer = LinearTheory.from_bonds(1, [2.0, 1.0], [(0, 1)], 1.0)
    assert dimer.separation_msd(0, 1) == pytest.approx(1.5)
    assert dimer.heat_rate == pytest.approx([-0.5, 0.5])
    assert dimer.entropy_production_rate == pytest.approx(0.25)
    for t3, msd in ((3.0, 7 / 6), (10.0, 7 / 4)):
        trimer = LinearTheory.from_bonds(1, [1.0, 1.0, t3], [(0, 1), (1, 2)], 1.0)
        assert trimer.separation_msd(0, 1) == pytest.approx(msd)
        assert trimer.separation_msd(0, 2) == pytest.approx(1.0 + t3)
    for th, block, alternating in ((2.0, 0.15984, 2.46221), (5.0, 1.02299, 15.75814)):
        b = LinearTheory.from_bonds(1, [th] * 10 + [1.0] * 10, chain, 1.0)
        a = LinearTheory.from_bonds(1, [th, 1.0] * 10, chain, 1.0)
        assert b.entropy_production_rate == pytest.approx(block, abs=1e-5)
        assert a.entropy_production_rate == pytest.approx(alternating, abs=1e-5)
        msd = b.separation_msds(chain)
        assert msd[0] == pytest.approx(th, rel=5e-3) and msd[-1] == pytest.approx(1.0, rel=5e-3)
        assert msd[9] == pytest.approx((th + 1) / 2)  # the junction
    for n, sigma in ((2, 2.025), (5, 0.629817)):
        walls = LinearTheory.from_bonds(
            1, np.linspace(10.0, 1.0, n), [(i, i + 1) for i in range(n - 1)], 1.0, tethers=[(0, 1.0), (n - 1, 1.0)]
        )
        assert walls.entropy_production_rate == pytest.approx(sigma, abs=1e-6)


def test_exact_fields_of_an_ideal_chain_config():
    cfg = parse_config(chain_config(pair_potential={"kind": "none"},
                                    polymer={"bond": {"kind": "harmonic", "k": 1.0},
                                             "chains": [{"monomers": 2, "pattern": {"kind": "alternating", "types": ["hot", "cold"]}}]},
                                    **{"mixture.types": [{"name": "hot", "temperature": 2.0}, {"name": "cold", "temperature": 1.0}],
                                       "mixture.phi": 0.001}))  # fmt: skip
    out = run_mixture(cfg)
    assert out.summary["entropy_production_rate_exact"] == pytest.approx(3 * 0.25)  # d = 3
    assert out.summary["heat_rate_exact"] == pytest.approx([-1.5, 1.5])
    assert out.dataset["particle_entropy_production_rate_exact"].values == pytest.approx([-0.75, 1.5])


# --- bonds in the many-body engine ----------------------------------------------------------


def _reference(engine: ManyBodyEngine) -> tuple[np.ndarray, float]:
    m = engine.mixture
    f = np.zeros((m.n_particles, m.dim))
    args = (engine.positions(), engine.box, m.cutoff, engine.pair_kind, engine.pair_p, engine.wall)
    kernel.all_pairs_forces(*args, f, None, m.bonds, m.bond_params())
    return f, kernel.all_pairs_energy(*args, None, m.bonds, m.bond_params())


VARIANTS = {
    "soft, bonded pairs excluded": {},
    "Kremer-Grest: FENE + WCA on bonded pairs too": {
        "pair_potential": {"kind": "wca"},
        "polymer.bond": {"kind": "fene", "k": 30.0, "r_max": 1.5},
        "polymer.exclude_bonded": False,
        "run.dt": 1e-4,
    },
    "2D, in a container, two patterns and free particles": {
        "mixture.dim": 2,
        "mixture.particles": 30,
        "mixture.types": [{**TYPES[0], "count": 10}, {**TYPES[1], "count": 20}],
        "container": {"kind": "sphere", "stiffness": 50.0},
        "polymer.chains": [
            {"count": 3, "monomers": 12, "pattern": {"kind": "alternating", "types": ["hot", "cold"]}},
            {"count": 2, "monomers": 10, "pattern": {"kind": "random", "fractions": {"hot": 0.3, "cold": 0.7}}},
        ],
    },
}


@pytest.mark.parametrize("integrator", ["euler", "heun"])
@pytest.mark.parametrize("name", list(VARIANTS))
def test_forces_and_first_law_with_bonds(name, integrator):
    """After 400 steps (list rebuilds, storage reordered) the kernel's forces equal the
    all-pairs-plus-bonds reference, and the heats add up to minus the energy change."""
    cfg = parse_config(chain_config(**VARIANTS[name]))
    m = cfg.build()
    assert m.n_bonds > 0
    engine = ManyBodyEngine(m, cfg.run.dt, 1, 0.5, positions=random_positions(m, 1), integrator=integrator)
    f0, e0 = _reference(engine)
    np.testing.assert_allclose(engine.forces(), f0, rtol=1e-10, atol=1e-9)
    engine.advance(400)
    assert engine.neighbor_builds > 3
    f1, e1 = _reference(engine)
    np.testing.assert_allclose(engine.forces(), f1, rtol=1e-10, atol=1e-9)
    heat = engine.heat()
    scale = np.abs(heat).sum()
    assert scale > 10.0
    assert abs(heat.sum() + e1 - e0) < 1e-10 * scale


def test_bonded_pairs_are_excluded_from_the_pair_list():
    cfg = parse_config(chain_config())
    m = cfg.build()
    engine = ManyBodyEngine(m, 1e-3, 1, 0.5, positions=random_positions(m, 1))
    tag = engine.state.tag
    partners = m.bond_partners()
    for slot in range(m.n_particles):
        row = tag[engine.nbr[slot, : engine.nnb[slot]]]
        assert not set(row) & set(partners[tag[slot]])


def test_resume_is_bit_identical_and_frames_hold_bonds(tmp_path):
    cfg = parse_config(chain_config())
    whole = run_mixture(cfg, tmp_path / "whole")
    with pytest.raises(RunInterrupted):
        run_mixture(cfg, tmp_path / "cut", stop_after_steps=250)
    resumed = run_mixture(cfg, tmp_path / "cut", resume=True)
    with gsd.hoomd.open(str(whole.trajectory)) as a, gsd.hoomd.open(str(resumed.trajectory)) as b:
        assert len(a) == len(b) == 7
        for fa, fb in zip(a, b, strict=True):
            assert np.array_equal(fa.particles.position, fb.particles.position)
            assert np.array_equal(fa.log["particles/heat"], fb.log["particles/heat"])
        assert a[0].bonds.N == 114 and a[0].bonds.types == ["backbone"]
        assert np.array_equal(a[-1].bonds.group[:2], [[0, 1], [1, 2]])
    assert whole.summary["entropy_production_rate"] == resumed.summary["entropy_production_rate"]
    np.testing.assert_array_equal(whole.dataset["particle_heat"], resumed.dataset["particle_heat"])


def test_a_breaking_fene_bond_stops_like_a_blow_up():
    cfg = parse_config(chain_config(**{"polymer.bond": {"kind": "fene", "k": 30.0, "r_max": 1.5}, "run.dt": 0.05}))
    sim = MixtureSimulation(cfg.build(), 0.05, 1, skin=0.5)
    with pytest.raises(BlowUpError) as err:
        sim.advance(2000)
    assert "FENE" in str(err.value) and err.value.step < 2000 and err.value.suggested_dt < 0.05


# --- ideal chains against the exact theory --------------------------------------------------


def test_ideal_chains_in_the_many_body_engine_match_the_theory():
    """64 free Rouse 20-mers (k = 10, 10 hot at T = 5 then 10 cold, d = 3, Heun): entropy
    production, heat into every monomer's bath and every bond's mean squared length within
    5 standard errors (chains are independent: error bars from their spread)."""
    n_chains, length = 64, 20
    mix = Mixture(dim=3, box=(60.0,) * 3, type_names=("hot", "cold"), type_temperatures=(5.0, 1.0),
                  type_mobilities=(1.0, 1.0), typeid=np.tile(np.repeat([0, 1], 10), n_chains),
                  pair=parse_config(chain_config(pair_potential={"kind": "none"})).build().pair,
                  bonds=np.concatenate([np.stack([np.arange(19), np.arange(1, 20)], 1) + c * length for c in range(n_chains)]),
                  bond=HarmonicBond(10.0))  # fmt: skip
    theory = LinearTheory.from_bonds(3, [5.0] * 10 + [1.0] * 10, [(i, i + 1) for i in range(19)], 10.0)
    sim = MixtureSimulation(mix, 1e-3, 5, skin=1.0, burn_in=20.0, integrator="heun")
    sim.advance(20_000)
    sim.record()
    frames = []
    for _ in range(150):
        sim.advance(200)
        sim.record()
        frames.append(sim.positions)
    heat = sim.heat.reshape(n_chains, length) / 30.0
    s = sim.summary()
    exact = theory.entropy_production_rate * n_chains
    assert within(s["entropy_production_rate"], exact, s["entropy_production_rate_stderr"])
    ep = (heat / np.array([5.0] * 10 + [1.0] * 10)).sum(axis=1)
    assert within(ep.mean(), theory.entropy_production_rate, ep.std(ddof=1) / np.sqrt(n_chains))
    z = (heat.mean(axis=0) - theory.heat_rate) / (heat.std(axis=0, ddof=1) / np.sqrt(n_chains))
    assert np.all(np.abs(z) < 5), z
    x = np.asarray(frames)
    per_chain = np.stack([np.sum(np.diff(chains.unwrap_chain(x, mix.box, c * length, length), axis=1) ** 2, -1).mean(0)
                          for c in range(n_chains)])  # fmt: skip
    z = (per_chain.mean(0) - theory.separation_msds([(i, i + 1) for i in range(19)])) / (
        per_chain.std(0, ddof=1) / np.sqrt(n_chains)
    )
    assert np.all(np.abs(z) < 5), z
    assert abs(per_chain.mean(0)[0] / per_chain.mean(0)[-1] - 5.0) < 0.5  # hot bonds are 5x longer


def test_ideal_chain_in_the_ensemble_engine_matches_the_theory():
    """Beads between two walls (tethers k = 1, T linear 10 -> 1, N = 5, d = 1): sigma = 0.629817,
    heat per monomer and bond mean squared lengths within 5 standard errors."""
    cfg = parse_config({
        "system": {"dim": 1, "temperatures": list(np.linspace(10.0, 1.0, 5))},
        "bonds": {"pairs": [[0, 1], [1, 2], [2, 3], [3, 4]], "k": 1.0},
        "tethers": {"particles": [0, 4], "k": 1.0},
        "run": {"dt": 1e-3, "time": 10.0, "replicas": 8},
    })  # fmt: skip
    system = cfg.build_system()
    theory = LinearTheory.from_system(system)
    assert theory.entropy_production_rate == pytest.approx(0.629817, abs=1e-6)
    res = simulate(system, RunParameters(dt=2e-3, time=20.0, burn_in=8.0, replicas=4096, seed=11, integrator="heun"))
    from multitemp.ensemble.summary import summarize

    s = summarize(res)
    assert within(s["entropy_production_rate"], 0.629817, s["entropy_production_rate_stderr"])
    for key in ("heat_rate", "bond_msd"):
        z = (np.asarray(s[key]) - np.asarray(s[key + "_exact"])) / np.asarray(s[key + "_stderr"])
        assert np.all(np.abs(z) < 5), (key, z)


# --- observables ------------------------------------------------------------------------------


def test_compartment_score_is_zero_without_compartments_and_positive_with():
    rng = np.random.default_rng(0)
    box = np.full(3, 20.0)
    types = np.repeat([0, 1, 0, 1], 10)
    walk = np.cumsum(rng.normal(size=(40, 40, 3)) * 0.6, axis=1) + 10.0  # (frames, monomers, 3)
    cm = chains.contact_map(walk, box, [(0, 40)], types, radius=1.5)
    score, err = chains.compartment_score(cm)
    assert abs(score) < 5 * err + 0.05
    # pull the monomers of each type together: like contacts gain
    folded = walk.copy()
    for k in (0, 1):
        sel = types == k
        folded[:, sel] = 0.4 * folded[:, sel] + 0.6 * folded[:, sel].mean(axis=1, keepdims=True) + 3.0 * k
    score2, err2 = chains.compartment_score(chains.contact_map(folded, box, [(0, 40)], types, radius=1.5))
    assert score2 > 0.5 and score2 > 5 * err2


def test_separation_and_gyration_of_a_straight_chain():
    x = np.zeros((1, 6, 2))
    x[0, :, 0] = np.arange(6) * 1.0 + 0.5  # a straight rod, spacing 1, across nothing
    msd = chains.separation_msd(x, np.array([50.0, 50.0]), [(0, 6)], np.array([0, 0, 0, 1, 1, 1]))
    np.testing.assert_allclose(msd["0"][:2], [1.0, 4.0])
    np.testing.assert_allclose(msd["mixed"][0], 1.0)
    rg = chains.block_gyration(x, np.array([50.0, 50.0]), [(0, 6)], np.array([0, 0, 0, 1, 1, 1]))
    assert rg[0] == pytest.approx(2 / 3) and rg[1] == pytest.approx(2 / 3)
    # unwrapping across the periodic boundary
    y = np.mod(x + np.array([47.0, 0.0]), 50.0)
    np.testing.assert_allclose(np.diff(chains.unwrap_chain(y, np.array([50.0, 50.0]), 0, 6)[0, :, 0]), 1.0)


# --- bad input ----------------------------------------------------------------------------------


def _cli(tmp_path, data):
    path = write_toml(tmp_path / "c.toml", data)
    return CliRunner().invoke(app, ["run", str(path), "--json"])


@pytest.mark.parametrize(
    "over,words",
    [
        ({"polymer.chains": [{"monomers": 20, "pattern": {"kind": "blocks", "blocks": [["hot", 3], ["cold", 4]]}}]},
         ["polymer.chains.0.pattern", "multiple of 7"]),
        ({"polymer.chains": [{"monomers": 20, "pattern": {"kind": "uniform", "type": "warm"}}]},
         ["polymer.chains.0.pattern", "'warm'", "mixture.types"]),
        ({"polymer.chains": [{"monomers": 4, "pattern": {"kind": "file", "path": "ACTIVITY"}}]},
         ["polymer.chains.0.pattern.path", "must be > 0"]),
        ({"polymer.chains": [{"monomers": 5, "pattern": {"kind": "file", "path": "GOOD"}}]},
         ["holds 4 temperatures", "5"]),
        ({"polymer.bond": {"kind": "fene", "k": -1.0}}, ["polymer.bond.k"]),
    ],
)  # fmt: skip
def test_bad_polymer_input_exits_2(tmp_path, over, words):
    (tmp_path / "act.txt").write_text("# activity\n2.0 1.0\n0.0 1.0\n")
    (tmp_path / "good.txt").write_text("2 1 2 1\n")
    text = json.dumps(over).replace("ACTIVITY", str(tmp_path / "act.txt")).replace("GOOD", str(tmp_path / "good.txt"))
    over = json.loads(text)
    res = _cli(tmp_path, chain_config(**over))
    assert res.exit_code == 2, res.output
    for w in words:
        assert w in res.output, (w, res.output)


def test_activity_file_makes_types(tmp_path):
    (tmp_path / "act.txt").write_text("5 5 1 1 2.5 2.5\n")
    m = parse_config(chain_config(**{"polymer.chains": [
        {"count": 2, "monomers": 6, "pattern": {"kind": "file", "path": str(tmp_path / "act.txt")}}]})).build()  # fmt: skip
    assert m.type_names == ("hot", "cold", "T2.5")
    np.testing.assert_array_equal(m.temperatures[:6], [5, 5, 1, 1, 2.5, 2.5])


def test_bonds_to_missing_monomers_and_stretched_fene_start(tmp_path):
    with pytest.raises(ValueError, match=r"bonds\[1\] = \[1, 7\].*0..3"):
        Mixture(dim=2, box=(10.0, 10.0), type_names=("a",), type_temperatures=(1.0,), type_mobilities=(1.0,),
                typeid=np.zeros(4, np.int64), pair=SoftRepulsion(1.0, 1.0), bonds=[[0, 1], [1, 7]],
                bond=HarmonicBond(1.0))  # fmt: skip
    # a start whose FENE bonds are longer than r_max: exit 2, key named
    data = chain_config()
    first = run_mixture(parse_config(data), tmp_path / "first")
    data["polymer"]["bond"] = {"kind": "fene", "k": 30.0, "r_max": 0.9}
    data["initial"] = {"gsd": str(first.trajectory)}
    res = _cli(tmp_path, data)
    assert res.exit_code == 2 and "polymer.bond.r_max" in res.output, res.output


def test_chains_command(tmp_path):
    cfg = parse_config(chain_config())
    out = run_mixture(cfg, tmp_path / "run")
    res = CliRunner().invoke(app, ["chains", str(out.trajectory), "--json", "--skip", "0.3"])
    assert res.exit_code == 0, res.output
    s = json.loads(res.stdout)
    assert s["chains"] == 6 and s["monomers_per_chain"] == 20 and s["frames_analysed"] == 5
    assert set(s["block_gyration_radius2"]) == {"hot", "cold"}
    assert np.isfinite(s["compartment_score"]) and s["entropy_production_rate_per_chain_stderr"] > 0
    import xarray as xr

    ds = xr.open_dataset(s["output"])
    assert ds["contact_probability"].shape == (20, 20) and ds["separation_msd_hot"].dims == ("s",)
    assert (tmp_path / "run" / "chains.png").stat().st_size > 10_000
    # a trajectory without bonds: exit 2, saying why
    plain = run_mixture(parse_config(chain_config(polymer=None, **{"mixture.particles": 50,
        "mixture.types": [{**TYPES[0], "count": 25}, {**TYPES[1], "count": 25}]})), tmp_path / "plain")  # fmt: skip
    res = CliRunner().invoke(app, ["chains", str(plain.trajectory)])
    assert res.exit_code == 2 and "no bonds" in res.output


def test_demixing_of_randomly_placed_chains_is_zero():
    """The monomers of a chain are neighbours by construction: only neighbours on other
    chains count, so randomly placed hot and cold chains give psi ~ 0 (not > 0)."""
    from multitemp.mixture.analysis import analyze_frame
    from multitemp.mixture.trajectory import make_frame

    data = chain_config(**{"polymer.chains": [
        {"count": 150, "monomers": 10, "pattern": {"kind": "uniform", "type": t}} for t in ("hot", "cold")]})  # fmt: skip
    data["mixture"]["phi"] = 0.3
    m = parse_config(data).build()
    x = random_positions(m, 3)
    frame = make_frame(m, 0, np.mod(x, m.box), np.zeros_like(x, dtype=np.int64), {}, "{}")
    psi = analyze_frame(frame).demixing
    assert abs(psi) < 0.03, psi
