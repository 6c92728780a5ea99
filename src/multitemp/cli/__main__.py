"""``python -m multitemp.cli``: the command line."""

from multitemp.cli import app

app()
