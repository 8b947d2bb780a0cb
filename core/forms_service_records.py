"""服务评价与帮扶表单的上下文 — JC 附件8《服务质量登记表》、YQ 附表六《工作记录卡》、YQ 帮扶问题隐患及建议移交书.

纯函数（只用标准库与 core.forms_context 的小工具），把任务、评价、工作记录卡、帮扶记录整理成模板直接放置的值：
日期写成 2026年6月5日，勾选框 ☑/☐ 在这里决定，用户文字原样（换行保留为 "\n"）。
附件8（第十四条(一)、第十七条）：原表是“项目名称 | 使用科室(单位)”“工作天数及起止时间”“主要工作事项记录”，然后
服务质量指标表 —— 左边两栏表头“服务质量指标 / 专家姓名、服务评价”，右边五列专家，每列 1–8 项指标的勾选框（原表
“是 □ 否 □”，选项在前、方框在后），再是“专家认为提供服务有意义的事项(1-3项…)”、经办人和负责人签字、备注、注1–4。
原表只有五列专家：多于五人时在下一页续表（每页五列，最后一页不足五列留空），项目名称行每页重复以便认页；
工作天数、主要工作事项记录只在第一页，有意义的事项、签字、备注只在最后一页。“服务评价”一行填各专家的总体评价
（即第8项），便于一眼看到；备注一栏写评为“优”的理由（附件8 注4），按专家列出。
附表六（第二十二条(一)）：姓名、专业、工作事项、工作情况四栏，原样；表下另印交回日期（原表无此栏）。
帮扶移交书（第十八条，原文无格式，本地表单）：致被帮扶企业，说明依据，列出帮扶事项、时间、专家，问题隐患与整改建议
逐条成表；有第十六条停产撤人报告的，写明已责令停止作业并撤出人员及报告情况；移交单位和企业接收人签字、日期。
"""
from __future__ import annotations

from datetime import date
from typing import Any, Sequence

from core.forms_context import (BLANK_DATE, CHECKED, UNCHECKED, as_date, cn_date, cn_date_or_blank, form_heading,
                                text, usage_period_text)

__all__ = [
    "JC_FJ8_COLUMNS", "JC_FJ8_NOTES", "project_name", "jc_fj8_context", "yq_fb6_context",
    "assistance_letter_context",
]

JC_FJ8_COLUMNS = 5  # 附件8 prints five expert columns; more experts continue on the next page
# 附件8 注1–4, word for word from the seed (its ASCII punctuation kept).
JC_FJ8_NOTES = (
    "1.项目名称:指政策咨询、教育培训、项目评审、事故调查、案件调查、监督检查、设计审计、条件审查、现场核查、"
    "帮扶指导、应急处置和其他服务等;",
    "2.此表由使用科室(单位)填写;",
    "3.严格按照《晋城市安全生产和应急管理专家使用管理办法》要求,事后一事一填。",
    "4.对专家工作总体评价为“优”的,要在备注一栏说明评价理由,一个项目有3名及以上专家参与的,不得全部评价为“良”。",
)
_KNOWN = {
    "jc_fj8": ("附件8", "晋城市安全生产和应急管理专家服务质量登记表"),
    "yq_fb6": ("附表六", "阳泉市应急管理和安全生产专家工作记录卡"),
    "yq_assistance": ("本地表单", "阳泉市应急管理和安全生产专家帮扶问题隐患及建议移交书"),
}


def _heading(policy: Any, form_id: str) -> tuple[str, str]:
    annex, title = form_heading(policy, form_id)
    return (annex, title) if title else _KNOWN.get(form_id, ("", ""))


def project_name(request: dict) -> str:
    """附件8 项目名称（注1：政策咨询、事故调查……）：“监督检查：对辖区危险化学品企业开展专项检查”。"""
    kind, matter = text(request.get("task_type")), text(request.get("matter"))
    return f"{kind}：{matter}" if kind and matter else (kind or matter)


