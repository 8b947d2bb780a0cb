"""条件审核评分（JC 附件4《晋城市安全生产和应急管理专家条件审核意见表》）— JC-A1, JC-A2.

Builds the review score sheet from an expert record, the reviewer's entries and the policy profile's `scoring`
section. Items the record decides are computed here (学历, 职称, 从事年限 with the 15-year enterprise bonus,
申报专业数量); the others (外出服务条件, 动机, 外出服务经历, 专业知识, 工作成效 and its +5 bonus) are entered by the
reviewer and refused outside the item's range (`min_points`–`weight`), every bad entry named in one
`ValidationError`. Every line keeps, in Chinese, the rule that produced its points, and the sheet carries the
profile's pass mark (附件4：原则上低于70分不予审核通过). Weights, bands, level points, step and count rules all come
from the profile; a profile without a score sheet (YQ: 三项审核, 第七条(二)) raises `DomainError`.
Pure: plain values in, values out; no clock, no I/O.

Decisions (see the tests):
- “满15年以上”: 15 years qualify (满 = a full 15 years; 以上 includes the number itself in Chinese legal usage,
  民法典第一千二百五十九条), so the enterprise bonus needs `enterprise_safety_years >= 15`.
- “安全生产行业领域专家”: an expert any of whose specialties lies in a sector of the bonus's `required_category`
  (安全生产类 in JC 附件1); codes the taxonomy does not know are ignored.
- 外出服务经历's bands overlap in the seed (省级3-4, 市级2-3) and leave 0–1 uncovered: any whole number in the
  item's range is accepted; bands only explain the points.
- A line with bonuses always says in `bonus_rule` why the bonus was or was not given.
- Missing or unusable record data for a computed item → `ValidationError` keyed by the expert field
  (education, title_level, years_in_field, enterprise_safety_years, specialties); reviewer entries are keyed by
  the score item key.
- 低于分数线例外通过 (JC-A2, “原则上低于70分不予审核通过”): possible only when the profile marks the mark as a
  guideline (`pass_mark_is_guideline`), and then only with a written reason (≥ 10 characters, not counting
  spaces) and the approval of the person the profile names (`below_pass_approval`, JC 分管领导), by name and date.
  A strict mark has no exception. A total that reaches the mark needs none: an exception sent with it is refused
  (not silently dropped), so the record never carries an approval nobody needed. `ScoreSheet.passed` stays the
  plain comparison with the mark; the exception is a separate record beside it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Mapping

from core.errors import DomainError, ValidationError
from core.expert_fields import FIELDS_BY_KEY
from core.numbers import whole_number
from core.text import clean_text

__all__ = [
    "ScoreLine", "ScoreSheet", "scoring_of", "manual_items", "derived_items", "item_range", "manual_help",
    "derived_lines", "score_sheet", "ENTERPRISE_YEARS_FIELD", "PassException", "exception_possible",
    "below_pass_exception", "EXCEPTION_KEYS", "EXCEPTION_REASON_MIN", "EXCEPTION_REASON_MAX", "APPROVER_NAME_MAX",
]

ENTERPRISE_YEARS_FIELD = "enterprise_safety_years"
# derive_from → the expert field it reads.
_SOURCE_FIELD = {"education": "education", "title_level": "title_level", "years_in_field": "years_in_field",
                 "specialty_count": "specialties"}
_CLAUSE_SPLIT = re.compile(r"[,，;；。]")


# ---------------------------------------------------------------------------------------------------------------
# 结果
# ---------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ScoreLine:
    """One 审核项目 of the sheet: its points, the bonus on top, and the rule text behind each."""

    key: str
    name: str
    weight: int
    points: int
    derived: bool
    rule: str
    bonus_points: int = 0
    bonus_rule: str = ""
    remark: str = ""

    @property
    def total(self) -> int:
        """本项得分 including its bonus."""
        return self.points + self.bonus_points

    def to_dict(self) -> dict:
        return {"key": self.key, "name": self.name, "weight": self.weight, "points": self.points,
                "derived": self.derived, "rule": self.rule, "bonus_points": self.bonus_points,
                "bonus_rule": self.bonus_rule, "remark": self.remark}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "ScoreLine":
        return cls(key=str(d["key"]), name=str(d["name"]), weight=int(d["weight"]), points=int(d["points"]),
                   derived=bool(d["derived"]), rule=str(d["rule"]), bonus_points=int(d.get("bonus_points", 0)),
                   bonus_rule=str(d.get("bonus_rule", "")), remark=str(d.get("remark", "")))


@dataclass(frozen=True)
class ScoreSheet:
    """专家条件审核总得分 with its lines in sheet order (附件4).

    `max_score` is the sum of the weights (100); `max_score_with_bonus` adds every bonus (110). `passed` compares
    the total with the profile's pass mark; the mark is a guideline (“原则上”), so passing someone below it is a
    separate, recorded decision (`below_pass_exception`), not this sheet's.
    """

    policy_id: str
    lines: tuple[ScoreLine, ...]
    total: int
    pass_mark: int
    passed: bool
    max_score: int
    max_score_with_bonus: int | None = None

    def __post_init__(self) -> None:
        if self.max_score_with_bonus is None:
            object.__setattr__(self, "max_score_with_bonus", self.max_score)

    @property
    def points_total(self) -> int:
        """Sum of the items' points without bonuses."""
        return sum(line.points for line in self.lines)

    @property
    def bonus_total(self) -> int:
        return sum(line.bonus_points for line in self.lines)

    def line(self, key: str) -> ScoreLine:
        for ln in self.lines:
            if ln.key == key:
                return ln
        raise DomainError(f"评分表中没有评分项“{key}”")

    def to_dict(self) -> dict:
        return {"policy_id": self.policy_id, "lines": [ln.to_dict() for ln in self.lines], "total": self.total,
                "pass_mark": self.pass_mark, "passed": self.passed, "max_score": self.max_score,
                "max_score_with_bonus": self.max_score_with_bonus}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "ScoreSheet":
        """Rebuild a stored sheet; a record missing a key raises DomainError (Chinese)."""
        try:
            return cls(policy_id=str(d["policy_id"]), lines=tuple(ScoreLine.from_dict(x) for x in d["lines"]),
                       total=int(d["total"]), pass_mark=int(d["pass_mark"]), passed=bool(d["passed"]),
                       max_score=int(d["max_score"]),
                       max_score_with_bonus=(int(d["max_score_with_bonus"])
                                             if d.get("max_score_with_bonus") is not None else None))
        except KeyError as e:
            raise DomainError(f"评分记录不完整：缺少“{e.args[0]}”") from None
        except (TypeError, ValueError):
            raise DomainError("评分记录格式不正确，无法读取") from None


