"""The CSV/TSV reader: column detection, delimiters, quoting, ragged rows, encodings and errors."""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from rlsmed.errors import InputError
from rlsmed.models import InputRecord
from rlsmed.readers.base import BATCH, ReadOptions
from rlsmed.readers.csv import CsvReader, sniff_delimiter

from ..helpers import DATA, SHARED, CountingStream

INPUTS = DATA / "inputs"


def read(data: str | bytes, name: str = "meds.csv", **options: str) -> list[InputRecord]:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return list(CsvReader().read(io.BytesIO(raw), name, ReadOptions(**options)))  # type: ignore[arg-type]


def read_fixture(name: str, **options: str) -> list[InputRecord]:
    return read((INPUTS / name).read_bytes(), name, **options)


def texts(records: list[InputRecord]) -> list[str]:
    return [r.text for r in records]


def error(data: str | bytes, name: str = "meds.csv", **options: str) -> InputError:
    with pytest.raises(InputError) as e:
        read(data, name, **options)
    return e.value


# Fixtures: exports as they come


def test_epic_style_export() -> None:
    records = read_fixture("csv.epic-export.csv")
    assert texts(records) == [
        "Sertraline 50 mg tablet",
        "Diphenhydramine 25 mg capsule",
        "Metoclopramide 10 mg tablet",
        "",  # a blank medication cell is still a record (reported as unrecognised)
    ]
    assert [r.line for r in records] == [2, 3, 5, 6]  # the second row's sig spans two lines
    assert [r.record for r in records] == ["row 1", "row 2", "row 3", "row 4"]
    first, second, third, _ = records
    assert first.source == "csv.epic-export.csv"
    assert first.patient == "E1001"
    assert first.status == "Active"
    assert first.reason == "Depression"
    assert dict(first.context) == {  # every other column, kept to join a finding back to its row
        "Sig": "Take 1 tablet by mouth daily",
        "Start Date": "2023-01-10",
        "Status": "Active",
        "Prescriber": "Smith, Anna",
    }
    assert second.context["Sig"] == "Take 1 capsule at bedtime\nas needed for sleep"
    assert third.context["Sig"] == 'Take 1 tablet before meals, "max 3/day"'
    assert third.context["End Date"] == "2023-01-05"


def test_synthea_medications_csv() -> None:
    records = read_fixture("csv.synthea.csv")
    assert texts(records) == [
        "diphenhydrAMINE Hydrochloride 25 MG Oral Tablet",
        "lisinopril 10 MG Oral Tablet",
        "Carbamazepine[Tegretol]",
    ]
    second = records[1]
    assert second.patient == "p-0001"
    assert second.codes == ("314076",)
    assert second.reason == "Essential hypertension (disorder)"  # REASONDESCRIPTION, not REASONCODE
    assert dict(second.context) == {
        "START": "2020-03-04T10:00:00Z",
        "STOP": "2020-04-04T10:00:00Z",
        "PAYER": "payer-1",
        "ENCOUNTER": "enc-2",
        "BASE_COST": "2.00",
        "PAYER_COVERAGE": "1.00",
        "DISPENSES": "30",
        "TOTALCOST": "60.00",
        "REASONCODE": "59621000",
    }
    assert records[2].codes == ()
    assert records[0].status is None


@pytest.mark.parametrize(
    ("name", "expected", "patient"),
    [
        ("csv.semicolon.csv", ["Sertralin 50 mg", "Metoclopramid; Tropfen", "Promethazin 25 mg"], "A-17"),
        ("csv.tab.tsv", ["haloperidol", "olanzapine\t(Zyprexa)"], "M-9"),
        ("csv.pipe.psv", ["Chlorpheniramine 4 MG Oral Tablet", "Loratadine 10 MG"], "P1"),
    ],
)
def test_delimiters(name: str, expected: list[str], patient: str) -> None:
    records = read_fixture(name)
    assert texts(records) == expected
    assert records[0].patient == patient


def test_pipe_file_codes_and_context() -> None:
    first, second = read_fixture("csv.pipe.psv")
    assert first.codes == ("1363309",)
    assert second.codes == ()  # "NDC 0000-1111" is no RxNorm code
    assert dict(first.context) == {"route": "oral"}


