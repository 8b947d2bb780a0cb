"""专家信息的录入校验 — JC-I1 (附件2 申报表), YQ-I1 (附表一 入库申请表), X-I1, X-T1.

`validate_expert` takes a raw record as a form, an Excel row or an import gives it, and returns a cleaned copy
(every field of `core.expert_fields.EXPERT_FIELDS` present, strings stripped, dates as ISO strings, codes in
taxonomy order) or raises one `ValidationError` listing every bad field in form order, each message naming the
field's Chinese label. Nothing half-valid ever comes back, so services can save what they get. The module also
holds the small facts other rules read off a record: age, the sectors an expert counts in (X-T1: once per
sector, whatever the number of specialties), and the end of a term (JC 第八条(三) 聘期三年).
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta
from typing import Any, Iterable

from core.errors import ValidationError
from core.expert_fields import EXPERT_FIELDS, FIELDS_BY_KEY, SYSTEM_KEYS, FieldSpec
from core.idcard import IdInfo, age_on, parse_id_number, validate_mobile
from core.numbers import whole_number
from core.text import forbidden_char

DEFAULT_STATE = "申请中"
# Integer fields are year counts (help text: 整年数，0–60); a key missing here gets DEFAULT_INT_RANGE.
INT_RANGES: dict[str, tuple[int, int]] = {"years_in_field": (0, 60), "enterprise_safety_years": (0, 60)}
DEFAULT_INT_RANGE = (0, 60)
# Fixed-line style numbers: digits, spaces, hyphens, parentheses (full-width ones are normalised first).
OTHER_PHONE_KEYS = ("work_phone", "home_phone", "unit_phone", "fax")
PHONE_MIN, PHONE_MAX = 7, 20

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_LINE_BREAK = re.compile(r"[\r\n\u2028\u2029]")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
# ASCII digits only ([0-9], not \d: \d matches every script's digits, e.g. Devanagari ४ or Arabic-Indic ٤).
_POSTCODE = re.compile(r"[0-9]{6}")
_OTHER_PHONE = re.compile(r"[0-9 \-()]+")
MAX_LIST_ITEMS = 50
_LIST_SPLIT = re.compile(r"[,，、;；\n]+")
_TRUE_WORDS = {"是", "true", "yes", "y", "1", "√", "☑"}
_FALSE_WORDS = {"否", "false", "no", "n", "0", "", "×", "☐"}
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")


class _Invalid(Exception):
    """One field's Chinese message; collected into the single ValidationError."""


def _is_empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() == ""
    if isinstance(value, (list, tuple, set, frozenset)):
        return all(_is_empty(v) for v in value)
    return False


def _empty_value(spec: FieldSpec) -> Any:
    if spec.kind in ("multichoice", "specialties", "list"):
        return []
    if spec.kind == "bool":
        return False
    if spec.kind in ("int", "date"):
        return None
    return ""


def _as_text(spec: FieldSpec, value: Any, *, multiline: bool, limit: bool = True) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise _Invalid(f"{spec.label}应为文字")
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # Excel hands whole numbers over as floats
    text = unicodedata.normalize("NFC", str(value))
    if _CONTROL.search(text):
        raise _Invalid(f"{spec.label}含有不可见的控制字符，请删除后重试")
    if multiline:
        text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    elif _LINE_BREAK.search(text.strip()):
        raise _Invalid(f"{spec.label}不能换行，请写在一行内")
    text = text.strip()
    probe = text.replace("\t", " ")
    if multiline:  # free text may hold emoji sequences (👷‍♂️ is joined by U+200D); names and one-line fields may not
        probe = probe.replace("\u200d", "").replace("\u200c", "")
    # str.isprintable() is False for every category forbidden_char refuses (Cc, Cf, Cs, Zl, Zp): a C-speed fast path
    found = None if probe.replace("\n", " ").isprintable() else forbidden_char(probe, multiline=multiline)
    if found:  # bidi overrides, zero-width characters, lone surrogates: invisible differences between two names
        raise _Invalid(f"{spec.label}含有不允许的{found}，请删除后重新输入")
    if limit and len(text) > spec.max_len:
        raise _Invalid(f"{spec.label}不能超过{spec.max_len}字，当前{len(text)}字")
    return text


def _choices_hint(choices: Iterable[str]) -> str:
    return "、".join(choices)


