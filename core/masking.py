"""敏感信息脱敏 — 身份证号、电话、出生日期 for roles that do not need them (X-I1 data, shown per role).

使用科室 and 领导 see lists of experts and draw results but not ID numbers or private phone numbers; the expert
office and the administrator see everything. Masking is a display concern done on copies: stored records are
never changed. The sensitive keys are those marked `sensitive` in `core.expert_fields`.

Masking must not be undoable (issue 11 §2): an ID number shown as `1405**********0016` hides the birth date in
digits 7–14, so wherever the ID number is masked the birth date is shown no finer than the year (`1981年`), and
the record's own ID number, phones and birth date are also scrubbed from every other text of the record (remarks,
nested registration notes, audit before/after values). Phones read one way everywhere: `138****5678`; masking is
idempotent, so a value masked twice reads the same as one masked once.

`sees_full_personal_data(role)` is the one rule deciding masked versus full; `view_for(role, record)` applies it.
Every view, history, export and document path goes through these two.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from datetime import date
from typing import Any, Iterable

from core.auth import can
from core.expert_fields import SENSITIVE_KEYS

MASK = "*"
# fields read from the ID number's hidden digits (7–14): shown as the year only to a masked viewer
BIRTH_KEYS = ("birth_date", "birth_month")
_MASKED_MOBILE = re.compile(r"1\d\d\*{4}\d{4}")
_YEAR = re.compile(r"(?<!\d)(1[89]\d\d|20\d\d)(?!\d)")


def sees_full_personal_data(role: str) -> bool:
    """The one rule: 管理员 and 专家管理办公室 see ID numbers, phones and birth dates in full; every other role
    (使用科室, 领导, an unknown role) sees them masked."""
    return can(role, "view_sensitive")


def can_see_sensitive(role: str) -> bool:
    """管理员 and 专家管理办公室 see ID numbers and phones unmasked; 使用科室 and 领导 do not."""
    return sees_full_personal_data(role)


def mask_id_number(value: str | None) -> str:
    """"14010219800101123X" → "1401**********123X": first 4 and last 4 kept; short values fully masked."""
    text = str(value or "").strip()
    if len(text) <= 8:
        return MASK * len(text)
    return text[:4] + MASK * (len(text) - 8) + text[-4:]


def mask_phone(value: str | None) -> str:
    """"13812345678" → "138****5678"; other numbers keep only their last 4 digits (separators stay).

    Idempotent: "138****5678" stays "138****5678" (masking twice once showed "*******5678")."""
    text = str(value or "").strip()
    if re.fullmatch(r"1\d{10}", text) or _MASKED_MOBILE.fullmatch(text):
        return text[:3] + MASK * 4 + text[-4:]
    digit_positions = [n for n, ch in enumerate(text) if ch.isdigit()]
    keep = set(digit_positions[-4:])
    return "".join(ch if (n in keep or not ch.isdigit()) else MASK for n, ch in enumerate(text))


def birth_year_text(value: Any) -> str:
    """出生日期 coarsened for a masked viewer: "1981-03-12" / date(1981, 3, 12) / "1981年3月" → "1981年"; a value
    with no readable year → "****"; empty stays empty."""
    if value is None or value == "":
        return "" if value is None else value
    if isinstance(value, date):
        return f"{value.year}年"
    found = _YEAR.search(str(value))
    return f"{found.group(1)}年" if found else MASK * 4


def _birth_from_id(number: str) -> date | None:
    if len(number) == 18 and number[6:14].isdigit():
        try:
            return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
        except ValueError:
            return None
    return None


def _as_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


@dataclass(frozen=True)
class Secrets:
    """What must never show in full to a masked viewer: ID numbers, phone numbers and birth dates of a record."""
    id_numbers: frozenset[str] = frozenset()
    phones: frozenset[str] = frozenset()
    births: frozenset[date] = frozenset()

    @cached_property
    def plan(self) -> tuple[tuple, tuple, tuple]:
        """What scrub_text replaces, prepared once: (ID numbers in both cases, phones, (year, date patterns, "1981年"))
        — longest first, so a number is never replaced inside a longer one."""
        ids = tuple((variant, mask_id_number(n)) for n in sorted(self.id_numbers, key=len, reverse=True)
                    for variant in dict.fromkeys((n, n.lower())))
        phones = tuple((p, mask_phone(p)) for p in sorted(self.phones, key=len, reverse=True))
        births = tuple((str(b.year), b, f"{b.year}年") for b in sorted(self.births))
        return ids, phones, births


def secrets_of(*records: Any) -> Secrets:
    """The ID numbers, sensitive phones and birth dates (from birth_date or the ID number) held by `records` (a
    Secrets among them is taken as it is)."""
    ids: set[str] = set()
    phones: set[str] = set()
    births: set[date] = set()
    for record in records:
        if isinstance(record, Secrets):
            ids |= record.id_numbers
            phones |= record.phones
            births |= record.births
            continue
        if not isinstance(record, dict):
            continue
        number = str(record.get("id_number") or "").strip().upper()
        if len(number) >= 15 and MASK not in number:
            ids.add(number)
            born = _birth_from_id(number)
            if born:
                births.add(born)
        for key in SENSITIVE_KEYS:
            value = record.get(key)
            if key != "id_number" and isinstance(value, str) and MASK not in value \
                    and sum(ch.isdigit() for ch in value) >= 7:
                phones.add(value.strip())
        born = _as_date(record.get("birth_date"))
        if born:
            births.add(born)
    return Secrets(frozenset(ids), frozenset(phones), frozenset(births))


@lru_cache(maxsize=4096)
def _date_patterns(d: date) -> tuple[re.Pattern, ...]:
    """Every way a text may write the day `d` or its month (1981-03-12, 1981/3/12, 1981.03.12, 19810312,
    1981年3月12日, 1981年03月, 1981-03 …); full dates first so the month form never splits one."""
    y, m, dd = d.year, d.month, d.day
    sep = r"\s*(?:年|[-./])\s*"
    return (
        re.compile(rf"(?<!\d){y}{sep}0?{m}\s*(?:月|[-./])\s*0?{dd}(?!\d)\s*日?"),
        re.compile(rf"(?<!\d){y}{m:02d}{dd:02d}(?!\d)"),
        re.compile(rf"(?<!\d){y}{sep}0?{m}(?!\d)\s*月?"),
    )


def scrub_text(text: str, secrets: Secrets) -> str:
    """`text` with every full ID number, phone and birth date of `secrets` replaced by its masked form."""
    if not text or len(text) < 6:  # shorter than any secret ("1981-3", a 7-digit phone, an ID number)
        return text
    for number, masked in secrets.plan[0]:
        if number in text:  # cheap tests first: most texts hold no secret at all
            text = text.replace(number, masked)
    for phone, masked in secrets.plan[1]:
        if phone in text:
            text = text.replace(phone, masked)
    for year, born, replacement in secrets.plan[2]:
        if year in text:  # compiled only when the year is there at all
            for pattern in _date_patterns(born):
                text = pattern.sub(replacement, text)
    return text


def mask_value(key: str, value: Any) -> Any:
    """The masked form of one field's value; empty values stay empty."""
    if value is None or value == "" or value == [] or value == ():
        return value
    if key == "id_number":
        return mask_id_number(value)
    if key in BIRTH_KEYS:
        return birth_year_text(value)
    if isinstance(value, str):
        return mask_phone(value)
    return MASK * 4


