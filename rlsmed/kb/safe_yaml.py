"""Read YAML safely: the safe loader, refusing what it would let through (alias bombs, recursive aliases),
and every duplicate key and malformed value reported as a problem naming its line."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from ..errors import KnowledgeBaseError
from .collector import entry_label, quote

__all__ = ["read_document", "read_yaml"]

# A knowledge base is a few hundred kilobytes; anything far larger is a mistake or an attack.
_MAX_BYTES = 20 * 1024 * 1024

# Aliases may make a document larger than its text (each use of an anchor repeats it), but only by so
# much: a "billion laughs" document expands to gigabytes from a few hundred bytes. The expanded size is
# counted in nodes plus characters of text, before anything is built from the document.
_ALIAS_ALLOWANCE = 1_000_000
_ALIAS_BOMB = "too many aliases: the document would expand far beyond its size (an alias bomb?)"
_TAG_PREFIX = "tag:yaml.org,2002:"


class _Rejected(Exception):
    """Problems the YAML loader found in a document, each one line."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(problems)
        self.problems = problems


def _where(mark: Any) -> str:
    return f"line {mark.line + 1}, column {mark.column + 1}"


def _reporting_errors(constructor: Any) -> Any:
    def construct(loader: Any, node: Any) -> Any:
        try:
            return constructor(loader, node)
        except (ValueError, KeyError, TypeError, AttributeError, OverflowError):
            kind = str(node.tag).removeprefix(_TAG_PREFIX)
            value = node.value if isinstance(node.value, str) else ""
            raise _Rejected([f"{_where(node.start_mark)}: invalid {quote(kind)} value '{quote(value)}'"]) from None

    return construct


@functools.cache
def _loader_class() -> type[Any]:
    """yaml.safe_load's loader (libyaml's C one when PyYAML has it), refusing what it would let through.

    PyYAML's safe loader builds only plain data, but it accepts duplicate keys (keeping the last value),
    aliases that expand a document exponentially (through nested lists or merge keys), aliases that
    refer to their own container, and it raises ValueError or AttributeError for a malformed date or
    number. The node graph is inspected before anything is built from it.
    """
    import yaml

    base: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class KnowledgeBaseLoader(base):  # type: ignore[misc]
        def __init__(self, stream: str) -> None:
            super().__init__(stream)
            # Without aliases a document's nodes and text are at most about twice its length.
            self.expansion_limit = 2 * len(stream) + _ALIAS_ALLOWANCE
            # Duplicate keys: the document is still built (the last value wins) so that the schema's
            # problems can be listed with them.
            self.duplicate_keys: list[str] = []

        def get_single_node(self) -> Any:
            node = super().get_single_node()
            if node is not None:
                self.duplicate_keys = _inspect(self, node)
            return node

    # PyYAML raises ValueError, KeyError or AttributeError for `2026-13-45`, `!!int abc`, `!!bool maybe`:
    # each becomes a problem naming its line instead.
    for tag in ("bool", "int", "float", "binary", "timestamp"):
        constructor = KnowledgeBaseLoader.yaml_constructors[_TAG_PREFIX + tag]
        KnowledgeBaseLoader.add_constructor(_TAG_PREFIX + tag, _reporting_errors(constructor))

    return KnowledgeBaseLoader


def _key_identity(loader: Any, node: Any) -> object:
    """What a mapping key will be once built, so that `1`, `0x1` and `1.0` are seen as the same key."""
    if node.tag == _TAG_PREFIX + "str":
        return node.value
    try:
        value = loader.construct_object(node)
        hash(value)
    except Exception:  # malformed: it is reported when the document is built
        return (node.tag, node.value)
    return value


def _entry_labels(root: Any) -> dict[int, str]:
    """Labels for the mappings of drug, product and source entries, as the schema's problems name them."""
    from yaml.nodes import MappingNode, ScalarNode, SequenceNode

    labels: dict[int, str] = {}
    if not isinstance(root, MappingNode):
        return labels
    for key, value in root.value:
        if not isinstance(key, ScalarNode):
            continue
        if key.value in ("drugs", "products") and isinstance(value, SequenceNode):
            kind = key.value[:-1]
            for i, entry in enumerate(value.value):
                if isinstance(entry, MappingNode) and id(entry) not in labels:  # aliases share their node
                    names = [v.value for k, v in entry.value if k.value == "name" and v.tag == _TAG_PREFIX + "str"]
                    labels.setdefault(id(entry), entry_label(i, names[0] if names else None, kind))
        elif key.value == "sources" and isinstance(value, MappingNode):
            for k, v in value.value:
                if isinstance(k, ScalarNode) and isinstance(v, MappingNode):
                    labels.setdefault(id(v), f"source '{quote(k.value)}'")
    return labels