def test_ragged_rows() -> None:
    records = read_fixture("csv.ragged.csv")
    # A row longer than the header: an unquoted comma may have shifted its cells, so every cell from the
    # medication column on is screened (README "Input formats").
    assert texts(records) == ["Sertraline, 50 mg, daily, oral, extra, cells, here", "Tramadol", "Lithium"]
    assert [r.line for r in records] == [2, 3, 5]
    assert [r.record for r in records] == ["row 1", "row 2", "row 3"]  # blank lines are no data rows
    assert dict(records[0].context) == {"Dose": "50 mg", "Frequency": "daily", "Route": "oral", "Notes": "extra"}
    assert dict(records[1].context) == {"Dose": "50 mg"}
    assert dict(records[2].context) == {}


@pytest.mark.parametrize(
    ("name", "expected", "patient"),
    [
        ("csv.utf16-bom.tsv", ["Sérénace 5 mg", "Zoloft – 50 mg"], "X1"),
        ("csv.cp1252.csv", ["Haldol 5 mg", "Nozinan 25 mg"], "Zoé"),
        ("csv.bom-crlf.csv", ["Prométhazine 25 mg", "Cétirizine 10 mg"], "Q7"),
    ],
)
def test_encoding_fixtures(name: str, expected: list[str], patient: str) -> None:
    records = read_fixture(name)
    assert texts(records) == expected
    assert [r.line for r in records] == [2, 3]
    assert {r.patient for r in records} == {patient}


SAMPLE = 'medication,sig,patient\nSérénace 5 mg,"1 tab\nat night",Zoé\nLexapro – 10 mg,daily,Zoé\n'


@pytest.mark.parametrize(
    "data",
    [
        SAMPLE.encode("utf-8"),
        codecs.BOM_UTF8 + SAMPLE.replace("\n", "\r\n").encode("utf-8"),
        codecs.BOM_UTF16_LE + SAMPLE.encode("utf-16-le"),
        codecs.BOM_UTF16_BE + SAMPLE.replace("\n", "\r\n").encode("utf-16-be"),
        SAMPLE.encode("utf-16-le"),
        SAMPLE.replace("–", "-").replace("\n", "\r\n").encode("cp1252"),
        SAMPLE.replace("\n", "\r").encode("utf-8"),
    ],
    ids=["utf8", "utf8-bom-crlf", "utf16le-bom", "utf16be-bom-crlf", "utf16le", "cp1252-crlf", "cr"],
)
def test_encodings_and_line_ends(data: bytes) -> None:
    records = read(data)
    assert [t.replace("–", "-") for t in texts(records)] == ["Sérénace 5 mg", "Lexapro - 10 mg"]
    assert [r.line for r in records] == [2, 4]
    assert records[0].context["sig"] == "1 tab\nat night"
    assert records[0].patient == "Zoé"


def test_invalid_bytes_name_their_line() -> None:
    e = error(b"medication\nSertraline\n\x81\x8d\x8f\n")  # undefined in Windows-1252 as well
    assert e.where == "meds.csv:3"


# Column detection


@pytest.mark.parametrize(
    "header",
    [
        "medication",
        "Medication",
        "MEDICATION_NAME",
        "Medication Name",
        "med",
        "Meds",
        "med_name",
        "Drug",
        "drug_name",
        "DESCRIPTION",
        "product",
        "Product Name",
        "medication_description",
        "display",
        "name_of_drug",
        "generic_name",
        "Brand Name",
        "Médicament",
        "Medication (generic)",
        "drug-name:",
    ],
)
def test_medication_column_names(header: str) -> None:
    records = read(f"id,{header},note\n1,Haloperidol 5 mg,x\n")
    assert texts(records) == ["Haloperidol 5 mg"]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("REASONDESCRIPTION,DESCRIPTION,CODE", "b"),  # exact names, not a name inside another
        ("description,drug,x", "b"),
        ("drug,medication_name,x", "b"),
        ("brand_name,generic_name,x", "b"),
        ("product,drug name,x", "b"),
        ("medication_class,drug,x", "b"),
        ("drug_class,Medication (as written),x", "b"),
    ],
)
def test_the_most_specific_medication_column_wins(header: str, expected: str) -> None:
    assert texts(read(f"{header}\na,b,c\n")) == [expected]


def test_detail_columns_are_not_taken_for_the_medication() -> None:
    e = error("drug_class,medication_id,drug code,Medication start date\nx,y,z,w\n")
    assert "no medication column" in e.message


