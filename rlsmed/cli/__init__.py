"""The command line: a thin layer that parses options, calls the library, and writes what it returns.

app.py      the Typer application, the root options, and options commands share
check.py    `rlsmed check`
knowledge.py  `rlsmed explain` and `rlsmed kb validate | list | search`
handling.py exceptions → exit codes and one-line messages on stderr
streams.py  guarded stdout and stderr, and buffered streams onto file descriptors
destination.py  the report's destination: stdout, or --output written atomically
progress.py the progress bar on stderr
main.py     the console script: main() and run()
"""

from .app import app
from .main import main, run

__all__ = ["app", "main", "run"]
