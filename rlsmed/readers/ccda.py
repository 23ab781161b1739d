"""C-CDA (R2.1, and the CCD before it): the medicines of a patient's HL7 v3 XML document.

Read: each `substanceAdministration` of the Medications section (LOINC 10160-0), of the Discharge and
Admission Medications sections (through their act wrapper), and of the Medications Administered and
Procedure Anesthesia sections; and each substance of the Allergies section. The drug is taken from
consumable/manufacturedProduct/manufacturedMaterial: its originalText (a reference resolved into the
section's narrative), the code's displayName, its translations' and the material's name, and every
RxNorm code. Whether a medicine is current is decided in ccda_status (not from statusCode alone).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import date
from typing import BinaryIO, NamedTuple

from ..errors import InputError
from ..formats import InputFormat
from ..models import InputRecord
from . import xmlsafe
from .base import Claim, Head, Reader, ReadOptions, in_batches
from .ccda_narrative import NS, Narrative, V, plain_text
from .ccda_status import allergy_status, hl7_date, medication_status
from .decode import CHUNK

__all__ = ["NS", "SECTIONS", "CcdaReader", "looks_like_ccda", "looks_like_xml"]

RXNORM = "2.16.840.1.113883.6.88"


class Section(NamedTuple):
    """How the entries of a kind of section are read: the noun a record is named with, and whether its
    medicines are current by the usual rules, given during the encounter, or allergies."""

    noun: str
    kind: str  # "list", "given" or "allergy"


# LOINC section codes. Immunizations (11369-6) and Plan of Treatment (18776-5) are not read.
SECTIONS = {
    "10160-0": Section("medication", "list"),  # History of medication use (the Medications section)
    "10183-2": Section("discharge medication", "list"),  # Hospital discharge medications
    "75311-1": Section("discharge medication", "list"),  # Discharge medications (newer code)
    "42346-7": Section("admission medication", "list"),  # Medications on admission
    "29549-3": Section("medication given", "given"),  # Medications administered
    "59774-0": Section("anesthesia medication", "given"),  # Procedure anesthesia
    "48765-2": Section("allergy", "allergy"),  # Allergies, adverse reactions, alerts
}

_SPACE = re.compile(r"\s+")


class _Document:
    """A parsed document and the narrative of each section, looked up by the ID its entries refer to."""

    def __init__(self, root: ET.Element, source: str, today: date) -> None:
        self.root = root
        self.source = source
        self.today = today
        self.patient = _patient(root)

    def records(self, notes: list[str]) -> Iterator[InputRecord]:
        """The records of the document; `notes` gets what a person should know when a medication list
        gave none (no Medications section, or one that says "no information")."""
        counts: dict[str, int] = {}
        position = 0
        lists = 0
        for section in self.root.iter(V + "section"):
            kind = SECTIONS.get(_code(section))
            if kind is None:
                continue
            lists += kind.kind == "list"
            narrative = Narrative(section.find(V + "text"))
            before = position
            for entry in section.findall(V + "entry"):
                items = _allergens(entry) if kind.kind == "allergy" else _administrations(entry)
                for item in items:
                    position += 1
                    number = counts[kind.noun] = counts.get(kind.noun, 0) + 1
                    yield self._record(item, kind, number, position, narrative)
            if kind.kind == "list" and position == before:
                said = plain_text(narrative.text)
                said = said if len(said) <= 80 else said[:80] + "…"
                flavor = section.get("nullFlavor", "").strip()
                why = f" (nullFlavor {flavor})" if flavor else ""
                title = plain_text(section.find(V + "title")) or f"LOINC {_code(section)}"
                notes.append(f"section {title!r} has no medication entries{why}" + (f": {said!r}" if said else ""))
        if not lists:
            notes.append("no Medications section in this document")

    def _record(self, item: ET.Element, kind: Section, number: int, line: int, narrative: Narrative) -> InputRecord:
        if kind.kind == "allergy":
            material = item.find(f"{V}participantRole/{V}playingEntity")
            status = allergy_status()
            names, codes = _drug(material, narrative)
            context: dict[str, str] = {}
        else:
            material = item.find(f"{V}consumable/{V}manufacturedProduct/{V}manufacturedMaterial")
            names, codes = _drug(material, narrative)
            status = medication_status(item, kind.kind, narrative, self.today)
            context = _details(item, narrative, names)
        context["status reason"] = status.reason
        text = "; ".join(names) or (f"RxNorm {', '.join(codes)}" if codes else "")
        return InputRecord(
            source=self.source,
            line=line,
            text=text,
            patient=self.patient,
            record=f"{kind.noun} {number}",
            status=status.word,
            codes=codes,
            context=context,
        )


def _code(section: ET.Element) -> str:
    code = section.find(V + "code")
    return code.get("code", "").strip() if code is not None else ""


def _patient(root: ET.Element) -> str | None:
    """The patient's id as the document gives it (recordTarget/patientRole/id: its extension, else root)."""
    ids = root.findall(f"{V}recordTarget/{V}patientRole/{V}id")
    for element in ids:
        if value := element.get("extension", "").strip():
            return value
    return next((value for element in ids if (value := element.get("root", "").strip())), None)