@pytest.mark.parametrize(
    "header", ["patient", "Patient_ID", "PatientID", "MRN", "person", "person_id", "subject", "Member ID"]
)
def test_patient_column_names(header: str) -> None:
    (record,) = read(f"medication,{header}\nSertraline,P-42\n")
    assert record.patient == "P-42"


def test_no_patient_column_and_blank_patient_cells() -> None:
    assert read("medication,dose\nSertraline,50 mg\n")[0].patient is None
    assert read("medication,patient\nSertraline, \n")[0].patient is None


@pytest.mark.parametrize("header", ["code", "RxNorm", "RXCUI", "rxnorm_code", "RxNorm Code"])
def test_code_column_names(header: str) -> None:
    (record,) = read(f"medication,{header}\nSertraline,312938\n")
    assert record.codes == ("312938",)


@pytest.mark.parametrize(
    ("cell", "codes"),
    [
        ("312938", ("312938",)),
        (" 312938 ", ("312938",)),
        ("312938; 1049630", ("312938", "1049630")),
        ("00093-7198-01", ()),
        ("00093719801", ()),  # an NDC: 11 digits
        ("C0074393", ()),
        ("", ()),
        ("３１２９３８", ()),  # full-width digits are no code anyone writes
    ],
)
def test_codes_must_look_like_rxnorm(cell: str, codes: tuple[str, ...]) -> None:
    (record,) = read(f'medication,rxcui\nSertraline,"{cell}"\n')
    assert record.codes == codes


@pytest.mark.parametrize("header", ["reason", "ReasonDescription", "Indication", "diagnosis"])
def test_reason_column_names(header: str) -> None:
    (record,) = read(f"medication,{header}\nSertraline,Depression\n")
    assert record.reason == "Depression"


def test_context_columns_keep_their_header_names() -> None:
    headers = (
        "Medication,Dose,Strength,SIG,Directions,Instructions,Frequency,Route,Start,Stop,start_date,End Date,Status"
    )
    values = ",".join(f"v{i}" for i in range(13))
    (record,) = read(f"{headers},Cost,Pharmacy\n{values},9.99,Main St\n")
    names = headers.split(",")[1:]
    expected = {name: f"v{i}" for i, name in enumerate(names, 1)} | {"Cost": "9.99", "Pharmacy": "Main St"}
    assert dict(record.context) == expected
    assert record.status == "v12"


def test_a_status_column_gives_the_status_as_written() -> None:
    records = read("medication,status\nSertraline,Active\nTramadol,\n")
    assert [r.status for r in records] == ["Active", None]


def test_column_option_overrides_detection() -> None:
    data = "Drug,Comment\nSertraline,Tramadol\n"
    assert texts(read(data, column="Comment")) == ["Tramadol"]
    assert texts(read(data, column="comment")) == ["Tramadol"]
    assert texts(read(data, column=" COMMENT ")) == ["Tramadol"]


def test_column_option_naming_a_missing_column() -> None:
    e = error("Drug,Comment\nSertraline,x\n", column="medicine")
    assert e.where == "meds.csv"
    assert e.message == "no column 'medicine'; the 2 columns are: Drug, Comment"


@pytest.mark.parametrize(
    "first_row",
    [
        "MRN0012345,Jane Q Public,1961-02-03,Zoloft 50 mg,HIV positive",  # the audit's headerless export
        "Jane Q Public,HIV positive,Zoloft",  # every cell short and without digits, but none a column name
        "patient,Jane Q Public,1961-02-03",  # a known name among cells that are data
    ],
)
def test_a_missing_column_never_echoes_a_row_that_is_not_a_header(first_row: str) -> None:
    e = error(first_row + "\nx,y,z\n", column="medication")
    assert (
        e.message
        == f"no column 'medication'; the first row ({first_row.count(',') + 1} columns) does not read as a header line"
    )
    for cell in first_row.split(","):
        assert cell not in str(e)


def test_patient_column_option() -> None:
    data = "medication,patient,Chart Number\nSertraline,ann,C-7\n"
    assert read(data, patient_column="Chart Number")[0].patient == "C-7"
    e = error(data, patient_column="chart")
    assert e.message.startswith("no column 'chart'; the 3 columns are: medication, patient, Chart Number")


def test_no_medication_column() -> None:
    e = error((INPUTS / "csv.no-med-column.csv").read_bytes(), "csv.no-med-column.csv")
    assert e.where == "csv.no-med-column.csv"
    assert e.message == "no medication column (looked for medication, drug, description …); name it with --column"