def _mask_any(value: Any, keys: frozenset[str], secrets: Secrets) -> Any:
    if isinstance(value, str):
        return scrub_text(value, secrets)
    if isinstance(value, dict):
        return {k: (mask_value(k, v) if k in keys else _mask_any(v, keys, secrets)) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_mask_any(v, keys, secrets) for v in value)
    return value


def mask_record(record: dict, keys: Iterable[str] = SENSITIVE_KEYS, *, also: Iterable[Any] = ()) -> dict:
    """A copy of `record` with the sensitive fields masked and the birth date shown as its year only (absent keys
    stay absent); the record's own ID number, phones and birth date — and those of the records in `also`, e.g.
    the other versions of it in its history — are scrubbed from every other text, nested ones included."""
    secrets = secrets_of(record, *also)
    masked_keys = frozenset(keys) | frozenset(BIRTH_KEYS)
    return _mask_any(dict(record), masked_keys, secrets)


def view_for(role: str, record: dict, *, also: Iterable[Any] = ()) -> dict:
    """`record` as `role` may see it: unchanged for the office and the admin, masked (mask_record) otherwise."""
    return record if sees_full_personal_data(role) else mask_record(record, also=also)


def view_text_for(role: str, text: str, *records: Any) -> str:
    """A text about `records` (a reason, a note) as `role` may see it: their ID numbers, phones and birth dates
    masked for a masked viewer."""
    return text if sees_full_personal_data(role) else scrub_text(text, secrets_of(*records))
