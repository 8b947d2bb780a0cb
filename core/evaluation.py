"""服务评价（服务质量登记、使用评价）及其期限与后果 — JC-V1, YQ-V1, YQ-V2, X-V1.

JC（第十四条(一)、第十七条、附件8《专家服务质量登记表》）：使用科室按项目给每位专家填8项服务质量指标，第8项即总体评价
优/良/一般/较差；评为“优”的要在备注栏说明理由，一个项目有3名及以上专家参与的不得全部评为“良”（附件8 注4）；专家认为有
意义的事项填1–3项；服务结束后3个工作日内连同附件7 报送。`check_jc_evaluation` 一次检查全部问题，抛出一个列出全部
问题的 ValidationError。YQ（第二十三条(一)1(1)、附表五）：每名专家评为优秀/良好/一般/较差，一般或较差的要书面说明情况
（`check_yq_rating`），2日内交回；第二十四条(三)：年度内首次被评为一般或较差的提醒谈话，再次的调整退出专家库
（`yq_consequence` 只提出建议，由 services 交给 core.dismissal 的提醒谈话或清退立案）。`may_evaluate` 拒绝评价尚未
结束的任务，`evaluation_deadline` / `overdue` 按策略档案 [evaluations] 的期限列出逾期未评价的任务（X-V1）。
所有规则参数来自策略档案；纯函数：不读时钟（`today` 由调用方传入），工作日由调用方传入 `is_workday`。
"""
from __future__ import annotations

from datetime import date
from typing import Any, Iterable

from core.errors import DomainError, ValidationError
from core.expert import parse_date
from core.lifecycle import format_day
from core.workdays import IsWorkday, deadline

__all__ = [
    "ACTION_REMINDER", "ACTION_REMOVAL", "indicator_key", "check_jc_evaluation", "check_yq_rating",
    "may_evaluate", "evaluation_deadline", "overdue", "yq_consequence",
]

ACTION_REMINDER = "提醒谈话"
ACTION_REMOVAL = "调整退出建议"  # a proposal in the dismissal workflow, never an automatic removal


# ---------------------------------------------------------------------------------------------------------------
# 小工具
# ---------------------------------------------------------------------------------------------------------------
def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _as_day(value: Any, field: str, label: str) -> date:
    parsed = parse_date(value) if value is not None else None
    if parsed is None:
        raise ValidationError((field, f"{label}应为日期（如 2026-06-05），当前为“{value}”"))
    return parsed


def _same_id(a: Any, b: Any) -> bool:
    return a is not None and b is not None and str(a) == str(b)


def _choices(options: Iterable[str]) -> str:
    return "、".join(options)


def indicator_key(indicator: Any) -> str:
    """指标在 ratings[i]["indicators"] 中的键：序号的文字，如 "2"（整数键 2 也接受）。"""
    return str(indicator.number)


def _who(rating: dict, i: int) -> str:
    name = _text(rating.get("name"))
    return name or f"第{i + 1}位专家"


