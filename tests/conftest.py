import os

import numpy as np
import pytest

from multitemp.core.potentials import HarmonicSpring, HarmonicTrap, NoExternal, SoftRepulsion
from multitemp.ensemble.simulation import RunParameters, simulate
from multitemp.ensemble.system import System
from multitemp.mixture.config import MixtureConfig


def harmonic_pair(dim=1, k=1.0, lam=1.0, temps=(5.0, 1.0), mobilities=None) -> System:
    ext = HarmonicTrap(lam) if lam > 0 else NoExternal()
    return System(dim, np.array(temps), mobilities, pair=HarmonicSpring(k), external=ext)


def soft_pair(dim=1, temps=(5.0, 1.0), box=3.0) -> System:
    return System(dim, np.array(temps), pair=SoftRepulsion(10.0, 1.0), box=np.full(dim, box))


def run(system, **kw):
    defaults = dict(dt=1e-3, time=40.0, burn_in=5.0, replicas=2048, seed=7, integrator="heun")
    defaults.update(kw)
    return simulate(system, RunParameters(**defaults))


def within(measured, exact, stderr, k=5.0):
    """|measured - exact| <= k standard errors (the run's own error bar)."""
    return abs(measured - exact) <= k * stderr


#: under pytest-xdist (2 worker processes on 2 cores) numba runs on one thread, in the workers
#: and in the ``multitemp`` processes they start (see the two helpers below)
UNDER_XDIST = bool(os.environ.get("PYTEST_XDIST_WORKER"))


@pytest.fixture(autouse=True)
def _one_numba_thread_per_test_worker():
    """Under pytest-xdist (2 worker processes on 2 cores) each worker runs numba on one thread:
    two processes of two spinning threads each on two cores slow the many-body kernels, whose
    steps are short parallel regions, by 100x or more (measured: 0.3 s alone, 179 s under
    xdist).  Tests of thread independence set their own thread counts."""
    if UNDER_XDIST:
        import numba

        numba.set_num_threads(1)
    yield


def child_env() -> dict[str, str]:
    """The environment for a ``multitemp`` child process: under pytest-xdist, one numba thread,
    for the reason above (with a child of two spinning threads beside the other worker, the
    mixture SIGTERM test took 70-110 s)."""
    return {**os.environ, "NUMBA_NUM_THREADS": "1"} if UNDER_XDIST else dict(os.environ)


@pytest.fixture
def fresh_threads():
    import numba

    n = numba.get_num_threads()
    yield
    numba.set_num_threads(n)


def mixture_config(**over) -> MixtureConfig:
    data = {
        "mixture": {
            "dim": 2,
            "particles": 600,
            "phi": 0.4,
            "types": [
                {"name": "hot", "temperature": 20.0, "fraction": 0.5},
                {"name": "cold", "temperature": 1.0, "fraction": 0.5},
            ],
        },
        "pair_potential": {"kind": "soft", "k": 100.0, "s": 1.0},
        "run": {"dt": 1e-4, "time": 0.2, "burn_in": 0.05, "seed": 3},
        "neighbors": {"skin": 0.5},
        "output": {"write_every": 400},
    }
    return MixtureConfig.model_validate(override(data, **over))


def override(data: dict, **over) -> dict:
    """``data`` with ``table.key`` (or whole ``table``) values replaced; a value None drops a table."""
    for key, value in over.items():
        table, _, field = key.partition(".")
        data[table] = {**data.get(table, {}), field: value} if field else value
        if value is None and not field:
            del data[table]
    return data


def _toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(x)}" for k, x in v.items()) + " }"
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, str):
        import json

        return json.dumps(v)
    return repr(float(v)) if isinstance(v, float) else str(v)


def write_toml(path, data: dict):
    """A config dict as a TOML file (tables of inline values), for CLI tests."""
    lines = []
    for table, content in data.items():
        lines.append(f"[{table}]")
        lines += [f"{k} = {_toml_value(v)}" for k, v in content.items()]
    path.write_text("\n".join(lines) + "\n")
    return path
