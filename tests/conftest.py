import os
import time

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


def _compile_mixture_kernel() -> None:
    from multitemp.mixture.engine import ManyBodyEngine, random_positions

    m = mixture_config().build()
    ManyBodyEngine(m, 1e-4, 1, 0.5, burn_step=2, positions=random_positions(m, 1)).advance(4)


def _compile_ensemble_kernel(n: int, d: int) -> None:
    system = System(d, np.linspace(1.0, 2.0, n), pair=HarmonicSpring(1.0), external=HarmonicTrap(1.0))
    simulate(system, RunParameters(dt=1e-3, time=2e-3, replicas=1))


#: what each of the first two test workers compiles before its first test (see below): the
#: many-body kernel and the ensemble kernel's (particles, dimension) variants that the tests use,
#: in two halves of about the same time (measured alone: 76 s for the first, 21 s per variant)
COMPILE_FIRST = {
    "gw0": (_compile_mixture_kernel, lambda: _compile_ensemble_kernel(2, 3)),
    "gw1": tuple(lambda n=n, d=d: _compile_ensemble_kernel(n, d) for n, d in ((2, 1), (2, 2), (5, 1), (3, 2))),
}


@pytest.fixture(scope="session", autouse=True)
def _kernels_compiled_once(tmp_path_factory):
    """Under pytest-xdist with two or more workers, the first two compile the shared kernels
    into numba's on-disk cache, each its own half (the many-body kernel on one, the ensemble
    kernel's variants on the other), and wait for each other before the first test: else both
    compile the same kernel at the same time (measured on 2 cores: the suite 6 min 05 s, and 1.5x
    the work of one process)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker not in COMPILE_FIRST or int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1")) < 2:
        yield
        return
    shared = tmp_path_factory.getbasetemp().parent  # one folder for all workers of this run
    try:
        for compile_kernel in COMPILE_FIRST[worker]:
            compile_kernel()
    finally:
        (shared / f"{worker}.compiled").touch()
    deadline = time.monotonic() + 600
    while not all((shared / f"{w}.compiled").exists() for w in COMPILE_FIRST) and time.monotonic() < deadline:
        time.sleep(0.2)
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


#: test files that take longest (seconds of a cold run on 2 workers: 35-150), sent to the
#: workers first so that the short ones fill in at the end (pytest-xdist's --dist loadfile
#: hands out files in collection order); measured: 5 min 26 s with the collection order
LONGEST_FIRST = ("test_ratchet.py", "test_polymer.py", "test_mixture_physics.py", "test_interrupt.py",
                 "test_manybody.py", "test_sweep.py", "test_mixture_cli.py", "test_custom_potentials.py")  # fmt: skip


def pytest_collection_modifyitems(items):
    rank = {name: k for k, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))
