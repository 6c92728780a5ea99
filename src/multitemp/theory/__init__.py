"""Closed-form results."""

from multitemp.theory.linear import LinearTheory

__all__ = ["LinearTheory"]
