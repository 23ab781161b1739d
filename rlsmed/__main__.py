"""`python -m rlsmed`."""

from .cli import run

run()