def _work_days_text(request: dict, days_by_expert: dict) -> str:
    """工作天数及起止时间：“共3天（2026年7月6日至2026年7月8日）”；专家实际天数不同的，另列“张三2天”。"""
    start, end = as_date(request.get("start")), as_date(request.get("end"))
    if start is None:
        return ""
    end = end or start
    span = (end - start).days + 1
    period = cn_date(start) if end == start else f"{cn_date(start)}至{cn_date(end)}"
    line = f"共{span}天（{period}）"
    differing = [f"{name}{n}天" for name, n in days_by_expert.items() if n is not None and n != span]
    if differing:
        line += "；实际工作天数：" + "、".join(differing)
    return line


def _boxes_after(options: Sequence[str], chosen: str) -> str:
    """附件8 的勾选格式：选项在前、方框在后，“是☑ 否☐”；三项以上每行两项（“好☑ 一般☐\n不好☐”），
    免得窄栏把“不好”折成两行。"""
    marks = [f"{o}{CHECKED if o == chosen else UNCHECKED}" for o in options]
    return "\n".join(" ".join(marks[i:i + 2]) for i in range(0, len(marks), 2))


def jc_fj8_context(request: dict, evaluation: dict | None, experts: Sequence[dict], policy: Any, *,
                   printed_on: date | None = None) -> dict:
    """附件8 的上下文。experts：参与的专家（已完成/已接受的委派，按委派顺序），每个 {"id", "name", "days_worked"?}；
    evaluation：已保存的评价（ratings 按 expert_id 对应；为 None 时打印空白勾选框供手填）。

    键：form_id, annex_label, title, project_name, department, work_days, work_record, meaningful_items,
    remark, notes, page_count, printed_on, pages（每页 {index, first, last, caption, names: n1..n5, overall: o1..o5,
    rows: [{label, c1..c5, blank}]}）。cN 为空的列（该页没有第 N 位专家）模板印 blank —— 原表的空白勾选框。
    """
    ev_policy = policy.evaluations
    annex, title = _heading(policy, "jc_fj8")
    by_expert = {str(r.get("expert_id")): r for r in ((evaluation or {}).get("ratings") or [])}
    indicators = list(ev_policy.indicators)
    people = []
    for e in experts:
        r = by_expert.get(str(e.get("id")), {})
        people.append({"name": text(e.get("name")) or text(r.get("name")), "rating": r,
                       "days": e.get("days_worked")})
    pages = []
    chunks = [people[i:i + JC_FJ8_COLUMNS] for i in range(0, max(len(people), 1), JC_FJ8_COLUMNS)]
    for index, chunk in enumerate(chunks, start=1):
        slots = list(chunk) + [None] * (JC_FJ8_COLUMNS - len(chunk))
        names = {f"n{i + 1}": (p["name"] if p else "") for i, p in enumerate(slots)}
        overall = {f"o{i + 1}": (text(p["rating"].get("overall")) if p else "") for i, p in enumerate(slots)}
        rows = []
        for ind in indicators:
            key = str(ind.number)
            # blank: the annex's unticked boxes, printed in a column no expert fills (fewer than five experts on
            # this page, or the blank form) — the annex prints them in all five columns for handwriting.
            row = {"label": f"{ind.number}.{ind.text}", "blank": _boxes_after(ind.options, "")}
            for i, p in enumerate(slots):
                if p is None:
                    row[f"c{i + 1}"] = ""
                    continue
                chosen = text((p["rating"].get("indicators") or {}).get(key))
                if not chosen and ev_policy.overall_indicator == ind.number:
                    chosen = text(p["rating"].get("overall"))
                row[f"c{i + 1}"] = _boxes_after(ind.options, chosen)
            rows.append(row)
        first_no = (index - 1) * JC_FJ8_COLUMNS + 1
        caption = ""
        if len(chunks) > 1:
            caption = (f"（续表 第{index}页，共{len(chunks)}页）" if index > 1 else f"（第1页，共{len(chunks)}页）")
            caption += f"　专家第{first_no}–{first_no + len(chunk) - 1}人" if len(chunk) > 1 else f"　专家第{first_no}人"
        pages.append({"index": index, "first": index == 1, "last": index == len(chunks), "caption": caption,
                      "names": names, "overall": overall, "rows": rows})
    items = [text(x) for x in ((evaluation or {}).get("meaningful_items") or []) if text(x)]
    reasons = [f"{p['name']}：{text(p['rating'].get('reason'))}" for p in people
               if p["rating"] and text(p["rating"].get("reason"))]
    late = bool((evaluation or {}).get("late"))
    remark_lines = reasons + ([f"逾期报送（应于{cn_date_or_blank((evaluation or {}).get('deadline'))}前报送）"]
                              if late else [])
    work_record = text((evaluation or {}).get("work_record")) or text(request.get("work_summary"))
    return {
        "form_id": "jc_fj8",
        "annex_label": annex,
        "title": title,
        "project_name": project_name(request),
        "department": text(request.get("department")),
        "work_days": _work_days_text(request, {p["name"]: p["days"] for p in people}),
        "work_record": work_record,
        "meaningful_items": "\n".join(f"{i}.{x}" for i, x in enumerate(items, start=1)),
        "remark": "\n".join(remark_lines),
        "notes": list(JC_FJ8_NOTES),
        "page_count": len(pages),
        "pages": pages,
        "expert_count": len(people),
        "printed_on": cn_date(printed_on) if printed_on else "",
    }


