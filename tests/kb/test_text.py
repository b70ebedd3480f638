"""Normalisation: what investors type is folded to clean simplified text."""

from __future__ import annotations

from kb.text import MAX_NLU_CHARS, SIMPLIFIED, TRADITIONAL, detect_script, normalise, to_traditional, tokenize


def test_traditional_is_folded_and_detected():
    result = normalise("湘潭經開區的工業總產值是多少？")
    assert result.text == "湘潭经开区的工业总产值是多少?"
    assert result.script == TRADITIONAL


def test_simplified_stays_simplified():
    assert normalise("湘潭经开区在哪里").script == SIMPLIFIED
    assert detect_script("") == SIMPLIFIED


def test_full_width_and_punctuation_noise():
    assert normalise("ＡＢＣ１２３　电价！！！？？").text == "abc123 电价!?"


def test_emoji_only_becomes_empty():
    assert normalise("😀👍🎉").empty
    assert normalise("？？？!!!").empty
    assert normalise("").empty and normalise(None).empty


def test_html_tags_are_removed_text_kept():
    assert normalise("<script>alert(1)</script>机场").text == "alert(1) 机场"
    assert normalise("<b>地价</b>").text == "地价"


def test_long_message_is_cut_and_flagged():
    result = normalise("园区" * 2500)
    assert result.truncated and len(result.text) == MAX_NLU_CHARS
    assert not normalise("园区在哪").truncated


def test_invisible_characters_removed():
    assert normalise("电\u200b价\u0000").text == "电价"


def test_reply_conversion_uses_taiwan_characters():
    assert to_traditional("湘潭经开区工业总产值821.7亿元") == "湘潭經開區工業總產值821.7億元"


def test_tokenize_keeps_terms_whole_and_folds_synonyms():
    words = tokenize("湘潭经开区的固投是多少", ["湘潭经开区", "固投"], {"固投": "固定资产投资"})
    assert words == ["湘潭经开区", "固定资产投资"]
