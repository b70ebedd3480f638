"""The custom menu of the Official Account: CLICK keys and what each one asks.

Keys are what the MP console / the menu API stores; the assistant treats a click as if
the follower had typed the payload. scripts/wechat_menu.py creates this menu."""

from __future__ import annotations

from typing import Dict, List, Optional

# key -> (button title, payload sent to the assistant)
MENU_ITEMS: Dict[str, tuple] = {
    "TOPIC_LOCATION": ("区位交通", "湘潭经开区交通方便吗？"),
    "TOPIC_COSTS": ("成本资源", "在湘潭经开区经营成本高吗？"),
    "TOPIC_POLICIES": ("政策服务", "湘潭经开区对投资企业有哪些扶持政策？"),
    "TOPIC_INDUSTRIES": ("产业企业", "湘潭经开区的主导产业有哪些？"),
    "TOPIC_ECONOMY": ("经济数据", "湘潭经开区的经济数据怎么样？"),
    "TOPIC_TALENT": ("人才创新", "在湘潭经开区招工招人容易吗？"),
    "TOPIC_LIVING": ("生活配套", "湘潭经开区的生活配套和居住环境怎么样？"),
    "TOPIC_BONDED": ("综合保税区", "湘潭综合保税区是什么情况？"),
    "CONTACT_STAFF": ("联系招商", "我想联系招商人员"),
    "SHOW_MENU": ("全部话题", "你能做什么"),
}


def payload_for(key: Optional[str]) -> Optional[str]:
    item = MENU_ITEMS.get(key or "")
    return item[1] if item else None


def menu_definition() -> Dict[str, List[dict]]:
    """The body of POST /cgi-bin/menu/create (at most 3 top buttons, 5 under each)."""

    def click(key: str) -> dict:
        return {"type": "click", "name": MENU_ITEMS[key][0], "key": key}

    return {
        "button": [
            {
                "name": "投资环境",
                "sub_button": [click(k) for k in ("TOPIC_LOCATION", "TOPIC_COSTS", "TOPIC_TALENT", "TOPIC_LIVING")],
            },
            {
                "name": "产业政策",
                "sub_button": [
                    click(k) for k in ("TOPIC_INDUSTRIES", "TOPIC_ECONOMY", "TOPIC_POLICIES", "TOPIC_BONDED")
                ],
            },
            {"name": "咨询服务", "sub_button": [click(k) for k in ("CONTACT_STAFF", "SHOW_MENU")]},
        ]
    }
