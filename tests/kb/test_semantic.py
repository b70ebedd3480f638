"""The E5 re-ranker of the FAQ choice (kb/semantic.py), with the real bundled encoder."""

import pytest

from kb import semantic
from tests.kb.small_kb import small_kb


@pytest.fixture(scope="module")
def kb():
    knowledge = small_kb()
    semantic.build_index(knowledge)
    return knowledge


def test_meaning_decides_between_entries_the_selector_could_not_separate(kb, setting):
    setting("FAQ_RERANKER", "e5")
    assert semantic.ready_for(kb)
    assert semantic.rerank(kb, "园区精神具体是什么", [("transport", 0.34), ("spirit", 0.33)]) == "spirit"
    assert semantic.rerank(kb, "交通便利吗", [("spirit", 0.34), ("transport", 0.33)]) == "transport"


def test_a_sure_selector_is_not_overruled_by_a_small_difference(kb, setting):
    setting("FAQ_RERANKER", "e5")
    scores = semantic.similarities(kb, "交通方便吗")
    assert max(scores, key=scores.get) == "transport"


def test_switched_off_or_not_ready_keeps_the_selector(kb, setting):
    setting("FAQ_RERANKER", "off")
    assert semantic.rerank(kb, "交通便利吗", [("spirit", 0.9)]) is None
    setting("FAQ_RERANKER", "e5")
    other = small_kb()  # a reloaded knowledge base: its index is built in the background
    assert semantic.rerank(other, "交通便利吗", [("spirit", 0.9)]) is None
    assert semantic.rerank(kb, "", [("spirit", 0.9)]) is None and semantic.rerank(kb, "交通", []) is None


def test_new_phrasings_are_the_only_ones_encoded_again(kb):
    before = dict(semantic._vectors)
    semantic.build_index(small_kb())
    assert set(semantic._vectors) == set(before)