# ---------------------------------------------------------------------------------------------------------------
# 评分项查询
# ---------------------------------------------------------------------------------------------------------------
def scoring_of(policy: Any) -> Any:
    """The profile's `scoring` section, or DomainError when the policy reviews without a score sheet (YQ)."""
    scoring = getattr(policy, "scoring", None)
    if scoring is None:
        city = getattr(policy, "city", None) or getattr(policy, "short_name", "该")
        raise DomainError(f"{city}政策不采用评分表，请使用三项审核（材料真实性、背景审查、能力评估）")
    return scoring


def manual_items(policy: Any) -> tuple:
    """The ScoreItems a reviewer enters, in sheet order (each with min_points, weight, bands, criteria)."""
    return tuple(it for it in scoring_of(policy).items if it.method == "manual")


def derived_items(policy: Any) -> tuple:
    """The ScoreItems computed from the expert record, in sheet order."""
    return tuple(it for it in scoring_of(policy).items if it.method == "derived")


def item_range(item: Any) -> tuple[int, int]:
    """Allowed points of an item, both ends included: (min_points, weight)."""
    return item.min_points, item.weight


def _span(low: int, high: int) -> str:
    return f"{low}分" if low == high else f"{low}–{high}分"


def manual_help(item: Any) -> str:
    """Help text for a reviewer's input: the range, the bands and any manual bonus, in Chinese."""
    low, high = item_range(item)
    parts = [f"允许{_span(low, high)}（整数）"]
    if item.bands:
        parts.append("；".join(f"{b.label}：{_span(b.min_points, b.max_points)}" for b in item.bands))
    else:
        parts.append(f"评分标准：{item.criteria}")
    for b in item.bonuses:
        if b.method == "manual":
            parts.append(f"加分：{b.label}")
    return "。".join(parts)


def _where(item: Any) -> str:
    return getattr(item, "source", None) or "附件4"


# ---------------------------------------------------------------------------------------------------------------
# 自动计分项
# ---------------------------------------------------------------------------------------------------------------
class _Problems:
    def __init__(self) -> None:
        self.errors: list[tuple[str, str]] = []

    def add(self, key: str, message: str) -> None:
        self.errors.append((key, message))


