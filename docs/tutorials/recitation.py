# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # The recitation, section by section
#
# Sections 1 to 7 of [the physics](../physics.md), each with the code that measures it and a
# figure. Every run here is small (seconds); the numbers carry their error bars, and where an exact
# value exists it is printed beside them. Units: k_B = 1.

# %%
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

import multitemp
from multitemp import EnsembleSimulation, HarmonicSpring, HarmonicTrap, LinearTheory, RunParameters, System

# the repository's examples folder, wherever the notebook runs from
EXAMPLES = next(
    p / "examples" for p in (Path.cwd(), *Path.cwd().parents) if (p / "examples" / "harmonic_pair.toml").exists()
)

# %% [markdown]
# ## 1. The model: overdamped particles, each with its own bath
#
# dr_i/dt = mu_i F_i + sqrt(2 mu_i T_i) eta_i. A `System` holds the particles, their baths and
# the potentials; `RunParameters` how to integrate; an `EnsembleSimulation` advances R independent
# replicas step by step (the noise is a pure function of seed, replica, step, particle and axis).

# %%
pair = System(1, np.array([5.0, 1.0]), pair=HarmonicSpring(1.0), external=HarmonicTrap(1.0))
params = RunParameters(
    dt=1e-3, time=20.0, replicas=4, seed=1, trajectory_every=10, trajectory_replicas=1, integrator="euler"
)
sim = EnsembleSimulation(pair, params)
sim.advance(params.n_steps)
traj = sim.result.trajectory[0, :, :, 0]
t = np.arange(traj.shape[0]) * 10 * params.dt
fig, ax = plt.subplots(figsize=(8, 3))
ax.plot(t, traj[:, 0], color="tab:red", lw=0.7, label="particle 1, T = 5")
ax.plot(t, traj[:, 1], color="tab:blue", lw=0.7, label="particle 2, T = 1")
ax.set(xlabel="time", ylabel="x")
ax.legend()

# %% [markdown]
# ## 2. Entropy production along a trajectory
#
# The heat into bath i is Q_i = ∫ F_i ∘ dx_i (Stratonovich), and Sigma = Σ_i Q_i / T_i. The
# pre-point (Ito) product is wrong by design: it converges to sigma + tr(mu K), not sigma.

# %%
cfg = multitemp.load_config(
    EXAMPLES / "harmonic_pair.toml", ["run.replicas=2048", "run.time=40.0", "run.integrator='euler'"]
)
res = multitemp.run(cfg)
s = res.summary
for key in ("entropy_production_rate", "entropy_production_rate_path", "entropy_production_rate_ito"):
    print(f"{key:32s} {s[key]:.4f} +- {s[key + '_stderr']:.4f}   exact {s[key + '_exact']:.4f}")

# %% [markdown]
# Each replica's entropy production rate over its 30 time units: a broad distribution (negative
# values included: the second law holds on average), whose mean is sigma. The Ito product is
# shifted by tr(mu K) = 4.

# %%
t_meas = res.raw.measured_time
fig, ax = plt.subplots(figsize=(7, 3.5))
ax.hist(res.raw.entropy / t_meas, bins=60, alpha=0.7, label="Stratonovich heat / T")
ax.hist(res.raw.entropy_production_ito / t_meas, bins=60, alpha=0.7, label="Ito (pre-point): biased")
ax.axvline(0.8, color="k", lw=1, label="exact sigma = 0.8")
ax.set(xlabel="entropy production rate of one replica", ylabel="replicas")
ax.legend(fontsize=8)

# %% [markdown]
# ## 3. sigma is a KL divergence: the arrow of time
#
# Shown a movie of length tau, the best guess of its direction is the sign of its entropy; it is
# right with probability P_correct(tau) = P(Sigma_tau > 0), which rises from 1/2 to 1 on the time
# scale 1/sigma (and stays 1/2 at equal temperatures).

