"""Create the Official Account's custom menu (connectors/wechat/menu.py) through the API.

make wechat-menu            # needs WECHAT_APP_ID, WECHAT_APP_SECRET
python -m scripts.wechat_menu --dry-run   # print the menu JSON only"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

import aiohttp

from connectors.wechat.customer_service import CustomerServiceClient
from connectors.wechat.menu import menu_definition
from core import settings


async def create_menu(base_url: str, app_id: str, app_secret: str) -> dict:
    client = CustomerServiceClient(base_url, app_id, app_secret)
    try:
        token = await client.access_token()
        async with aiohttp.ClientSession() as session:
            body = json.dumps(menu_definition(), ensure_ascii=False).encode("utf-8")
            async with session.post(
                f"{client.base_url}/cgi-bin/menu/create",
                params={"access_token": token},
                data=body,
                headers={"Content-Type": "application/json"},
            ) as response:
                return await response.json(content_type=None)
    finally:
        await client.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dry-run", action="store_true", help="print the menu JSON and stop")
    args = parser.parse_args()
    if args.dry_run:
        print(json.dumps(menu_definition(), ensure_ascii=False, indent=1))
        return 0
    app_id, secret = settings.get("WECHAT_APP_ID"), settings.get("WECHAT_APP_SECRET")
    if not app_id or not secret:
        print("error: set WECHAT_APP_ID and WECHAT_APP_SECRET (see README, WeChat section)", file=sys.stderr)
        return 2
    result = asyncio.run(create_menu(settings.get("WECHAT_API_BASE_URL"), app_id, secret))
    if result.get("errcode", 0) != 0:
        print(
            f"error: WeChat refused the menu: errcode {result.get('errcode')} {result.get('errmsg', '')}",
            file=sys.stderr,
        )
        return 1
    print("menu created")
    return 0


if __name__ == "__main__":
    sys.exit(main())
