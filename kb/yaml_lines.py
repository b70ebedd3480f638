"""YAML loading that remembers where each mapping and key came from, so validation
errors can name the file and line a non-programmer has to fix."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Dict

import yaml

LINE_KEY = "__line__"
KEY_LINES_KEY = "__key_lines__"


class _LineLoader(yaml.SafeLoader):
    pass


# Dates stay text: the validator checks them and can then say which line is wrong,
# where PyYAML would stop the whole file at "2026-13-45".
_LineLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> Dict[str, Any]:
    mapping = loader.construct_mapping(node, deep=True)
    mapping[LINE_KEY] = node.start_mark.line + 1
    mapping[KEY_LINES_KEY] = {
        key_node.value: key_node.start_mark.line + 1 for key_node, _ in node.value
    }
    return mapping


_LineLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping
)


class YamlFileError(ValueError):
    """A knowledge file that is not valid YAML; carries a plain message with the line."""

    def __init__(self, path: Path, line: int, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}")
        self.path, self.line, self.message = path, line, message


def load_with_lines(path: Path) -> Any:
    """Parse one YAML file; mappings carry `__line__` and `__key_lines__`."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise YamlFileError(path, 1, f"文件不是 UTF-8 编码（{error.reason}）") from None
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - SafeLoader subclass
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        problem = error.problem or str(error)
        raise YamlFileError(path, line, f"YAML 格式错误：{problem}") from None


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
        return {
            k: strip_lines(v) for k, v in value.items() if k not in (LINE_KEY, KEY_LINES_KEY)
        }
    if isinstance(value, list):
        return [strip_lines(v) for v in value]
    return value
