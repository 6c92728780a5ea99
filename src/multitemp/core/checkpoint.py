"""Checkpoints of both engines: the state arrays, the resolved config beside them, and the
check that a resumed run is the same run (only its length and thread count may change)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["CHECKPOINT", "ResumeError", "config_array", "check_same_run"]

#: the checkpoint's file name in a run's output folder
CHECKPOINT = "checkpoint.npz"


class ResumeError(ValueError):
    """Nothing to resume, or a checkpoint written by another config."""


def config_array(resolved: dict[str, Any]) -> np.ndarray:
    """The resolved config as bytes, to be saved beside the state arrays."""
    return np.frombuffer(json.dumps(resolved).encode(), dtype=np.uint8)


def _comparable(resolved: dict) -> dict:
    """The config without the keys a resumed run may change (run length, threads, checkpoint interval)."""
    c = json.loads(json.dumps(resolved))
    for key in ("time", "threads", "checkpoint_every"):
        c.get("run", {}).pop(key, None)
    return c


def check_same_run(saved: np.ndarray, resolved: dict[str, Any], path: Path) -> dict[str, Any]:
    """The saved config (from :func:`config_array`); :class:`ResumeError` unless it is this run's."""
    config = json.loads(bytes(saved).decode())
    if _comparable(config) != _comparable(resolved):
        raise ResumeError(f"{path} was written by another config (only run.time and run.threads may change)")
    return config
