"""kb/schema.py is the one definition of an FAQ entry and a figure: the loader, the
editor, the spreadsheet, the forms and the JSON API all take their fields from it."""

from __future__ import annotations

import ast
from pathlib import Path

from kb import editing, loader, tabular
from kb.schema import FAQ, FIGURE
from tests.test_layers import LAYERS
from web.admin import api, views

ROOT = Path(__file__).resolve().parents[2]


def test_loader_accepts_exactly_the_schema_keys():
    assert loader.FAQ_KEYS == FAQ.file_keys and "as_of" in loader.FAQ_KEYS and "terms" in loader.FAQ_KEYS
    assert loader.FIGURE_KEYS == FIGURE.file_keys and "source" in loader.FIGURE_KEYS


def test_editor_spreadsheet_forms_and_api_use_the_schema_fields():
    assert editing.FAQ_FIELDS == FAQ.keys and editing.FIGURE_FIELDS == FIGURE.keys
    assert tabular.KEYS == FAQ.keys and tabular.LABELS["question"] == FAQ.field("question").label
    assert set(tabular.REQUIRED_CELLS) == set(FAQ.required) - {"id"}
    assert views.FAQ_FORM_KEYS == list(FAQ.keys) and views.FIGURE_FORM_KEYS == list(FIGURE.keys[1:])
    expected = ("id", "category", "question", "phrasings", "answer", "source", "period", "reviewed_at", "disabled")
    assert api.API_FIELDS == expected


def test_reading_an_entry_gives_every_field_in_its_kind():
    raw = {
        "id": "power",
        "question": " 电价多少 ",
        "answer": "见下",
        "phrasings": ["电费", "", None],
        "source": {"document": "profile_2021", "section": "costs"},
        "as_of": "2021年",
    }
    fields = FAQ.read(raw, category="costs")
    assert fields == {
        "id": "power",
        "category": "costs",
        "question": "电价多少",
        "phrasings": ["电费"],
        "answer": "见下",
        "document": "profile_2021",
        "section": "costs",
        "period": "2021年",
        "reviewed_at": "",
        "disabled": False,
    }
    figure = FIGURE.read({"id": "gdp", "name": "GDP", "value": 12.5, "source": "not a map"})
    assert (figure["kind"], figure["value"], figure["growth_pct"], figure["document"]) == ("fact", 12.5, None, "")


def test_a_new_schema_field_reaches_the_api_json(knowledge_copy, tmp_path):
    """The API's JSON is built from the schema: every field is there, source grouped."""
    from kb.audit import AuditLog

    editor = editing.KnowledgeEditor(knowledge_copy, AuditLog(tmp_path / "audit.db"), Path("data/nlu"))
    entry = editor.faqs()[0]
    body = api.faq_json(entry)
    grouped = {key for key in FAQ.keys if key in api.GROUPED}
    assert grouped == {"document", "section"}
    assert set(body) == (set(FAQ.keys) - grouped) | {"source", "version"}
    assert body["source"] == {key: entry.fields[key] for key in grouped}


def test_one_yaml_library():
    """ruamel (YAML 1.2) reads and writes; PyYAML (YAML 1.1, where "no" is False) is not used."""
    found = []
    for package in (package for package in LAYERS if package != "tests"):
        for path in sorted((ROOT / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    modules = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module:
                    modules = [node.module]
                else:
                    continue
                found += [f"{path.relative_to(ROOT)}:{node.lineno}" for m in modules if m.split(".")[0] == "yaml"]
    assert found == []