# ---------------------------------------------------------------------------------------------------------------
# JC-V1 服务质量登记表（附件8）
# ---------------------------------------------------------------------------------------------------------------
def check_jc_evaluation(task: dict, ratings: list[dict], meaningful_items: list[str], policy: Any) -> dict:
    """检查一份服务质量登记表（附件8）；全部合格时返回整理后的记录，否则抛出一个列出全部问题的 ValidationError。

    task：使用申请（只用可选的 "expert_ids"：本项目参与的专家；给出时每人须且只须评价一次）。
    ratings：每位专家一项 {"expert_id", "name"?, "indicators": {"1": "是", …, "8": "优"}, "overall": "优",
    "remark": "…"}；指标键为序号（见 indicator_key）。总体评价指标（策略 overall_indicator，JC 第8项）可不填，
    填了则须与 overall 一致。检查：评价等级与各指标的值在可选范围内、指标不缺不多、评为须说明理由的等级（“优”）时
    备注不空、参与专家达到 uniform_rule.min_experts（3名）时不得全部为 uniform_rule.rating（“良”）、有意义的事项
    条数在 meaningful_items_min–max（1–3）之间（空白项不计）。
    返回 {"ratings": [{"expert_id", "name", "indicators": {全部指标}, "overall", "remark"}],
    "meaningful_items": [去掉空白的事项]}。字段键形如 "ratings.0.indicators.2"、"ratings.1.remark"、"meaningful_items"。
    """
    ev = policy.evaluations
    errors: list[tuple[str, str]] = []
    rows = list(ratings or [])
    indicators = tuple(ev.indicators)
    by_key = {indicator_key(ind): ind for ind in indicators}
    overall_key = str(ev.overall_indicator) if ev.overall_indicator is not None else None

    if not rows:
        errors.append(("ratings", "请至少评价一名专家"))

    cleaned: list[dict] = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(rows):
        r = raw if isinstance(raw, dict) else {}
        who = _who(r, i)
        eid = r.get("expert_id")
        if eid is None or _text(str(eid)) == "":
            errors.append((f"ratings.{i}.expert_id", f"{who}：缺少专家编号"))
        elif str(eid) in seen:
            errors.append((f"ratings.{i}.expert_id", f"{who}：同一名专家评价了两次"))
        else:
            seen[str(eid)] = i

        given = r.get("indicators") or {}
        if not isinstance(given, dict):
            given = {}
        values = {str(k).strip(): _text(v) for k, v in given.items()}
        overall = _text(r.get("overall")) or (values.get(overall_key, "") if overall_key else "")
        if overall not in ev.ratings:
            shown = overall or "未填"
            errors.append((f"ratings.{i}.overall",
                           f"{who}：总体评价应为{_choices(ev.ratings)}之一，当前为“{shown}”"))
        for key in values:
            if key not in by_key:
                errors.append((f"ratings.{i}.indicators.{key}", f"{who}：没有序号为“{key}”的服务质量指标"))
        filled: dict[str, str] = {}
        for ind in indicators:
            key = indicator_key(ind)
            value = values.get(key, "")
            if key == overall_key:
                if value and overall in ev.ratings and value != overall:
                    errors.append((f"ratings.{i}.indicators.{key}",
                                   f"{who}：第{key}项“{ind.text}”为“{value}”，与总体评价“{overall}”不一致"))
                    continue
                value = value or overall
                if value and value not in ind.options:
                    continue  # already reported as an overall rating outside the scale
            if not value:
                errors.append((f"ratings.{i}.indicators.{key}", f"{who}：缺少第{key}项“{ind.text}”"))
            elif value not in ind.options:
                errors.append((f"ratings.{i}.indicators.{key}",
                               f"{who}：第{key}项“{ind.text}”应为{_choices(ind.options)}之一，当前为“{value}”"))
            else:
                filled[key] = value

        remark = _text(r.get("remark"))
        if overall in ev.reason_required_for and not remark:
            errors.append((f"ratings.{i}.remark",
                           f"{who}：总体评价为“{overall}”，请在{ev.reason_field}一栏说明评价理由"))
        cleaned.append({"expert_id": eid, "name": _text(r.get("name")), "indicators": filled,
                        "overall": overall, "remark": remark})

    expected = task.get("expert_ids") if isinstance(task, dict) else None
    if expected:
        expected_ids = [str(e) for e in expected]
        for i, r in enumerate(cleaned):
            if r["expert_id"] is not None and str(r["expert_id"]) not in expected_ids:
                errors.append((f"ratings.{i}.expert_id", f"{_who(r, i)}：不是本项目的参与专家"))
        missing = [e for e in expected_ids if e not in seen]
        if missing:
            errors.append(("ratings", f"还有{len(missing)}名参与专家未评价（专家编号 {'、'.join(missing)}）"))
        participants = len(expected_ids)
    else:
        participants = len(cleaned)

    rule = ev.uniform_rule
    if rule and len(cleaned) >= rule.min_experts and all(r["overall"] == rule.rating for r in cleaned):
        errors.append(("ratings", f"本项目有{participants}名专家参与，不得全部评价为“{rule.rating}”"
                                  f"（{rule.source.split('：')[0]}）"))

    items = [_text(x) for x in (meaningful_items or [])]
    items = [x for x in items if x]
    lo, hi = ev.meaningful_items_min, ev.meaningful_items_max
    if (lo is not None and len(items) < lo) or (hi is not None and len(items) > hi):
        span = f"{lo if lo is not None else 0}–{hi}" if hi is not None else f"至少{lo}"
        errors.append(("meaningful_items", f"专家认为提供服务有意义的事项应填写{span}项，当前为{len(items)}项"))

    if errors:
        raise ValidationError(errors)
    return {"ratings": cleaned, "meaningful_items": items}


# ---------------------------------------------------------------------------------------------------------------
# YQ-V1 使用评价（附表五）
# ---------------------------------------------------------------------------------------------------------------
def check_yq_rating(rating: Any, explanation: Any, policy: Any) -> dict:
    """检查一名专家的使用评价；合格时返回 {"rating", "explanation"}（去掉首尾空白），否则抛 ValidationError。

    等级须为策略的 ratings（YQ 优秀/良好/一般/较差）之一；为 reason_required_for（一般、较差）时书面说明不能为空
    （第二十三条(一)1(1)）。字段键 "rating"、"explanation"。
    """
    ev = policy.evaluations
    value, text = _text(rating), _text(explanation)
    errors: list[tuple[str, str]] = []
    if value not in ev.ratings:
        errors.append(("rating", f"评价应为{_choices(ev.ratings)}之一，当前为“{value or '未填'}”"))
    elif value in ev.reason_required_for and not text:
        errors.append(("explanation", f"评价为“{value}”的，要{ev.reason_field}情况"))
    if errors:
        raise ValidationError(errors)
    return {"rating": value, "explanation": text}