# %%
taus = [0.05, 0.2, 0.5, 1.0, 2.0, 5.0]
fig, ax = plt.subplots(figsize=(6, 4))
for temps in ([5.0, 1.0], [1.0, 1.0]):
    c = multitemp.load_config(EXAMPLES / "harmonic_pair.toml", [
        f"system.temperatures={temps}", "run.replicas=512", "run.time=30.0", f"observables.arrow_tau={taus}",
        "observables.histogram_bins=0", "run.integrator='euler'"])  # fmt: skip
    r = multitemp.run(c).summary
    ax.errorbar(
        r["arrow_tau"], r["arrow_p_correct"], r["arrow_p_correct_stderr"], marker="o", capsize=3, label=f"T = {temps}"
    )
ax.axhline(0.5, color="k", lw=0.6)
ax.set(xscale="log", xlabel="tau", ylabel="P_correct(tau)")
ax.legend()

# %% [markdown]
# ## 4. The exactly solvable pair
#
# Harmonic coupling k in a harmonic trap lambda: the density is a tilted Gaussian N(0, C), the
# current J = M x p(x) circulates, and sigma = k^2 (T1 - T2)^2 / (2 T1 T2 (k + lambda)).
# `LinearTheory` gives every exact value; the measured map comes from the kernel's histogram.

# %%
theory = LinearTheory.from_system(pair)
print(
    "C =",
    theory.covariance,
    "\nsigma =",
    theory.entropy_production_rate,
    " angular momentum =",
    theory.angular_momentum,
)
res = multitemp.run(cfg)
print("measured sigma", res.summary["entropy_production_rate"], "+-", res.summary["entropy_production_rate_stderr"])
from multitemp.ensemble.phase_space import PhaseSpaceMap  # noqa: E402

m = PhaseSpaceMap.from_result(res.raw)
fig, ax = plt.subplots(figsize=(5, 5))
ax.pcolormesh(m.centers, m.centers, m.density.T, cmap="viridis")
sub = slice(2, None, 4)
ax.quiver(m.centers[sub], m.centers[sub], m.current[0][sub, sub].T, m.current[1][sub, sub].T, color="white")
ax.set(xlabel="x1", ylabel="x2", title="measured density and current", aspect="equal")

# %% [markdown]
# sigma against the temperature ratio, measured and exact:

# %%
ratios = [1.0, 2.0, 4.0, 8.0]
meas = []
for r_ in ratios:
    c = multitemp.load_config(cfg.model_dump(), [f"system.temperatures=[{r_}, 1.0]", "run.replicas=512",
                                                 "observables.histogram_bins=0"])  # fmt: skip
    out = multitemp.run(c).summary
    meas.append((out["entropy_production_rate"], out["entropy_production_rate_stderr"]))
meas = np.array(meas)
fine = np.linspace(1, 8, 100)
fig, ax = plt.subplots(figsize=(6, 4))
ax.plot(fine, (fine - 1) ** 2 / (4 * fine), color="0.4", label="exact, k = lambda = 1")
ax.errorbar(ratios, meas[:, 0], meas[:, 1], marker="o", ls="none", capsize=3, label="measured")
ax.set(xlabel="T1 / T2", ylabel="sigma")
ax.legend()

# %% [markdown]
# ## 5. Soft repulsion and run-and-chase
#
# A hot and a cold soft particle on a ring. The centre is a free Brownian motion (no drift):
# looking forward from a contact, nothing. Looking backward, the pair moved from the hot particle
# towards the cold one: C_back(tau) > 0, and zero at equal temperatures.

# %%
ring = {"system": {"dim": 1, "temperatures": [5.0, 0.5]}, "pair_potential": {"kind": "soft", "k": 10.0, "s": 1.0},
        "box": {"kind": "periodic", "length": 3.0},
        "run": {"dt": 1e-3, "time": 12.0, "burn_in": 2.0, "replicas": 1024, "seed": 3, "integrator": "euler"},
        "observables": {"histogram_bins": 0, "chase_tau": [0.02, 0.05, 0.1, 0.2, 0.5, 1.0]}}  # fmt: skip
