"""How investors type, folded to the knowledge base's words (kb/lexicon.py)."""

import pytest

from kb import lexicon
from kb.text import normalise


@pytest.mark.parametrize(
    "typed, folded",
    [
        ("湘谭经开区", "湘潭经开区"),
        ("香潭经开去", "湘潭经开区"),
        ("九花精神", "九华精神"),
        ("综报区", "综保区"),
        ("宗保区", "综保区"),
        ("机厂多远", "机场多远"),
        ("经凯区", "经开区"),
        ("相谈甚欢", "相谈甚欢"),  # same sound, no character in common: another word
    ],
)
def test_same_sound_typos_of_the_zone_names(typed, folded):
    assert lexicon.fold_zone_name_typos(typed) == folded


def test_names_from_the_dictionary_are_corrected_too():
    assert lexicon.fold_zone_name_typos("桑顿新能原", ("桑顿新能源",)) == "桑顿新能源"
    assert lexicon.fold_zone_name_typos("桑顿新能原") == "桑顿新能原"


@pytest.mark.parametrize(
    "typed, folded",
    [
        ("fdi多少", "直接到位外资多少"),
        ("gdp growth呢", "地区生产总值增长呢"),
        ("有没有ev整车厂", "有没有新能源汽车整车厂"),
        ("r&d center有几家", "研发中心有几家"),
        ("ipo上市公司有几家", "上市公司有几家"),
        ("fortune 500有哪些", "世界500强有哪些"),
        ("develop", "develop"),  # "ev" inside a word is not EV
    ],
)
def test_english_terms(typed, folded):
    assert lexicon.fold_english(typed) == folded


def test_normalise_folds_script_case_english_and_typos():
    assert normalise("湘譚經開去的ＦＤＩ多少？").text == "湘潭经开区的直接到位外资多少?"
    assert normalise("年增率呢").text == "同比增长率呢"
    assert normalise("去廣州要幾耐").text == "去广州要多久"


@pytest.mark.parametrize(
    "typed, folded",
    [
        ("湘潭北站系边条线", "湘潭北站是哪条线"),
        ("离长沙黄花机场远唔远", "离长沙黄花机场远不远"),
        ("呢个系边年嘅数据", "这个是哪年的数据"),
        ("揾个真人同我倾", "找个真人同我聊"),
        ("总额系几多", "总额是多少"),
        # Mandarin with 系, 边 or 呢 is left alone: only plainly Cantonese text is folded
        ("那边的关系体系", "那边的关系体系"),
        ("旁边有学校呢", "旁边有学校呢"),
    ],
)
def test_cantonese_is_folded_to_mandarin(typed, folded):
    assert lexicon.fold_regional(typed) == folded


def test_one_wrong_character_in_a_long_name():
    names = ("桑顿新能源", "长沙机场", "长沙师大附小", "甲乙丙丁戊", "甲乙庚丁戊")
    assert lexicon.fold_one_wrong_character("桑屯新能源呢", names) == "桑顿新能源呢"
    assert lexicon.fold_one_wrong_character("长沙市场", names) == "长沙市场"  # too short to be sure
    assert lexicon.fold_one_wrong_character("长沙师大附中", names) == "长沙师大附中"  # the kind of thing differs
    assert lexicon.fold_one_wrong_character("甲乙辛丁戊", names) == "甲乙辛丁戊"  # two names one character away
    # the first character is a level or a place: another thing, not a typo
    assert lexicon.fold_one_wrong_character("国家级企业技术中心", ("省级企业技术中心",)) == "国家级企业技术中心"


def test_sounds_are_read_per_character_on_both_sides():
    # 长 alone reads zhang; the name 长沙 must be compared the same way (chang would never match)
    assert lexicon.fold_zone_name_typos("往长纱方向交通咋样") == "往长沙方向交通咋样"
