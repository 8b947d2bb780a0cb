"""敏感信息脱敏 — 身份证号、电话 for roles that do not need them (X-I1 data, shown per role).

使用科室 and 领导 see lists of experts and draw results but not ID numbers or private phone numbers; the expert
office and the administrator see everything. Masking is a display concern done on copies: stored records are
never changed. The sensitive keys are those marked `sensitive` in `core.expert_fields`.
"""
from __future__ import annotations

import re
from typing import Any, Iterable

from core.auth import can
from core.expert_fields import SENSITIVE_KEYS

MASK = "*"


def mask_id_number(value: str | None) -> str:
    """"14010219800101123X" → "1401**********123X": first 4 and last 4 kept; short values fully masked."""
    text = str(value or "").strip()
    if len(text) <= 8:
        return MASK * len(text)
    return text[:4] + MASK * (len(text) - 8) + text[-4:]


def mask_phone(value: str | None) -> str:
    """"13812345678" → "138****5678"; other numbers keep only their last 4 digits (separators stay)."""
    text = str(value or "").strip()
    if re.fullmatch(r"1\d{10}", text):
        return text[:3] + MASK * 4 + text[-4:]
    digit_positions = [n for n, ch in enumerate(text) if ch.isdigit()]
    keep = set(digit_positions[-4:])
    return "".join(ch if (n in keep or not ch.isdigit()) else MASK for n, ch in enumerate(text))


def mask_value(key: str, value: Any) -> Any:
    """The masked form of one field's value; empty values stay empty."""
    if value is None or value == "" or value == [] or value == ():
        return value
    if key == "id_number":
        return mask_id_number(value)
    if isinstance(value, str):
        return mask_phone(value)
    return MASK * 4


def mask_record(record: dict, keys: Iterable[str] = SENSITIVE_KEYS) -> dict:
    """A copy of `record` with the sensitive fields masked (absent keys stay absent)."""
    masked = dict(record)
    for key in keys:
        if key in masked:
            masked[key] = mask_value(key, masked[key])
    return masked


def can_see_sensitive(role: str) -> bool:
    """管理员 and 专家管理办公室 see ID numbers and phones unmasked; 使用科室 and 领导 do not."""
    return can(role, "view_sensitive")
