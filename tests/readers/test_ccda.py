"""The C-CDA reader: drugs and their names, statuses with reasons, the benchmark documents counted
independently, and hostile XML."""

from __future__ import annotations

import io
import pyexpat
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rlsmed
from rlsmed.errors import InputError
from rlsmed.models import InputRecord
from rlsmed.readers import xmlsafe
from rlsmed.readers.base import ReadOptions
from rlsmed.readers.ccda import CcdaReader, looks_like_ccda, looks_like_xml
from rlsmed.readers.ccda_status import hl7_date

from ..helpers import SHARED

CCDA = SHARED / "bench" / "ccda"
TODAY = date(2026, 6, 1)
RXNORM = "2.16.840.1.113883.6.88"


def read(data: bytes | str, name: str = "CCD.xml") -> list[InputRecord]:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return list(CcdaReader(today=TODAY).read(io.BytesIO(raw), name, ReadOptions()))


def error(data: bytes | str, name: str = "CCD.xml") -> InputError:
    with pytest.raises(InputError) as e:
        read(data, name)
    return e.value


def document(*sections: str, patient: str = '<id root="2.16.840.1.113883.19.5" extension="MRN-7"/>') -> str:
    """A ClinicalDocument holding these sections (as a real one does: structuredBody/component/section)."""
    body = "".join(f"<component>{s}</component>" for s in sections)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<ClinicalDocument xmlns="urn:hl7-org:v3" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
        f"<recordTarget><patientRole>{patient}</patientRole></recordTarget>\n"
        f"<component><structuredBody>{body}</structuredBody></component>\n"
        "</ClinicalDocument>\n"
    )


def section(code: str, text: str, *entries: str) -> str:
    return (
        f'<section><code code="{code}" codeSystem="2.16.840.1.113883.6.1"/><title>T</title>'
        f"<text>{text}</text>{''.join(f'<entry>{e}</entry>' for e in entries)}</section>"
    )


def medication(
    material: str,
    *,
    status: str = "completed",
    times: str = '<effectiveTime xsi:type="IVL_TS"><low value="20240101"/><high nullFlavor="NI"/></effectiveTime>',
    extra: str = "",
    attributes: str = 'moodCode="EVN"',
) -> str:
    return (
        f'<substanceAdministration classCode="SBADM" {attributes}>'
        f'<templateId root="2.16.840.1.113883.10.20.22.4.16"/><statusCode code="{status}"/>{times}'
        f"<consumable><manufacturedProduct><manufacturedMaterial>{material}</manufacturedMaterial>"
        f"</manufacturedProduct></consumable>{extra}</substanceAdministration>"
    )


def rxnorm(code: str, display: str, inner: str = "") -> str:
    return f'<code code="{code}" codeSystem="{RXNORM}" displayName="{display}">{inner}</code>'


SERTRALINE = rxnorm("312940", "sertraline 50 MG Oral Tablet")


def meds(*entries: str, text: str = "") -> str:
    return document(section("10160-0", text, *entries))


# Drugs and their names


def test_drug_from_rxnorm_code_and_display_name() -> None:
    (record,) = read(meds(medication(SERTRALINE)))
    assert record.text == "sertraline 50 MG Oral Tablet"
    assert record.codes == ("312940",)
    assert record.record == "medication 1"
    assert record.patient == "MRN-7"
    assert record.source == "CCD.xml"
    assert record.status == "current"


def test_original_text_reference_resolved_into_the_narrative_and_shown_first() -> None:
    text = '<table><tbody><tr><td><content ID="m1">Zoloft 50 mg tablet</content></td></tr></tbody></table>'
    code = rxnorm("312940", "sertraline 50 MG Oral Tablet", '<originalText><reference value="#m1"/></originalText>')
    (record,) = read(meds(medication(code), text=text))
    assert record.text == "Zoloft 50 mg tablet; sertraline 50 MG Oral Tablet"


