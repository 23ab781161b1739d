"""Wheel build hook: validate data/drugs.yaml and ship a JSON copy, so the installed tool starts without a
YAML parse.

The YAML file stays the source of truth: the copy records the CRC-32 and size of the YAML it was made
from, and rlsmed falls back to parsing the YAML whenever they no longer match (rlsmed/kb/loader.py).
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import tempfile
import zlib
from pathlib import Path
from typing import Any

import yaml
from hatchling.builders.hooks.plugin.interface import BuildHookInterface


def _plain(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:10]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


class CompileKnowledgeBase(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or version == "editable":
            return
        source = Path(self.root) / "data" / "drugs.yaml"
        # An invalid knowledge base must never ship: validate it with rlsmed's own checks.
        sys.path.insert(0, str(self.root))
        try:
            from rlsmed.kb.loader import validate_file
        finally:
            sys.path.pop(0)
        problems = validate_file(source)
        if problems:
            raise RuntimeError(f"{source}: invalid knowledge base:\n" + "\n".join(problems))
        raw = source.read_bytes()
        document = yaml.load(raw.decode("utf-8-sig"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        compiled = {"source_crc32": zlib.crc32(raw), "source_size": len(raw), "document": _plain(document)}
        out = Path(tempfile.mkdtemp(prefix="rlsmed-build-")) / "drugs.json"
        out.write_text(json.dumps(compiled, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
        build_data["force_include"][str(out)] = "rlsmed/data/drugs.json"
