"""Manage staff accounts from the shell; the only way to create the first one, since
there is no default user or password.

    python -m web.admin.cli add USERNAME --role editor|publisher [--password-stdin]
    python -m web.admin.cli passwd USERNAME [--password-stdin]
    python -m web.admin.cli role USERNAME editor|publisher
    python -m web.admin.cli remove USERNAME
    python -m web.admin.cli list

The database is $ADMIN_DB_URL, else the file $ADMIN_DB (default .state/admin.db): the
same one the web app uses.
Passwords are typed twice at a terminal, or read as one line from stdin with
--password-stdin for scripts; they are never printed or taken as an argument (which
would leave them in shell history and `ps`)."""

from __future__ import annotations

import argparse
import getpass
import sys
import time
from typing import List, Optional

from sqlalchemy.exc import SQLAlchemyError

from core import settings
from core.database import printable
from web.admin.sessions import SessionStore
from web.admin.users import ROLE_NAMES, UserError, UserStore


class CliError(Exception):
    """A failure to report on stderr as `error: 中文 (english)` with exit code 1."""

    def __init__(self, message: str, english: str) -> None:
        super().__init__(message)
        self.message = message
        self.english = english


def admin_db() -> str:
    return settings.database("ADMIN")


def read_password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        if not line:
            raise CliError("标准输入中没有密码", "no password on stdin")
        return line.rstrip("\r\n")
    if not sys.stdin.isatty():
        raise CliError("标准输入不是终端，请使用 --password-stdin", "stdin is not a terminal; use --password-stdin")
    try:
        first = getpass.getpass("密码 (password): ")
        second = getpass.getpass("再次输入密码 (repeat password): ")
    except (EOFError, KeyboardInterrupt):
        raise CliError("已取消", "cancelled") from None
    if first != second:
        raise CliError("两次输入的密码不一致", "passwords do not match")
    return first


def format_time(timestamp: Optional[float]) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(timestamp)) if timestamp else "-"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m web.admin.cli",
        description="管理后台账号 (staff accounts); database: $ADMIN_DB_URL, else the file $ADMIN_DB (.state/admin.db)",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    add = commands.add_parser("add", help="添加用户 (add a user)")
    add.add_argument("username")
    add.add_argument("--role", required=True, metavar="{editor,publisher}")
    add.add_argument(
        "--password-stdin", action="store_true", help="从标准输入读取一行作为密码 (read password from stdin)"
    )

    passwd = commands.add_parser("passwd", help="修改密码并注销其所有会话 (set password, log out everywhere)")
    passwd.add_argument("username")
    passwd.add_argument(
        "--password-stdin", action="store_true", help="从标准输入读取一行作为密码 (read password from stdin)"
    )

    role = commands.add_parser("role", help="修改角色并注销其所有会话 (change role, log out everywhere)")
    role.add_argument("username")
    role.add_argument("role", metavar="{editor,publisher}")

    remove = commands.add_parser("remove", help="删除用户并注销其所有会话 (remove a user)")
    remove.add_argument("username")

    commands.add_parser("list", help="列出用户 (list users)")
    return parser


def run(args: argparse.Namespace, db: str) -> None:
    users = UserStore(db)
    if args.command == "add":
        password = read_password(args.password_stdin)
        user = users.add(args.username, password, args.role)
        print(f"已添加用户 {user.username}，角色 {ROLE_NAMES[user.role]} (added {user.username} as {user.role})")
    elif args.command == "passwd":
        password = read_password(args.password_stdin)
        users.set_password(args.username, password)
        ended = SessionStore(db).delete_user(args.username)
        print(f"已修改 {args.username} 的密码，注销了 {ended} 个会话 (password changed, {ended} sessions ended)")
    elif args.command == "role":
        users.set_role(args.username, args.role)
        ended = SessionStore(db).delete_user(args.username)
        print(
            f"{args.username} 的角色已改为 {ROLE_NAMES[args.role]}，注销了 {ended} 个会话"
            f" (role set to {args.role}, {ended} sessions ended)"
        )
    elif args.command == "remove":
        users.remove(args.username)
        ended = SessionStore(db).delete_user(args.username)
        print(f"已删除用户 {args.username}，注销了 {ended} 个会话 (removed, {ended} sessions ended)")
    elif args.command == "list":
        rows = users.list()
        if not rows:
            print("（暂无用户） (no users)")
        for user in rows:
            print(f"{user.username}\t{user.role}\t上次登录 (last login): {format_time(user.last_login)}")


def main(argv: Optional[List[str]] = None) -> int:
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exit_:
        return 0 if exit_.code in (0, None) else 1  # argparse already printed usage/help
    try:
        run(args, admin_db())
    except (UserError, CliError) as error:
        print(f"error: {error.message} ({error.english})", file=sys.stderr)
        return 1
    except (SQLAlchemyError, OSError) as error:
        reason = getattr(error, "orig", None) or error  # the driver's own words, not SQLAlchemy's SQL dump
        print(
            f"error: 无法使用账号数据库 {printable(admin_db())} (cannot use the account database: {reason})",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