def yq_fb6_context(request: dict, expert: dict, card: dict | None, policy: Any, *, specialty: str = "") -> dict:
    """附表六 工作记录卡：姓名、专业（委派的专业，如“1.1 煤矿采掘”）、工作事项（记录卡的，未交回时为任务事项）、
    工作情况（未交回时空白供手填）、交回日期。"""
    annex, title = _heading(policy, "yq_fb6")
    card = card or {}
    return {
        "form_id": "yq_fb6",
        "annex_label": annex,
        "title": title,
        "name": text(expert.get("name")),
        "specialty": text(specialty),
        "matter": text(card.get("matter")) or text(request.get("matter")),
        "situation": text(card.get("situation")),
        "returned_on": cn_date_or_blank(card.get("returned_on")),
        "period": usage_period_text(request),
    }


def _two_lines(title: str) -> str:
    """A long title over two lines, broken after “专家” (“…安全生产专家” / “帮扶问题隐患及建议移交书”)."""
    cut = title.find("专家")
    return f"{title[:cut + 2]}\n{title[cut + 2:]}" if 0 < cut and cut + 2 < len(title) else title


def assistance_letter_context(request: dict, assistance: dict, expert_names: Sequence[str], policy: Any, *,
                              printed_on: date | None = None) -> dict:
    """帮扶问题隐患及建议移交书（第十八条；停产撤人报告见第十六条）。"""
    annex, title = _heading(policy, "yq_assistance")
    section = getattr(policy, "assistance", None)
    report_to = text(getattr(section, "report_to", "")) or "市安委办"
    items = [{"index": i, "problem": text(it.get("problem")), "suggestion": text(it.get("suggestion")) or "—"}
             for i, it in enumerate(assistance.get("items") or [], start=1)]
    urgent = assistance.get("urgent_report") or None
    urgent_text = ""
    if assistance.get("urgent") and urgent:
        urgent_text = (f"专家在帮扶中发现重大安全风险隐患，已依据第十六条责令你单位停止作业并撤出人员，"
                       f"并于{cn_date_or_blank(urgent.get('reported_on'))}向{report_to}报告：{text(urgent.get('content'))}")
    enterprise = text(assistance.get("enterprise"))
    intro = (f"根据《{policy.name}》第十八条，专家帮扶工作已结束，现将专家所发现的问题隐患及整改建议以书面形式"
             f"移交你单位，请高度重视专家意见，逐项抓好整改。")
    return {
        "form_id": "yq_assistance",
        "annex_label": annex if annex != "本地表单" else "",
        "title": title,
        "title_lines": _two_lines(title),
        "enterprise": enterprise,
        "salutation": f"{enterprise}：" if enterprise else "：",
        "intro": intro,
        "matter": text(request.get("matter")),
        "period": usage_period_text(request),
        "experts": "、".join(n for n in (text(x) for x in expert_names) if n),
        "department": text(request.get("department")),
        "items": items,
        "item_count": len(items),
        "urgent": bool(urgent_text),
        "urgent_text": urgent_text,
        "handed_over_on": cn_date_or_blank(assistance.get("handed_over_on")),
        "blank_date": BLANK_DATE,
        "printed_on": cn_date(printed_on) if printed_on else "",
    }
