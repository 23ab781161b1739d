"""Wheel build hook: validate data/drugs.yaml and ship a JSON copy, so the installed tool starts without a
YAML parse.

The YAML file stays the source of truth: the copy records the CRC-32 and size of the YAML it was made
from, and rlsmed falls back to parsing the YAML whenever they no longer match (rlsmed/kb/loader.py).
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
import zlib
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class CompileKnowledgeBase(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or version == "editable":
            return
        source = Path(self.root) / "data" / "drugs.yaml"
        # An invalid knowledge base must never ship: validate it with rlsmed's own checks.
        sys.path.insert(0, str(self.root))
        try:
            from rlsmed.kb.compiled import to_compiled
            from rlsmed.kb.loader import check_names, read_document
            from rlsmed.kb.schema import parse_document
        finally:
            sys.path.pop(0)
        records, problems = parse_document(read_document(source), overlay=False)
        problems = problems or check_names(records.drugs, records.products)
        if problems:
            raise RuntimeError(f"{source}: invalid knowledge base:\n" + "\n".join(problems))
        raw = source.read_bytes()
        compiled = {"source_crc32": zlib.crc32(raw), "source_size": len(raw), "records": to_compiled(records)}
        self._scratch = Path(tempfile.mkdtemp(prefix="rlsmed-build-"))
        out = self._scratch / "drugs.json"
        out.write_text(json.dumps(compiled, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
        build_data["force_include"][str(out)] = "rlsmed/data/drugs.json"

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        # The compiled copy is in the wheel now; leave nothing behind in the temporary directory.
        scratch = getattr(self, "_scratch", None)
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