def test_translations_and_material_name_add_only_new_words() -> None:
    code = (
        '<code code="311041" codeSystem="2.16.840.1.113883.6.88" displayName="Insulin Glargine 100 UNT/ML">'
        "<originalText>Lantus 100 units/ml</originalText>"
        '<translation code="d04538" codeSystem="2.16.840.1.113883.6.314"/>'
        f'<translation code="285018" codeSystem="{RXNORM}" displayName="Insulin Glargine 100 UNT/ML [Lantus]"/>'
        '<translation code="5" codeSystem="2.16.840.1.113883.6.69" displayName="LANTUS 100 UNITS/ML"/>'
        "</code><name>Lantus</name>"
    )
    (record,) = read(meds(medication(code)))
    # "LANTUS 100 UNITS/ML" and "Lantus" are already in earlier names; the [Lantus] display adds a word.
    assert record.text == "Lantus 100 units/ml; Insulin Glargine 100 UNT/ML; Insulin Glargine 100 UNT/ML [Lantus]"
    assert record.codes == ("311041", "285018")  # RxNorm only, not Multum or NDC


def test_code_without_a_name_is_named_by_its_rxnorm_code() -> None:
    (record,) = read(meds(medication(f'<code code="312940" codeSystem="{RXNORM}"/>')))
    assert (record.text, record.codes) == ("RxNorm 312940", ("312940",))


def test_placeholder_names_are_left_out() -> None:
    original = "<originalText>Decongestant 120 MG</originalText>"
    code = f'<code code="Unknown" codeSystem="{RXNORM}" displayName="Unknown">{original}</code>'
    (record,) = read(meds(medication(code)))
    assert (record.text, record.codes) == ("Decongestant 120 MG", ())


def test_a_document_without_medicines_says_why() -> None:
    reader = CcdaReader(today=TODAY)
    said = "<text><paragraph>No information</paragraph></text>"
    empty = document(f'<section nullFlavor="NI"><code code="10160-0"/><title>MEDICATIONS</title>{said}</section>')
    assert list(reader.read(io.BytesIO(empty.encode()), "CCD.xml", ReadOptions())) == []
    assert reader.notes() == ["section 'MEDICATIONS' has no medication entries (nullFlavor NI): 'No information'"]
    assert list(reader.read(io.BytesIO(document().encode()), "CCD.xml", ReadOptions())) == []
    assert reader.notes() == ["no Medications section in this document"]
    assert len(list(reader.read(io.BytesIO(meds(medication(SERTRALINE)).encode()), "CCD.xml", ReadOptions()))) == 1
    assert reader.notes() == []


def test_a_drug_with_no_name_or_code_is_still_a_record() -> None:
    (record,) = read(meds(medication('<code nullFlavor="UNK"/>')))
    assert record.text == ""  # reported as unrecognised, never dropped


def test_context_dose_route_instructions_and_dates() -> None:
    text = '<paragraph ID="sig1">Take one tablet every morning</paragraph>'
    extra = (
        '<entryRelationship typeCode="COMP"><substanceAdministration moodCode="EVN">'
        '<code code="76662-6" codeSystem="2.16.840.1.113883.6.1"/><text><reference value="#sig1"/></text>'
        "</substanceAdministration></entryRelationship>"
    )
    entry = medication(
        SERTRALINE,
        extra='<routeCode code="C38288" displayName="Oral"/><doseQuantity value="1" unit="{tbl}"/>' + extra,
    )
    (record,) = read(meds(entry, text=text))
    assert dict(record.context) == {
        "dose": "1 {tbl}",
        "route": "Oral",
        "instructions": "Take one tablet every morning",
        "start": "2024-01-01",
        "status reason": "no end date in the past",
    }


def test_records_are_named_by_section_and_number() -> None:
    discharge = '<act classCode="ACT" moodCode="EVN"><entryRelationship typeCode="SUBJ">{}</entryRelationship></act>'
    xml = document(
        section("10160-0", "", medication(SERTRALINE), medication(rxnorm("6809", "metformin"))),
        section("10183-2", "", discharge.format(medication(rxnorm("5640", "ibuprofen")))),
    )
    records = read(xml)
    assert [(r.record, r.line, r.text) for r in records] == [
        ("medication 1", 1, "sertraline 50 MG Oral Tablet"),
        ("medication 2", 2, "metformin"),
        ("discharge medication 1", 3, "ibuprofen"),
    ]


