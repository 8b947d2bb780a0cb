"""任务完成、工作记录卡与技术服务帮扶的纯规则 — JC-V1, YQ-V1, X-V1, YQ 第十五条–第十八条、第二十二条(一).

服务评价本身的规则（附件8 指标、附表五 等级、期限、年度后果）在 core/evaluation.py；这里是评价前后的几件事：
`check_completion` 检查办公室登记“任务完成”时每名已接受专家的实际工作天数（正整数，不超过起止日期含首尾的天数，
core.fees.check_days_worked；出错时每条消息点名该专家），一次列出全部问题；`check_work_card` 检查阳泉 附表六
《专家工作记录卡》（第二十二条(一)：工作完成后及时交回 —— 原文只有 姓名、专业、工作事项、工作情况 四栏，另记交回日期）；
`check_assistance` 检查帮扶记录（第十八条：所发现问题隐患及建议以书面形式移交企业），`check_urgent_report` 检查
第十六条的停产撤人报告，`check_acknowledgement` 检查市安委办接报后的处理（第十七条）。纯函数：不读时钟，today 由
调用方传入；错误一律为中文 ValidationError / DomainError。
取舍：附表六没有单独的交回期限（“及时交回”），逾期清单按与附表五相同的期限（YQ 任务结束后2日）计 —— 两张表同时交回。
"""
from __future__ import annotations

from datetime import date
from typing import Any, Iterable, Mapping

from core.errors import DomainError, ValidationError
from core.evaluation import may_evaluate
from core.expert import parse_date
from core.fees import FeeError, check_days_worked  # the same days rule the fee calculation applies
from core.lifecycle import format_day

__all__ = [
    "MAX_TEXT", "MAX_ITEMS", "span_days", "check_completion", "check_work_card", "check_assistance",
    "check_urgent_report", "check_acknowledgement",
]

MAX_TEXT = 2000      # one text box of a form; longer text does not fit a printed cell
MAX_ITEMS = 30       # 问题隐患 rows of one hand-over letter


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def span_days(start: Any, end: Any) -> int | None:
    """起止日期含首尾的天数；日期不对时为 None。"""
    s = parse_date(start) if start is not None else None
    e = parse_date(end) if end is not None else None
    if s is None or e is None or e < s:
        return None
    return (e - s).days + 1


def _long_text(errors: list, key: str, value: Any, label: str, *, required: bool) -> str:
    text = _text(value)
    if required and not text:
        errors.append((key, f"请填写{label}"))
    elif len(text) > MAX_TEXT:
        errors.append((key, f"{label}不能超过{MAX_TEXT}字（当前{len(text)}字）"))
    return text


def _day(errors: list, key: str, value: Any, label: str) -> date | None:
    if value is None or value == "":
        errors.append((key, f"请填写{label}"))
        return None
    d = parse_date(value)
    if d is None:
        errors.append((key, f"{label}应为日期（如 2026-06-05），当前为“{value}”"))
    return d


# ---------------------------------------------------------------------------------------------------------------
# 任务完成：实际工作天数
# ---------------------------------------------------------------------------------------------------------------
def check_completion(request: Mapping[str, Any], accepted: Iterable[Mapping[str, Any]], days: Mapping[Any, Any],
                     work_summary: Any, completed_on: Any, today: date, names: Mapping[Any, str]) -> dict:
    """检查“任务完成”登记；合格时返回 {"days": {assignment_id: int}, "work_summary", "completed_on": ISO}。

    request 须为“已委派”（否则 DomainError）且任务已结束（core.evaluation.may_evaluate）；accepted 是已接受的委派
    （每条 {"id", "expert_id", "start"?, "end"?}）；days 给每条委派的实际工作天数（键可为整数或其文字），每名专家
    都要填、不能多填，天数为正整数且不超过该委派起止日期含首尾的天数；completed_on（默认 today）不能早于任务结束日、
    不能晚于 today；主要工作事项记录不能为空。一次列出全部问题（ValidationError，字段键 "days.<委派id>" 等），
    消息点名专家：“张三：实际工作天数应为正整数（至少1天），当前为“0””。库外专家（JC 第十一条）没有委派记录：由调用方
    以 {"id": "库外1", "expert_id": "库外1"} 这样的行放进 accepted，天数照样检查，返回的 days 里键为“库外1”。
    """
    status = request.get("status")
    if status != "已委派":
        if status == "已完成":
            raise DomainError("该任务已登记完成")
        raise DomainError(f"只有已委派的任务才能登记完成（当前为“{status}”）")
    may_evaluate(request.get("end"), today)
    errors: list[tuple[str, str]] = []
    rows = list(accepted)
    if not rows:
        errors.append(("days", "该任务没有已接受委派的专家"))
    given = {str(k): v for k, v in (days or {}).items()}
    wanted = {str(a["id"]) for a in rows}
    cleaned: dict[int, int] = {}
    for a in rows:
        who = names.get(a.get("expert_id")) or f"专家{a.get('expert_id')}"
        key = f"days.{a['id']}"
        span = span_days(a.get("start") or request.get("start"), a.get("end") or request.get("end"))
        if str(a["id"]) not in given or given[str(a["id"])] in (None, ""):
            errors.append((key, f"{who}：请填写实际工作天数"))
            continue
        if span is None:
            errors.append((key, f"{who}：委派的起止日期有误，无法核对天数"))
            continue
        try:
            cleaned[a["id"]] = check_days_worked(given[str(a["id"])], span)
        except FeeError as exc:
            errors.append((key, f"{who}：{exc.message}"))
    for extra in sorted(set(given) - wanted):
        errors.append((f"days.{extra}", f"委派记录 {extra} 不是本任务已接受的专家"))
    summary = _long_text(errors, "work_summary", work_summary, "主要工作事项记录", required=True)
    end = parse_date(request.get("end"))
    on = today if completed_on in (None, "") else parse_date(completed_on)
    if on is None:
        errors.append(("completed_on", f"完成日期应为日期（如 2026-06-05），当前为“{completed_on}”"))
    elif on > today:
        errors.append(("completed_on", f"完成日期{format_day(on)}晚于今天"))
    elif end is not None and on < end:
        errors.append(("completed_on", f"完成日期{format_day(on)}早于任务结束日期{format_day(end)}"))
    if errors:
        raise ValidationError(errors)
    return {"days": cleaned, "work_summary": summary, "completed_on": on.isoformat()}


