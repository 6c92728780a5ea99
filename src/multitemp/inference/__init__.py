"""Entropy production from trajectories alone (physics.md sections 3 and 8): no forces, no
temperatures, only positions sampled every dt."""

from multitemp.inference.data import InputError, Trajectories, load_trajectories
from multitemp.inference.estimators import Estimate, current_based, infer, short_time_tur, tur_bound

__all__ = [
    "Trajectories",
    "InputError",
    "load_trajectories",
    "Estimate",
    "infer",
    "short_time_tur",
    "tur_bound",
    "current_based",
]