def test_instructions_nested_in_an_administration_are_not_medicines() -> None:
    nested = (
        '<entryRelationship typeCode="COMP"><substanceAdministration moodCode="EVN">'
        '<code code="76662-6"/><consumable><manufacturedProduct><manufacturedLabeledDrug nullFlavor="NA"/>'
        "</manufacturedProduct></consumable></substanceAdministration></entryRelationship>"
    )
    assert len(read(meds(medication(SERTRALINE, extra=nested)))) == 1


def test_immunizations_and_other_sections_are_not_read() -> None:
    xml = document(section("11369-6", "", medication(rxnorm("1", "influenza vaccine"))), section("10160-0", ""))
    assert read(xml) == []


# Statuses: current, not current, past, allergy, each with its reason


def status(*entries: str, text: str = "") -> list[tuple[str | None, str]]:
    return [(r.status, r.context["status reason"]) for r in read(meds(*entries, text=text))]


def test_completed_status_code_alone_does_not_make_a_medicine_not_current() -> None:
    assert status(medication(SERTRALINE, status="completed")) == [("current", "no end date in the past")]


def test_end_date_in_the_past_is_not_current_and_in_the_future_is_current() -> None:
    past = '<effectiveTime xsi:type="IVL_TS"><low value="20240101"/><high value="20250131"/></effectiveTime>'
    future = '<effectiveTime xsi:type="IVL_TS"><low value="20240101"/><high value="20301231"/></effectiveTime>'
    year = '<effectiveTime xsi:type="IVL_TS"><high value="2026"/></effectiveTime>'  # until the end of 2026
    assert status(
        medication(SERTRALINE, times=past), medication(SERTRALINE, times=future), medication(SERTRALINE, times=year)
    ) == [
        ("not_current", "ended 2025-01-31 (effectiveTime)"),
        ("current", "no end date in the past"),
        ("current", "no end date in the past"),
    ]


def test_a_single_dose_in_the_past_is_not_current() -> None:
    once = '<effectiveTime value="20130911160300-0700"/>'
    assert status(medication(SERTRALINE, times=once)) == [
        ("not_current", "a single dose given 2013-09-11 (effectiveTime)")
    ]


def narrative_row(name_id: str, name: str, status_cell: str, heading: str = "") -> str:
    caption = f'<tr><th colspan="2">{heading}</th></tr>' if heading else ""
    return (
        f"<table><thead>{caption}<tr><th>Medication</th><th>Status</th></tr></thead>"
        f'<tbody><tr><td><content ID="{name_id}">{name}</content></td><td>{status_cell}</td></tr></tbody></table>'
    )


def referring(name_id: str) -> str:
    return medication(
        rxnorm(
            "312940", "sertraline 50 MG Oral Tablet", f'<originalText><reference value="#{name_id}"/></originalText>'
        )
    )


@pytest.mark.parametrize(
    ("cell", "heading", "expected"),
    [
        ("Active", "", ("current", "'Active' in the narrative's Status column")),
        ("Discontinued", "", ("not_current", "'Discontinued' in the narrative's Status column")),
        ("No Longer Active", "", ("not_current", "'No Longer Active' in the narrative's Status column")),
        ("On hold", "", ("not_current", "'On hold' in the narrative's Status column")),
        ("", "Expired", ("not_current", "listed under 'Expired' in the narrative")),
        ("", "Past Medications on file", ("past", "listed under 'Past Medications on file' in the narrative")),
        ("", "Current Medications", ("current", "no end date in the past")),
    ],
)
def test_narrative_status_column_and_table_heading(cell: str, heading: str, expected: tuple[str, str]) -> None:
    assert status(referring("m1"), text=narrative_row("m1", "Zoloft", cell, heading)) == [expected]


def test_heading_from_a_table_that_is_only_a_heading_just_before() -> None:
    text = (
        "<table><thead><tr><th>Past Medications on file</th><th/></tr></thead></table>"
        '<table><tbody><tr><td ID="m1">Zoloft</td><td>02/23/2010</td></tr></tbody></table>'
    )
    assert status(referring("m1"), text=text) == [("past", "listed under 'Past Medications on file' in the narrative")]


