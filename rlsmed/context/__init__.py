"""Reading a medication list as its writer meant it: which drugs the patient takes now.

Every drug mention gets a status (rlsmed.context.Status) with a reason a person can check:

- sections: a heading ("STOP taking these medications", "Allergies", "Family history") sets the status
  of the lines under it (rlsmed.context.sections);
- phrases on the line, scoped to the drug they govern ("sertraline 50 mg; stopped trazodone"), after the
  ConText algorithm (rlsmed.context.phrases);
- Parkinson's disease named as the patient's, on the line or anywhere in the list (rlsmed.context.parkinson).

The rules and their vocabulary are data (data/context.json), read on first use. Nothing here depends on
the screening pipeline: `Document.read(text, spans, number)` takes a line and the word spans of the drug
names found in it (as rlsmed.matcher's Hit.start and Hit.end count them).
"""

from __future__ import annotations

from typing import Any

# Not `from typing import TYPE_CHECKING`'s usual imports at run time: each name is imported on first use,
# so that a module needing only the rules (readers deciding what is screened) does not load the rest.
TYPE_CHECKING = False

__all__ = [
    "CURRENT",
    "STATUS_REASON",
    "Decision",
    "Document",
    "Heading",
    "Reading",
    "Rules",
    "SectionTracker",
    "Status",
    "load_rules",
    "record_status",
    "shipped_rules",
]

if TYPE_CHECKING:
    from ..models import Heading, Status
    from .document import Document, Reading
    from .phrases import CURRENT, Decision
    from .records import STATUS_REASON, record_status
    from .rules import Rules, load_rules, shipped_rules
    from .sections import SectionTracker

_WHERE = {
    "CURRENT": "phrases",
    "Decision": "phrases",
    "Document": "document",
    "Reading": "document",
    "STATUS_REASON": "records",
    "record_status": "records",
    "Rules": "rules",
    "load_rules": "rules",
    "shipped_rules": "rules",
    "SectionTracker": "sections",
}


def __getattr__(name: str) -> Any:
    if name in ("Heading", "Status"):
        from .. import status

        return getattr(status, name)
    if name in _WHERE:
        from importlib import import_module

        return getattr(import_module(f".{_WHERE[name]}", __name__), name)
    raise AttributeError(f"module 'rlsmed.context' has no attribute {name!r}")
