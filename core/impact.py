"""政策推演影响分析（政策调整影响分析）— X-P3: a variant of a profile, or the other city's profile, applied to the
real pool and history side by side with the active profile.

`impact(base, other, pool=…, applications=…, requests=…, assignments=…, evaluations=…, today=…, period=…)` re-runs
the rules that already exist — eligibility (core.eligibility; JC 第七条, YQ 第六条/第八条), quota per sector
(core.registry; JC 附件1 第十条(二)), the JC 附件4 score against the pass mark (core.scoring), the decline and
evaluation consequences (core.dispatch.decline_consequence — JC 第九条(四), YQ 第二十四条(十一); core.evaluation.
yq_consequence — YQ 第二十四条(三)) and the fees (core.fees; JC 第十六条, YQ 第二十条) — once under each profile and
returns an `ImpactReport`: (a) experts whose eligibility flips, with the reasons under each profile; (b) quota use
per sector against each profile's caps; (c) this year's applications whose pass/fail flips; (d) consequences
triggered or lifted; (e) fee totals over the period and per using department; plus summary counts. The other
profile may have another taxonomy (Yangquan adopting Jincheng's rules): specialty codes are mapped by name and the
experts whose specialties cannot be mapped are listed instead of failing. A profile without fee rates gives a
"not computable" fee side with the reason. Pure: records are plain dicts, `today` is passed in; history is indexed
by expert once so 3,000 experts and 20,000 tasks take well under two seconds. `briefing_context` turns a report
into the context of the Word briefing 政策调整影响分析.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Iterable, Mapping

from core.dispatch import ANSWERED, decline_consequence
from core.eligibility import (NOT_ELIGIBLE, RULE_AGE, RULE_TITLE, RULE_YEARS, EligibilityResult, check_eligibility,
                              overridable_rule_ids, possible_rule_ids)
from core.errors import DomainError
from core.evaluation import yq_consequence
from core.expert import parse_date
from core.fees import COUNTED_STATUSES as COUNTED_FEE_STATUSES
from core.fees import FeeError, fee_lines, money, period_of, statement_by_department
from core.registry import COUNTED_STATES, QuotaRow, pool_summary
from core.scoring import score_sheet

__all__ = [
    "PASSED", "FAILED", "UNDECIDED", "EligibilityFlip", "UnmappedExpert", "QuotaCompare", "ApplicationOutcome",
    "ApplicationFlip", "ConsequenceChange", "FeeSide", "FeeDepartmentRow", "FeeComparison", "ImpactReport",
    "impact", "map_specialties", "application_outcome", "briefing_context",
]

PASSED, FAILED, UNDECIDED = "通过", "不通过", "待定"
KIND_DECLINE, KIND_EVALUATION = "拒绝委派", "服务评价"
TRIGGERED, LIFTED, CHANGED = "将触发", "将解除", "处理改变"
TO_INELIGIBLE, TO_ELIGIBLE = "变为不符合", "变为符合"
_RELAXABLE_NAMES = {RULE_AGE: "年龄", RULE_TITLE: "职称或职业资格", RULE_YEARS: "从事本专业年限"}


# ---------------------------------------------------------------------------------------------------------------
# 结果
# ---------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class EligibilityFlip:
    """(a) 一名在库专家在两个策略下资格结论不同：符合/待审核 ↔ 不符合，附两边的理由（不通过的各条）。"""
    expert_id: Any
    name: str
    state: str
    direction: str                 # 变为不符合 | 变为符合
    base_status: str               # 符合 | 待审核 | 不符合
    other_status: str
    base_reasons: tuple[str, ...]  # 不通过的条件及理由（符合时为空）
    other_reasons: tuple[str, ...]
    note: str = ""                 # 如“《晋城市 2026》没有特聘专家类型，按普通专家审查”
    base_pending: tuple[str, ...] = ()   # 待审核的条件名称（记录里缺少、需核实的）
    other_pending: tuple[str, ...] = ()

    @staticmethod
    def _text(reasons: tuple[str, ...], status: str, pending: tuple[str, ...]) -> str:
        if reasons:
            return "；".join(reasons)
        if pending:
            return f"{status}（{'、'.join(pending)}待核实）"
        return status

    @property
    def base_text(self) -> str:
        return self._text(self.base_reasons, self.base_status, self.base_pending)

    @property
    def other_text(self) -> str:
        return self._text(self.other_reasons, self.other_status, self.other_pending)


@dataclass(frozen=True)
class UnmappedExpert:
    """另一个分类表中找不到对应专业（按专业名称对照）的专家：这些专业不计入另一策略的行业领域人数。"""
    expert_id: Any
    name: str
    codes: tuple[str, ...]         # 找不到对应的专业（原分类表的代码和名称，如“1.1 地质勘探、测量”）


@dataclass(frozen=True)
class QuotaCompare:
    """(b) 一个行业领域在两个策略下的在库人数与上限。只在一边有的行业领域，另一边为 None。"""
    label: str                     # “1 煤矿”
    base: QuotaRow | None
    other: QuotaRow | None

    @staticmethod
    def _status(row: QuotaRow | None) -> str:
        return "—" if row is None else row.status

    @property
    def base_status(self) -> str:
        return self._status(self.base)

    @property
    def other_status(self) -> str:
        return self._status(self.other)

    @property
    def change(self) -> str:
        """“变为超出” / “不再超出” / “”."""
        over_b, over_o = self.base_status == "超出", self.other_status == "超出"
        if over_o and not over_b:
            return "变为超出"
        if over_b and not over_o:
            return "不再超出"
        return ""


@dataclass(frozen=True)
class ApplicationOutcome:
    """一份申报在一个策略下的结论：资格、得分（评分的策略）与通过与否。"""
    eligibility: str               # 符合 | 待审核 | 不符合
    score: int | None
    pass_mark: int | None
    result: str                    # 通过 | 不通过 | 待定
    reason: str                    # 中文说明

    @property
    def text(self) -> str:
        return f"{self.result}（{self.reason}）"


@dataclass(frozen=True)
class ApplicationFlip:
    """(c) 今年的一份申报在两个策略下结论不同。"""
    application_id: Any
    expert_id: Any
    name: str
    apply_date: str
    base: ApplicationOutcome
    other: ApplicationOutcome

    @property
    def change(self) -> str:
        return f"{self.base.result}→{self.other.result}"


@dataclass(frozen=True)
class ConsequenceChange:
    """(d) 拒绝委派或服务评价的后果在另一策略下将触发、将解除或处理改变。"""
    expert_id: Any
    name: str
    kind: str                      # 拒绝委派 | 服务评价
    change: str                    # 将触发 | 将解除 | 处理改变
    base_text: str                 # 现行策略下的后果（无则“无”）
    other_text: str


@dataclass(frozen=True)
class FeeSide:
    """(e) 一个策略下期间内的劳务报酬：可以计算时为合计和按使用科室的金额；否则 message 说明为什么算不出。"""
    available: bool
    total: Decimal | None = None
    lines: int = 0
    days: int = 0
    by_department: dict[str, Decimal] = field(default_factory=dict)
    message: str = ""


@dataclass(frozen=True)
class FeeDepartmentRow:
    department: str
    base: Decimal | None
    other: Decimal | None

    @property
    def difference(self) -> Decimal | None:
        return None if self.base is None or self.other is None else self.other - self.base


@dataclass(frozen=True)
class FeeComparison:
    period: tuple[date, date] | None
    base: FeeSide
    other: FeeSide
    rows: tuple[FeeDepartmentRow, ...]

    @property
    def difference(self) -> Decimal | None:
        if self.base.total is None or self.other.total is None:
            return None
        return self.other.total - self.base.total


@dataclass(frozen=True)
class ImpactReport:
    """政策调整影响分析的全部结果；`summary` 为各部分的计数。"""
    base_name: str
    other_name: str
    same_taxonomy: bool
    today: date
    pool_size: int
    eligibility: tuple[EligibilityFlip, ...]
    unmapped: tuple[UnmappedExpert, ...]
    mapped_by_name: int            # 专业代码不同但按名称对上的专家人数
    quota: tuple[QuotaCompare, ...]
    pool_cap: tuple[int | None, int | None]
    pool_total: tuple[int, int]
    applications_checked: int
    applications: tuple[ApplicationFlip, ...]
    consequences: tuple[ConsequenceChange, ...]
    fees: FeeComparison
    notes: tuple[str, ...] = ()

    @property
    def summary(self) -> list[tuple[str, str]]:
        """(项目, 数值) 各行，按报告顺序。"""
        el = self.eligibility
        fees = self.fees

        def amount(side: FeeSide) -> str:
            return f"{money(side.total)}元" if side.available else "无法计算"

        diff = fees.difference
        rows = [
            ("在库专家（含暂停）", f"{self.pool_size}人"),
            ("资格变为不符合", f"{sum(1 for f in el if f.direction == TO_INELIGIBLE)}人"),
            ("资格变为符合", f"{sum(1 for f in el if f.direction == TO_ELIGIBLE)}人"),
            ("专业无法对应", f"{len(self.unmapped)}人"),
            ("超出上限的行业领域", f"{sum(1 for q in self.quota if q.base_status == '超出')}个 → "
                                  f"{sum(1 for q in self.quota if q.other_status == '超出')}个"),
            ("今年审查的申报", f"{self.applications_checked}份"),
            ("申报由通过变为不通过", f"{sum(1 for a in self.applications if a.change == '通过→不通过')}份"),
            ("申报由不通过变为通过", f"{sum(1 for a in self.applications if a.change == '不通过→通过')}份"),
            ("其他结论变化的申报", f"{sum(1 for a in self.applications if a.change not in ('通过→不通过', '不通过→通过'))}份"),
            ("将触发的后果", f"{sum(1 for c in self.consequences if c.change == TRIGGERED)}人次"),
            ("将解除的后果", f"{sum(1 for c in self.consequences if c.change == LIFTED)}人次"),
            ("处理改变的后果", f"{sum(1 for c in self.consequences if c.change == CHANGED)}人次"),
            ("劳务报酬合计（现行）", amount(fees.base)),
            ("劳务报酬合计（推演）", amount(fees.other)),
            ("劳务报酬增减", "无法计算" if diff is None else f"{'+' if diff > 0 else ''}{money(diff)}元"),
        ]
        return rows

    def counts(self) -> dict[str, int]:
        """机器可读的计数（测试与图表用）。"""
        return {
            "to_ineligible": sum(1 for f in self.eligibility if f.direction == TO_INELIGIBLE),
            "to_eligible": sum(1 for f in self.eligibility if f.direction == TO_ELIGIBLE),
            "unmapped": len(self.unmapped),
            "over_cap_base": sum(1 for q in self.quota if q.base_status == "超出"),
            "over_cap_other": sum(1 for q in self.quota if q.other_status == "超出"),
            "applications_flipped": len(self.applications),
            "triggered": sum(1 for c in self.consequences if c.change == TRIGGERED),
            "lifted": sum(1 for c in self.consequences if c.change == LIFTED),
            "changed": sum(1 for c in self.consequences if c.change == CHANGED),
        }


# ---------------------------------------------------------------------------------------------------------------
# 小工具
# ---------------------------------------------------------------------------------------------------------------
def _name(expert: Mapping[str, Any]) -> str:
    return str(expert.get("name") or f"专家 #{expert.get('id')}")


def _key(value: Any) -> str:
    return "" if value is None else str(value)


def _label(policy: Any) -> str:
    return f"《{policy.short_name}》"


def _kind_for(policy: Any, kind: Any) -> tuple[str, str]:
    """(kind to check with, note): a kind the profile does not have is checked as its ordinary expert."""
    kind = kind if isinstance(kind, str) and kind else policy.expert_kinds[0]
    if kind in policy.expert_kinds:
        return kind, ""
    return policy.expert_kinds[0], f"{_label(policy)}没有“{kind}”类型，按{policy.expert_kinds[0]}审查"


def _failures(result: EligibilityResult) -> tuple[str, ...]:
    return tuple(f"{r.name}：{r.reason}" for r in result.failures)


def _blocking(result: EligibilityResult) -> bool:
    return result.status == NOT_ELIGIBLE


# ---------------------------------------------------------------------------------------------------------------
# 专业对照（分类表不同时按名称对照）
# ---------------------------------------------------------------------------------------------------------------
def _spec_names(taxonomy: Any) -> dict[str, tuple[str, str]]:
    """code → (specialty name, sector name)."""
    return {sp.code: (sp.name, s.name) for s in taxonomy.sectors for sp in s.specialties}


def map_specialties(base_taxonomy: Any, other_taxonomy: Any) -> dict[str, str | None]:
    """每个现行专业代码在另一分类表中的代码：同代码同名称的保留；否则找同名专业（同名的行业领域优先）；找不到为 None。

    两市的代码数字相同但含义不同（晋城 1.1 地质勘探、测量；阳泉 1.1 地震观测与信息技术），所以只按名称对照。
    """
    base, other = _spec_names(base_taxonomy), _spec_names(other_taxonomy)
    by_name: dict[str, list[tuple[str, str]]] = {}
    for code, (name, sector) in other.items():
        by_name.setdefault(name, []).append((code, sector))
    out: dict[str, str | None] = {}
    for code, (name, sector) in base.items():
        if other.get(code, ("",))[0] == name:
            out[code] = code
            continue
        found = by_name.get(name) or []
        same_sector = [c for c, s in found if s == sector]
        out[code] = (same_sector or [c for c, _ in found] or [None])[0]
    return out


def _mapped_expert(expert: dict, mapping: Mapping[str, str | None] | None, base_names: Mapping[str, tuple[str, str]]
                   ) -> tuple[dict, tuple[str, ...], bool]:
    """(the record with specialties in the other taxonomy's codes, codes that cannot be mapped, renamed any?)."""
    if mapping is None:
        return expert, (), False
    codes = expert.get("specialties") or ()
    if isinstance(codes, str):
        codes = [codes]
    mapped: list[str] = []
    missing: list[str] = []
    renamed = False
    for code in codes:
        target = mapping.get(code)
        if target is None:
            name = base_names.get(code, ("",))[0]
            missing.append(f"{code} {name}".strip())
        else:
            renamed = renamed or target != code
            if target not in mapped:
                mapped.append(target)
    if not missing and not renamed:
        return expert, (), False
    return dict(expert, specialties=mapped), tuple(missing), renamed


# ---------------------------------------------------------------------------------------------------------------
# (a) 资格
# ---------------------------------------------------------------------------------------------------------------
def _check(expert: Mapping[str, Any], policy: Any, on: date, kind: Any, *, declarations: Mapping | None = None,
           overrides: Mapping | None = None, banned: str | None = None) -> tuple[EligibilityResult, str]:
    kind, note = _kind_for(policy, kind)
    kept: dict[str, str] = {}
    dropped: list[str] = []
    allowed = set(overridable_rule_ids(policy)) if overrides else set()
    known = {r for k in policy.expert_kinds for r in possible_rule_ids(policy, k)} if overrides else set()
    for rule_id, value in (overrides or {}).items():
        reason = value.get("reason") if isinstance(value, Mapping) else value
        if rule_id in allowed and rule_id in known and isinstance(reason, str) and reason.strip():
            kept[rule_id] = reason
        else:
            dropped.append(rule_id)
    if dropped:
        names = "、".join(_RELAXABLE_NAMES.get(r, r) for r in dropped)
        note = "；".join(x for x in (note, f"{_label(policy)}不允许放宽{names}，原放宽不再有效") if x)
    result = check_eligibility(expert, policy, on, kind=kind, declarations=declarations or {}, banned=banned,
                               overrides=kept)
    return result, note


def _eligibility_part(members: list[dict], mapped: Mapping[str, dict], base: Any, other: Any, today: date,
                      declarations: Mapping[str, Mapping]) -> tuple[EligibilityFlip, ...]:
    same_rules = base.eligibility == other.eligibility and base.dismissal == other.dismissal \
        and base.expert_kinds == other.expert_kinds and base.taxonomy == other.taxonomy
    if same_rules:
        return ()
    flips: list[EligibilityFlip] = []
    for e in members:
        key = _key(e.get("id"))
        decl = declarations.get(key) or {}
        kind = e.get("expert_kind")
        rb, note_b = _check(e, base, today, kind, declarations=decl)
        ro, note_o = _check(mapped.get(key, e), other, today, kind, declarations=decl)
        if _blocking(rb) == _blocking(ro):
            continue
        flips.append(EligibilityFlip(
            expert_id=e.get("id"), name=_name(e), state=str(e.get("state") or ""),
            direction=TO_INELIGIBLE if _blocking(ro) else TO_ELIGIBLE, base_status=rb.status, other_status=ro.status,
            base_reasons=_failures(rb), other_reasons=_failures(ro),
            note="；".join(x for x in (note_b, note_o) if x),
            base_pending=tuple(r.name for r in rb.pending), other_pending=tuple(r.name for r in ro.pending)))
    return tuple(flips)


# ---------------------------------------------------------------------------------------------------------------
# (b) 行业领域人数
# ---------------------------------------------------------------------------------------------------------------
def _quota_part(members: list[dict], mapped_members: list[dict], base: Any, other: Any) -> tuple[tuple, Any, Any]:
    sb = pool_summary(members, base.taxonomy)
    so = pool_summary(mapped_members, other.taxonomy)
    rows: list[QuotaCompare] = []
    others = {(r.code, r.name): r for r in so.sectors}
    used: set[tuple[str, str]] = set()
    for r in sb.sectors:
        o = others.get((r.code, r.name))
        if o is not None:
            used.add((r.code, r.name))
        rows.append(QuotaCompare(label=f"{r.code} {r.name}", base=r, other=o))
    rows += [QuotaCompare(label=f"{r.code} {r.name}", base=None, other=r) for r in so.sectors
             if (r.code, r.name) not in used]
    return tuple(rows), sb, so


# ---------------------------------------------------------------------------------------------------------------
# (c) 今年的申报
# ---------------------------------------------------------------------------------------------------------------
def application_outcome(application: Mapping[str, Any], expert: Mapping[str, Any], policy: Any, *,
                        banned: str | None = None) -> ApplicationOutcome:
    """一份已提交的申报在 `policy` 下的结论：资格（申报日审查）→ 评分的策略按审核人原打分重算附件4 得分并比分数线；
    不评分的策略看办公室三项审核的结论（资格不符合时不通过）。"""
    on = parse_date(application.get("apply_date")) or date.min
    result, note = _check(expert, policy, on, application.get("kind"),
                          declarations=application.get("declarations") or {},
                          overrides=application.get("overrides") or {}, banned=banned)
    status = result.status
    review = application.get("review") or {}
    scoring = getattr(policy, "scoring", None)
    extra = f"；{note}" if note else ""
    if status == NOT_ELIGIBLE:
        why = "；".join(_failures(result))
        return ApplicationOutcome(status, None, scoring.pass_mark if scoring else None, FAILED,
                                  f"资格不符合：{why}{extra}")
    if scoring is not None:
        manual = review.get("manual")
        if not isinstance(manual, Mapping):
            return ApplicationOutcome(status, None, scoring.pass_mark, UNDECIDED, f"尚未按附件4 评分{extra}")
        try:
            sheet = score_sheet(dict(expert), policy, manual=manual, bonuses=review.get("bonuses") or {})
        except DomainError as e:
            return ApplicationOutcome(status, None, scoring.pass_mark, UNDECIDED, f"原打分无法按本策略评分：{e}{extra}")
        granted = review.get("exception")
        if (not sheet.passed and isinstance(granted, Mapping) and scoring.pass_mark_is_guideline
                and getattr(scoring, "below_pass_approval", None) and status == "符合"):
            # a 例外通过 recorded at review (JC 附件4 原则上) still holds where the mark remains a guideline
            return ApplicationOutcome(status, sheet.total, sheet.pass_mark, PASSED,
                                      f"得分{sheet.total}分，低于{sheet.pass_mark}分，经{scoring.below_pass_approval}"
                                      f"批准例外通过{extra}")
        if not sheet.passed:
            return ApplicationOutcome(status, sheet.total, sheet.pass_mark, FAILED,
                                      f"得分{sheet.total}分，低于{sheet.pass_mark}分{extra}")
        if status != "符合":
            return ApplicationOutcome(status, sheet.total, sheet.pass_mark, UNDECIDED,
                                      f"得分{sheet.total}分，资格尚待审核{extra}")
        return ApplicationOutcome(status, sheet.total, sheet.pass_mark, PASSED,
                                  f"得分{sheet.total}分，达到{sheet.pass_mark}分{extra}")
    decided = review.get("result")
    if decided == PASSED and status == "符合":
        return ApplicationOutcome(status, None, None, PASSED, f"资格符合，办公室审核通过{extra}")
    stored = (application.get("eligibility") or {}).get("status")
    if decided == FAILED and stored != NOT_ELIGIBLE:
        return ApplicationOutcome(status, None, None, FAILED, f"办公室审核不通过{extra}")
    if status == "符合":
        return ApplicationOutcome(status, None, None, UNDECIDED, f"资格符合，尚待办公室审核{extra}")
    return ApplicationOutcome(status, None, None, UNDECIDED, f"资格尚待审核{extra}")


def _applications_part(applications: Iterable[Mapping], experts: Mapping[str, dict], mapped: Mapping[str, dict],
                       base: Any, other: Any, today: date, banned: Mapping[str, str]) -> tuple[int, tuple]:
    checked = 0
    flips: list[ApplicationFlip] = []
    for app in applications:
        if app.get("status") != "已提交":
            continue
        applied = parse_date(app.get("apply_date"))
        if applied is None or applied.year != today.year:
            continue
        key = _key(app.get("expert_id"))
        expert = experts.get(key)
        if expert is None:
            continue
        checked += 1
        ban = banned.get(key)
        ob = application_outcome(app, expert, base, banned=ban)
        oo = application_outcome(app, mapped.get(key, expert), other, banned=ban)
        if ob.result != oo.result:
            flips.append(ApplicationFlip(app.get("id"), expert.get("id"), _name(expert), applied.isoformat(), ob, oo))
    return checked, tuple(flips)


# ---------------------------------------------------------------------------------------------------------------
# (d) 后果
# ---------------------------------------------------------------------------------------------------------------
def _consequence_text(found: dict | None) -> str:
    if not found:
        return "无"
    return str(found.get("text") or found.get("action") or "有")


def _consequence_rows(kind: str, members: list[dict], before: dict[str, Any], after: dict[str, Any]) -> list:
    rows = []
    for e in members:
        key = _key(e.get("id"))
        b, o = before.get(key), after.get(key)
        if not b and not o:
            continue
        if b and not o:
            change = LIFTED
        elif o and not b:
            change = TRIGGERED
        elif (b.get("action"), b.get("reason_number"), b.get("proposes_dismissal")) != \
                (o.get("action"), o.get("reason_number"), o.get("proposes_dismissal")):
            change = CHANGED
        else:
            continue
        rows.append(ConsequenceChange(e.get("id"), _name(e), kind, change, _consequence_text(b), _consequence_text(o)))
    return rows


def _fast_day(value: Any) -> date | None:
    if isinstance(value, str) and len(value) == 10:
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    return parse_date(value) if value not in (None, "") else None


def _consequences_part(members: list[dict], assignments: Iterable[Mapping], evaluations: Iterable[Mapping],
                       base: Any, other: Any, today: date) -> tuple[ConsequenceChange, ...]:
    # History indexed by expert once, dates parsed once (the rules would parse each date at every comparison).
    wanted = {_key(e.get("id")) for e in members}
    by_expert: dict[str, list] = {}
    for a in assignments:
        key = _key(a.get("expert_id"))
        if key in wanted and a.get("status") in ANSWERED:
            by_expert.setdefault(key, []).append(
                dict(a, answered_on=_fast_day(a.get("answered_on")), start=_fast_day(a.get("start"))))
    ratings: dict[str, list] = {}
    for ev in evaluations:
        on = _fast_day(ev.get("filed_on"))
        for r in ev.get("ratings") or ():
            key = _key(r.get("expert_id"))
            if key in wanted:
                ratings.setdefault(key, []).append({"expert_id": r.get("expert_id"), "rating": r.get("overall"),
                                                    "on": on})
    rows: list[ConsequenceChange] = []
    if base.declines != other.declines or base.dismissal != other.dismissal:
        before = {k: decline_consequence(k, v, base, today) for k, v in by_expert.items()}
        after = {k: decline_consequence(k, v, other, today) for k, v in by_expert.items()}
        rows += _consequence_rows(KIND_DECLINE, members, before, after)
    if base.evaluations != other.evaluations or base.dismissal != other.dismissal:
        before = {k: yq_consequence(k, v, today, base) for k, v in ratings.items()}
        after = {k: yq_consequence(k, v, today, other) for k, v in ratings.items()}
        rows += _consequence_rows(KIND_EVALUATION, members, before, after)
    return tuple(rows)


# ---------------------------------------------------------------------------------------------------------------
# (e) 劳务报酬
# ---------------------------------------------------------------------------------------------------------------
def _fee_side(assignments: list, requests: Any, experts: Any, policy: Any, period: Any) -> FeeSide:
    try:
        lines = fee_lines(assignments, requests, experts, policy, period=period)
    except FeeError as e:
        return FeeSide(False, message=e.message)
    statement = statement_by_department(lines)
    by_dept = {(r.key or "（未填使用科室）"): r.amount for r in statement.rows}
    return FeeSide(True, statement.total.amount, statement.total.lines, statement.total.days, by_dept)


def _earliest_work(assignments: list, requests: Mapping[Any, Mapping]) -> date | None:
    earliest = None
    for a in assignments:
        if a.get("status") not in COUNTED_FEE_STATUSES:
            continue
        day = _fast_day(a.get("start")) or _fast_day((requests.get(a.get("request_id")) or {}).get("start"))
        if day is not None and (earliest is None or day < earliest):
            earliest = day
    return earliest


def _rates_from(policy: Any, earliest: date | None, notes: list[str]) -> Any:
    """推演时，策略最早的报酬标准也用于其生效日期之前的任务（否则另一城市的标准算不了本地的历史）。"""
    first = policy.fees.rate_versions[0]
    if earliest is None or earliest >= first.effective_from:
        return policy
    notes.append(f"{_label(policy)}最早的报酬标准自{_cn(first.effective_from)}起适用，推演中也用于此前的任务")
    return policy.variant({"fees.rate_versions.0.effective_from": earliest}, label=_label(policy))


def _fees_part(assignments: list, requests: list, experts: list, base: Any, other: Any, period: Any,
               notes: list[str]) -> FeeComparison:
    window = period_of(period)
    reqs = {r.get("id"): r for r in requests}
    exps = {e.get("id"): e for e in experts}
    earliest = _earliest_work(assignments, reqs)
    sb = _fee_side(assignments, reqs, exps, _rates_from(base, earliest, notes), period)
    so = sb if base.fees == other.fees else _fee_side(assignments, reqs, exps, _rates_from(other, earliest, notes),
                                                      period)
    departments = list(sb.by_department) + [d for d in so.by_department if d not in sb.by_department]
    rows = tuple(FeeDepartmentRow(d, sb.by_department.get(d, Decimal("0.00")) if sb.available else None,
                                  so.by_department.get(d, Decimal("0.00")) if so.available else None)
                 for d in sorted(departments))
    return FeeComparison(window, sb, so, rows)


# ---------------------------------------------------------------------------------------------------------------
# 入口
# ---------------------------------------------------------------------------------------------------------------
def impact(base: Any, other: Any, *, pool: Iterable[Mapping[str, Any]], applications: Iterable[Mapping[str, Any]] = (),
           requests: Iterable[Mapping[str, Any]] = (), assignments: Iterable[Mapping[str, Any]] = (),
           evaluations: Iterable[Mapping[str, Any]] = (), today: date, period: Any = None,
           declarations: Mapping[Any, Mapping] | None = None, banned: Mapping[Any, str] | None = None,
           base_name: str | None = None, other_name: str | None = None) -> ImpactReport:
    """把 `other`（变体或另一城市的策略）与现行策略 `base` 并排用于同一批记录（X-P3），什么也不改。

    pool：现行策略下的全部专家记录（在库、暂停的计入资格、人数和后果；其他状态的只用于申报和报酬）；
    applications：申报记录（只看今年已提交的）；requests / assignments：使用申请与委派；evaluations：服务评价；
    period：报酬期间（年份或 (起, 止)，见 core.fees.period_of）；declarations：专家 id → 申报时核实的声明；
    banned：专家 id → 永不录用原因。base_name / other_name：报告里两个策略的称呼。
    """
    experts = [dict(e) for e in pool]
    window = period_of(period)  # a bad period is the caller's error, before any work
    members = [e for e in experts if e.get("state") in COUNTED_STATES]
    same_taxonomy = base.taxonomy == other.taxonomy
    notes: list[str] = []
    mapping = None if same_taxonomy else map_specialties(base.taxonomy, other.taxonomy)
    base_names = _spec_names(base.taxonomy)
    mapped: dict[str, dict] = {}
    unmapped: list[UnmappedExpert] = []
    renamed = 0
    for e in experts:
        record, missing, was_renamed = _mapped_expert(e, mapping, base_names)
        key = _key(e.get("id"))
        if record is not e:
            mapped[key] = record
        if missing and e.get("state") in COUNTED_STATES:
            unmapped.append(UnmappedExpert(e.get("id"), _name(e), missing))
        if was_renamed and e.get("state") in COUNTED_STATES:
            renamed += 1
    if not same_taxonomy:
        notes.append(f"两个策略的分类表不同：专业按名称对照，{renamed}名专家的专业代码改用{_label(other)}的代码，"
                     f"{len(unmapped)}名专家有专业在{_label(other)}中找不到对应")
    decl = {_key(k): v for k, v in (declarations or {}).items()}
    bans = {_key(k): v for k, v in (banned or {}).items()}
    mapped_members = [mapped.get(_key(e.get("id")), e) for e in members]
    quota, sb, so = _quota_part(members, mapped_members, base, other)
    by_id = {_key(e.get("id")): e for e in experts}
    checked, app_flips = _applications_part(list(applications), by_id, mapped, base, other, today, bans)
    assignment_list = list(assignments)
    fees = _fees_part(assignment_list, list(requests), experts, base, other, window, notes)
    if not fees.other.available:
        notes.append(f"{other_name or _label(other)}的劳务报酬无法计算：{fees.other.message}")
    if not fees.base.available:
        notes.append(f"{base_name or _label(base)}的劳务报酬无法计算：{fees.base.message}")
    return ImpactReport(
        base_name=base_name or _label(base), other_name=other_name or _label(other), same_taxonomy=same_taxonomy,
        today=today, pool_size=len(members),
        eligibility=_eligibility_part(members, mapped, base, other, today, decl),
        unmapped=tuple(unmapped), mapped_by_name=renamed, quota=quota,
        pool_cap=(sb.pool_cap, so.pool_cap), pool_total=(sb.total, so.total),
        applications_checked=checked, applications=app_flips,
        consequences=_consequences_part(members, assignment_list, list(evaluations), base, other, today),
        fees=fees, notes=tuple(notes))


# ---------------------------------------------------------------------------------------------------------------
# Word 简报的上下文
# ---------------------------------------------------------------------------------------------------------------
def _cn(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _cap(row: QuotaRow | None) -> str:
    if row is None:
        return "—"
    return "不限" if row.limit_max is None else str(row.limit_max)


def _count(row: QuotaRow | None) -> str:
    return "—" if row is None else str(row.count)


def _money_or(value: Decimal | None) -> str:
    return "无法计算" if value is None else money(value)


def _signed(value: Decimal | None) -> str:
    if value is None:
        return "—"
    return ("+" if value > 0 else "") + money(value)


def _none(rows: list, what: str) -> str:
    return "" if rows else f"（没有{what}）"


def briefing_context(report: ImpactReport, *, changes: Iterable[Mapping[str, Any]] = (), author: str,
                     made_on: date, comparison_note: str = "") -> dict:
    """政策调整影响分析 Word 简报的上下文：改了什么（changes：{"label", "old", "new"} 行）、摘要、各部分的表、日期和制作人。"""
    change_rows = [{"index": i + 1, "label": str(c.get("label") or c.get("path") or ""),
                    "old": str(c.get("old", "")), "new": str(c.get("new", ""))} for i, c in enumerate(changes)]
    fees = report.fees
    period = "不限" if fees.period is None else f"{_cn(fees.period[0])}至{_cn(fees.period[1])}"
    quota = list(report.quota)
    fee_notes = [f"{name}：{side.message}" for name, side in ((report.base_name, fees.base),
                                                               (report.other_name, fees.other)) if not side.available]
    return {
        "title": "政策调整影响分析",
        "base_name": report.base_name,
        "other_name": report.other_name,
        "comparison_note": comparison_note,
        "made_on": _cn(made_on),
        "as_of": _cn(report.today),
        "author": author,
        "period": period,
        "changes": change_rows,
        "changes_note": _none(change_rows, "参数变化"),
        "summary": [{"item": k, "value": v} for k, v in report.summary],
        "notes": "\n".join(report.notes),
        "flips": [{"index": i + 1, "name": f.name, "state": f.state, "direction": f.direction,
                   "base": f.base_text, "other": f.other_text + (f"（{f.note}）" if f.note else "")}
                  for i, f in enumerate(report.eligibility)],
        "flips_note": _none(list(report.eligibility), "资格结论变化的专家"),
        "unmapped": [{"index": i + 1, "name": u.name, "codes": "、".join(u.codes)}
                     for i, u in enumerate(report.unmapped)],
        "unmapped_note": _none(list(report.unmapped), "专业无法对应的专家"),
        "quota": [{"sector": q.label, "base_count": _count(q.base), "base_cap": _cap(q.base),
                   "base_status": q.base_status, "other_count": _count(q.other), "other_cap": _cap(q.other),
                   "other_status": q.other_status, "change": q.change} for q in quota],
        "pool_line": (f"在库专家 {report.pool_total[0]}人（总数上限 {report.pool_cap[0] or '不限'}）；"
                      f"推演 {report.pool_total[1]}人（总数上限 {report.pool_cap[1] or '不限'}）"),
        "apps": [{"index": i + 1, "name": a.name, "apply_date": a.apply_date, "change": a.change,
                  "base": a.base.text, "other": a.other.text} for i, a in enumerate(report.applications)],
        "apps_note": _none(list(report.applications), "结论变化的申报") +
        f"（今年共审查 {report.applications_checked} 份已提交的申报）",
        "consequences": [{"index": i + 1, "name": c.name, "kind": c.kind, "change": c.change, "base": c.base_text,
                          "other": c.other_text} for i, c in enumerate(report.consequences)],
        "consequences_note": _none(list(report.consequences), "将触发或解除的后果"),
        "fee_rows": [{"department": r.department, "base": _money_or(r.base), "other": _money_or(r.other),
                      "difference": _signed(r.difference)} for r in fees.rows],
        "fee_total_base": _money_or(fees.base.total),
        "fee_total_other": _money_or(fees.other.total),
        "fee_difference": _signed(fees.difference),
        "fee_note": "\n".join(fee_notes) or _none(list(fees.rows), "期间内的劳务报酬"),
    }