def test_status_observation() -> None:
    observation = (
        '<entryRelationship typeCode="REFR"><observation classCode="OBS" moodCode="EVN">'
        '<code code="33999-4" codeSystem="2.16.840.1.113883.6.1"/><statusCode code="completed"/>'
        '<value xsi:type="CE" code="73425007" codeSystem="2.16.840.1.113883.6.96" displayName="{}"/>'
        "</observation></entryRelationship>"
    )
    assert status(
        medication(SERTRALINE, extra=observation.format("No Longer Active")),
        medication(SERTRALINE, extra=observation.format("")),  # the code alone: Inactive
        medication(SERTRALINE, extra=observation.format("Active")),
    ) == [
        ("not_current", "status 'No Longer Active' (medication status observation)"),
        ("not_current", "status 'Inactive' (medication status observation)"),
        ("current", "status 'Active' (medication status observation)"),
    ]


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("nullified", "entered in error (statusCode nullified)"),
        ("aborted", "stopped before its end (statusCode aborted)"),
        ("cancelled", "cancelled before it started (statusCode cancelled)"),
        ("suspended", "on hold (statusCode suspended)"),
    ],
)
def test_status_codes_that_say_not_taken(code: str, reason: str) -> None:
    assert status(medication(SERTRALINE, status=code)) == [("not_current", reason)]


def test_negated_administration_is_not_current() -> None:
    entry = medication(SERTRALINE, attributes='moodCode="EVN" negationInd="true"')
    assert status(entry) == [("not_current", "the document says it was not taken (negationInd)")]


def test_medicines_given_during_the_encounter_are_past() -> None:
    (record,) = read(document(section("29549-3", "", medication(rxnorm("8782", "propofol")))))
    assert (record.record, record.status) == ("medication given 1", "past")


def allergy(substance: str, *, negated: bool = False) -> str:
    negation = ' negationInd="true"' if negated else ""
    return (
        '<act classCode="ACT" moodCode="EVN"><entryRelationship typeCode="SUBJ">'
        f'<observation classCode="OBS" moodCode="EVN"{negation}><participant typeCode="CSM">'
        f'<participantRole classCode="MANU"><playingEntity classCode="MMAT">{substance}</playingEntity>'
        "</participantRole></participant></observation></entryRelationship></act>"
    )


def test_allergies_are_allergies_never_current() -> None:
    xml = document(
        section(
            "48765-2",
            '<content ID="a1">Compazine</content>',
            allergy(rxnorm("8704", "prochlorperazine", '<originalText><reference value="#a1"/></originalText>')),
            allergy('<code nullFlavor="NA"/>'),  # "no known allergies": no substance, no record
            allergy(rxnorm("7980", "penicillin"), negated=True),  # "not allergic to": not an allergy
        )
    )
    (record,) = read(xml)
    assert (record.record, record.text, record.status) == ("allergy 1", "Compazine; prochlorperazine", "allergy")
    assert record.context["status reason"] == "in the Allergies section"


@pytest.mark.parametrize(
    ("value", "end", "expected"),
    [
        ("20121231", False, date(2012, 12, 31)),
        ("20090109215300.000-0600", False, date(2009, 1, 9)),
        ("201202", True, date(2012, 2, 29)),
        ("2012", True, date(2012, 12, 31)),
        ("2012", False, date(2012, 1, 1)),
        ("20121332", False, None),
        ("2012123", False, None),
        ("", False, None),
        ("UNK", False, None),
    ],
)
def test_hl7_dates(value: str, end: bool, expected: date | None) -> None:
    assert hl7_date(value, end=end) == expected


# What is not a C-CDA document


def test_empty_input_has_no_records() -> None:
    assert read(b"") == []
    assert read(b"  \n") == []


def test_other_xml_is_refused_naming_its_root() -> None:
    e = error('<?xml version="1.0"?><section><code code="10160-0"/></section>')
    assert e.message == "XML, but not a C-CDA document: its root element is <section>"
    e = error('<ClinicalDocument xmlns="urn:hl7-org:v2"/>')
    assert (
        e.message == "XML, but not a C-CDA document: its root element is <ClinicalDocument> in namespace urn:hl7-org:v2"
    )


