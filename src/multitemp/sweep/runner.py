"""Run the points of a sweep on a Dask cluster: an embedded ``LocalCluster`` by default (one
worker process per core, one thread each, so numba does not oversubscribe the CPU), or an
existing cluster given by address or scheduler file.  A point is an ensemble run, or a
many-body run (a config with ``[mixture]``, chains included) whose summary also holds the
phase-separation observables of its final frames (:func:`multitemp.mixture.run.run_and_analyse`)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from multitemp.core.config import ConfigError
from multitemp.sweep.dataset import sweep_dataset
from multitemp.sweep.spec import SweepSpec
from multitemp.sweep.store import PointStore


def run_point(config_dict: dict[str, Any], threads: int | None = 1) -> dict[str, Any]:
    """Run one point on a worker; never raises: a failure comes back as a record with the error."""
    import numba

    from multitemp.api import parse_config
    from multitemp.ensemble.run import run_config
    from multitemp.mixture.config import MixtureConfig
    from multitemp.mixture.run import run_and_analyse

    t0 = time.perf_counter()
    try:
        if threads:
            numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
        config = parse_config(config_dict)
        if isinstance(config, MixtureConfig):
            summary = run_and_analyse(config)
        else:
            summary = run_config(config, None, figure=False).summary
        return {"status": "ok", "summary": summary, "seconds": time.perf_counter() - t0}
    except Exception as err:  # recorded, so that one bad point does not stop the others
        return {"status": "failed", "error": f"{type(err).__name__}: {err}", "seconds": time.perf_counter() - t0}


@dataclass
class SweepSummary:
    """What a sweep did: counts, failures (values and error), files, timings."""

    total: int
    skipped: int
    computed: int
    failures: list[dict[str, Any]] = field(default_factory=list)
    output: Path | None = None
    wall_seconds: float = 0.0
    point_seconds: float = 0.0
    workers: int = 0
    dashboard: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "total": self.total, "skipped": self.skipped, "computed": self.computed,
            "failed": len(self.failures), "failures": self.failures,
            "output": str(self.output) if self.output else None, "wall_seconds": self.wall_seconds,
            "point_seconds": self.point_seconds, "workers": self.workers, "dashboard": self.dashboard,
        }  # fmt: skip


def _connect(client: Any, scheduler: str | None, scheduler_file: str | None, workers: int | None):
    """(client, cluster to close or None)."""
    from distributed import Client, LocalCluster

    if client is not None:
        return (Client(client) if isinstance(client, str) else client), None, False
    if scheduler:
        return Client(scheduler), None, True
    if scheduler_file:
        return Client(scheduler_file=str(scheduler_file)), None, True
    n = workers or os.cpu_count() or 1
    cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=":0")
    return Client(cluster), cluster, True


def run_sweep(
    spec: SweepSpec,
    out: str | Path,
    *,
    client: Any = None,
    scheduler: str | None = None,
    scheduler_file: str | None = None,
    workers: int | None = None,
    threads_per_point: int | None = 1,
    progress: Callable[[int, int, int], None] | None = None,
    on_connect: Callable[[str | None, int], None] | None = None,
    zarr: bool = False,
) -> SweepSummary:
    """Run every point not yet done; write ``OUT/points/*.json`` as points finish, then ``OUT/sweep.nc``.

    ``client``: a ``dask.distributed.Client`` or a scheduler address; otherwise ``scheduler``
    (address), ``scheduler_file``, or a new ``LocalCluster`` with ``workers`` processes.
    ``progress(done, total, failed)`` after each point.  ``zarr``: also write ``OUT/sweep.zarr``
    (chunked, for large sweeps).  Raises ConfigError when no point has a valid config.
    """
    out = Path(out)
    points = spec.points()
    if all(p.error for p in points):
        raise ConfigError(points[0].error or "no valid point")
    store = PointStore(out)
    todo = [p for p in points if not store.is_done(p.key)]
    summary = SweepSummary(total=len(points), skipped=len(points) - len(todo), computed=0)
    t0 = time.perf_counter()
    done = summary.skipped
    for p in todo:
        if p.error:
            store.save(
                p.key, {"key": p.key, "values": p.values, "config": p.config_dict, "status": "failed", "error": p.error}
            )
    runnable = [p for p in todo if not p.error]
    if runnable:
        from distributed import as_completed

        dask_client, cluster, owned = _connect(client, scheduler, scheduler_file, workers)
        try:
            summary.workers = len(dask_client.scheduler_info().get("workers", {}))
            summary.dashboard = getattr(dask_client, "dashboard_link", None) if _has_bokeh() else None
            if on_connect:
                on_connect(summary.dashboard, summary.workers)
            futures = {
                dask_client.submit(run_point, p.config_dict, threads_per_point, key=f"point-{p.key}", pure=False): p
                for p in runnable
            }
            for fut in as_completed(futures):
                p = futures[fut]
                rec = fut.result()
                rec.update(key=p.key, values=p.values, config=p.config_dict)
                store.save(p.key, rec)
                summary.computed += 1
                summary.point_seconds += rec.get("seconds", 0.0)
                done += 1
                if progress:
                    progress(done, len(points), sum(1 for q in points if q.error) + _failed_count(store, runnable))
        finally:
            if owned:
                dask_client.close()
            if cluster is not None:
                cluster.close()
    for p in points:
        rec = store.load(p.key)
        if rec is None or rec.get("status") != "ok":
            summary.failures.append({"values": p.values, "error": (rec or {}).get("error", "not run")})
    ds = sweep_dataset(spec, points, store)
    summary.output = out / "sweep.nc"
    from multitemp.core.files import write_netcdf

    write_netcdf(ds, summary.output)
    if zarr:
        ds.to_zarr(out / "sweep.zarr", mode="w")
    summary.wall_seconds = time.perf_counter() - t0
    return summary


def _failed_count(store: PointStore, points) -> int:
    return sum(1 for p in points if (rec := store.load(p.key)) is not None and rec.get("status") == "failed")


def _has_bokeh() -> bool:
    import importlib.util

    return importlib.util.find_spec("bokeh") is not None