def test_a_long_header_list_is_shortened_in_the_error() -> None:
    header = ",".join(f"column_number_{i}" for i in range(100))
    e = error(f"{header}\n{',' * 99}\n", column="nope")
    assert len(e.message) < 300
    assert "\n" not in e.message


# Delimiters, quoting, structure


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("medication,dose", ","),
        ("medication\tdose", "\t"),
        ("medication;dose", ";"),
        ("medication|dose", "|"),
        ('"drug, generic";dose', ";"),  # delimiters inside quotes do not count
        ("medication\tdose, mg", "\t"),  # a tie goes to the tab
        ("medication;dose;route,form", ";"),
        ("medication", None),
    ],
)
def test_sniff_delimiter(header: str, expected: str | None) -> None:
    assert sniff_delimiter(header) == expected


def test_the_extension_chooses_between_delimiters_in_the_header() -> None:
    assert sniff_delimiter("drug,name\tdose", "\t") == "\t"
    assert sniff_delimiter("drug,dose", "\t") == ","
    assert texts(read("drug, generic\tdose\nSertraline, 50\t1\n", "meds.tsv")) == ["Sertraline, 50"]


def test_a_header_without_delimiters_makes_one_column() -> None:
    records = read('Medication\nTylenol, 500 mg; twice daily\n"Zoloft|50"\n')
    assert texts(records) == ["Tylenol, 500 mg; twice daily", "Zoloft|50"]


def test_quoted_fields_and_multi_line_rows() -> None:
    data = 'medication,note\n"Sertraline, 50 mg","line one\nline two\n\nline four"\n"He said ""no""",x\nTramadol,y\n'
    records = read(data)
    assert texts(records) == ["Sertraline, 50 mg", 'He said "no"', "Tramadol"]
    assert [r.line for r in records] == [2, 6, 7]


def test_spaces_after_delimiters_and_around_cells() -> None:
    (record,) = read('medication, dose, patient\n  Sertraline  , "50 mg, daily" , p1 \n')
    assert record.text == "Sertraline"
    assert dict(record.context) == {"dose": "50 mg, daily"}
    assert record.patient == "p1"


def test_blank_lines_before_the_header_and_between_rows() -> None:
    records = read("\n\n  \nmedication\n\nSertraline\n\n\nTramadol\n")
    assert [(r.line, r.record) for r in records] == [(6, "row 1"), (9, "row 2")]


def test_rows_of_empty_cells_are_skipped_but_a_blank_medication_is_kept() -> None:
    records = read("medication,dose\n,,\n , \n,50 mg\n")
    assert [(r.text, r.line, r.record) for r in records] == [("", 4, "row 1")]


def test_header_only_and_empty_files() -> None:
    assert read_fixture("csv.header-only.csv") == []
    assert read_fixture("csv.empty.csv") == []
    assert read("\n\n   \n") == []
    assert read(codecs.BOM_UTF8) == []


def test_unbalanced_quote_names_the_line() -> None:
    e = error((INPUTS / "csv.unbalanced.csv").read_bytes(), "csv.unbalanced.csv")
    assert e.where == "csv.unbalanced.csv:3"
    assert e.message.startswith("unbalanced quote")


def test_unbalanced_quote_in_the_header() -> None:
    assert error('medication,"dose\nSertraline,1\n').where == "meds.csv:1"


def test_a_runaway_quote_in_a_long_file_stops_at_the_field_limit() -> None:
    rows = "".join(f"Drug {i},{i} mg\n" for i in range(20_000))
    e = error(f'medication,dose\nSertraline,"50 mg\n{rows}')
    assert e.where == "meds.csv:2"
    assert e.message.startswith("unbalanced quote")
    assert "Drug" not in e.message


def test_a_long_cell_is_read_whole() -> None:
    # The csv module stops at 128 KiB a field by default; rlsmed reads any field a line can hold (1 MiB).
    note = "x" * (200 << 10)
    records = read(f'medication,note\nSertraline 50 mg,{note}\nTramadol,"{note}\n{note}"\n')
    assert texts(records) == ["Sertraline 50 mg", "Tramadol"]
    assert records[0].context["note"] == note
    assert records[1].context["note"] == f"{note}\n{note}"