def test_xml_that_is_not_well_formed_names_the_line() -> None:
    e = error('<?xml version="1.0"?>\n<ClinicalDocument xmlns="urn:hl7-org:v3">\n<x:y/>\n</ClinicalDocument>')
    assert (e.where, e.message) == ("CCD.xml:3", "not well-formed XML (unbound prefix)")
    e = error(meds(medication(SERTRALINE)).replace("</ClinicalDocument>", ""))
    assert e.message.startswith("not well-formed XML (no element found)")


def test_utf16_and_bom_documents_are_read() -> None:
    xml = meds(medication(rxnorm("312940", "sértraline"))).replace('encoding="UTF-8"', 'encoding="UTF-16"')
    assert [r.text for r in read(xml.encode("utf-16"))] == ["sértraline"]
    utf8 = meds(medication(rxnorm("312940", "sértraline"))).encode("utf-8")
    assert [r.text for r in read(b"\xef\xbb\xbf" + utf8)] == ["sértraline"]


def test_detection_by_content() -> None:
    assert looks_like_ccda(meds())
    assert looks_like_ccda('\ufeff<?xml version="1.0"?>\n<!-- c -->\n<?xml-stylesheet href="cda.xsl"?>\n' + meds()[39:])
    assert looks_like_ccda('<cda:ClinicalDocument xmlns:cda="urn:hl7-org:v3">')
    assert not looks_like_ccda('<ClinicalDocument xmlns="urn:other">')
    assert not looks_like_ccda("ClinicalDocument urn:hl7-org:v3 sertraline")  # text, not XML
    assert looks_like_xml('<?xml version="1.0"?><a/>') and looks_like_xml("<!-- x -->\n<a xmlns='urn:x'/>")
    assert not looks_like_xml("<!-- x --><a/>")  # a tag alone may be text: "<b>Zoloft</b>"
    assert not looks_like_xml("<50 mg sertraline") and not looks_like_xml("sertraline <b>")
    assert not looks_like_xml("<Medication>,<Dose>\nZoloft,50 mg")


# Hostile XML: refused before anything is expanded or fetched


BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol0 "lol">\n'
    + "".join(f' <!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">\n' for i in range(1, 10))
    + ']>\n<ClinicalDocument xmlns="urn:hl7-org:v3">&lol9;</ClinicalDocument>'
)


@pytest.mark.parametrize(
    ("xml", "line"),
    [
        (BILLION_LAUGHS, 2),
        ('<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n<x>&e;</x>', 2),
        ('<!DOCTYPE x [<!ENTITY % p SYSTEM "http://127.0.0.1:9/x.dtd"> %p;]><x/>', 1),
        ('<!DOCTYPE ClinicalDocument SYSTEM "http://127.0.0.1:9/cda.dtd"><ClinicalDocument/>', 1),
        ("<!-- a comment -->\n<?pi x?>\n<!DOCTYPE ClinicalDocument>\n<ClinicalDocument/>", 3),
    ],
)
def test_doctype_and_entities_refused_with_the_line(xml: str, line: int) -> None:
    e = error(xml)
    assert e.where == f"CCD.xml:{line}"
    assert e.message.startswith("XML with a DOCTYPE declaration: refused")


