"""A live ensemble for the explorer: batches of fresh replicas run in a background thread and
are pooled, so the error bars shrink as replicas accumulate.

Every change of parameters starts a new *generation*: the pool is emptied, and a batch that
was running with the old parameters is discarded when it ends, so old and new results never
mix.  Batch b of a generation uses replicas [b R, (b + 1) R) of the noise stream: the pool is
replica for replica one larger ensemble.

Only one kernel call runs at a time in the process (``KERNEL_LOCK``): each call already uses
every core, and the pages take turns on them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["Batch", "Pool", "LiveEnsemble", "KERNEL_LOCK"]

KERNEL_LOCK = threading.Lock()


@dataclass
class Batch:
    """What one batch of replicas contributes: per-replica arrays (concatenated along axis 0 of
    the pool) and sums (added)."""

    per_replica: dict[str, np.ndarray] = field(default_factory=dict)
    sums: dict[str, np.ndarray] = field(default_factory=dict)
    replicas: int = 0


@dataclass
class Pool:
    """All batches of one generation so far."""

    generation: int
    params: dict[str, Any]
    batches: int = 0
    replicas: int = 0
    per_replica: dict[str, np.ndarray] = field(default_factory=dict)
    sums: dict[str, np.ndarray] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    error: str | None = None

    def add(self, batch: Batch) -> None:
        for k, v in batch.per_replica.items():
            self.per_replica[k] = np.concatenate([self.per_replica[k], v]) if k in self.per_replica else v.copy()
        for k, v in batch.sums.items():
            self.sums[k] = self.sums[k] + v if k in self.sums else v.copy()
        self.batches += 1
        self.replicas += batch.replicas


BatchFunction = Callable[[Mapping[str, Any], int], Batch]


class LiveEnsemble:
    """Runs ``batch(params, batch_index)`` again and again in a daemon thread.

    Args:
        batch: computes one batch for the given parameters (it is called with ``KERNEL_LOCK`` held).
        params: the first parameters.
        max_replicas: stop adding batches once the pool holds this many replicas.
        prepare: optional ``prepare(params) -> dict`` run once per generation (e.g. a movie's
            trajectory); its result is ``pool.extra``.
    """

    def __init__(
        self,
        batch: BatchFunction,
        params: Mapping[str, Any],
        *,
        max_replicas: int = 200_000,
        prepare: Callable[[Mapping[str, Any]], dict[str, Any]] | None = None,
    ):
        self._batch, self._prepare = batch, prepare
        self.max_replicas = max_replicas
        self._lock = threading.Condition()
        self._pool = Pool(0, dict(params))
        self._stopped = False
        self._thread = threading.Thread(target=self._loop, name="multitemp-live", daemon=True)
        self._thread.start()

    def restart(self, params: Mapping[str, Any]) -> None:
        """New parameters: a new generation with an empty pool."""
        with self._lock:
            self._pool = Pool(self._pool.generation + 1, dict(params))
            self._lock.notify_all()

    def snapshot(self) -> Pool:
        """The current generation's pool (a shallow copy; safe to read from the UI thread)."""
        with self._lock:
            p = self._pool
            return Pool(p.generation, dict(p.params), p.batches, p.replicas, dict(p.per_replica), dict(p.sums),
                        dict(p.extra), p.error)  # fmt: skip

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            self._lock.notify_all()

    def wait(self, replicas: int, timeout: float = 60.0) -> Pool:
        """Block until the current generation holds ``replicas`` (for tests and notebooks)."""
        t0 = time.monotonic()
        while time.monotonic() - t0 < timeout:
            pool = self.snapshot()
            if pool.replicas >= replicas or pool.error:
                return pool
            time.sleep(0.05)
        raise TimeoutError(f"fewer than {replicas} replicas after {timeout} s")

    def _loop(self) -> None:
        prepared_for = -1
        while True:
            with self._lock:
                while (
                    not self._stopped
                    and self._pool.replicas >= self.max_replicas
                    and prepared_for == self._pool.generation
                ):
                    self._lock.wait()
                if self._stopped:
                    return
                generation, params, index = self._pool.generation, dict(self._pool.params), self._pool.batches
                if self._pool.error:
                    self._lock.wait(0.5)
                    continue
            try:
                if self._prepare is not None and prepared_for != generation:
                    with KERNEL_LOCK:
                        extra = self._prepare(params)
                    with self._lock:
                        if self._pool.generation == generation:
                            self._pool.extra = extra
                    prepared_for = generation
                    continue
                prepared_for = generation
                if self.snapshot().replicas >= self.max_replicas:
                    continue
                with KERNEL_LOCK:
                    batch = self._batch(params, index)
            except Exception as err:  # shown on the page; the thread waits for new parameters
                with self._lock:
                    if self._pool.generation == generation:
                        self._pool.error = f"{type(err).__name__}: {err}"
                continue
            with self._lock:
                if self._pool.generation == generation and self._pool.batches == index:
                    self._pool.add(batch)