def _as_choice(spec: FieldSpec, value: Any) -> str:
    text = _as_text(spec, value, multiline=False)
    if text not in spec.choices:
        raise _Invalid(f"{spec.label}“{text}”不是可选项（可选：{_choices_hint(spec.choices)}）")
    return text


def _split_items(value: Any, pattern: re.Pattern[str]) -> list[Any]:
    if isinstance(value, str):
        return pattern.split(value)
    if isinstance(value, (list, tuple, set, frozenset)):
        return list(value)
    return [value]


def _as_multichoice(spec: FieldSpec, value: Any) -> list[str]:
    picked: set[str] = set()
    for item in _split_items(value, _LIST_SPLIT):
        if _is_empty(item):
            continue
        text = _as_text(spec, item, multiline=False)
        if text not in spec.choices:
            raise _Invalid(f"{spec.label}“{text}”不是可选项（可选：{_choices_hint(spec.choices)}）")
        picked.add(text)
    return [c for c in spec.choices if c in picked]


def _as_int(spec: FieldSpec, value: Any) -> int:
    number = whole_number(value)
    if number is None:
        raise _Invalid(f"{spec.label}应为整数，当前为“{value}”")
    low, high = INT_RANGES.get(spec.key, DEFAULT_INT_RANGE)
    if not low <= number <= high:
        raise _Invalid(f"{spec.label}应在{low}到{high}之间，当前为{number}")
    return number