fig, ax = plt.subplots(figsize=(6, 4))
for temps in ([5.0, 0.5], [0.5, 0.5]):
    r = multitemp.run({**ring, "system": {"dim": 1, "temperatures": temps}}).summary
    ax.errorbar(
        r["chase_tau"],
        r["chase_backward"],
        r["chase_backward_stderr"],
        marker="o",
        capsize=3,
        label=f"backward, T = {temps}",
    )
    ax.errorbar(
        r["chase_tau"],
        r["chase_forward"],
        r["chase_forward_stderr"],
        marker="s",
        mfc="none",
        ls="--",
        capsize=3,
        label=f"forward, T = {temps}",
    )
ax.axhline(0, color="k", lw=0.6)
ax.set(xscale="log", xlabel="tau", ylabel="C(tau)")
ax.legend(fontsize=8)

# %% [markdown]
# ## 6. Ratchet currents
#
# The same pair in a sawtooth without tilt moves on average when T1 != T2; the mirror sawtooth
# (asymmetry a -> 1 - a) reverses it, and at equal temperatures it stops (second law).

# %%
saw = {**ring, "external_potential": {"kind": "sawtooth", "height": 4.0, "period": 1.0, "asymmetry": 0.2,
                                      "smoothing": 0.02},
       "run": {"dt": 1e-3, "time": 26.0, "burn_in": 6.0, "replicas": 1024, "seed": 5, "integrator": "euler"},
       "observables": {"histogram_bins": 0}}  # fmt: skip
cases = {"T = (2, 0.2), a = 0.2": ([2.0, 0.2], 0.2), "mirror, a = 0.8": ([2.0, 0.2], 0.8),
         "equal T": ([0.2, 0.2], 0.2)}  # fmt: skip
currents = []
for name, (temps, a) in cases.items():
    c = {**saw, "system": {"dim": 1, "temperatures": temps},
         "external_potential": {**saw["external_potential"], "asymmetry": a}}  # fmt: skip
    r = multitemp.run(c).summary
    currents.append((r["center_of_mass_velocity"], r["center_of_mass_velocity_stderr"]))
    print(f"{name:22s} current {currents[-1][0]:+.4f} +- {currents[-1][1]:.4f}")
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.bar(list(cases), [v for v, _ in currents], yerr=[e for _, e in currents], capsize=4,
       color=["tab:red", "tab:blue", "0.6"])  # fmt: skip
ax.axhline(0, color="k", lw=0.6)
ax.set(ylabel="ratchet current <dX/dt>", title="hot-cold soft pair in a sawtooth, ring of 3")

# %% [markdown]
# ## 7. Many hot and cold particles: phase separation without attraction
#
# Purely repulsive disks, half hot and half cold: at a large enough temperature ratio and
# density, the cold ones condense. Here a cold slab (T = 1/30) beside a hot gas (T = 1) stays
# together; tutorial 2 runs it longer, with its equal-temperature control.

# %%
slab = {"mixture": {"dim": 2, "particles": 600, "phi": 0.5, "aspect": [3.0, 1.0], "types": [
            {"name": "hot", "temperature": 1.0, "fraction": 0.5},
            {"name": "cold", "temperature": 1 / 30, "fraction": 0.5}]},
        "pair_potential": {"kind": "soft", "k": 100.0, "s": 1.0}, "initial": {"arrangement": "slab"},
        "neighbors": {"skin": 0.6}, "run": {"dt": 2e-3, "time": 20.0, "burn_in": 5.0, "seed": 1},
        "output": {"write_every": 2500}}  # fmt: skip
res = multitemp.run(slab)
sim = res.raw
pos, types = sim.positions, sim.mixture.typeid
fig, ax = plt.subplots(figsize=(9, 3))
for t_, colour in ((0, "tab:red"), (1, "tab:blue")):
    ax.scatter(pos[types == t_, 0], pos[types == t_, 1], s=8, color=colour)
ax.set(aspect="equal", title="hot (red) and cold (blue) disks after t = 20")
s = res.summary
print(
    f"entropy production {s['entropy_production_rate']:.4g} +- {s['entropy_production_rate_stderr']:.2g} per unit time"
)
