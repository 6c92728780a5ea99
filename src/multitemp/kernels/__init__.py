"""Numba kernels: arrays and scalars in, arrays out; no I/O, no Python per step."""
