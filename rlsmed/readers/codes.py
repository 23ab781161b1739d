"""Code systems medication records name their drugs in: RxNorm (screened by code) and others (shown)."""

from __future__ import annotations

__all__ = ["RXNORM_SYSTEMS", "SYSTEM_LABELS", "is_rxnorm", "rxnorm_codes", "system_label"]

# RxNorm as FHIR names it, and as HL7 v3 (C-CDA) does, by its OID.
RXNORM_OID = "2.16.840.1.113883.6.88"
RXNORM_SYSTEMS = frozenset(
    {
        "http://www.nlm.nih.gov/research/umls/rxnorm",
        "https://www.nlm.nih.gov/research/umls/rxnorm",
        f"urn:oid:{RXNORM_OID}",
        RXNORM_OID,
    }
)
# Labels of code systems other than RxNorm, for the text of a record known only by its code.
SYSTEM_LABELS = {
    "http://snomed.info/sct": "SNOMED CT",
    "http://hl7.org/fhir/sid/ndc": "NDC",
    "http://www.whocc.no/atc": "ATC",
    "urn:oid:2.16.840.1.113883.6.69": "NDC",
    "urn:oid:2.16.840.1.113883.6.96": "SNOMED CT",
    "2.16.840.1.113883.6.69": "NDC",
    "2.16.840.1.113883.6.96": "SNOMED CT",
}


def _key(system: str) -> str:
    return system.strip().rstrip("/").lower()


def is_rxnorm(system: str) -> bool:
    """True when a code system (a FHIR URI or an HL7 OID) is RxNorm."""
    return _key(system) in RXNORM_SYSTEMS


def system_label(system: str) -> str:
    """How a report names a code system: "SNOMED CT", "NDC" …, else the system as written."""
    return SYSTEM_LABELS.get(_key(system)) or system


def rxnorm_codes(cell: str) -> tuple[str, ...]:
    """The RxNorm codes in a table cell: one code, or several separated by ; , | or spaces.

    RxCUIs are digits, at most 8 of them so far; NDCs (10-11 digits) and SNOMED codes are not RxNorm.
    """
    cell = cell.strip()
    if cell.isdigit() and cell.isascii() and len(cell) <= 8:
        return (cell,)
    if not cell:
        return ()
    parts = cell.replace(";", " ").replace(",", " ").replace("|", " ").split()
    return tuple(p for p in parts if p.isascii() and p.isdigit() and len(p) <= 8)
