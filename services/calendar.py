"""工作日历 — 国家法定节假日与调休安排（JC 第十七条“3个工作日内”，JC-V1）。

核心（core/workdays.py、core/evaluation.py）只接受一个 `is_workday(day) -> bool`；这里把维护中的 `chinesecalendar`
库（国务院办公厅每年公布的放假和调休安排，如 2025 年国庆中秋 10-01 至 10-08 放假、09-28 周日和 10-11 周六上班）
适配成这个函数。库尚未收录的年份（它抛 NotImplementedError，例如新一年的安排公布之前）退回周一至周五，
`fallback_notice` 给页面一句提醒（“2027年节假日安排尚未收录，按周一至周五计算”）；升级库即可收录新年份。

issue 13：库尚未收录的年份，管理员可在“节假日安排”页按国务院办公厅的通知录入（`save_year`，集合 calendar_years，
校验、留痕、更正保留历史）。`rules(ctx)` 是库 + 录入年份的工作日历（库收录的年份以库为准），一切按工作日计算的期限
都应当用它；下面的模块级函数保持原样（库 + 周一至周五），供不需要录入数据的地方使用。
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from types import MappingProxyType
from typing import Any, Iterable, Mapping

import chinese_calendar

from core.auth import can
from core.errors import NotFoundError, PermissionDenied, ValidationError
from core.workdays import monday_to_friday

__all__ = ["is_workday", "is_year_known", "known_years", "fallback_years", "fallback_notice", "holiday_name",
           "library_version",
           # issue 13: the years an admin enters from the State Council's notice (see below)
           "CALENDAR_YEARS", "CalendarRules", "rules", "list_years", "year_record", "save_year", "delete_year",
           "missing_next_year_notice", "NAME_MAX", "NOTICE_MAX", "DOCUMENT_NUMBER_MAX", "REASON_MAX"]

# English names the library gives each holiday → the names in the State Council's notice.
_HOLIDAY_NAMES = {
    "New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节", "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节", "National Day": "国庆节", "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


def _day(value: date) -> date:
    return value.date() if isinstance(value, datetime) else value


@lru_cache(maxsize=None)
def is_year_known(year: int) -> bool:
    """库是否收录了该年的放假和调休安排。"""
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
        return True
    except NotImplementedError:
        return False


def known_years() -> tuple[int, int]:
    """库收录的第一年和最后一年，如 (2004, 2026)。"""
    years = [d.year for d in chinese_calendar.holidays]
    return min(years), max(years)


def is_workday(day: date) -> bool:
    """该日是否上班：法定节假日放假、调休的周末上班；库未收录的年份按周一至周五。"""
    day = _day(day)
    if not is_year_known(day.year):
        return monday_to_friday(day)
    return bool(chinese_calendar.is_workday(day))


def holiday_name(day: date) -> str | None:
    """放假或调休上班所属的节日（“国庆节”“春节”…）；普通日子或未收录年份为 None。"""
    day = _day(day)
    if not is_year_known(day.year):
        return None
    _off, name = chinese_calendar.get_holiday_detail(day)
    return _HOLIDAY_NAMES.get(name, name) if name else None


def fallback_years(days: Iterable[date]) -> tuple[int, ...]:
    """这些日期所在年份中库未收录的年份（按周一至周五计算的年份），从小到大。"""
    return tuple(sorted({_day(d).year for d in days if d is not None and not is_year_known(_day(d).year)}))


def fallback_notice(*days: date) -> str | None:
    """计算用到的日期（如任务结束日和期限）落在未收录年份时给页面的提醒；都已收录时为 None。

    例：fallback_notice(date(2026, 12, 30), date(2027, 1, 4)) → “2027年节假日安排尚未收录，按周一至周五计算”。
    """
    years = fallback_years(days)
    if not years:
        return None
    return f"{'、'.join(f'{y}年' for y in years)}节假日安排尚未收录，按周一至周五计算"


def library_version() -> str:
    """所用 chinesecalendar 的版本（页面可显示“节假日数据：chinesecalendar 1.11.0，收录至2026年”）。"""
    return str(getattr(chinese_calendar, "__version__", "unknown"))


# --- 录入的年度安排（issue 13 “The official calendar”） -----------------------------------------------------------
# 库（chinesecalendar）尚未收录的年份，由管理员按国务院办公厅《关于XXXX年部分节假日安排的通知》录入放假日期和调休上班
# 日期；库收录的年份始终以库为准（录入的安排不再使用），两者都没有的年份按周一至周五计算并提醒。这里不带任何日期数据：
# 只有官方通知给出的日期才会由管理员录入（JC-V1 第十七条“3个工作日内”；X-L1 每次录入、更正、删除都记入操作日志）。
# 每年一条记录（集合 calendar_years）：{"year", "holidays": [{"date", "name"}], "makeup_days": [{"date", "name"}],
# "notice", "document_number", "entered_on", "entered_by", "history": [更正前的各版本]}。

CALENDAR_YEARS = "calendar_years"
NAME_MAX = 20  # 节日名称，如“春节”“国庆节、中秋节”
NOTICE_MAX = 100  # 通知标题
DOCUMENT_NUMBER_MAX = 50  # 文号，如“国办发明电〔XXXX〕X号”
REASON_MAX = 200
FIRST_YEAR, LAST_YEAR = 2000, 2100
_FORBIDDEN = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}  # 控制字符、不可见格式字符、代理项、私用区、未分配
_WEEKDAYS = "一二三四五六日"


def _weekday(day: date) -> str:
    return f"周{_WEEKDAYS[day.weekday()]}"


@dataclass(frozen=True)
class _Entered:
    holidays: Mapping[date, str]
    makeup_days: Mapping[date, str]


class CalendarRules:
    """某一时刻的工作日历：库收录的年份按库，录入的年份按录入的安排，其余年份按周一至周五。

    与模块级的 is_workday / holiday_name / fallback_notice 用法相同，只是多认录入的年份；由 `rules(ctx)` 构造，
    按 calendar_years 集合的版本缓存、各会话共用，不要改动它。"""

    def __init__(self, entered: Mapping[int, _Entered] | None = None):
        self._entered: Mapping[int, _Entered] = MappingProxyType(dict(entered or {}))

    @property
    def entered_years(self) -> tuple[int, ...]:
        """录入了安排的年份（含库已收录、录入不再使用的年份），从小到大。"""
        return tuple(sorted(self._entered))

    def source(self, year: int) -> str:
        """该年的数据来源："library"（库）、"entered"（录入）或 "fallback"（周一至周五）。"""
        if is_year_known(year):
            return "library"
        return "entered" if year in self._entered else "fallback"

    def is_year_known(self, year: int) -> bool:
        return self.source(year) != "fallback"

    def is_workday(self, day: date) -> bool:
        day = _day(day)
        source = self.source(day.year)
        if source == "library":
            return bool(chinese_calendar.is_workday(day))
        if source == "entered":
            entered = self._entered[day.year]
            if day in entered.holidays:
                return False
            if day in entered.makeup_days:
                return True
        return monday_to_friday(day)

    def holiday_name(self, day: date) -> str | None:
        day = _day(day)
        source = self.source(day.year)
        if source == "library":
            return holiday_name(day)
        if source == "entered":
            entered = self._entered[day.year]
            return entered.holidays.get(day) or entered.makeup_days.get(day)
        return None

    def fallback_years(self, days: Iterable[date]) -> tuple[int, ...]:
        return tuple(sorted({_day(d).year for d in days if d is not None and not self.is_year_known(_day(d).year)}))

    def fallback_notice(self, *days: date) -> str | None:
        """同模块级 fallback_notice，但录入了安排的年份不再提醒。"""
        years = self.fallback_years(days)
        if not years:
            return None
        return f"{'、'.join(f'{y}年' for y in years)}节假日安排尚未收录，按周一至周五计算"

    def last_known_year(self) -> int:
        """连续收录到的最后一年：库的最后一年，其后紧接着录入的年份也算（如库至2026年、录入了2027年 → 2027）。"""
        year = known_years()[1]
        while self.is_year_known(year + 1):
            year += 1
        return year

    def source_text(self) -> str:
        """页面的一句说明，如“chinesecalendar 1.11.0，收录至2026年；另录入2027年（按国务院办公厅通知）”。"""
        _first, last = known_years()
        text = f"国务院节假日安排数据（随程序提供），收录至{last}年"
        extra = [y for y in self.entered_years if not is_year_known(y)]
        if extra:
            text += f"；另录入{'、'.join(f'{y}年' for y in extra)}（按国务院办公厅通知）"
        return text


def _build_rules(records: list[dict]) -> CalendarRules:
    entered = {}
    for doc in records:
        try:
            year = int(doc["year"])
            holidays = {date.fromisoformat(r["date"]): str(r["name"]) for r in doc.get("holidays") or []}
            makeup = {date.fromisoformat(r["date"]): str(r["name"]) for r in doc.get("makeup_days") or []}
        except (KeyError, TypeError, ValueError):  # a record that does not read is not used (the page lists it)
            continue
        entered[year] = _Entered(MappingProxyType(holidays), MappingProxyType(makeup))
    return CalendarRules(entered)


def rules(ctx) -> CalendarRules:
    """当前的工作日历（库 + 录入的年份），按 calendar_years 集合的版本缓存。评价期限等一切按工作日数的期限都应当用它。"""
    return ctx.store.collection(CALENDAR_YEARS).shared(("calendar_rules", 1), _build_rules)


# --- 服务：列出、录入/更正、删除 ---------------------------------------------------------------------------------
def _require_admin(actor) -> None:
    if not can(actor.role, "manage_settings"):
        raise PermissionDenied("只有管理员可以录入或更改节假日安排")


def _clean_text(value: Any, label: str, limit: int, errors: list, key: str, *, required: bool = True) -> str:
    if value is None or (isinstance(value, float) and value != value):  # None, or an empty table cell (NaN)
        value = ""
    if not isinstance(value, str):
        errors.append((key, f"{label}应为文字"))
        return ""
    text = unicodedata.normalize("NFC", value).strip()
    if any(unicodedata.category(ch) in _FORBIDDEN for ch in text):
        errors.append((key, f"{label}含有不可见的控制字符或换行，请删除后重新输入"))
        return text
    if required and not text:
        errors.append((key, f"请填写{label}"))
    elif len(text) > limit:
        errors.append((key, f"{label}不能超过{limit}字，当前{len(text)}字"))
    return text


def _as_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if hasattr(value, "to_pydatetime"):  # pandas.Timestamp from st.data_editor
        try:
            return value.to_pydatetime().date()
        except (TypeError, ValueError):
            return None
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _is_blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and value != value:
        return True
    if isinstance(value, str) and not value.strip():
        return True
    try:
        import pandas as pd  # st.data_editor hands empty date cells over as NaT

        return bool(pd.isna(value)) if not isinstance(value, (list, dict)) else False
    except (ImportError, TypeError, ValueError):
        return False


def _check_days(year: int, rows: Iterable, kind: str, key: str, errors: list, seen: dict) -> list[dict]:
    out = []
    for n, row in enumerate(rows or [], 1):
        try:
            raw_day, raw_name = row
        except (TypeError, ValueError):
            errors.append((key, f"{kind}第{n}行应为“日期、名称”两项"))
            continue
        if _is_blank(raw_day) and _is_blank(raw_name):
            continue  # an empty table row
        where = f"{kind}第{n}行"
        day = None if _is_blank(raw_day) else _as_date(raw_day)
        if day is None:
            errors.append((key, f"{where}：请填写日期（如 {year}-01-01）"))
        name = _clean_text(None if _is_blank(raw_name) else raw_name, f"{where}的节日名称", NAME_MAX, errors, key)
        if day is None:
            continue
        if day.year != year:
            errors.append((key, f"{where}：{day.isoformat()} 不在{year}年内"))
            continue
        if day in seen:
            errors.append((key, f"{where}：{day.isoformat()} 已在{seen[day]}中填写过，同一日期只能填写一次"))
            continue
        seen[day] = where
        if kind == "调休上班日" and day.weekday() < 5:
            errors.append((key, f"{where}：{day.isoformat()} 是{_weekday(day)}，本来就上班；调休上班日应为周六或周日"))
        if kind == "放假日期" and day.weekday() >= 5:
            errors.append((key, f"{where}：{day.isoformat()} 是{_weekday(day)}，本来就休息；只需录入放假的工作日"
                                "（周一至周五）"))
        out.append({"date": day.isoformat(), "name": name})
    return sorted(out, key=lambda r: r["date"])


def _check_year(year: Any) -> int:
    if isinstance(year, bool) or not isinstance(year, int):
        try:
            year = int(str(year).strip())
        except ValueError:
            raise ValidationError(("year", "年份应为四位数字，如 2027")) from None
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValidationError(("year", f"年份应在{FIRST_YEAR}至{LAST_YEAR}年之间"))
    return year


def year_record(ctx, year: int) -> dict | None:
    """录入的该年安排（一条记录），没有时为 None。"""
    found = ctx.store.collection(CALENDAR_YEARS).find("year", int(year))
    return found[0] if found else None


def list_years(ctx, actor) -> list[dict]:
    """各年份的工作日历来源，从小到大：库收录的年份（一行概括）和录入的年份（含通知、录入日期、放假和调休天数）。
    每行 {"year"|"years", "source": "库"|"录入"|"录入（库已收录，以库为准）", ...}。"""
    _require_admin(actor)
    first, last = known_years()
    rows = [{"years": f"{first}—{last}年", "source": "国务院节假日安排数据（随程序提供）", "notice": "",
             "document_number": "", "holidays": None, "makeup_days": None, "entered_on": "", "entered_by": "",
             "corrections": None, "year": None}]
    for doc in sorted(ctx.store.collection(CALENDAR_YEARS).all(), key=lambda d: d.get("year") or 0):
        year = doc.get("year")
        rows.append({"year": year, "years": f"{year}年",
                     "source": "录入（库已收录，以库为准）" if isinstance(year, int) and is_year_known(year) else "录入",
                     "notice": doc.get("notice", ""), "document_number": doc.get("document_number", ""),
                     "holidays": len(doc.get("holidays") or []), "makeup_days": len(doc.get("makeup_days") or []),
                     "entered_on": doc.get("entered_on", ""), "entered_by": doc.get("entered_by", ""),
                     "corrections": len(doc.get("history") or [])})
    return rows


def save_year(ctx, actor, year, holidays=(), makeup_days=(), notice: str = "", *, document_number: str = "",
              reason: str = "") -> dict:
    """录入或更正一年的放假和调休安排（按国务院办公厅的通知）。

    holidays / makeup_days：[(日期, 节日名称)]，日期为 date 或 “YYYY-MM-DD”。校验（全部错误一次列出）：同一日期只能
    出现一次；调休上班日须是周六或周日；放假日期须是本来上班的周一至周五（周末本来就休息，不必录入）；日期都在该年内；
    名称必填、不超过 NAME_MAX 字、不含控制字符；通知标题必填。库已收录的年份不能录入（以库为准）。已录入的年份再保存
    即为更正：须写更正原因，更正前的内容存入 history。每次写入都记入操作日志。返回保存后的记录。"""
    _require_admin(actor)
    year = _check_year(year)
    if is_year_known(year):
        raise ValidationError(("year", f"{year}年的安排已由程序随附的国务院节假日安排数据收录，以其为准，"
                                       "无需录入"))
    errors: list[tuple[str, str]] = []
    seen: dict[date, str] = {}
    days_off = _check_days(year, holidays, "放假日期", "holidays", errors, seen)
    days_on = _check_days(year, makeup_days, "调休上班日", "makeup_days", errors, seen)
    if not days_off and not any(k == "holidays" for k, _ in errors):
        errors.insert(0, ("holidays", "请至少填写一个放假日期（按通知逐日填写放假的周一至周五）"))
    notice = _clean_text(notice, "通知标题", NOTICE_MAX, errors, "notice")
    document_number = _clean_text(document_number, "文号", DOCUMENT_NUMBER_MAX, errors, "document_number",
                                  required=False)
    existing = year_record(ctx, year)
    reason = _clean_text(reason, "更正原因", REASON_MAX, errors, "reason", required=existing is not None)
    if errors:
        raise ValidationError(errors)
    body = {"year": year, "holidays": days_off, "makeup_days": days_on, "notice": notice,
            "document_number": document_number, "entered_on": ctx.today().isoformat(),
            "entered_by": actor.username}
    repo = ctx.store.collection(CALENDAR_YEARS)
    if existing is None:
        doc_id = repo.insert(body, actor=actor.username, action=f"录入{year}年节假日安排", unique=("year",))
        return repo.get(doc_id)
    previous = {k: existing.get(k) for k in ("holidays", "makeup_days", "notice", "document_number", "entered_on",
                                             "entered_by")}
    if all(previous[k] == body[k] for k in ("holidays", "makeup_days", "notice", "document_number")):
        return existing  # nothing changed: nothing written
    history = list(existing.get("history") or []) + [{**previous, "replaced_on": ctx.today().isoformat(),
                                                      "replaced_by": actor.username, "reason": reason}]
    return repo.update(existing["id"], {**body, "history": history}, actor=actor.username,
                       action=f"更正{year}年节假日安排：{reason}")


def delete_year(ctx, actor, year, reason: str = "") -> None:
    """删除录入的一年安排（如误录了年份）；须写原因，记入操作日志。之后该年按库或周一至周五计算。"""
    _require_admin(actor)
    year = _check_year(year)
    errors: list[tuple[str, str]] = []
    reason = _clean_text(reason, "删除原因", REASON_MAX, errors, "reason")
    if errors:
        raise ValidationError(errors)
    existing = year_record(ctx, year)
    if existing is None:
        raise NotFoundError(f"没有录入{year}年的节假日安排")
    ctx.store.collection(CALENDAR_YEARS).delete(existing["id"], actor=actor.username,
                                                action=f"删除{year}年节假日安排：{reason}")


def missing_next_year_notice(ctx, actor) -> str | None:
    """管理员首页的一句提醒：当年的安排既未被库收录也未录入时（任何月份），或从12月1日起下一年的安排缺失时；
    否则（或不是管理员）为 None。"""
    if not can(actor.role, "manage_settings"):
        return None
    today = ctx.today()
    current = rules(ctx)
    missing = [y for y in ((today.year, today.year + 1) if today.month == 12 else (today.year,))
               if not current.is_year_known(y)]
    if not missing:
        return None
    years = "、".join(f"{y}年" for y in missing)
    titles = "、".join(f"《关于{y}年部分节假日安排的通知》" for y in missing)
    return (f"{years}节假日安排尚未收录：国务院办公厅公布{titles}后，请在“系统 → 节假日安排”页录入放假和调休上班"
            f"日期；录入前，{years}的评价期限等按工作日计算的期限按周一至周五计算。")