def _administrations(entry: ET.Element) -> list[ET.Element]:
    """The substanceAdministrations of an entry: itself, or inside the act (Discharge and Admission
    Medication) or organizer that wraps them. Instructions nested in an administration are not medicines."""
    direct = entry.findall(V + "substanceAdministration")
    if direct:
        return direct
    found: list[ET.Element] = []
    for wrapper in (*entry.findall(V + "act"), *entry.findall(V + "organizer")):
        for link in (*wrapper.findall(V + "entryRelationship"), *wrapper.findall(V + "component")):
            found.extend(link.findall(V + "substanceAdministration"))
    return found


def _allergens(entry: ET.Element) -> list[ET.Element]:
    """The substance participants of an entry's allergy observations (not negated ones: "no known
    allergies", "not allergic to peanuts"), each with what names the substance."""
    found = []
    for observation in entry.iter(V + "observation"):
        if observation.get("negationInd", "").strip().lower() == "true":
            continue
        for participant in observation.findall(V + "participant"):
            entity = participant.find(f"{V}participantRole/{V}playingEntity")
            if participant.get("typeCode", "CSM") == "CSM" and entity is not None and _named(entity):
                found.append(participant)
    return found


def _named(entity: ET.Element) -> bool:
    code = entity.find(V + "code")
    if plain_text(entity.find(V + "name")):
        return True
    return code is not None and bool(
        code.get("code") or code.get("displayName") or code.find(V + "originalText") is not None
    )


def _drug(material: ET.Element | None, narrative: Narrative) -> tuple[list[str], tuple[str, ...]]:
    """The names of a drug (as the document shows it first: originalText, then displayName, translations
    and the material's name; each only when it adds words) and its RxNorm codes."""
    if material is None:
        return [], ()
    names: list[str] = []
    codes: list[str] = []
    code = material.find(V + "code")
    if code is not None:
        original = code.find(V + "originalText")
        if original is not None:
            names.append(narrative.original_text(original))
        for concept in (code, *code.findall(V + "translation")):
            names.append(_SPACE.sub(" ", concept.get("displayName", "")).strip())
            value = concept.get("code", "").strip()
            if concept.get("codeSystem", "").strip() == RXNORM and value.isdigit() and value.isascii():
                codes.append(value)
    names.append(plain_text(material.find(V + "name")))
    return _distinct(names), tuple(dict.fromkeys(codes))


_PLACEHOLDERS = frozenset({"unknown", "unk", "n/a", "na", "none", "null", "nullflavor", "other", "-"})


def _distinct(names: list[str]) -> list[str]:
    """Names in order, leaving out empty ones, placeholders ("Unknown") and ones that an earlier name
    already contains."""
    kept: list[str] = []
    folded: list[str] = []
    for name in names:
        key = name.casefold()
        if key and key not in _PLACEHOLDERS and not any(key in other for other in folded):
            kept.append(name)
            folded.append(key)
    return kept


