"""年度考核表单上下文 — what JC 附件6 《安全生产和应急管理专家履职考核表》 (第十条(三)) and the local results list
(JC 考核结果报专家管理工作领导小组办公室存档; YQ 第二十三条(二) 考评结果……予以公布) show, decided in Python.

Pure: an assessment record (or the pre-filled, not yet assessed summary) and the policy in, plain dicts out. The
service rows of 附件6 are the period's dispatches (服务起始日期, 服务项目, the expert's 服务质量自我评价), padded
with blank rows for handwriting (行数不够可增加), then the trainings attended (local setting: 附件6 has no
training row; the profile notes it is listed with the services). Check boxes (☑/☐) for the conclusion are decided
here; user text stays literal.
"""
from __future__ import annotations

from datetime import date
from typing import Any, Iterable

from core.assessment import due, summary_text, year_title
from core.forms_context import box, cn_date, cn_date_or_blank, form_heading, text

MIN_SERVICE_ROWS = 4


# Several sectors / specialties are joined with "；": their own names may hold "、" (JC “1.1 地质勘探、测量”,
# “法规、标准基础理论研究”), so "、" between them would be ambiguous (issue 12).
LIST_SEPARATOR = "；"


def rating_hint(policy: Any) -> str:
    """附件6 考核结论 column, first item, as the annex prints it: (填写“优、良、中、差”,以下同) — ASCII brackets and comma."""
    return f"(填写“{'、'.join(policy.assessment.item_ratings)}”,以下同)"


def opinion_hint(policy: Any) -> str:
    """附件6 牵头科室考核评估意见, as the annex prints it: the three conclusions in ASCII brackets, joined by ";"."""
    return "(" + ";".join(c.text for c in policy.assessment.conclusions) + ")"


def _sectors_and_specialties(expert: dict, policy: Any) -> tuple[str, str]:
    sectors: list[str] = []
    labels: list[str] = []
    for code in expert.get("specialties") or ():
        try:
            sector = policy.taxonomy.sector_of(code).name
            label = policy.taxonomy.specialty_label(code)
        except Exception:  # a code of another profile still prints, as its code
            sector, label = "", str(code)
        if sector and sector not in sectors:
            sectors.append(sector)
        labels.append(label)
    return LIST_SEPARATOR.join(sectors), LIST_SEPARATOR.join(labels)


def _project(task: dict) -> str:
    matter = text(task.get("matter"))
    dept = text(task.get("department"))
    return f"{matter}（{dept}）" if dept and matter else matter or dept


def fj6_context(expert: dict, record: dict, policy: Any, *, printed_on: date) -> dict:
    """JC 附件6 of one expert for one year. `record`: a saved assessment, or {"services": year_summary(...)} for a
    blank form to hand to the expert before the assessment."""
    a = policy.assessment
    form_id = a.form_id or "jc_fj6"
    annex, title = form_heading(policy, form_id)
    services = record.get("services") or {}
    self_eval = record.get("self_evaluation") or {}
    own = self_eval.get("service_ratings") or {}
    rows = [{"start": cn_date_or_blank(t.get("start"), ""), "project": _project(t),
             "self_rating": text(own.get(str(t.get("assignment_id"))))} for t in services.get("tasks") or ()]
    for t in services.get("trainings") or ():
        rows.append({"start": cn_date_or_blank(t.get("held_on"), ""), "project": f"参加专家培训：{text(t.get('title'))}",
                     "self_rating": "—"})
    while len(rows) < MIN_SERVICE_ROWS:
        rows.append({"start": "", "project": "", "self_rating": ""})
    items = _lines_numbered(self_eval.get("items") or ())
    ratings = record.get("item_ratings") or {}
    notes = record.get("item_notes") or {}
    key = record.get("conclusion")
    # 考核结论 of the 评估意见 row: the short labels to tick (the full texts stand in the annex's parenthetical)
    options = "\n".join(f"{box(c.key == key)}{c.label}" for c in a.conclusions)
    hint = rating_hint(policy)
    sectors, specialties = _sectors_and_specialties(expert, policy)
    period = due(policy, int(record.get("year") or services.get("year") or printed_on.year))
    return {
        "form_id": form_id, "annex_label": annex, "title": title,
        "name": text(expert.get("name")), "sectors": sectors, "specialties": specialties,
        "period": period.period_text(),
        "services": rows, "services_summary": f"本考核周期（{period.period_text()}）：{summary_text(services)}" if services else "",
        "self_items": items, "self_comment": text(self_eval.get("comment")),
        "items": [{"name": item, "note": text(notes.get(item)), "rating": text(ratings.get(item)),
                   "hint": hint if i == 0 else ""} for i, item in enumerate(a.items)],
        "rating_hint": hint, "opinion_hint": opinion_hint(policy),
        "conclusion_options": options, "opinion_note": text(record.get("note")),
        "assessor": a.assessor,
        "signed_on": cn_date_or_blank(record.get("assessed_on")),
        "printed_on": cn_date(printed_on),
    }