# ---------------------------------------------------------------------------------------------------------------
# YQ 附表六 工作记录卡（第二十二条(一)）
# ---------------------------------------------------------------------------------------------------------------
def check_work_card(data: Mapping[str, Any], task_start: Any, today: date) -> dict:
    """附表六：工作事项、工作情况（必填）和交回日期（不早于任务开始、不晚于 today）。返回整理后的
    {"matter", "situation", "returned_on": ISO}；有问题时一个 ValidationError 列出全部。"""
    errors: list[tuple[str, str]] = []
    matter = _long_text(errors, "matter", data.get("matter"), "工作事项", required=True)
    situation = _long_text(errors, "situation", data.get("situation"), "工作情况", required=True)
    returned = _day(errors, "returned_on", data.get("returned_on"), "交回日期")
    start = parse_date(task_start) if task_start is not None else None
    if returned is not None:
        if returned > today:
            errors.append(("returned_on", f"交回日期{format_day(returned)}晚于今天"))
        elif start is not None and returned < start:
            errors.append(("returned_on", f"交回日期{format_day(returned)}早于任务开始日期{format_day(start)}"))
    if errors:
        raise ValidationError(errors)
    return {"matter": matter, "situation": situation, "returned_on": returned.isoformat()}


# ---------------------------------------------------------------------------------------------------------------
# YQ 技术服务与帮扶（第十五条–第十八条）
# ---------------------------------------------------------------------------------------------------------------
def check_assistance(data: Mapping[str, Any], today: date) -> dict:
    """帮扶记录（第十八条 书面移交企业）：企业名称、至少一条问题隐患（每条可附整改建议；只有建议没有问题的不收）、
    移交日期（不晚于 today）。返回 {"enterprise", "items": [{"problem", "suggestion"}], "handed_over_on": ISO}。"""
    errors: list[tuple[str, str]] = []
    enterprise = _text(data.get("enterprise"))
    if not enterprise:
        errors.append(("enterprise", "请填写被帮扶企业名称"))
    elif len(enterprise) > 100:
        errors.append(("enterprise", "企业名称不能超过100字"))
    items: list[dict] = []
    raw = data.get("items") or []
    for i, item in enumerate(raw if isinstance(raw, (list, tuple)) else []):
        item = item if isinstance(item, Mapping) else {}
        problem = _long_text(errors, f"items.{i}.problem", item.get("problem"), f"第{i + 1}条问题隐患",
                             required=False)
        suggestion = _long_text(errors, f"items.{i}.suggestion", item.get("suggestion"), f"第{i + 1}条整改建议",
                                required=False)
        if suggestion and not problem:
            errors.append((f"items.{i}.problem", f"第{i + 1}条只有整改建议，请填写对应的问题隐患"))
        elif problem:
            items.append({"problem": problem, "suggestion": suggestion})
    if not items:
        errors.append(("items", "请至少填写一条所发现的问题隐患"))
    elif len(items) > MAX_ITEMS:
        errors.append(("items", f"一份移交书最多{MAX_ITEMS}条问题隐患（当前{len(items)}条）"))
    handed = _day(errors, "handed_over_on", data.get("handed_over_on"), "移交日期")
    if handed is not None and handed > today:
        errors.append(("handed_over_on", f"移交日期{format_day(handed)}晚于今天"))
    if errors:
        raise ValidationError(errors)
    return {"enterprise": enterprise, "items": items, "handed_over_on": handed.isoformat()}


def check_urgent_report(content: Any) -> str:
    """第十六条 停产撤人报告的内容：须写明发现的重大风险隐患和已采取的措施（不能为空）。"""
    errors: list[tuple[str, str]] = []
    text = _long_text(errors, "content", content, "报告内容（重大风险隐患及已责令停止作业、撤出人员的情况）",
                      required=True)
    if errors:
        raise ValidationError(errors)
    return text


def check_acknowledgement(action: Any) -> str:
    """第十七条 市安委办接报后采取的措施（不能为空）。"""
    errors: list[tuple[str, str]] = []
    text = _long_text(errors, "action", action, "采取的措施", required=True)
    if errors:
        raise ValidationError(errors)
    return text
