"""整数读取 — one reading of a whole number from what forms, Excel and stored JSON hand over.

An int; a float with no fraction (Excel gives 20 as 20.0); text of digits, full-width digits included, with an
optional sign. Anything else — bools, fractions, other text — is None, and the caller says what was wrong in its
own words.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Any

_WHOLE = re.compile(r"[+-]?\d+")


def whole_number(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip()
        if _WHOLE.fullmatch(text):
            return int(text)
    return None