def _lines_numbered(items: Iterable[Any]) -> str:
    return "\n".join(f"{i}. {text(item)}" for i, item in enumerate(items, start=1) if text(item))


def _evaluation_text(services: dict) -> str:
    counts = services.get("rating_counts") or {}
    parts = [f"{r}{counts[r]}" for r in services.get("rating_scale") or () if counts.get(r)]
    if services.get("unrated"):
        parts.append(f"未评{services['unrated']}")
    return "、".join(parts) or "—"


def result_row(index: int, record: dict, expert: dict, policy: Any) -> dict:
    """One line of the results list: who, the services in brief, each item's rating and the conclusion."""
    services = record.get("services") or {}
    sectors, _ = _sectors_and_specialties(expert, policy)
    ratings = record.get("item_ratings") or {}
    items = "\n".join(f"{item}：{text(ratings.get(item))}" for item in policy.assessment.items)
    declined = services.get("declined", 0)
    dispatch = f"接受{services.get('accepted', 0)}次" + (f"\n拒绝{declined}次" if declined else "")
    if services.get("declined_unjustified"):
        dispatch += f"（无正当理由{services['declined_unjustified']}次）"
    return {
        "index": index, "name": text(record.get("name") or expert.get("name")), "unit": text(expert.get("unit")),
        "sectors": sectors, "dispatch": dispatch, "days": services.get("days", 0),
        "training": f"{services.get('trainings_attended', 0)}/{services.get('trainings_held', 0)}",
        "evaluation": _evaluation_text(services), "ratings": items,
        "conclusion": text(record.get("conclusion_label")), "note": text(record.get("note")),
    }


def results_context(rows: Iterable[tuple[dict, dict]], policy: Any, year: int, *, printed_on: date) -> dict:
    """The results list (JC jc_assessment_results 报领导小组办公室存档; YQ yq_assessment_results 予以公布) of
    `year`: one line per assessed expert, counts per conclusion, the profile's archive/publish note."""
    a = policy.assessment
    form_id = a.results_form_id or ""
    _, title = form_heading(policy, form_id)
    period = due(policy, year)
    lines = [result_row(i, record, expert, policy) for i, (record, expert) in enumerate(rows, start=1)]
    counts = {c.label: sum(1 for line in lines if line["conclusion"] == c.label) for c in a.conclusions}
    summary = f"共{a.name}{len(lines)}人，其中" + "、".join(f"{label}{n}人" for label, n in counts.items()) + "。"
    notes = []
    if a.results_archived:
        notes.append("考核结果报专家管理工作领导小组办公室存档。" if not a.results_published else "考评结果记入专家档案。")
    if a.results_published:
        notes.append("考评结果予以公布（第二十三条(二)）。")
    if a.basis_for_renewal:
        notes.append("考核结果作为" + ("续聘及特聘" if a.results_published else "专家增补或解聘") + "的依据。")
    notes.append("“参加培训”为参加次数/期间举办次数；“服务评价”为使用科室对各次服务的总体评价次数。")
    return {
        "form_id": form_id, "title": title or f"{policy.city}专家{a.name}结果",
        "year_label": f"{year_title(policy, year)}（考核周期：{period.period_text()}）",
        "assessor": a.assessor, "rows": lines, "summary": summary, "notes": "".join(notes),
        "item_names": "、".join(a.items), "printed_on": cn_date(printed_on), "fill_date": cn_date(printed_on),
    }


__all__ = ["LIST_SEPARATOR", "MIN_SERVICE_ROWS", "fj6_context", "opinion_hint", "rating_hint", "result_row",
           "results_context"]