def test_external_entity_content_never_appears(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("PATIENT-SECRET-42")
    e = error(f'<!DOCTYPE x [<!ENTITY e SYSTEM "{secret.as_uri()}">]><ClinicalDocument>&e;</ClinicalDocument>')
    assert "PATIENT-SECRET-42" not in str(e)


def test_doctype_in_utf16_is_refused() -> None:
    e = error(BILLION_LAUGHS.replace('version="1.0"', 'version="1.0" encoding="UTF-16"').encode("utf-16"))
    assert e.message.startswith("XML with a DOCTYPE declaration")


def test_an_undeclared_entity_is_not_well_formed() -> None:
    assert (
        error(meds().replace("<recordTarget>", "&x;<recordTarget>")).message == "not well-formed XML (undefined entity)"
    )


def test_deep_nesting_is_read_without_crashing() -> None:
    depth = 100_000
    xml = meds().replace("</ClinicalDocument>", "<a>" * depth + "</a>" * depth + "</ClinicalDocument>")
    assert read(xml) == []


def test_a_document_over_the_limit_is_refused_without_reading_it_all(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xmlsafe, "MAX_DOCUMENT", 1 << 20)
    stream = io.BytesIO(b"<ClinicalDocument>" + b" " * (8 << 20))
    with pytest.raises(InputError, match="XML larger than 1 MiB"):
        list(CcdaReader().read(stream, "big.xml", ReadOptions()))
    assert stream.tell() < 4 << 20


# The benchmark documents: every one read or refused, and the medicines counted independently


MEDICATION_SECTIONS = {"10160-0", "10183-2", "75311-1", "42346-7", "29549-3", "59774-0"}
ALLERGY_SECTION = "48765-2"


class _Frame:
    """An open element, with what the counter notes about it."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.code = ""  # a section's LOINC code
        self.negated = False  # an observation with negationInd="true"
        self.csm = False  # a participant of type CSM (the substance)
        self.named = False  # a participant whose substance has a name or code
        self.direct = 0  # an entry's own substanceAdministrations
        self.wrapped = 0  # an entry's substanceAdministrations inside an act or organizer


def independent_count(data: bytes) -> tuple[int, int] | None:
    """(medication entries, allergy substances), counted from expat's events rather than a tree; None
    when the input is not XML or not a ClinicalDocument in the HL7 v3 namespace."""
    parser = pyexpat.ParserCreate(namespace_separator=" ")
    stack: list[_Frame] = []
    roots: list[str] = []
    counts = [0, 0]

    def section_code() -> str:
        return next((f.code for f in reversed(stack) if f.name == "section"), "")

    def names(n: int) -> list[str]:
        return [f.name for f in stack[-n:]] if len(stack) >= n else []

    def mark_substance() -> None:
        participant = next((f for f in reversed(stack) if f.name == "participant"), None)
        if participant is not None:
            participant.named = True

    def start(tag: str, attributes: dict[str, str]) -> None:
        if not stack:
            roots.append(tag)
        local = tag.rpartition(" ")[2]
        if local == "code" and names(1) == ["section"]:
            stack[-1].code = attributes.get("code", "").strip()
        if local == "substanceAdministration" and section_code() in MEDICATION_SECTIONS:
            if names(1) == ["entry"]:
                stack[-1].direct += 1
            elif names(3) in (
                ["entry", "act", "entryRelationship"],
                ["entry", "organizer", "component"],
                ["entry", "act", "component"],
                ["entry", "organizer", "entryRelationship"],
            ):
                stack[-3].wrapped += 1
        substance = names(3) == ["participant", "participantRole", "playingEntity"]
        if local == "code" and substance and (attributes.get("code") or attributes.get("displayName")):
            mark_substance()
        if local == "originalText" and names(3) == ["participantRole", "playingEntity", "code"]:
            mark_substance()
        frame = _Frame(local)
        frame.negated = local == "observation" and attributes.get("negationInd", "").strip().lower() == "true"
        frame.csm = local == "participant" and attributes.get("typeCode", "CSM") == "CSM"
        stack.append(frame)

    def characters(chars: str) -> None:
        if names(3) == ["participantRole", "playingEntity", "name"] and chars.strip():
            mark_substance()

    def end(tag: str) -> None:
        frame = stack.pop()
        if frame.name == "entry" and section_code() in MEDICATION_SECTIONS:
            counts[0] += frame.direct or frame.wrapped
        if frame.name == "participant" and frame.csm and frame.named and names(1) == ["observation"]:
            inside_entry = any(f.name == "entry" for f in stack)
            if inside_entry and not stack[-1].negated and section_code() == ALLERGY_SECTION:
                counts[1] += 1

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = characters
    try:
        parser.Parse(data, True)
    except pyexpat.ExpatError:
        return None
    if roots != ["urn:hl7-org:v3 ClinicalDocument"]:
        return None
    return counts[0], counts[1]


def bench_documents() -> list[Path]:
    return sorted(p for p in CCDA.rglob("*") if p.is_file())


@pytest.mark.skipif(not CCDA.is_dir(), reason="needs ../shared/bench/ccda")
def test_every_benchmark_document_read_or_refused_and_counted_independently() -> None:
    documents = bench_documents()
    assert len(documents) == 212
    read_ok = refused = medicines = allergies = listed = 0
    for path in documents:
        data = path.read_bytes()
        expected = independent_count(data)
        try:
            records = list(CcdaReader(today=TODAY).read(io.BytesIO(data), path.name, ReadOptions()))
        except InputError as e:
            assert expected is None, f"{path}: refused ({e}) but the counter read it"
            assert e.message, path
            refused += 1
            continue
        assert expected is not None, f"{path}: read, but the counter says it is no C-CDA document"
        found = (sum(r.status != "allergy" for r in records), sum(r.status == "allergy" for r in records))
        assert found == expected, path
        assert all(r.status in ("current", "not_current", "past", "allergy") for r in records), path
        assert all(r.context["status reason"] for r in records), path
        read_ok += 1
        listed += sum(r.record is not None and r.record.split()[:-1] == ["medication"] for r in records)
        medicines += found[0]
        allergies += found[1]
    # 178 whole documents; 34 HL7 fragments (a section or entry alone, 22 of them with an unbound xsi:
    # prefix) are refused with a reason.
    assert (read_ok, refused) == (178, 34)
    assert (medicines, allergies, listed) == (549, 415, 524)  # 524 in the Medications sections alone


# Every medicine of a document ends in exactly one state


_END = st.sampled_from(
    [
        "",
        '<effectiveTime xsi:type="IVL_TS"><low value="20200101"/><high value="20210101"/></effectiveTime>',
        '<effectiveTime xsi:type="IVL_TS"><low value="20200101"/><high value="20991231"/></effectiveTime>',
        '<effectiveTime value="20190101"/>',
    ]
)
_CELL = st.sampled_from(["", "Active", "Discontinued", "Expired", "On hold", "Completed"])
_CODE = st.sampled_from(["completed", "active", "aborted", "nullified", "suspended"])
_NAME = st.sampled_from(["Zoloft 50 mg", "Benadryl 25 mg", "metformin 500 mg", "mystery tonic", ""])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(_NAME, _CODE, _END, _CELL, st.booleans()), max_size=8), st.integers(0, 3))
def test_property_each_medicine_in_exactly_one_state(
    tiny_kb: object, entries: list[tuple[str, str, str, str, bool]], allergies: int
) -> None:
    rows, administrations = [], []
    for k, (name, code, times, cell, negated) in enumerate(entries):
        rows.append(f'<tr><td><content ID="m{k}">{name}</content></td><td>{cell}</td></tr>')
        original = f'<originalText><reference value="#m{k}"/></originalText>'
        attributes = 'moodCode="EVN" negationInd="true"' if negated else 'moodCode="EVN"'
        material = f'<code nullFlavor="UNK">{original}</code>'
        administrations.append(medication(material, status=code, times=times, attributes=attributes))
    table = f"<table><thead><tr><th>Medication</th><th>Status</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
    substances = [allergy(rxnorm("5553", "hydroxyzine")) for _ in range(allergies)]
    xml = document(section("48765-2", "", *substances), section("10160-0", table, *administrations))
    records = read(xml)
    assert len(records) == len(entries) + allergies
    assert sorted(r.line for r in records) == list(range(1, len(records) + 1))
    assert all(r.status in ("current", "not_current", "past", "allergy") for r in records)
    report = rlsmed.check(xml, input_format="ccda")
    assert len(report.results) + len(report.left_out) == len(records)
    assert report.summary.skipped + report.summary.skipped_never == len(report.left_out)
    assert {r.record.record for r in report.results}.isdisjoint({r.record for r in report.left_out})
    # A medicine that is not current (or an allergy) is screened and reported as a mention with the
    # reader's status, never as a finding.
    for r in report.results:
        if r.record.status != "current":
            assert not r.findings and all(m.status.value == r.record.status for m in r.mentions)