def _label(field_key: str) -> str:
    spec = FIELDS_BY_KEY.get(field_key)
    return spec.label if spec else field_key


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or (
        isinstance(value, (list, tuple, set)) and not value)


def _level_clause(item: Any, level: str, points: int) -> str | None:
    """The clause of the criteria that awards `points` to `level`: “本科得8分”, “硕士研究生以上得10分”, “高级得10分”."""
    clauses = [c.strip() for c in _CLAUSE_SPLIT.split(item.criteria) if f"得{points}分" in c]
    if not clauses:
        return None
    names = [level, level.removeprefix("副").removeprefix("正")]
    chosen = next((c for c in clauses if any(n in c for n in names)), clauses[0])
    for n in names:  # trim a lead-in such as “取得全日制申报专业相关学历” before the level's own words
        at = chosen.find(n)
        if at > 0:
            return chosen[at:]
    return chosen


def _level_line(item: Any, expert: dict, field: str, problems: _Problems) -> tuple[int, str] | None:
    level = expert.get(field)
    if _empty(level):
        problems.add(field, f"{_label(field)}未填写，无法计算“{item.name}”得分")
        return None
    level = str(level).strip()
    points = next((lp.points for lp in item.level_points if lp.level == level), None)
    if points is None:
        known = "、".join(lp.level for lp in item.level_points)
        problems.add(field, f"{_label(field)}“{level}”不在“{item.name}”的评分标准中（可为：{known}）")
        return None
    clause = _level_clause(item, level, points)
    if clause:
        return points, f"{level} → {points}分（{_where(item)}：{clause}）"
    return points, f"{level} → {points}分（{_where(item)}未列此等级，不得分；评分标准：{item.criteria}）"


def _years_line(item: Any, expert: dict, problems: _Problems) -> tuple[int, str] | None:
    field = "years_in_field"
    raw = expert.get(field)
    years = None if _empty(raw) else whole_number(raw)
    if years is None or years < 0:
        what = "未填写" if _empty(raw) else f"应为不小于0的整数（填写为“{raw}”）"
        problems.add(field, f"{_label(field)}{what}，无法计算“{item.name}”得分")
        return None
    r = item.step_rule
    steps = max(0, years - r.free_years) // r.years_per_step
    points = min(item.weight, steps * r.points_per_step)
    head = f"从事年限{years}年："
    if years <= r.free_years:
        return 0, f"{head}{r.free_years}年及以下不得分 → 0分（{_where(item)}）"
    text = (f"{head}超出{r.free_years}年的部分每{r.years_per_step}年{r.points_per_step}分"
            f"（超出{years - r.free_years}年），得满{item.weight}分为止 → {points}分（{_where(item)}）")
    return points, text


def _count_line(item: Any, expert: dict, problems: _Problems) -> tuple[int, str] | None:
    field = "specialties"
    codes = expert.get(field)
    if isinstance(codes, str):
        codes = [c for c in re.split(r"[,，、;；\s]+", codes) if c]
    count = len(dict.fromkeys(codes or ()))
    if count == 0:
        problems.add(field, f"{_label(field)}未选择，无法计算“{item.name}”得分")
        return None
    r = item.count_rule
    points = min(item.weight, r.first_points + (count - 1) * r.extra_points)
    text = (f"申报专业{count}种：申报一种得{r.first_points}分，每多申报一种多得{r.extra_points}分，"
            f"得满{item.weight}分为止 → {points}分（{_where(item)}）")
    return points, text


def _expert_categories(expert: dict, policy: Any) -> dict[str, list[str]]:
    """Category → labels of the expert's sectors in it (“1 煤矿”), in the expert's order; unknown codes skipped."""
    found: dict[str, list[str]] = {}
    for code in expert.get("specialties") or ():
        try:
            sector = policy.taxonomy.sector_of(code)
        except KeyError:  # UnknownCodeError is a KeyError too
            continue
        label = f"{sector.code} {sector.name}"
        labels = found.setdefault(sector.category, [])
        if label not in labels:
            labels.append(label)
    return found


