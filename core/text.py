"""Typed text as the services accept it: one place for normalising and refusing what a form field may hold.

Every service that stores user text passes it through `clean_text` (or `clean_phone` / `clean_choice`):
the value is normalised to NFC (so the same 汉字 typed on two machines compares equal), trimmed, checked
against a length limit counted in characters, and refused — never silently repaired — when it holds
control characters (NUL, escape codes…), bidirectional overrides (U+202E makes "exe.txt" print as
"txt.exe") or zero-width characters (an invisible difference between two names that look the same).
Errors are `core.errors.ValidationError` with a Chinese message naming the field; pure, standard library only.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Any, Iterable

from core.errors import ValidationError

# Bidirectional embeddings/overrides/isolates and marks, and zero-width characters. All are category Cf,
# which is refused as a whole; the names are listed so the message can say what was found.
BIDI_CHARS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
ZERO_WIDTH_CHARS = frozenset("\u200b\u200c\u200d\u2060\ufeff\u180e")

_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９－", "0123456789-")
# 11-digit mobile (1 then 3–9, as issued in mainland China) or landline 区号-号码 (0 + 2–3 digits, 7–8 digits).
_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_LANDLINE = re.compile(r"0[0-9]{2,3}-[0-9]{7,8}")


def forbidden_char(text: str, *, multiline: bool = False) -> str | None:
    """A description (Chinese) of the first character a field may not hold, or None when the text is clean.

    Refused: control characters (category Cc; a line break and a tab are allowed only in multi-line text),
    format characters (Cf: bidi overrides, zero-width joiners, BOM…), surrogates (Cs), and line/paragraph
    separators (Zl/Zp) outside multi-line text."""
    for ch in text:
        if multiline and ch in "\n\t":
            continue
        if ch in BIDI_CHARS:
            return f"文字方向控制字符 U+{ord(ch):04X}"
        if ch in ZERO_WIDTH_CHARS:
            return f"零宽字符 U+{ord(ch):04X}"
        category = unicodedata.category(ch)
        if category == "Cc":
            return "换行符" if ch in "\r\n" else f"控制字符 U+{ord(ch):04X}"
        if category in ("Cf", "Cs"):
            return f"不可见字符 U+{ord(ch):04X}"
        if category in ("Zl", "Zp") and not multiline:
            return "换行符"
    return None


def clean_text(value: Any, *, field_label: str, max_len: int, multiline: bool = False,
               required: bool = False, field_key: str | None = None) -> str:
    """The stored form of one text field: NFC, trimmed, at most `max_len` characters, nothing invisible.

    None is "". Non-text values (numbers, lists, dicts) are refused rather than turned into text. In
    multi-line text Windows/Mac line breaks and U+2028/U+2029 become "\n". Raises ValidationError keyed
    by `field_key` (default: the label)."""
    key = field_key or field_label
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError((key, f"{field_label}应为文字"))
    if len(value) > 4 * max_len + 100:  # refuse a flood before normalising and scanning it character by character
        raise ValidationError((key, f"{field_label}不能超过{max_len}个字（当前{len(value)}个字）"))
    text = unicodedata.normalize("NFC", value)
    if multiline:
        text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    text = text.strip()
    found = forbidden_char(text, multiline=multiline)
    if found:
        raise ValidationError((key, f"{field_label}含有不允许的{found}，请删除后重新输入"))
    if required and not text:
        raise ValidationError((key, f"请填写{field_label}"))
    if len(text) > max_len:
        raise ValidationError((key, f"{field_label}不能超过{max_len}个字（当前{len(text)}个字）"))
    return text


def clean_phone(value: Any, *, field_label: str = "联系电话", required: bool = True,
                field_key: str | None = None) -> str:
    """A phone number as stored: an 11-digit mobile ("13812345678") or a landline "区号-号码"
    ("0356-2021234"), ASCII digits only.

    Spaces are dropped and full-width digits (typed with a Chinese input method) become ASCII; any other
    digit script (e.g. Arabic-Indic ٣, which Python's int() would accept) is refused."""
    key = field_key or field_label
    text = clean_text(value, field_label=field_label, max_len=20, required=required, field_key=key)
    if not text:
        return ""
    text = text.translate(_FULLWIDTH_DIGITS).replace(" ", "").replace("\u3000", "")
    if _MOBILE.fullmatch(text) and text.isascii():
        return text
    if _LANDLINE.fullmatch(text) and text.isascii():
        return text
    digits = text.replace("-", "")
    if _MOBILE.fullmatch(digits) and digits.isascii():
        return digits  # "138-1234-5678" → "13812345678"
    raise ValidationError((key, f"{field_label}应为11位手机号（1开头）或“区号-号码”格式的固定电话，"
                                f"只能使用半角数字，例如 13812345678 或 0356-2021234"))


def clean_choice(value: Any, *, field_label: str, choices: Iterable[str], required: bool = True,
                 field_key: str | None = None) -> str:
    """One of the allowed words, compared after NFC and trimming; anything else is refused."""
    allowed = tuple(choices)
    text = clean_text(value, field_label=field_label, max_len=max((len(c) for c in allowed), default=0) + 50,
                      required=required, field_key=field_key)
    if not text and not required:
        return ""
    if text not in allowed:
        raise ValidationError((field_key or field_label, f"{field_label}只能是：{'、'.join(allowed)}"))
    return text
