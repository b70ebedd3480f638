"""Files generated from knowledge/ are committed up to date and say so in their header."""

from __future__ import annotations

from kb.training_data import HEADER, generated_files
from tests.conftest import PROJECT_ROOT


def test_generated_files_are_up_to_date(live_knowledge):
    stale = [
        str(path.relative_to(PROJECT_ROOT))
        for path, content in generated_files(live_knowledge, PROJECT_ROOT).items()
        if not path.exists() or path.read_text(encoding="utf-8") != content
    ]
    assert stale == [], "run `make data` and commit the result"


def test_faq_training_file_covers_every_entry(knowledge):
    content = generated_files(knowledge, PROJECT_ROOT)[PROJECT_ROOT / "data/nlu/faq.yml"]
    assert content.startswith(HEADER)
    for entry in knowledge.active_faqs():
        assert f"- intent: faq/{entry.id}\n" in content
        assert f"utter_faq/{entry.id}:" in content


def test_dictionary_holds_zone_company_indicator_and_policy_names(knowledge):
    content = generated_files(knowledge, PROJECT_ROOT)[PROJECT_ROOT / "data/jieba/userdict.txt"]
    words = {line.split(" ")[0] for line in content.splitlines()[1:]}
    assert {
        "湘潭经开区",
        "吉利汽车",
        "舍弗勒",
        "规模工业增加值",
        "固定资产投资",
        "九华精神",
    } <= words


def test_disabled_entry_is_left_out_of_training(knowledge):
    from dataclasses import replace

    faqs = dict(knowledge.faqs)
    faqs["airport"] = replace(faqs["airport"], disabled=True)
    trimmed = type(knowledge)(**{**knowledge.__dict__, "faqs": faqs})
    content = generated_files(trimmed, PROJECT_ROOT)[PROJECT_ROOT / "data/nlu/faq.yml"]
    assert "faq/airport\n" not in content
