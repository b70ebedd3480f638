"""A small, made-up knowledge base for tests of the dialogue logic, so a staff edit of
knowledge/ never breaks them. Only the assistant's message templates come from the fixture
messages.yml (they hold no facts)."""

from __future__ import annotations

from pathlib import Path

from kb.loader import load_knowledge
from kb.model import FaqEntry, Figure, KnowledgeBase, Source

KNOWLEDGE = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "knowledge"
SOURCE = Source("profile", "测试园区简介", "overview", "总述")


def faq(
    entry_id: str,
    question: str,
    answer: str,
    terms=(),
    category: str = "profile",
    period: str = "2021",
    no_published_figure: bool = False,
) -> FaqEntry:
    return FaqEntry(
        entry_id,
        category,
        category,
        question,
        answer,
        (question,),
        SOURCE,
        period,
        "2026-12-01",
        tuple(terms),
        no_published_figure,
    )


def small_kb() -> KnowledgeBase:
    messages = load_knowledge(KNOWLEDGE).knowledge.messages
    figures = {
        "output": Figure(
            "output",
            "工业总产值",
            ("工业产值", "总产值"),
            "indicator",
            500.5,
            "亿元",
            "2021年1-6月",
            SOURCE,
            "2026-12-01",
            growth_pct=10.5,
        ),
        "foreign": Figure(
            "foreign", "直接到位外资", ("外资",), "indicator", 1234, "万美元", "2021年1-6月", SOURCE, "2026-12-01"
        ),
        "area": Figure("area", "园区面积", ("面积",), "fact", 100, "平方公里", "2021", SOURCE, "2026-12-01"),
        "added": Figure(
            "added",
            "工业增加值",
            ("增加值",),
            "indicator",
            200.2,
            "亿元",
            "2021年1-6月",
            SOURCE,
            "2026-12-01",
            growth_pct=15.5,
        ),
        "scale_output": Figure(
            "scale_output",
            "规模工业总产值",
            ("规上工业总产值",),
            "indicator",
            300.3,
            "亿元",
            "2021年1-6月",
            SOURCE,
            "2026-12-01",
        ),
        "corridor": Figure("corridor", "科创走廊长度", ("科创走廊",), "fact", 30, "公里", "2021", SOURCE, "2026-12-01"),
    }
    faqs = {
        entry.id: entry
        for entry in (
            faq(
                "spirit",
                "什么是园区精神？",
                "园区精神是：\n- 马上就办的服务精神\n- 团结友爱的团队精神\n- 敢闯敢试的改革精神",
            ),
            faq(
                "companies",
                "有哪些企业？",
                "已形成以百亿企业星辰汽车、月光电池为龙头的产业集群；入驻了甲公司、乙公司、丙公司等世界500强企业。",
                terms=("星辰汽车", "月光电池", "甲公司", "乙公司", "丙公司"),
                category="industries",
            ),
            faq(
                "ranking",
                "园区排名多少？",
                "在2020年100家国家级经开区综合评价中排名第30位，省内排名第二；获得“三块牌子”：信访、教育事业、军民融合三项工作获表彰。",
            ),
            faq(
                "economy",
                "经济数据怎么样？",
                "2021年1-6月：\n- 工业总产值{output}（增长{output.growth}）\n- 直接到位外资{foreign}",
                period="2021年1-6月",
            ),
            faq("bonded", "综保区是什么情况？", "综保区在全省率先建立首批海外仓。", terms=("海外仓",)),
            faq(
                "land_price",
                "地价多少？",
                "知识库中没有公开的土地价格数据。资料中能确认的是园区面积{area}。",
                no_published_figure=True,
            ),
            faq("founding", "园区什么时候成立？", "测试园区始建于2003年底，2011年9月获批为国家级经开区。"),
            faq("taiwan", "是台商投资区吗？", "是的，测试园区是省政府批准的台商投资区。"),
            faq("approvals", "审批方便吗？", "企业入驻各项审批一个部门受理、一个窗口办结。"),
            faq(
                "industry",
                "主导产业有哪些？",
                "产业新区：\n- 汽车：以星辰汽车为龙头\n- 医疗器械：做实做强湖南省医疗器械产业园",
            ),
            faq(
                "work2021",
                "2021年做什么？",
                "对标“五好园区”建设要求，开展“产业提质年、环境提优年、文化提振年、民生提速年、基层提强年”五年行动。",
            ),
            faq("corridor_entry", "科创走廊是什么？", "两市大学城对接出一条总长{corridor}的“西岸科创走廊”。"),
            faq(
                "power",
                "用电情况？",
                "园区是2016年国家首批增量配电改革试点园区，电价、水价、气价均有优势。2018年，湖南首张增量配电项目许可落户园区。",
                terms=("增量配电",),
            ),
            faq(
                "transport",
                "交通方便吗？",
                "立体交通网络：\n- 铁路：京港高铁纵贯南北\n- 水运：河西港千吨级货运通江达海\n- 航空：距机场仅40分钟车程",
            ),
        )
    }
    terms = sorted({t for entry in faqs.values() for t in entry.terms})
    return KnowledgeBase(figures, faqs, messages, [], {}, {}, terms)
