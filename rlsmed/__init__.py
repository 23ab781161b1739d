"""rlsmed: screen a medication list for drugs that may provoke or worsen restless legs syndrome (RLS).

>>> import rlsmed
>>> report = rlsmed.check("Zoloft 50 mg daily")  # doctest: +SKIP
>>> [f.drug.name for f in report.findings]  # doctest: +SKIP
['sertraline']
"""

from __future__ import annotations

# Not `from typing import TYPE_CHECKING`: importing typing takes milliseconds, and `rlsmed` is imported
# before the command line can handle Ctrl-C (rlsmed.entry). Type checkers read this name as typing's.
TYPE_CHECKING = False

__version__ = "0.1.0"

__all__ = ["CheckOptions", "Report", "__version__", "check", "check_files", "load_knowledge_base", "render"]

if TYPE_CHECKING:
    from typing import Any

    from .api import CheckOptions, check, check_files, render
    from .kb import load_knowledge_base
    from .report import Report


def __getattr__(name: str) -> Any:
    # Imported on first use so that `rlsmed --version` and the CLI start fast.
    if name in ("check", "check_files", "render", "CheckOptions"):
        from . import api

        return getattr(api, name)
    if name == "load_knowledge_base":
        from .kb import load_knowledge_base

        return load_knowledge_base
    if name == "Report":
        from .report import Report

        return Report
    raise AttributeError(f"module 'rlsmed' has no attribute {name!r}")