def _details(item: ET.Element, narrative: Narrative, names: list[str]) -> dict[str, str]:
    """Dose, route, directions and dates: what a report shows beside a finding."""
    context: dict[str, str] = {}
    dose = item.find(V + "doseQuantity")
    if dose is not None and (value := dose.get("value", "").strip()):
        unit = dose.get("unit", "").strip()
        context["dose"] = f"{value} {unit}" if unit and unit != "1" else value
    route = item.find(V + "routeCode")
    if route is not None:
        name = route.get("displayName", "").strip() or plain_text(route.find(V + "originalText"))
        if name:
            context["route"] = name
    sig = ""
    for link in item.findall(V + "entryRelationship"):
        inner = link.find(V + "substanceAdministration")
        code = inner.find(V + "code") if inner is not None else None
        if inner is not None and code is not None and code.get("code") == "76662-6":  # Medication Instructions
            sig = narrative.original_text(inner.find(V + "text"))
    if not sig:
        own = narrative.original_text(item.find(V + "text"))
        sig = own if own and not any(own.casefold() == n.casefold() for n in names) else ""
    if sig:
        context["instructions"] = sig
    for element in item.findall(V + "effectiveTime"):
        for part, key in (("low", "start"), ("high", "end")):
            found = element.find(V + part)
            if found is not None and (value := found.get("value", "").strip()):
                when = hl7_date(value, end=key == "end")
                context[key] = when.isoformat() if when is not None else value
    return context


_XML_START = re.compile(r"<\?xml\s|<[A-Za-z_][\w.:-]*\s[^<>]*\bxmlns(?::[\w.-]+)?\s*=")


def looks_like_xml(text: str) -> bool:
    """True when decoded text starts as an XML document does: an XML declaration, or (after comments and
    processing instructions) a start tag that declares a namespace. `<b>Zoloft</b>` is no XML document."""
    text = text.lstrip("\ufeff \t\r\n")
    while text.startswith(("<!--", "<?xml-")):
        end = text.find("-->" if text.startswith("<!--") else "?>")
        if end < 0:
            return False
        text = text[end + 3 if text.startswith("<!--") else end + 2 :].lstrip()
    return _XML_START.match(text) is not None


_ROOT_TAG = re.compile(r"<(?:[\w.-]+:)?ClinicalDocument\b[^>]*?urn:hl7-org:v3", re.DOTALL)


def looks_like_ccda(text: str) -> bool:
    """True when decoded text (the start of an input) holds a ClinicalDocument start tag in the HL7 v3
    namespace after its prolog."""
    return looks_like_xml(text) and _ROOT_TAG.search(text[:CHUNK]) is not None


class CcdaReader(Reader):
    """Each medicine of a C-CDA document is one record, named by its section and number ("medication 3");
    its status says whether it is current, with the reason (in its context, "status reason")."""

    format = InputFormat.CCDA
    statuses = True

    def __init__(self, today: date | None = None) -> None:
        self.today = today
        self._notes: list[str] = []  # of the last document read: why it gave no medicines, when it gave none

    @staticmethod
    def detect(head: Head) -> Claim:
        """A ClinicalDocument in the HL7 v3 namespace is certain; other XML documents are likely (and
        refused by the reader, rather than read line by line as text)."""
        if head.sample is None or not looks_like_xml(head.sample):
            return Claim.NONE
        return Claim.CERTAIN if looks_like_ccda(head.sample) else Claim.LIKELY

    def notes(self) -> list[str]:
        return list(self._notes)

    def read_batches(self, stream: BinaryIO, source: str, options: ReadOptions) -> Iterator[list[InputRecord]]:
        yield from in_batches(self.read(stream, source, options))

    def read(self, stream: BinaryIO, source: str, options: ReadOptions) -> Iterator[InputRecord]:
        parts = []
        size = 0
        while chunk := stream.read(CHUNK * 16):
            size += len(chunk)
            if size > xmlsafe.MAX_DOCUMENT:
                raise InputError(source, f"XML larger than {xmlsafe.MAX_DOCUMENT >> 20} MiB; is this one document?")
            parts.append(chunk)
        data = b"".join(parts)
        del parts
        if not data.strip():
            return
        root = xmlsafe.parse(data, source)
        del data
        if root.tag != V + "ClinicalDocument":
            tag = root.tag.rpartition("}")[2]
            where = f" in namespace {root.tag[1:].partition('}')[0]}" if root.tag.startswith("{") else ""
            raise InputError(source, f"XML, but not a C-CDA document: its root element is <{tag}>{where}")
        self._notes = []
        yield from _Document(root, source, self.today or date.today()).records(self._notes)