def parse_date(value: Any) -> date | None:
    """A date from a date, a datetime or a string in a common Chinese office format; None if it is not one."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        return None
    text = unicodedata.normalize("NFKC", value).strip()
    text = re.sub(r"\s+\d{1,2}:\d{2}(:\d{2})?$", "", text)  # "2026-06-05 00:00:00" from spreadsheets
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _as_date(spec: FieldSpec, value: Any) -> date:
    parsed = parse_date(value)
    if parsed is None:
        raise _Invalid(f"{spec.label}应为日期（如 2026-06-05），当前为“{value}”")
    return parsed


def _as_bool(spec: FieldSpec, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = value.strip().lower()
        if word in _TRUE_WORDS:
            return True
        if word in _FALSE_WORDS:
            return False
    raise _Invalid(f"{spec.label}应为“是”或“否”，当前为“{value}”")


def _as_list(spec: FieldSpec, value: Any) -> list[str]:
    items: list[str] = []
    for n, item in enumerate(_split_items(value, re.compile(r"\r\n|\r|\n")), start=1):
        if _is_empty(item):
            continue
        if isinstance(item, bool) or not isinstance(item, (str, int, float)):
            raise _Invalid(f"{spec.label}第{n}项应为文字")
        text = unicodedata.normalize("NFC", str(item))
        if _CONTROL.search(text):
            raise _Invalid(f"{spec.label}第{n}项含有不可见的控制字符，请删除后重试")
        text = text.strip()
        found = None if text.isprintable() else forbidden_char(text)
        if found and not _LINE_BREAK.search(text):
            raise _Invalid(f"{spec.label}第{n}项含有不允许的{found}，请删除后重新输入")
        if _LINE_BREAK.search(text):
            raise _Invalid(f"{spec.label}第{n}项不能换行，每行写一个")
        if len(text) > spec.max_len:
            raise _Invalid(f"{spec.label}第{n}项不能超过{spec.max_len}字，当前{len(text)}字")
        if text not in items:
            items.append(text)
    if len(items) > MAX_LIST_ITEMS:
        raise _Invalid(f"{spec.label}最多{MAX_LIST_ITEMS}项，当前{len(items)}项")
    return items


def _policy_title(policy: Any) -> str:
    return getattr(policy, "short_name", None) or getattr(policy, "name", None) or "当前政策"


_CODE_WITH_LABEL = re.compile(r"(\d+(?:\.\d+)*)\s+[^\d\s]")


def _specialty_tokens(value: Any) -> list[str]:
    """Codes from a list or a string: "1.2", "2.1、1.3" or labels as shown, "1.1 地质勘探、测量；2.1 化工工艺"."""
    tokens: list[str] = []
    for item in _split_items(value, re.compile(r"[,，;；\n\t]+")):
        if _is_empty(item):
            continue
        part = unicodedata.normalize("NFKC", str(item)).strip()
        labelled = _CODE_WITH_LABEL.match(part)
        if labelled:  # the label itself may contain 、 — keep the code only
            tokens.append(labelled.group(1))
        else:
            tokens.extend(t for t in re.split(r"[、\s]+", part) if t)
    return tokens


def _as_specialties(spec: FieldSpec, value: Any, policy: Any) -> list[str]:
    known = tuple(policy.taxonomy.all_specialty_codes())
    order = {code: n for n, code in enumerate(known)}
    picked: set[str] = set()
    unknown: list[str] = []
    for code in _specialty_tokens(value):
        if code in order:
            picked.add(code)
        elif code not in unknown:
            unknown.append(code)
    if unknown:
        codes = "、".join(unknown)
        raise _Invalid(f"{spec.label}中的代码 {codes} 不在《{_policy_title(policy)}》专业分类表中")
    if not picked:
        raise _Invalid(f"{spec.label}至少选择一项")
    return sorted(picked, key=order.__getitem__)


def _check_phone(spec: FieldSpec, value: Any) -> str:
    text = unicodedata.normalize("NFKC", _as_text(spec, value, multiline=False, limit=False))
    if not _OTHER_PHONE.fullmatch(text) or not PHONE_MIN <= len(text) <= PHONE_MAX:
        raise _Invalid(f"{spec.label}只能包含数字、空格、连字符和括号，长度{PHONE_MIN}–{PHONE_MAX}位")
    return text


def _clean_field(spec: FieldSpec, value: Any, policy: Any) -> Any:
    """The cleaned value of one non-empty field, or _Invalid with the Chinese message."""
    key = spec.key  # id_number is parsed by validate_expert itself: its result feeds gender and birth_date
    if key == "mobile":
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # Excel hands 13812345678 over as a float
        try:
            return validate_mobile(value, key, spec.label)
        except ValidationError as err:
            raise _Invalid(err.errors[0][1]) from None
    if key in OTHER_PHONE_KEYS:
        return _check_phone(spec, value)
    if key == "email":
        text = _as_text(spec, value, multiline=False)
        if not _EMAIL.fullmatch(text):
            raise _Invalid(f"{spec.label}格式不正确，应如 name@example.com")
        return text
    if key == "postcode":
        if isinstance(value, int) and not isinstance(value, bool):
            value = f"{value:06d}"  # a spreadsheet drops the leading 0 of 045000
        text = unicodedata.normalize("NFKC", _as_text(spec, value, multiline=False, limit=False))
        if not _POSTCODE.fullmatch(text):
            raise _Invalid(f"{spec.label}应为6位数字")
        return text
    kind = spec.kind
    if kind == "text":
        return _as_text(spec, value, multiline=False)
    if kind == "longtext":
        return _as_text(spec, value, multiline=True)
    if kind == "choice":
        text = _as_choice(spec, value)
        allowed = {"route": "routes", "expert_kind": "expert_kinds"}.get(key)
        if allowed is not None:
            options = tuple(getattr(policy, allowed))
            if text not in options:
                raise _Invalid(f"{spec.label}“{text}”不适用于《{_policy_title(policy)}》"
                               f"（可选：{_choices_hint(options)}）")
        return text
    if kind == "multichoice":
        return _as_multichoice(spec, value)
    if kind == "int":
        return _as_int(spec, value)
    if kind == "date":
        return _as_date(spec, value).isoformat()
    if kind == "bool":
        return _as_bool(spec, value)
    if kind == "specialties":
        return _as_specialties(spec, value, policy)
    if kind == "list":
        return _as_list(spec, value)
    raise AssertionError(f"unknown field kind {kind!r} for {key}")


def validate_expert(data: dict, policy: Any, today: date, *, existing: dict | None = None) -> dict:
    """Clean a raw expert record or raise ValidationError listing every bad field in form order.

    `existing` is the stored record when editing: keys absent from `data` keep their stored values, so a
    partial change is validated as the whole record it produces. Its system keys (`id` …) and any keys a
    service keeps beside the form fields are carried over untouched. `data` is whitelisted: only the form's
    fields (EXPERT_FIELDS) are accepted; a system key (`transitions`, `policy_id` …) or an unknown key is refused
    with a Chinese error, as is any value holding a lone surrogate. Text is NFC-normalised and refused when it
    holds control, bidi-override or zero-width characters; digits in ID numbers, phones and postcodes are ASCII.
    Without `existing`, absent fields are empty and the state starts as 申请中.
    """
    if not isinstance(data, dict):
        raise ValidationError(("record", "专家信息格式不正确，应为逐项填写的表单"))
    errors: list[tuple[str, str]] = []
    data = dict(data)
    refused: set[str] = set()
    for key in list(data):
        if not isinstance(key, str) or key not in FIELDS_BY_KEY:
            shown = _printable(key)
            if isinstance(key, str) and key in SYSTEM_KEYS:
                errors.append((shown, f"“{shown}”由系统记录，不能录入或导入"))
            else:
                errors.append((shown, f"未知字段“{shown}”，不能保存（请检查导入表的列名）"))
            del data[key]
        elif _has_surrogate(data[key]):
            # refused before any message could echo it: a lone surrogate cannot be encoded (UnicodeEncodeError)
            errors.append((key, f"{FIELDS_BY_KEY[key].label}含有无法识别的字符（不成对的代理码位），请重新输入"))
            refused.add(key)
    raw: dict[str, Any] = dict(existing or {})
    raw.update(data)
    cleaned: dict[str, Any] = {k: v for k, v in (existing or {}).items() if k not in FIELDS_BY_KEY}

    if _is_empty(raw.get("state")):
        raw["state"] = DEFAULT_STATE

    id_info: IdInfo | None = None
    for spec in EXPERT_FIELDS:
        value = raw.get(spec.key)
        if spec.key in refused:
            cleaned[spec.key] = _empty_value(spec)
            continue
        if spec.key == "id_number" and not _is_empty(value):
            try:
                id_info = parse_id_number(value, today=today, field=spec.key)
                cleaned[spec.key] = id_info.number
            except ValidationError as err:
                errors.extend(err.errors)
                cleaned[spec.key] = value
            continue
        if _is_empty(value):
            if spec.required:
                errors.append((spec.key, f"{spec.label}为必填项"))
            cleaned[spec.key] = _empty_value(spec)
            continue
        try:
            cleaned[spec.key] = _clean_field(spec, value, policy)
        except _Invalid as err:
            errors.append((spec.key, str(err)))
            cleaned[spec.key] = _empty_value(spec)

    bad = {k for k, _ in errors}
    _derive_from_id(cleaned, raw, id_info, bad, errors)
    _cross_checks(cleaned, bad, errors)

    if errors:
        position = {spec.key: n for n, spec in enumerate(EXPERT_FIELDS)}
        errors.sort(key=lambda e: position.get(e[0], len(position)))  # stable: keeps per-field order
        raise ValidationError(errors)
    return cleaned


def _has_surrogate(value: Any) -> bool:
    if isinstance(value, str):
        return any("\ud800" <= ch <= "\udfff" for ch in value)
    if isinstance(value, (list, tuple, set, frozenset)):
        return any(_has_surrogate(v) for v in value)
    return False


def _printable(key: Any) -> str:
    """A key as it may appear in a message: surrogates and invisible characters replaced, at most 40 characters."""
    text = str(key)
    text = "".join("?" if ("\ud800" <= ch <= "\udfff" or unicodedata.category(ch) in ("Cc", "Cf")) else ch
                   for ch in text)
    return text[:40] + ("…" if len(text) > 40 else "")


def _derive_from_id(cleaned: dict, raw: dict, info: IdInfo | None, bad: set[str],
                    errors: list[tuple[str, str]]) -> None:
    """性别 and 出生日期 come from the ID number when empty and must agree with it when typed (X-I1)."""
    if info is None:
        return
    if "gender" not in bad:
        if _is_empty(raw.get("gender")):
            cleaned["gender"] = info.gender
        elif cleaned["gender"] != info.gender:
            errors.append(("gender", f"性别与身份证号不一致（身份证号显示为{info.gender}）"))
    if "birth_date" not in bad:
        if _is_empty(raw.get("birth_date")):
            cleaned["birth_date"] = info.birth_date.isoformat()
        elif cleaned["birth_date"] != info.birth_date.isoformat():
            errors.append(("birth_date", f"出生日期与身份证号不一致（身份证号显示为{info.birth_date.isoformat()}）"))


def _cross_checks(cleaned: dict, bad: set[str], errors: list[tuple[str, str]]) -> None:
    """Rules between two fields of the same record."""
    start, end = cleaned.get("term_start"), cleaned.get("term_end")
    if start and end and not {"term_start", "term_end"} & bad and end < start:  # ISO strings sort as dates
        errors.append(("term_end", f"聘期结束（{end}）不能早于聘期开始（{start}）"))
    if (cleaned.get("employment_status") == "其他" and not cleaned.get("employment_other")
            and "employment_other" not in bad):
        errors.append(("employment_other", "在岗情况选择“其他”时，请填写在岗情况（其他）说明"))


_LIST_KEYS = ("specialties", "qualifications", "related_enterprises", "transitions", "unavailable")
_DATE_KEYS = ("term_start", "term_end", "apply_date")
_TEXT_KEYS = ("name", "unit", "title", "title_level", "department", "major", "policy_id", "group_role",
              "certificate_no", "id_number", "mobile")


def record_problems(record: Any, states: Iterable[str]) -> list[str]:
    """Why a stored record cannot be shown or counted as an expert (valid JSON, wrong shape); [] when it can.

    Checks only what the registry, the home page and the counts read: an integer id, a known state, text
    where text is read, lists where lists are read, ISO dates where dates are computed with, and a birth date
    (or an ID number) that gives an age. Messages are Chinese and never echo the stored value.
    """
    if not isinstance(record, dict):
        return ["记录不是键值形式"]
    problems: list[str] = []
    if not isinstance(record.get("id"), int) or isinstance(record.get("id"), bool):
        problems.append("编号不是整数")
    if record.get("state") not in tuple(states):
        problems.append("状态不是已知的专家状态")
    for key in _TEXT_KEYS:
        if record.get(key) is not None and not isinstance(record.get(key), str):
            problems.append(f"{_label(key)}不是文字")
    for key in _LIST_KEYS:
        value = record.get(key)
        if value is not None and not isinstance(value, list):
            problems.append(f"{_label(key)}不是列表")
        elif key in ("specialties", "qualifications", "related_enterprises") and value and \
                not all(isinstance(v, str) for v in value):
            problems.append(f"{_label(key)}中有不是文字的项")
        elif key in ("transitions", "unavailable") and value and not all(isinstance(v, dict) for v in value):
            problems.append(f"{_label(key)}中有格式不正确的项")
    for key in _DATE_KEYS:
        value = record.get(key)
        if value not in (None, "") and not (isinstance(value, str) and _iso_date(value)):
            problems.append(f"{_label(key)}不是日期")
    try:
        expert_birth_date(record)
    except (ValidationError, TypeError, ValueError):
        problems.append("出生日期无法识别")
    return problems


def _iso_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10


def _label(key: str) -> str:
    spec = FIELDS_BY_KEY.get(key)
    return spec.label if spec else {"transitions": "状态记录", "unavailable": "不可参加时段", "policy_id": "政策",
                                    "id": "编号"}.get(key, key)


def expert_birth_date(expert: dict) -> date:
    """出生日期 of a record: its birth_date field, else read from its ID number."""
    value = expert.get("birth_date")
    if isinstance(value, str) and len(value) == 10:  # the stored ISO form: the fast path for big tables
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    parsed = parse_date(value)
    if parsed is not None:
        return parsed
    number = str(expert.get("id_number") or "")
    parsed = parse_date(number[6:14]) if len(number) == 18 else None
    if parsed is None:
        raise ValidationError(("birth_date", "缺少出生日期和有效的身份证号，无法计算年龄"))
    return parsed


def expert_age(expert: dict, today: date) -> int:
    """周岁 on `today`, from birth_date or, failing that, the ID number."""
    return age_on(expert_birth_date(expert), today)


def expert_sector_codes(expert: dict, taxonomy: Any) -> tuple[str, ...]:
    """Distinct 行业领域 codes of an expert's specialties, in taxonomy order (X-T1: counted once per sector).

    Codes the taxonomy does not know (a record kept under another policy profile) are left out rather than
    failing a whole quota table; validate_expert never lets such a code in under the same profile.
    """
    sectors = set()
    for code in expert.get("specialties") or ():
        try:
            sectors.add(taxonomy.sector_of(code).code)
        except KeyError:  # UnknownCodeError is a KeyError too
            continue
    return tuple(s.code for s in taxonomy.sectors if s.code in sectors)


def term_end_for(start: date, years: int) -> date:
    """Last day of a term of `years` years from `start`: the day before the same date `years` later.

    A term starting on 29 Feb ends on 28 Feb of a common year (its anniversary falls on 1 March).
    """
    if years < 1:
        raise ValueError("聘期年限应至少为1年")
    try:
        anniversary = start.replace(year=start.year + years)
    except ValueError:  # 29 Feb → common year
        anniversary = date(start.year + years, 3, 1)
    return anniversary - timedelta(days=1)