def _derived_bonus(bonus: Any, expert: dict, policy: Any, where: str, problems: _Problems) -> tuple[int, str]:
    basis = f"（{where}：{bonus.label}）"
    reasons: list[str] = []
    if bonus.required_category:
        sectors = _expert_categories(expert, policy).get(bonus.required_category)
        if not sectors:
            return 0, f"申报专业不属于{bonus.required_category} → 不加分{basis}"
        reasons.append(f"申报专业属于{bonus.required_category}（{'、'.join(sectors)}）")
    need = bonus.min_enterprise_safety_years
    if need is not None:
        raw = expert.get(ENTERPRISE_YEARS_FIELD)
        if _empty(raw):
            return 0, f"{'，'.join(reasons + [f'未填写{_label(ENTERPRISE_YEARS_FIELD)}'])} → 不加分{basis}"
        years = whole_number(raw)
        if years is None or years < 0:
            problems.add(ENTERPRISE_YEARS_FIELD,
                         f"{_label(ENTERPRISE_YEARS_FIELD)}应为不小于0的整数（填写为“{raw}”），无法判断加分")
            return 0, ""
        if years < need:
            return 0, f"{'，'.join(reasons + [f'企业安全生产系统工作{years}年，未满{need}年'])} → 不加分{basis}"
        reasons.append(f"企业安全生产系统工作{years}年，满{need}年")
    return bonus.points, f"{'，'.join(reasons) or '符合条件'} → 加{bonus.points}分{basis}"


def _manual_bonus(bonus: Any, chosen: Mapping[str, bool], where: str) -> tuple[int, str]:
    basis = f"（{where}：{bonus.label}）"
    if chosen.get(bonus.key):
        return bonus.points, f"审核人确认符合加分条件 → 加{bonus.points}分{basis}"
    return 0, f"审核人未确认加分条件 → 不加分{basis}"


def _bonuses(item: Any, expert: dict, policy: Any, chosen: Mapping[str, bool],
             problems: _Problems) -> tuple[int, str]:
    total, texts = 0, []
    for b in item.bonuses:
        if b.method == "derived":
            pts, text = _derived_bonus(b, expert, policy, _where(item), problems)
        else:
            pts, text = _manual_bonus(b, chosen, _where(item))
        total += pts
        if text:
            texts.append(text)
    return total, "；".join(texts)


def _derived_line(item: Any, expert: dict, policy: Any, chosen: Mapping[str, bool],
                  problems: _Problems) -> ScoreLine | None:
    how = item.derive_from
    if how in ("education", "title_level"):
        got = _level_line(item, expert, _SOURCE_FIELD[how], problems)
    elif how == "years_in_field":
        got = _years_line(item, expert, problems)
    elif how == "specialty_count":
        got = _count_line(item, expert, problems)
    else:  # the policy model only allows the four above
        raise DomainError(f"评分项“{item.name}”的计分方式“{how}”无法自动计算")
    bonus_points, bonus_rule = _bonuses(item, expert, policy, chosen, problems)
    if got is None:
        return None
    points, rule = got
    return ScoreLine(key=item.key, name=item.name, weight=item.weight, points=points, derived=True, rule=rule,
                     bonus_points=bonus_points, bonus_rule=bonus_rule)


def derived_lines(expert: dict, policy: Any) -> tuple[ScoreLine, ...]:
    """The computed lines (学历, 职称, 年限 + enterprise bonus, 申报专业数量) in sheet order.

    Raises ValidationError listing every missing or unusable record field, DomainError for a policy without a
    score sheet.
    """
    problems = _Problems()
    lines = [_derived_line(item, expert, policy, {}, problems) for item in derived_items(policy)]
    if problems.errors:
        raise ValidationError(problems.errors)
    return tuple(ln for ln in lines if ln is not None)


# ---------------------------------------------------------------------------------------------------------------
# 人工打分项与整张表
# ---------------------------------------------------------------------------------------------------------------
def _manual_rule(item: Any, points: int) -> str:
    bands = [b for b in item.bands if b.min_points <= points <= b.max_points]
    if bands:
        basis = "或".join(f"{b.label}（{_span(b.min_points, b.max_points)}档）" for b in bands)
        return f"{basis} → {points}分（{_where(item)}）"
    if item.bands:
        low, high = item_range(item)
        return (f"不在所列档次内，审核人酌情打分（允许{_span(low, high)}） → {points}分"
                f"（{_where(item)}：{item.criteria}）")
    return f"审核人酌情打分 → {points}分（{_where(item)}：{item.criteria}）"