def _duplicate_keys(loader: Any, node: Any, label: str) -> list[str]:
    from yaml.nodes import ScalarNode

    problems: list[str] = []
    first: dict[object, Any] = {}
    for key, _ in node.value:
        if not isinstance(key, ScalarNode) or key.tag == _TAG_PREFIX + "merge":
            continue  # a merge key's values may be overridden: that is what it is for
        identity = _key_identity(loader, key)
        if identity not in first:
            first[identity] = key
            continue
        lines = f"lines {first[identity].start_mark.line + 1} and {key.start_mark.line + 1}"
        problems.append(f"{label + ': ' if label else ''}key '{quote(key.value)}' is given twice ({lines})")
    return problems


def _inspect(loader: Any, root: Any) -> list[str]:
    """Refuse alias bombs and recursive aliases, and list every duplicate key, in one walk of the nodes.

    The walk visits each node once (aliases share their node), without recursion, and stops as soon
    as the document's expanded size passes the loader's limit.
    """
    from yaml.nodes import MappingNode, ScalarNode

    limit = loader.expansion_limit
    labels = _entry_labels(root)
    problems: list[str] = []
    size: dict[int, int] = {}  # id(node) -> the node's size with every alias expanded
    open_: dict[int, int] = {}  # the collections being walked (an alias to one is recursive) -> size so far
    stack: list[tuple[Any, list[Any] | None]] = [(root, None)]
    while stack:
        node, pending = stack.pop()
        key = id(node)
        if pending is not None:  # every child has been walked
            total = open_.pop(key) + sum(size[id(child)] for child in pending)
            if total > limit:
                raise _Rejected([_ALIAS_BOMB])
            size[key] = total
            continue
        if key in size:
            continue
        if key in open_:
            raise _Rejected([f"{_where(node.start_mark)}: an alias refers to the node that contains it"])
        if type(node) is ScalarNode:
            size[key] = 1 + len(node.value)
            continue
        if type(node) is MappingNode:
            problems.extend(_duplicate_keys(loader, node, labels.get(key, "")))
            children = [child for pair in node.value for child in pair]
        else:
            children = node.value
        scalars = 1
        pending = []
        for child in children:
            if type(child) is ScalarNode:
                scalars += 1 + len(child.value)
            else:
                pending.append(child)
        if scalars > limit:
            raise _Rejected([_ALIAS_BOMB])
        open_[key] = scalars
        stack.append((node, pending))
        stack.extend((child, None) for child in reversed(pending))
    return problems


def read_document(path: Path | str) -> Any:
    """Parse one YAML file with the safe loader; every failure becomes a KnowledgeBaseError."""
    data, problems = read_yaml(path)
    if problems:
        raise KnowledgeBaseError(str(path), problems)
    return data


def read_yaml(path: Path | str) -> tuple[Any, list[str]]:
    """One YAML file's data and the problems of its YAML that still let it be built (duplicate keys).

    Raises KnowledgeBaseError when it cannot be read or built at all.
    """
    import yaml

    origin = str(path)
    try:
        with open(path, "rb") as f:
            raw = f.read(_MAX_BYTES + 1)
    except IsADirectoryError:
        raise KnowledgeBaseError(origin, ["is a directory, not a YAML file"], unreadable=True) from None
    except FileNotFoundError:
        raise KnowledgeBaseError(origin, ["no such file"], unreadable=True) from None
    except PermissionError:
        raise KnowledgeBaseError(origin, ["permission denied"], unreadable=True) from None
    except OSError as e:
        raise KnowledgeBaseError(origin, [e.strerror or "cannot be read"], unreadable=True) from None
    if len(raw) > _MAX_BYTES:
        raise KnowledgeBaseError(origin, [f"larger than {_MAX_BYTES // (1024 * 1024)} MB"])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise KnowledgeBaseError(origin, [f"not UTF-8 text (byte {e.start})"]) from None
    if "\x00" in text:
        raise KnowledgeBaseError(origin, ["contains NUL bytes; not a YAML text file"])
    loader = _loader_class()(text)
    try:
        return loader.get_single_data(), loader.duplicate_keys
    except _Rejected as e:
        fatal = e.problems
    except yaml.constructor.ConstructorError as e:
        unsafe = str(e.problem or "").startswith("could not determine a constructor")
        fatal = [_yaml_problem(e, "unsupported or unsafe YAML tag" if unsafe else "invalid YAML value")]
    except yaml.YAMLError as e:
        fatal = [_yaml_problem(e, "YAML syntax error")]
    except RecursionError:
        fatal = ["YAML nested too deeply"]
    finally:
        loader.dispose()
    raise KnowledgeBaseError(origin, loader.duplicate_keys + fatal)


def _yaml_problem(e: Any, kind: str) -> str:
    mark = getattr(e, "problem_mark", None)
    problem = getattr(e, "problem", None) or ""
    where = f"{_where(mark)}: " if mark is not None else ""
    return f"{where}{kind}" + (f" ({quote(problem)})" if problem else "")
