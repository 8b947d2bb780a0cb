"""居民身份证号与移动电话的校验 — X-I1 (GB 11643-1999 公民身份号码; 校验码 ISO 7064 MOD 11-2).

`parse_id_number` turns what a user typed into an `IdInfo` (normalised number, 行政区划代码, 出生日期, 性别) or
raises `ValidationError(("id_number", 中文说明))` naming the one thing that is wrong. The region check is kept
simple on purpose: the first two digits must be a province-level code of GB/T 2260 (11–15, 21–23, 31–37, 41–46,
50–54, 61–65, 71, 81, 82) and digits 3–6 must not all be zero (a person is registered in a county, never in a
province as a whole). Whether the six digits name a county that exists today is not checked: codes change
every year and old numbers stay valid for life. `today` is always passed in; core never reads the clock.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from core.errors import ValidationError

ID_LENGTH = 18
EARLIEST_BIRTH_YEAR = 1900
# GB 11643-1999: weight of position i (1-based from the left) is 2^(18-i) mod 11.
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"  # indexed by (weighted sum mod 11)
PROVINCE_CODES = frozenset(
    [str(n) for n in range(11, 16)] + [str(n) for n in range(21, 24)] + [str(n) for n in range(31, 38)]
    + [str(n) for n in range(41, 47)] + [str(n) for n in range(50, 55)] + [str(n) for n in range(61, 66)]
    + ["71", "81", "82"]
)

# [0-9], not \d: \d also matches Devanagari, Arabic-Indic … digits, which int() reads but the store compares as
# different text (a second record of the same person, a ban-list entry missed).
_ID_SHAPE = re.compile(r"[0-9]{17}[0-9X]")
_MOBILE = re.compile(r"1[0-9]{10}")


@dataclass(frozen=True)
class IdInfo:
    """What an 18-digit number says about its holder."""

    number: str          # normalised: ASCII digits, upper-case X
    region_code: str     # first six digits (户籍所在地行政区划代码)
    birth_date: date
    gender: str          # "男" | "女" (17th digit odd = 男)


def check_digit(first17: str) -> str:
    """The 18th character GB 11643 requires for these 17 digits ("0"–"9" or "X")."""
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS))
    return _CHECK_CHARS[total % 11]


def normalise_id_number(text: object) -> str:
    """Full-width digits → ASCII, surrounding spaces stripped, x → X (does not validate)."""
    return unicodedata.normalize("NFKC", str(text or "")).strip().upper()


def parse_id_number(text: object, *, today: date, field: str = "id_number") -> IdInfo:
    """Validate an 18-digit 居民身份证号 and read region, birth date and gender from it (X-I1)."""
    number = normalise_id_number(text)

    def fail(message: str) -> ValidationError:
        return ValidationError((field, message))

    if not number:
        raise fail("身份证号为必填项")
    if len(number) != ID_LENGTH:
        extra = "（15位旧号码请换用18位新号码）" if re.fullmatch(r"[0-9]{15}", number) else ""
        raise fail(f"身份证号应为18位，当前为{len(number)}位{extra}")
    if not _ID_SHAPE.fullmatch(number):
        if any(ch.isdigit() and not ch.isascii() for ch in number):
            raise fail("身份证号只能使用半角数字0–9（末位可为X），请勿使用其他文字的数字")
        raise fail("身份证号前17位应为数字，末位应为数字或X")

    region = number[:6]
    if region[:2] not in PROVINCE_CODES:
        raise fail(f"身份证号前两位 {region[:2]} 不是有效的省级行政区划代码")
    if region[2:] == "0000":
        raise fail(f"身份证号前6位 {region} 不是县级行政区划代码")

    digits8 = number[6:14]
    try:
        birth = date(int(digits8[:4]), int(digits8[4:6]), int(digits8[6:]))
    except ValueError:
        raise fail(f"身份证号中的出生日期 {digits8} 不存在") from None
    if birth.year < EARLIEST_BIRTH_YEAR:
        raise fail(f"身份证号中的出生日期 {digits8} 早于{EARLIEST_BIRTH_YEAR}年，请核对")
    if birth > today:
        raise fail(f"身份证号中的出生日期 {digits8} 晚于今天，请核对")

    expected = check_digit(number[:17])
    if number[17] != expected:
        raise fail(f"身份证号校验位错误（按前17位计算，末位应为 {expected}），请逐位核对号码")

    gender = "男" if int(number[16]) % 2 == 1 else "女"
    return IdInfo(number=number, region_code=region, birth_date=birth, gender=gender)


def age_on(birth_date: date, today: date) -> int:
    """Full years (周岁) on `today`. Someone born on 29 Feb turns a year older on 1 March in common years."""
    had_birthday = (today.month, today.day) >= (birth_date.month, birth_date.day)
    return today.year - birth_date.year - (0 if had_birthday else 1)


def validate_mobile(text: object, field: str = "mobile", label: str | None = None) -> str:
    """Normalise a 移动电话 to 11 digits starting with 1 (spaces/hyphens dropped, +86 / 0086 prefix allowed).

    `field` is the key reported in the error, so the same check can serve other phone fields; `label` defaults
    to that field's label in the expert form (移动电话).
    """
    if label is None:
        from core.expert_fields import FIELDS_BY_KEY  # late import: keeps idcard usable on its own

        spec = FIELDS_BY_KEY.get(field)
        label = spec.label if spec is not None else "移动电话"
    raw = unicodedata.normalize("NFKC", str(text or "")).strip()
    digits = re.sub(r"[\s\-]", "", raw)
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix):
            digits = digits[len(prefix):]
            break
    else:
        if len(digits) == 13 and digits.startswith("86"):
            digits = digits[2:]
    if not _MOBILE.fullmatch(digits):
        raise ValidationError((field, f"{label}应为以1开头的11位数字"))
    return digits