def _manual_points(item: Any, manual: Mapping[str, Any], problems: _Problems) -> int | None:
    low, high = item_range(item)
    if item.key not in manual or _empty(manual[item.key]):
        problems.add(item.key, f"请填写{item.name}得分（{_span(low, high)}）")
        return None
    raw = manual[item.key]
    value = whole_number(raw)
    if value is None:
        problems.add(item.key, f"{item.name}得分应为{_span(low, high)}之间的整数（填写为“{raw}”）")
        return None
    if not low <= value <= high:
        problems.add(item.key, f"{item.name}得分应在{_span(low, high)}之间（填写为{value}）")
        return None
    return value


def _check_keys(scoring: Any, manual: Mapping[str, Any], bonuses: Mapping[str, Any],
                remarks: Mapping[str, Any], problems: _Problems) -> None:
    items = {it.key: it for it in scoring.items}
    for key in manual:
        if key not in items:
            problems.add(key, f"评分表中没有评分项“{key}”")
        elif items[key].method != "manual":
            problems.add(key, f"{items[key].name}由申报信息自动计算，不能人工打分")
    all_bonuses = {b.key: b for it in scoring.items for b in it.bonuses}
    for key, value in bonuses.items():
        b = all_bonuses.get(key)
        if b is None:
            problems.add(key, f"评分表中没有加分项“{key}”")
        elif b.method != "manual":
            problems.add(key, f"加分项“{b.label}”由申报信息自动判断，不能人工勾选")
        elif not isinstance(value, bool):
            problems.add(key, f"加分项“{b.label}”应为“是”或“否”")
    for key, value in remarks.items():
        if key not in items:
            problems.add(key, f"评分表中没有评分项“{key}”，不能填写备注")
        elif value is not None and not isinstance(value, str):
            problems.add(key, f"{items[key].name}的备注应为文字")


def score_sheet(expert: dict, policy: Any, *, manual: Mapping[str, Any],
                bonuses: Mapping[str, bool] | None = None,
                remarks: Mapping[str, str] | None = None) -> ScoreSheet:
    """The whole 附件4 sheet: computed lines, the reviewer's `manual` points, manual `bonuses`, per-item `remarks`.

    Every problem — a reviewer entry missing, not a whole number or outside its range, an unknown or computed
    key, missing record data — is collected into one ValidationError (sheet order, then unknown keys).
    """
    scoring = scoring_of(policy)
    manual = dict(manual or {})
    chosen = dict(bonuses or {})
    notes = dict(remarks or {})
    problems = _Problems()
    lines: list[ScoreLine] = []
    for item in scoring.items:
        note = notes[item.key].strip() if isinstance(notes.get(item.key), str) else ""
        if item.method == "derived":
            line = _derived_line(item, expert, policy, chosen, problems)
            if line is not None:
                lines.append(ScoreLine(**{**line.to_dict(), "remark": note}))
            continue
        points = _manual_points(item, manual, problems)
        bonus_points, bonus_rule = _bonuses(item, expert, policy, chosen, problems)
        if points is not None:
            lines.append(ScoreLine(key=item.key, name=item.name, weight=item.weight, points=points, derived=False,
                                   rule=_manual_rule(item, points), bonus_points=bonus_points,
                                   bonus_rule=bonus_rule, remark=note))
    _check_keys(scoring, manual, chosen, notes, problems)
    if problems.errors:
        raise ValidationError(problems.errors)
    total = sum(ln.total for ln in lines)
    return ScoreSheet(policy_id=policy.id, lines=tuple(lines), total=total, pass_mark=scoring.pass_mark,
                      passed=total >= scoring.pass_mark, max_score=scoring.max_score,
                      max_score_with_bonus=scoring.max_score_with_bonus)



# ---------------------------------------------------------------------------------------------------------------
# 低于分数线例外通过（附件4：原则上低于70分不予审核通过）— JC-A2
# ---------------------------------------------------------------------------------------------------------------
EXCEPTION_KEYS = ("reason", "approved_by", "approved_on")
EXCEPTION_REASON_MIN = 10
EXCEPTION_REASON_MAX = 500
APPROVER_NAME_MAX = 30


