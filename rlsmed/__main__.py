"""`python -m rlsmed`."""

from .entry import run

run()
