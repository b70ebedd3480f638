"""Reading what investors type into the intention form (amounts, mobile numbers, e-mail)
and masking personal data before it reaches a log line or a staff chat group (PIPL:
personal data only where it is needed, in full only in the admin area)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import Optional, Tuple

CNY, USD = "CNY", "USD"
MAX_AMOUNT = 1e13  # more than any single project; anything larger is a typo or a joke

# Traditional and financial (大写) numerals fold to the plain simplified ones.
_NUMERAL_FOLD = str.maketrans(
    {
        "〇": "零",
        "壹": "一",
        "贰": "二",
        "貳": "二",
        "兩": "两",
        "叁": "三",
        "參": "三",
        "肆": "四",
        "伍": "五",
        "陆": "六",
        "陸": "六",
        "柒": "七",
        "捌": "八",
        "玖": "九",
        "拾": "十",
        "佰": "百",
        "仟": "千",
        "萬": "万",
        "億": "亿",
    }
)
_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN = "零一二两三四五六七八九"
_TOKEN = rf"\d+(?:\.\d+)?|[{_CN}](?:点[{_CN}]+)?|[十百千万亿]"
_NUMBER = re.compile(rf"(?:{_TOKEN})+")
_TOKENS = re.compile(_TOKEN)
# Words around an amount that do not change it ("计划投资约5000万元左右").
_PREFIXES = ("计划总投资", "计划投资", "拟投资", "总投资", "投资额", "投资", "大约", "大概", "约", "人民币", "rmb")
_SUFFIXES = ("左右", "上下", "人民币", "rmb", "。", ".", "!", "！")
# Longest first: "美元" ends in "元".
_CURRENCIES = (("美元", USD), ("美金", USD), ("usd", USD), ("元", CNY), ("块钱", CNY), ("块", CNY))
_DIGIT_GROUPING = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_PHONE_SEPARATORS = re.compile(r"[\s\-()（）]")
_EMAIL = re.compile(
    r"^[A-Za-z0-9](?:[A-Za-z0-9._%+-]{0,62}[A-Za-z0-9_%+-])?@"
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}$"
)

# Personal data inside free text, for mask_text.
_PHONE_IN_TEXT = re.compile(r"(?<![\d+])(?:(?:\+|00)?86[\s-]?)?1[3-9]\d(?:[\s-]?\d){8}(?!\d)")
_LANDLINE_IN_TEXT = re.compile(r"(?<!\d)0\d{2,3}[\s-]?\d{7,8}(?!\d)")
_ID_NUMBER_IN_TEXT = re.compile(r"(?<!\d)\d{17}[\dXx](?![\dA-Za-z])")
_EMAIL_IN_TEXT = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,24}")


@dataclass(frozen=True)
class Amount:
    """An investment amount. `yuan` counts whole units of `currency` (元 or 美元): no
    exchange rate is applied, staff judge foreign-currency projects themselves."""

    yuan: float
    currency: str
    text: str


def _fold(text: str) -> str:
    """Full-width to ASCII (NFKC), traditional numerals to simplified, no spaces, lower case."""
    folded = unicodedata.normalize("NFKC", text or "").translate(_NUMERAL_FOLD).lower()
    return re.sub(r"\s+", "", folded)


def _strip_words(text: str) -> str:
    changed = True
    while changed and text:
        changed = False
        for prefix in _PREFIXES:
            if text.startswith(prefix):
                text, changed = text[len(prefix) :], True
        for suffix in _SUFFIXES:
            if text.endswith(suffix):
                text, changed = text[: -len(suffix)], True
    return text


def _split_currency(text: str) -> Tuple[str, Optional[str]]:
    if text.startswith("¥"):
        return text[1:], CNY
    if text.startswith("$"):
        return text[1:], USD
    for word, currency in _CURRENCIES:
        if text.endswith(word):
            return text[: -len(word)], currency
    return text, None


def _token_value(token: str) -> Tuple[float, bool]:
    """A number token's value, and whether it is a single digit ("一亿五" means 1.5亿)."""
    if token[0].isdigit():
        return float(token), len(token) == 1
    if "点" in token:
        whole, fraction = token.split("点")
        return float(f"{_DIGITS[whole]}.{''.join(str(_DIGITS[c]) for c in fraction)}"), False
    return float(_DIGITS[token]), True