@dataclass(frozen=True)
class PassException:
    """例外通过: the written reason, who approved (the profile's role and the person's name) and when, with the
    score and mark it was granted against."""

    reason: str
    approver_role: str
    approved_by: str
    approved_on: date
    score: int
    pass_mark: int

    def to_dict(self) -> dict:
        return {"reason": self.reason, "approver_role": self.approver_role, "approved_by": self.approved_by,
                "approved_on": self.approved_on.isoformat(), "score": self.score, "pass_mark": self.pass_mark}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "PassException":
        try:
            return cls(reason=str(d["reason"]), approver_role=str(d["approver_role"]),
                       approved_by=str(d["approved_by"]), approved_on=date.fromisoformat(str(d["approved_on"])),
                       score=int(d["score"]), pass_mark=int(d["pass_mark"]))
        except KeyError as e:
            raise DomainError(f"例外通过记录不完整：缺少“{e.args[0]}”") from None
        except (TypeError, ValueError):
            raise DomainError("例外通过记录格式不正确，无法读取") from None


def exception_possible(sheet: ScoreSheet, policy: Any) -> bool:
    """True when `sheet` is below the mark and the profile's mark is a guideline with a named approver."""
    scoring = scoring_of(policy)
    return (not sheet.passed and bool(scoring.pass_mark_is_guideline)
            and bool(getattr(scoring, "below_pass_approval", None)))


def _approval_date(raw: Any, *, today: date, not_before: date | None, problems: _Problems) -> date | None:
    if isinstance(raw, datetime):
        day = raw.date()
    elif isinstance(raw, date):
        day = raw
    elif isinstance(raw, str) and raw.strip():
        try:
            day = date.fromisoformat(raw.strip())
        except ValueError:
            problems.add("approved_on", f"批准日期应为日期（如 2026-06-20），而不是“{raw[:20]}”")
            return None
    else:
        problems.add("approved_on", "请填写批准日期")
        return None
    if day > today:
        problems.add("approved_on", f"批准日期不能晚于今天（{today.isoformat()}）")
    elif not_before is not None and day < not_before:
        problems.add("approved_on", f"批准日期不能早于申报日期（{not_before.isoformat()}）")
    return day


def below_pass_exception(sheet: ScoreSheet, policy: Any, raw: Mapping[str, Any] | None, *, today: date,
                         not_before: date | None = None) -> PassException | None:
    """The checked 例外通过 for a sheet below the pass mark, or None when none is asked for (`raw` is None).

    `raw` may hold only `reason`, `approved_by` and `approved_on` (the approver's role comes from the profile,
    never from input). Refused, with every problem in one ValidationError: a strict mark (no exception exists),
    a total that already reaches the mark, unknown keys, a reason shorter than 10 characters (spaces not
    counted) or longer than 500, a missing or over-long approver name, an approval date after `today` or
    before `not_before` (the application date). Text is cleaned by core.text.clean_text.
    """
    if raw is None:
        return None
    scoring = scoring_of(policy)
    mark = scoring.pass_mark
    if not isinstance(raw, Mapping):
        raise ValidationError(("exception", "例外通过的内容格式不正确"))
    if not scoring.pass_mark_is_guideline or not getattr(scoring, "below_pass_approval", None):
        raise ValidationError(("exception", f"本政策的分数线{mark}分为硬性规定，低于{mark}分不能例外通过"))
    if sheet.passed:
        raise ValidationError(("exception", f"总得分{sheet.total}分已达到{mark}分，无需例外通过，请取消例外通过"))
    problems = _Problems()
    for key in raw:
        if key not in EXCEPTION_KEYS:
            problems.add(str(key)[:40], f"例外通过不接受“{str(key)[:40]}”一项")
    reason = approved_by = ""
    try:
        reason = clean_text(raw.get("reason"), field_label="例外通过理由", max_len=EXCEPTION_REASON_MAX,
                            multiline=True, required=True, field_key="reason")
        if len("".join(reason.split())) < EXCEPTION_REASON_MIN:
            problems.add("reason", f"例外通过理由至少写{EXCEPTION_REASON_MIN}个字，说明为什么低于{mark}分仍予通过")
    except ValidationError as e:
        problems.errors.extend(e.errors)
    role = scoring.below_pass_approval
    try:
        approved_by = clean_text(raw.get("approved_by"), field_label=f"批准人（{role}）姓名",
                                 max_len=APPROVER_NAME_MAX, required=True, field_key="approved_by")
    except ValidationError as e:
        problems.errors.extend(e.errors)
    day = _approval_date(raw.get("approved_on"), today=today, not_before=not_before, problems=problems)
    if problems.errors:
        raise ValidationError(problems.errors)
    return PassException(reason=reason, approver_role=role, approved_by=approved_by, approved_on=day,
                         score=sheet.total, pass_mark=mark)
