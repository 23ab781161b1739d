"""XML parsed safely: a DOCTYPE or entity declaration is refused before anything is expanded or fetched.

Entities (the "billion laughs", external files and URLs) can only be declared inside a DOCTYPE, and a
DOCTYPE can only come before the root element. So a first pass of expat (the parser ElementTree uses)
reads the prolog and stops at the root element's start tag: a DOCTYPE there is refused at its first
byte, before its internal subset is read. Only then is the document parsed into a tree, by ElementTree's
C parser at full speed. defusedxml does the same refusal through ElementTree's pure-Python parser, which
measured about twice as slow on the C-CDA benchmark documents, and it would be a dependency.

The whole document is parsed in one call, never fed in small pieces: expat before 2.6 rescans a large
token once per piece (quadratic time), and one call avoids that.
"""

from __future__ import annotations

import pyexpat
import xml.etree.ElementTree as ET
from typing import NoReturn

from ..errors import InputError

__all__ = ["MAX_DOCUMENT", "parse"]

MAX_DOCUMENT = 64 << 20  # bytes: a patient's C-CDA is rarely over 10 MB; the tree takes about 10 times this


class _Declared(Exception):
    def __init__(self, what: str, line: int) -> None:
        super().__init__(what)
        self.what = what
        self.line = line


class _RootReached(Exception):
    pass


def _refuse_declarations(data: bytes, source: str) -> None:
    """InputError when the prolog holds a DOCTYPE (and so perhaps entity declarations)."""
    parser = pyexpat.ParserCreate()

    def declared(what: str) -> NoReturn:
        raise _Declared(what, parser.CurrentLineNumber)

    def root(*_: object) -> NoReturn:
        raise _RootReached

    # Any of these stops expat at once (pyexpat stops the parser when a handler raises).
    parser.StartDoctypeDeclHandler = lambda *_: declared("a DOCTYPE declaration")
    parser.EntityDeclHandler = lambda *_: declared("an entity declaration")
    parser.UnparsedEntityDeclHandler = lambda *_: declared("an entity declaration")
    parser.ExternalEntityRefHandler = lambda *_: declared("an external entity")
    parser.StartElementHandler = root
    try:
        parser.Parse(data, True)
    except _RootReached:
        return
    except _Declared as e:
        raise InputError(
            f"{source}:{e.line}",
            f"XML with {e.what}: refused, since it can expand or fetch content (C-CDA documents never need one)",
        ) from None
    except pyexpat.ExpatError:
        return  # not well-formed: the full parse reports it, with its line


def parse(data: bytes, source: str) -> ET.Element:
    """The root element of an XML document; InputError (naming the line) for a DOCTYPE, an entity
    declaration, or XML that is not well-formed."""
    if len(data) > MAX_DOCUMENT:
        raise InputError(source, f"XML larger than {MAX_DOCUMENT >> 20} MiB; is this one patient's document?")
    _refuse_declarations(data, source)
    try:
        return ET.fromstring(data)
    except ET.ParseError as e:
        line = e.position[0] if e.position else 0
        reason = str(e).split(": line ")[0]
        raise InputError(f"{source}:{line}" if line else source, f"not well-formed XML ({reason})") from None