def test_a_field_over_the_limit_names_its_row() -> None:
    block = ("y" * 1000 + "\n") * 1100  # a quoted field of 1.1 MB, in lines of 1,000 characters
    e = error(f'medication,note\nSertraline,x\nTramadol,"{block}"\nLithium,y\n')
    assert e.where == "meds.csv:3"
    assert e.message == "a field longer than 1,048,576 characters starts on this row (a quote left open?)"


@pytest.mark.parametrize(
    ("data", "where"),
    [
        ('{"resourceType": "Bundle", "type": "collection", "entry": []}', "meds.csv:1"),
        ('{\n  "resourceType": "Bundle",\n  "entry": [{"display": "x"}]\n}\n', "meds.csv:1"),
        ('\n\n[{"resourceType": "MedicationRequest", "medication": "x"}]', "meds.csv:3"),
        ('{"description":"Zoloft","code":"1"}\n{"description":"Haldol","code":"2"}\n', "meds.csv:1"),
    ],
)
def test_json_is_not_taken_for_a_header(data: str, where: str) -> None:
    e = error(data)
    assert (e.where, e.message) == (where, "JSON, not CSV or TSV; FHIR JSON is read with --input-format fhir")


def test_a_quote_inside_an_unquoted_cell_is_text() -> None:
    assert texts(read('medication,dose\nCream 5" tube,x\n"A"B,y\n')) == ['Cream 5" tube', "AB"]


def test_ragged_quoted_row_at_the_end_without_newline() -> None:
    assert texts(read('medication,dose\n"Sertraline\n50 mg"')) == ["Sertraline\n50 mg"]


# Streaming


def test_rows_stream_in_batches() -> None:
    data = ("medication,dose\n" + "Sertraline,50 mg\n" * (3 * BATCH)).encode()
    stream = CountingStream(data)
    batches = CsvReader().read_batches(stream, "big.csv", ReadOptions())
    first = next(batches)
    assert len(first) == BATCH
    assert stream.consumed < len(data)  # not read whole before the first batch
    assert sum(len(b) for b in batches) == 2 * BATCH
    assert first[-1].record == f"row {BATCH}"


# Generated input


CELL = st.text(alphabet=st.characters(codec="utf-8", blacklist_characters="\x00"), max_size=20)


def _lines(text: str) -> str:
    # As decoding reads text: line ends made one, and a byte-order mark anywhere dropped (files joined
    # end to end carry one in the middle; it is invisible and would hide a drug's name from the matcher).
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "")


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(CELL, CELL), max_size=12),
    st.sampled_from(list(",\t;|")),
    st.sampled_from(["\n", "\r\n"]),
    st.booleans(),
)
@example(rows=[("", "\ufeff")], delimiter=",", newline="\n", all_quoted=False)  # found by CI: a lone mark
def test_written_rows_read_back(rows: list[tuple[str, str]], delimiter: str, newline: str, all_quoted: bool) -> None:
    out = io.StringIO()
    quoting = csv.QUOTE_ALL if all_quoted else csv.QUOTE_MINIMAL
    writer = csv.writer(out, delimiter=delimiter, lineterminator=newline, quoting=quoting)
    writer.writerow(["id", "Medication", "Dose"])
    line = 2
    expected = []
    for n, (medication, dose) in enumerate(rows, 1):
        if not all_quoted:  # Python's writer leaves a lone CR unquoted, which reads as a line end
            medication, dose = medication.replace("\r", "\n"), dose.replace("\r", "\n")
        one = io.StringIO()
        csv.writer(one, delimiter=delimiter, lineterminator=newline, quoting=quoting).writerow([n, medication, dose])
        expected.append((_lines(medication).strip(), line, f"row {n}", _lines(dose).strip()))
        line += _lines(one.getvalue()).count("\n")
        writer.writerow([n, medication, dose])
    records = read(out.getvalue().encode("utf-8"), "generated.txt")
    got = [(r.text, r.line, r.record, r.context.get("Dose", "")) for r in records]
    assert got == expected


# Real exports, when the shared bench is present

BENCH_CSV = SHARED / "bench" / "synthea_output_medications.csv"


@pytest.mark.skipif(not BENCH_CSV.exists(), reason="shared bench not present")
def test_synthea_export_row_count() -> None:
    records = read(Path(BENCH_CSV).read_bytes(), BENCH_CSV.name)
    assert len(records) == 4485
    assert all(r.text and r.patient for r in records)
    assert records[-1].record == "row 4485"