def _evaluate(number: str) -> Optional[float]:
    """Arabic, Chinese or mixed numerals with 十/百/千/万/亿 ("1亿5000万", "三千五百万")."""
    total = section = current = 0.0
    pending: Optional[float] = None
    pending_single = False
    last_unit = 0.0
    for token in _TOKENS.findall(number):
        if token in _SMALL_UNITS or token in ("万", "亿"):
            if token in _SMALL_UNITS:
                current += (1.0 if pending is None else pending) * _SMALL_UNITS[token]
                last_unit = _SMALL_UNITS[token]
            elif token == "万":
                small = current + (pending or 0.0)
                if small == 0 and section == 0 and total == 0:
                    return None
                section, current, last_unit = section + small * 1e4, 0.0, 1e4
            else:
                value = section + current + (pending or 0.0)
                if value == 0 and total == 0:
                    return None
                total, section, current, last_unit = (total + value) * 1e8, 0.0, 0.0, 1e8
            pending = None
            continue
        if token == "零":
            continue
        if pending is not None:
            return None  # two numbers side by side ("二零二三", "5五") are not an amount
        pending, pending_single = _token_value(token)
    if pending is not None and pending_single and last_unit >= 10:
        pending *= last_unit / 10  # "一万五" = 15000, "三千五" = 3500
    return total + section + current + (pending or 0.0)


def _display(value: float, currency: str) -> str:
    """ "5000万元", "1.5亿元", "3000万美元": the largest unit that stays exact to 4 places."""
    suffix = "元" if currency == CNY else "美元"
    exact = Decimal(repr(value))
    for size, unit in ((Decimal(10) ** 8, "亿"), (Decimal(10) ** 4, "万")):
        scaled = exact / size
        if scaled >= 1 and scaled == scaled.quantize(Decimal("0.0001")):
            return f"{format(scaled.normalize(), 'f')}{unit}{suffix}"
    return f"{format(exact.normalize(), 'f')}{suffix}"


def parse_amount(text: str) -> Optional[Amount]:
    """The amount in a whole answer ("5000万", "五千万", "约1.5亿元左右"), or None.

    A number needs 万/亿 or a currency: a bare "5000" could be 元 or 万, so the form asks
    again rather than guess. A sentence with other numbers in it is refused for the same
    reason."""
    folded = _strip_words(_DIGIT_GROUPING.sub("", _fold(text)))
    number, currency = _split_currency(folded)
    number = _strip_words(number)
    if not number or not _NUMBER.fullmatch(number):
        return None
    if currency is None and not re.search("[万亿]", number):
        return None
    value = _evaluate(number)
    if value is None:
        return None
    value = round(value, 2)
    if not 0 < value <= MAX_AMOUNT:
        return None
    currency = currency or CNY
    return Amount(yuan=value, currency=currency, text=_display(value, currency))


def normalise_phone(text: Optional[str]) -> Optional[str]:
    """A mainland mobile number as 11 digits, or None (landlines cannot take a callback SMS
    and are refused, so the form asks for a mobile or an e-mail instead)."""
    digits = _PHONE_SEPARATORS.sub("", unicodedata.normalize("NFKC", text or ""))
    for prefix in ("+86", "0086", "86"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11:
            digits = digits[len(prefix) :]
            break
    return digits if _MOBILE.match(digits) else None


def normalise_email(text: Optional[str]) -> Optional[str]:
    """The address with its domain lower-cased, or None when it is not plausibly one."""
    candidate = unicodedata.normalize("NFKC", text or "").strip()
    if len(candidate) > 254 or ".." in candidate or not _EMAIL.match(candidate):
        return None
    local, domain = candidate.rsplit("@", 1)
    return f"{local}@{domain.lower()}"


def mask_phone(phone: Optional[str]) -> str:
    """ "138****5678": enough for staff to tell leads apart, too little to call."""
    if not phone:
        return ""
    digits = normalise_phone(phone)
    return f"{digits[:3]}****{digits[-4:]}" if digits else "****"


def mask_email(email: Optional[str]) -> str:
    """ "w***@example.com"."""
    if not email:
        return ""
    normalised = normalise_email(email)
    if not normalised:
        return "***"
    local, domain = normalised.rsplit("@", 1)
    return f"{local[0]}***@{domain}"


def mask_name(name: Optional[str]) -> str:
    """ "王**": the surname is how staff address the investor ("王总")."""
    name = (name or "").strip()
    if not name:
        return ""
    return name[0] + "*" * max(len(name) - 1, 1) if len(name) > 1 else "*"


def mask_text(text: Optional[str]) -> str:
    """Free text with phone, landline, ID and e-mail numbers masked: safe for a log line."""
    folded = unicodedata.normalize("NFKC", text or "")
    folded = _EMAIL_IN_TEXT.sub(lambda m: mask_email(m.group()), folded)
    folded = _PHONE_IN_TEXT.sub(lambda m: mask_phone(m.group()), folded)
    folded = _ID_NUMBER_IN_TEXT.sub("******", folded)
    return _LANDLINE_IN_TEXT.sub("****", folded)
