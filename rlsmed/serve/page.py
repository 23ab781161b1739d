"""The pharmacists' page: GET / (a form), POST /check (the HTML report, as `rlsmed check --format html`
writes it), and the knowledge-base pages the cards link to (GET /kb, GET /kb/NAME).

A list is held in memory while it is screened and never written anywhere: an upload is read without a
temporary file, and nothing of it reaches a log.
"""

from __future__ import annotations

import io
import math
import os

from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..api import check_inputs, render
from ..engine import engine
from ..errors import RlsmedError
from ..formats import FERRITIN_MAX, TSAT_MAX, InputFormat
from ..inputs import Input
from ..readers import READERS
from ..writers.safety import printable
from .config import ServeConfig
from .http import guarded, html
from .refused import Refused
from .templates import entry_page, error_page, form_page, index_page

__all__ = ["kb_routes", "page_routes"]

PASTED = "pasted list"
_FORMS = ("multipart/form-data", "application/x-www-form-urlencoded")


def page_routes() -> list[Route]:
    return [Route("/", form, methods=["GET"]), Route("/check", check, methods=["POST"])]


def kb_routes() -> list[Route]:
    return [Route("/kb", kb_index, methods=["GET"]), Route("/kb/{name}", kb_entry, methods=["GET"])]


def _error(request: Request, status: int, reason: str) -> Response:
    config: ServeConfig = request.app.state.config
    return html(error_page(engine(config.kb_files, config.country).kb, reason), status)


_FORMAT_NAMES = {
    InputFormat.TEXT: "text",
    InputFormat.CSV: "CSV or TSV",
    InputFormat.FHIR: "FHIR JSON",
    InputFormat.CCDA: "C-CDA",
    InputFormat.EXCEL: "Excel or OpenDocument",
}


def _formats() -> list[str]:
    """The formats an upload may be in, as the readers' registry has them (a new reader shows here)."""
    return [_FORMAT_NAMES.get(spec.format, spec.format.value) for spec in reversed(READERS)]


@guarded(_error)
async def form(request: Request) -> Response:
    config: ServeConfig = request.app.state.config
    return html(form_page(engine(config.kb_files, config.country).kb, _formats(), config.max_body))


class _InMemory(MultiPartParser):
    """Starlette's multipart parser, keeping an upload in memory: the body limit bounds it, and a list
    must never be spooled to a temporary file."""

    spool_max_size = 1 << 62


@guarded(_error)
async def check(request: Request) -> Response:
    config: ServeConfig = request.app.state.config
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind not in _FORMS:
        raise Refused(415, "send the form (multipart/form-data)")
    try:
        if kind == _FORMS[0]:
            parser = _InMemory(
                request.headers, request.stream(), max_files=1, max_fields=8, max_part_size=config.max_body
            )
            fields = await parser.parse()
        else:
            fields = await request.form(max_files=0, max_fields=8, max_part_size=config.max_body)
    except MultiPartException:
        raise Refused(400, "the form could not be read") from None
    inputs: list[Input] = []
    text = fields.get("medications")
    if isinstance(text, str) and text.strip():
        inputs.append(Input.from_text(text, PASTED))
    upload = fields.get("file")
    if isinstance(upload, UploadFile) and upload.filename:
        data = await upload.read()
        name = _file_name(upload.filename)
        if data:
            inputs.append(Input(name, lambda data=data: io.BytesIO(data), size=len(data)))  # type: ignore[misc]
        elif not inputs:
            raise Refused(400, f"{name} is empty")
    if not inputs:
        raise Refused(400, "Paste a medication list or choose a file.")
    ferritin = _number(fields.get("ferritin"), "Ferritin", FERRITIN_MAX)
    tsat = _number(fields.get("tsat"), "Transferrin saturation", TSAT_MAX)
    try:
        report = check_inputs(inputs, ferritin=ferritin, tsat=tsat, kb_files=config.kb_files, country=config.country)
        page = render(report, "html")
    except RlsmedError as e:
        raise Refused(400, str(e)) from None
    return html(page)


def _file_name(name: str) -> str:
    """An upload's name as the report shows it: the base name, on one line (the extension tells the format)."""
    return printable(os.path.basename(name.replace("\\", "/")))[:200] or "uploaded file"


def _number(value: object, label: str, most: float) -> float | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not 0 <= number <= most:  # also NaN
        raise Refused(400, f"{label} must be a number from 0 to {most:g}.")
    return number


@guarded(_error)
async def kb_index(request: Request) -> Response:
    config: ServeConfig = request.app.state.config
    return html(index_page(engine(config.kb_files, config.country).kb))


@guarded(_error)
async def kb_entry(request: Request) -> Response:
    config: ServeConfig = request.app.state.config
    kb = engine(config.kb_files, config.country).kb
    drug = kb.drugs.get(request.path_params["name"])
    if drug is None:
        raise Refused(404, "No such entry in the knowledge base.")
    return html(entry_page(drug, kb))