# ---------------------------------------------------------------------------------------------------------------
# 评价时点与期限 — X-V1
# ---------------------------------------------------------------------------------------------------------------
def may_evaluate(task_end: Any, today: date) -> None:
    """任务结束日（含当天）起才能评价；之前抛 DomainError“任务尚未结束，不能评价（…结束）”。结束日不是日期 → ValidationError。"""
    end = _as_day(task_end, "end", "任务结束日期")
    if today < end:
        raise DomainError(f"任务尚未结束，不能评价（{format_day(end)}结束）")


def evaluation_deadline(task_end: Any, policy: Any, is_workday: IsWorkday) -> date:
    """评价应交回的最后一天（JC 结束后第3个工作日；YQ 结束后第2日）。结束日不是日期 → ValidationError。"""
    return deadline(_as_day(task_end, "end", "任务结束日期"), policy, is_workday)


def overdue(tasks: Iterable[dict], today: date, policy: Any, is_workday: IsWorkday) -> list[dict]:
    """逾期未评价的任务（X-V1）：未评价（evaluated 不为真）且 today 已过期限（期限当天仍不算逾期）。

    tasks：[{"request_id", "end", "evaluated": bool, …}]，其他键原样保留（页面可带上使用科室、事项）。
    返回每行加上 "deadline"（ISO 日期）与 "days_overdue"（期限之后的自然日数，≥1），逾期最久的在前，
    同样久的按 request_id。结束日期无法识别的任务跳过（首页不应因一条坏数据出错）。
    """
    rows: list[dict] = []
    for t in tasks or ():
        if not isinstance(t, dict) or t.get("evaluated"):
            continue
        end = parse_date(t.get("end")) if t.get("end") is not None else None
        if end is None:
            continue
        due = deadline(end, policy, is_workday)
        if today > due:
            rows.append({**t, "deadline": due.isoformat(), "days_overdue": (today - due).days})
    rows.sort(key=lambda r: (-r["days_overdue"], str(r.get("request_id"))))
    return rows


# ---------------------------------------------------------------------------------------------------------------
# YQ-V2 年度内较低评价的后果（第二十四条(三)）
# ---------------------------------------------------------------------------------------------------------------
def yq_consequence(expert_id: Any, ratings_history: Iterable[dict], today: date, policy: Any) -> dict | None:
    """该专家在 today 所在自然年度内（评价日期不晚于 today）被评为较低等级的次数所对应的处理；没有则 None。

    ratings_history：[{"expert_id", "rating", "on"}]（其他专家、其他等级、日期无法识别的行不计）。
    次数取策略 escalation 中不超过该次数的最大一步（YQ：1 次 → 提醒谈话；2 次及以上 → 调整退出专家库）。
    策略没有 escalation（JC）→ None。返回 {"action": "提醒谈话" | "调整退出建议", "reason_number": 3,
    "text": 中文说明（可作谈话内容或立案证据）, "occurrence": 次数, "proposes_dismissal": bool, "dates": [ISO 日期]}。
    只是建议：提醒谈话由 core.dismissal.reminder_talk 记录，调整退出由 core.dismissal.open_case 立案。
    """
    ev = policy.evaluations
    steps = sorted(ev.escalation, key=lambda s: s.occurrence)
    if not steps or not ev.negative_ratings:
        return None
    counted: list[tuple[date, str]] = []
    for h in ratings_history or ():
        if not isinstance(h, dict) or not _same_id(h.get("expert_id"), expert_id):
            continue
        rating = _text(h.get("rating"))
        on = parse_date(h.get("on")) if h.get("on") is not None else None
        if rating not in ev.negative_ratings or on is None or on > today:
            continue
        if ev.escalation_window == "calendar_year" and on.year != today.year:
            continue
        counted.append((on, rating))
    counted.sort()
    n = len(counted)
    applicable = [s for s in steps if s.occurrence <= n]
    if not applicable:
        return None
    step = applicable[-1]
    number = ev.escalation_dismissal_reason_number
    article = ""
    if number is not None:
        try:
            article = f"{policy.dismissal.article}（{policy.dismissal.reason(number).numeral}）"
        except Exception:  # a reason the profile does not list: say it without the article
            article = ""
    lows = "或".join(ev.negative_ratings)
    period = f"{today.year}年度内" if ev.escalation_window == "calendar_year" else ""
    detail = "、".join(f"{format_day(d)} {r}" for d, r in counted)
    basis = f"，依据{article}" if article else ""
    nth = "首次" if n == 1 else f"第{n}次"
    text = f"{period}{nth}被评为{lows}（{detail}）{basis}：{step.action}"
    if step.proposes_dismissal:
        text += "（提出建议，按程序办理）"
    return {"action": ACTION_REMOVAL if step.proposes_dismissal else step.action,
            "reason_number": number, "text": text, "occurrence": n,
            "proposes_dismissal": bool(step.proposes_dismissal), "dates": [d.isoformat() for d, _ in counted]}
