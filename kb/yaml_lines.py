"""YAML reading for knowledge/ and the training data, with the YAML 1.2 rules that
ruamel.yaml (the editor's writer, kb/editing.py) and Rasa use: only true/false are
booleans, so a staff phrasing "yes", "no", "on" or "off" stays that text (PyYAML's
YAML 1.1 rules once trained it as True/False), and 010 is ten, not eight.

Loading remembers where each mapping and key came from, so validation errors can name
the file and line a non-programmer has to fix."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict

from ruamel.yaml import YAML
from ruamel.yaml.constructor import SafeConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError  # noqa: F401 (YAMLError: for callers)
from ruamel.yaml.nodes import MappingNode, ScalarNode

LINE_KEY = "__line__"
KEY_LINES_KEY = "__key_lines__"


class _LineConstructor(SafeConstructor):
    """ruamel's safe constructor; mappings carry their lines; dates stay text (the
    validator checks them and can then say which line is wrong, where a date
    constructor would stop the whole file at "2026-13-45")."""


def _construct_mapping(constructor: _LineConstructor, node: MappingNode) -> Dict[str, Any]:
    constructor.flatten_mapping(node)  # `<<:` merge keys, as the safe constructor does
    mapping: Dict[Any, Any] = {}
    key_lines: Dict[Any, int] = {}
    for key_node, value_node in node.value:
        key = constructor.construct_object(key_node, deep=True)
        mapping[key] = constructor.construct_object(value_node, deep=True)
        if isinstance(key_node, ScalarNode):
            key_lines[key_node.value] = key_node.start_mark.line + 1
    mapping[LINE_KEY] = node.start_mark.line + 1
    mapping[KEY_LINES_KEY] = key_lines
    return mapping


_LineConstructor.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
_LineConstructor.add_constructor(
    "tag:yaml.org,2002:timestamp", lambda constructor, node: constructor.construct_scalar(node)
)


def _reader(constructor: type) -> YAML:
    yaml = YAML(typ="safe")  # the C parser (ruamel.yaml.clib) when installed
    yaml.version = (1, 2)
    yaml.Constructor = constructor
    return yaml


class YamlFileError(ValueError):
    """A knowledge file that is not valid YAML; carries a plain message with the line."""

    def __init__(self, path: Path, line: int, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}")
        self.path, self.line, self.message = path, line, message


def safe_load(text: str) -> Any:
    """Plain data from YAML text, by the YAML 1.2 rules (dates stay text)."""
    return strip_lines(_reader(_LineConstructor).load(text))


def load_with_lines(path: Path) -> Any:
    """Parse one YAML file; mappings carry `__line__` and `__key_lines__`."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise YamlFileError(path, 1, f"文件不是 UTF-8 编码（{error.reason}）") from None
    try:
        return _reader(_LineConstructor).load(text)
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        problem = error.problem or str(error)
        raise YamlFileError(path, line, f"YAML 格式错误：{problem}") from None
    except YAMLError as error:
        raise YamlFileError(path, 1, f"YAML 格式错误：{error}") from None


def line_of(mapping: Any, key: str | None = None) -> int:
    """Line of a mapping, or of one of its keys when present."""
    if not isinstance(mapping, dict):
        return 0
    if key is not None and key in mapping.get(KEY_LINES_KEY, {}):
        return mapping[KEY_LINES_KEY][key]
    return mapping.get(LINE_KEY, 0)


def strip_lines(value: Any) -> Any:
    """Drop the bookkeeping keys, for consumers that want plain data."""
    if isinstance(value, dict):
        return {k: strip_lines(v) for k, v in value.items() if k not in (LINE_KEY, KEY_LINES_KEY)}
    if isinstance(value, list):
        return [strip_lines(v) for v in value]
    return value
