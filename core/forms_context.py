"""表单上下文 — what each official Word form shows, decided in Python before any template sees it.

Pure functions (standard library only) that turn an expert record, an application and a policy profile into
the plain dicts a docxtpl template renders: rows already grouped and labelled, dates already written the
Chinese way (2026年6月5日), check boxes already decided (☑/☐), caps already worded as in the annex
("不超过80人"), user text cleaned but otherwise literal (line breaks kept as "\n", which docxtpl turns into
real line breaks). Templates only place values; they decide nothing.
Forms covered here (JC-W1, YQ-W1, X-W1):
  JC 附件1 类别划分表 (第十条), 附件2 申报表 and 附件3 廉政承诺书 (第八条(一)), 附件4 条件审核意见表 and
  附件5 推荐汇总表 (第八条(二)); YQ 分类表, 附表一 入库申请表 (第七条(一)), 附表二 特聘专家推荐表 (第八条),
  附表三 汇总表 (第九条(二)); and two forms the process needs though no annex draws them: the 拟定名单
  public notice (JC 第八条(三), YQ 第七条(二)3) and the 聘书 appointment certificate (JC 第八条(三), YQ 第七条(二)5).
"""
from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any, Callable, Iterable, Sequence

from core.errors import DomainError

# Official titles and annex labels, copied from the seeds (the form must keep its official title, X-W1).
_TAXONOMY_TITLES: dict[str, tuple[str, str]] = {
    "jincheng-2026": ("附件1", "晋城市安全生产和应急管理专家类别划分表"),
    "yangquan-2024": ("", "专家行业领域和专业范围分类表"),
}

_CN_ORDINALS = "一二三四五六七八九十"


def cn_date(d: date | datetime) -> str:
    """A date the way Chinese official documents write it: 2026年6月5日 (no leading zeros)."""
    return f"{d.year}年{d.month}月{d.day}日"


def cn_ordinal(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二 (enough for category numbering such as 一、安全生产类)."""
    if not 1 <= n <= 99:
        raise ValueError(f"序号超出范围：{n}")
    if n <= 10:
        return _CN_ORDINALS[n - 1]
    tens, ones = divmod(n, 10)
    head = "" if tens == 1 else _CN_ORDINALS[tens - 1]
    return head + "十" + (_CN_ORDINALS[ones - 1] if ones else "")


def cap_text(cap: int | None) -> str:
    """入选人数控制 as the annex words it: 80 → "不超过80人"; no cap → empty cell."""
    return f"不超过{cap}人" if cap is not None else ""


def taxonomy_title(policy: Any) -> tuple[str, str]:
    """(annex label, official title) of the taxonomy table: as the profile's forms list states it
    (taxonomy.form_id), else the taxonomy's own title, else the seeds' titles for the two known
    profiles, else one built from the city."""
    known_annex, known_title = _TAXONOMY_TITLES.get(policy.id, ("", f"{policy.city}专家类别划分表"))
    taxonomy = policy.taxonomy
    form_id = getattr(taxonomy, "form_id", None)
    if form_id and hasattr(policy, "form"):
        spec = policy.form(form_id)
        return spec.annex, spec.title
    return known_annex, getattr(taxonomy, "title", None) or known_title


def _category_heading(index: int, name: str) -> str:
    # The annex numbers categories 一、二、三、; a profile may already carry the number.
    if not name or name[0] in _CN_ORDINALS:
        return name
    return f"{cn_ordinal(index)}、{name}"


def _sector_row(sector: Any) -> dict:
    specialties = [
        {
            "code": sp.code,
            "name": sp.name,
            "label": f"{sp.code} {sp.name}",
            "first_in_sector": i == 0,
            "first_in_category": False,  # set by the category grouping below
        }
        for i, sp in enumerate(sector.specialties)
    ]
    lead = sector.lead_department or ""
    return {
        "code": sector.code,
        "name": sector.name,
        "label": f"{sector.code}.{sector.name}",
        "category": sector.category or "",
        "cap": cap_text(sector.cap),
        "cap_number": sector.cap,
        "lead_department": lead,
        "note": lead,
        "specialties": specialties,
        "specialty_count": len(specialties),
    }


def _group_by_category(policy: Any, sectors: list[dict]) -> list[dict]:
    order = list(policy.taxonomy.categories)
    for row in sectors:  # a sector naming a category the list lacks still gets printed
        if row["category"] not in order:
            order.append(row["category"])
    groups = []
    for index, name in enumerate(order, start=1):
        members = [row for row in sectors if row["category"] == name]
        if not members:
            continue
        members[0]["specialties"][0]["first_in_category"] = True
        groups.append({
            "name": _category_heading(index, name),
            "sectors": members,
            "specialty_count": sum(row["specialty_count"] for row in members),
        })
    return groups


def taxonomy_table_context(policy: Any, *, printed_on: date) -> dict:
    """Context of the taxonomy table (JC 附件1 / YQ 分类表) for `policy`.

    Keys: title, annex_label, document_number, policy_name, city, printed_on (中文日期),
    categories (each: name "一、安全生产类", sectors), sectors (flat, each: code, name, label "1.煤矿",
    cap "不超过80人", note = 牵头科室 text, specialties (each: code, name, label "1.1 地质勘探、测量",
    first_in_sector, first_in_category)), total_label "合计", total_cap "不超过260人",
    sector_count, specialty_count.
    """
    annex_label, title = taxonomy_title(policy)
    # A sector without specialties has no row to stand on in the table, so it cannot be printed.
    sectors = [_sector_row(sector) for sector in policy.taxonomy.sectors if sector.specialties]
    categories = _group_by_category(policy, sectors)
    return {
        "title": title,
        "annex_label": annex_label,
        "document_number": policy.document_number or "",
        "policy_name": policy.name,
        "city": policy.city,
        "printed_on": cn_date(printed_on),
        "categories": categories,
        "sectors": sectors,
        "total_label": "合计",
        "total_cap": cap_text(policy.taxonomy.pool_cap),
        "sector_count": len(sectors),
        "specialty_count": sum(row["specialty_count"] for row in sectors),
    }


# =========================================================================================================
# Shared pieces of the application-path forms
# =========================================================================================================

CHECKED, UNCHECKED = "☑", "☐"
# A date line still to be filled in by hand: "    年  月  日" with full-width spaces, as the annexes print it.
BLANK_DATE = "　　　　年　　月　　日"
PHOTO_HINT = "1寸免冠\n照片\n粘贴处"
SpecialtyLabel = Callable[[str], str]

# Annex label and official title of each form, from the seeds — used when a profile's forms list lacks one
# (a test double, or a profile written before the form existed).
_KNOWN_FORMS: dict[str, tuple[str, str]] = {
    "jc_fj2": ("附件2", "晋城市安全生产和应急管理专家申报表"),
    "jc_fj3": ("附件3", "晋城市安全生产和应急管理专家廉政承诺书"),
    "jc_fj4": ("附件4", "晋城市安全生产和应急管理专家条件审核意见表"),
    "jc_fj5": ("附件5", "晋城市安全生产和应急管理专家推荐汇总表"),
    "yq_fb1": ("附表一", "阳泉市应急管理和安全生产专家入库申请表"),
    "yq_fb2": ("附表二", "阳泉市应急管理和安全生产特聘专家推荐表"),
    "yq_fb3": ("附表三", "阳泉市应急管理和安全生产专家汇总表"),
}

_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # keeps \t and \n
_CN_DIGITS = "零一二三四五六七八九十"


def box(checked: Any) -> str:
    """☑ when `checked` is true, else ☐ (decided here, never in a template)."""
    return CHECKED if checked else UNCHECKED


def text(value: Any) -> str:
    """User text as the form prints it: None → "", lists joined with "、", line breaks normalised to "\n"
    (docxtpl turns each into a real line break), invisible control characters dropped. Nothing else is
    touched: `&`, `<`, `{{` stay as typed (the renderer escapes them)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (list, tuple)):
        return "、".join(t for t in (text(v) for v in value) if t)
    out = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL_CHARS.sub("", out).strip()


def as_date(value: Any) -> date | None:
    """A date from a date/datetime or an ISO string (as stored); None for empty or unreadable values."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value.strip():
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


def cn_date_or_blank(value: Any, blank: str = BLANK_DATE) -> str:
    """2026年6月5日, or the blank "    年  月  日" line when the date is not known yet."""
    d = as_date(value)
    return cn_date(d) if d else blank


def cn_month(value: Any) -> str:
    """出生年月 the way the annexes ask for it: 1981年3月 ("" when unknown)."""
    d = as_date(value)
    return f"{d.year}年{d.month}月" if d else ""


def cn_number(n: int) -> str:
    """0–99 in Chinese numerals for running text (聘期三年)."""
    if n <= 10:
        return _CN_DIGITS[n]
    return cn_ordinal(n)


def expert_birth(expert: dict) -> date | None:
    """出生日期: the record's birth_date, else digits 7–14 of its ID number; None when neither is readable."""
    d = as_date(expert.get("birth_date"))
    if d:
        return d
    number = str(expert.get("id_number") or "")
    if len(number) == 18 and number[6:14].isdigit():
        try:
            return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
        except ValueError:
            return None
    return None


def expert_gender(expert: dict) -> str:
    """性别: the record's gender, else the parity of the ID number's 17th digit (odd = 男)."""
    gender = expert.get("gender")
    if gender in ("男", "女"):
        return gender
    number = str(expert.get("id_number") or "")
    if len(number) == 18 and number[16].isdigit():
        return "男" if int(number[16]) % 2 else "女"
    return ""


def form_heading(policy: Any, form_id: str) -> tuple[str, str]:
    """(annex label, official title) of form `form_id`: from the profile's forms list, else the seeds."""
    finder = getattr(policy, "form", None)
    if finder is not None:
        try:
            spec = finder(form_id)
            return spec.annex, spec.title
        except (KeyError, LookupError, DomainError):
            pass
    return _KNOWN_FORMS.get(form_id, ("", ""))


def application_form_id(policy: Any, kind: str = "普通专家") -> str:
    """Id of the form an applicant of `kind` fills in: the profile's intake.kinds entry (JC 附件2; YQ 附表一,
    特聘专家 附表二), else by the taxonomy's shape."""
    intake = getattr(policy, "intake", None)
    for entry in getattr(intake, "kinds", ()) or ():
        if entry.kind == kind:
            return entry.application_form_id
    if getattr(policy.taxonomy, "categories", ()):
        return "jc_fj2"
    return "yq_fb2" if kind == "特聘专家" else "yq_fb1"


def pool_name(policy: Any) -> str:
    """The expert pool as the documents name it: 晋城市安全生产和应急管理专家库 (from the policy's title)."""
    name = policy.name
    cut = name.rfind("专家")
    return (name[: cut + 2] if cut > 0 else f"{policy.city}专家") + "库"


def _label_function(policy: Any, specialty_label: SpecialtyLabel | None) -> SpecialtyLabel:
    taxonomy = policy.taxonomy

    def label(code: str) -> str:
        if specialty_label is not None:
            return specialty_label(code)
        try:
            return taxonomy.specialty_label(code)
        except (KeyError, LookupError, DomainError):
            return code  # a code kept under another profile: still printed, as its code

    return label


def specialty_groups(codes: Iterable[str], policy: Any, specialty_label: SpecialtyLabel | None = None) -> list[dict]:
    """The chosen specialties grouped by 行业领域 in taxonomy order: [{category, sector_code, sector_name,
    sector_label "1.煤矿", specialties ["1.1 地质勘探、测量", …], line "1.煤矿：1.1 …；1.3 …"}]. Codes the
    taxonomy does not know come last, in a group without a sector."""
    label = _label_function(policy, specialty_label)
    taxonomy = policy.taxonomy
    by_sector: dict[str, list[str]] = {}
    unknown: list[str] = []
    for code in codes or ():
        try:
            sector = taxonomy.sector_of(code)
        except (KeyError, LookupError, DomainError):
            unknown.append(code)
            continue
        by_sector.setdefault(sector.code, []).append(code)
    groups = []
    for sector in taxonomy.sectors:
        chosen = by_sector.get(sector.code)
        if not chosen:
            continue
        order = [sp.code for sp in sector.specialties]
        labels = [label(c) for c in sorted(chosen, key=lambda c: order.index(c) if c in order else len(order))]
        sector_label = f"{sector.code}.{sector.name}"
        groups.append({"category": sector.category or "", "sector_code": sector.code, "sector_name": sector.name,
                       "sector_label": sector_label, "specialties": labels,
                       "line": f"{sector_label}：{'；'.join(labels)}"})
    if unknown:
        labels = [label(c) for c in unknown]
        groups.append({"category": "", "sector_code": "", "sector_name": "", "sector_label": "",
                       "specialties": labels, "line": "；".join(labels)})
    return groups


def _categories(groups: list[dict]) -> str:
    seen: list[str] = []
    for g in groups:
        if g["category"] and g["category"] not in seen:
            seen.append(g["category"])
    return "、".join(seen)


def _sectors(groups: list[dict]) -> str:
    return "、".join(g["sector_label"] for g in groups if g["sector_label"])


def _specialty_list(groups: list[dict]) -> str:
    return "；".join(label for g in groups for label in g["specialties"])


def _position_and_title(expert: dict) -> str:
    """职务(职称): "总工程师／高级工程师", either part alone when the other is empty."""
    return "／".join(t for t in (text(expert.get("position")), text(expert.get("title"))) if t)


def _field_and_years(expert: dict) -> str:
    """现从事行业(专业)及年限: "煤矿安全，20年"."""
    years = expert.get("years_in_field")
    parts = [text(expert.get("current_field"))]
    if isinstance(years, int) and not isinstance(years, bool):
        parts.append(f"{years}年")
    return "，".join(p for p in parts if p)


def _person(expert: dict, policy: Any, specialty_label: SpecialtyLabel | None) -> dict:
    """The fields of one person every application-path form draws on."""
    groups = specialty_groups(expert.get("specialties") or (), policy, specialty_label)
    status = expert.get("employment_status")
    return {
        "name": text(expert.get("name")),
        "gender": expert_gender(expert),
        "birth_month": cn_month(expert_birth(expert)),
        "political_status": text(expert.get("political_status")),
        "id_number": text(expert.get("id_number")),
        "mobile": text(expert.get("mobile")),
        "work_phone": text(expert.get("work_phone")),
        "home_phone": text(expert.get("home_phone")),
        "email": text(expert.get("email")),
        "on_duty_box": box(status == "在岗"),
        "retired_box": box(status == "退休"),
        "other_box": box(status == "其他"),
        "employment_other": text(expert.get("employment_other")) if status == "其他" else "",
        "unit": text(expert.get("unit")),
        "unit_address": text(expert.get("unit_address")),
        "unit_and_address": "　".join(t for t in (text(expert.get("unit")), text(expert.get("unit_address"))) if t),
        "postcode": text(expert.get("postcode")),
        "department": text(expert.get("department")),
        "position": text(expert.get("position")),
        "job_title": text(expert.get("title")),
        "position_and_title": _position_and_title(expert),
        "unit_phone": text(expert.get("unit_phone")),
        "fax": text(expert.get("fax")),
        "school": text(expert.get("school")),
        "education": text(expert.get("education")),
        "major": text(expert.get("major")),
        "qualifications": text(expert.get("qualifications")),
        "current_field": text(expert.get("current_field")),
        "field_and_years": _field_and_years(expert),
        "category": _categories(groups),
        "sectors": _sectors(groups),
        "specialties": _specialty_list(groups),
        "specialty_lines": "\n".join(g["line"] for g in groups),
        "specialty_groups": groups,
    }


# =========================================================================================================
# JC 附件2 申报表 / YQ 附表一 入库申请表 / YQ 附表二 特聘专家推荐表
# =========================================================================================================

def application_form_context(expert: dict, application: dict | None, policy: Any, *,
                             specialty_label: SpecialtyLabel | None = None) -> dict:
    """Context of the application form the applicant's kind uses (JC 附件2; YQ 附表一, or 附表二 for a
    特聘专家): every field of the paper form, ☑/☐ for 在岗/退休/其他, the photo hint, and for 附表二 the
    recommending department with its and the leader's opinions. Keys not on a given form are harmless.
    `specialty_label(code)` writes one specialty ("1.1 地质勘探、测量"); default: the policy's taxonomy."""
    application = application or {}
    kind = application.get("kind") or expert.get("expert_kind") or "普通专家"
    form_id = application_form_id(policy, kind)
    annex, title = form_heading(policy, form_id)
    special = application.get("special") or {}
    context = _person(expert, policy, specialty_label)
    context.update({
        "form_id": form_id,
        "annex_label": annex,
        "title": title,
        "kind": kind,
        "route": text(application.get("route") or expert.get("route")),
        "fill_date": cn_date_or_blank(application.get("apply_date") or expert.get("apply_date")),
        "resume": text(expert.get("resume")),
        "publications": text(expert.get("publications")),
        "awards": text(expert.get("awards")),
        "achievements": text(expert.get("achievements")),
        "unit_opinion": text(expert.get("unit_opinion")),
        # YQ 附表一 prints 同意申报 in 所在单位意见 for the unit to stamp; a written opinion replaces it.
        "unit_opinion_or_agree": text(expert.get("unit_opinion")) or "同意申报",
        "photo_hint": PHOTO_HINT,
        "special_department": text(special.get("department")),
        "department_opinion": text(special.get("department_opinion")),
        "leader_opinion": text(special.get("leader_opinion")),
        "blank_date": BLANK_DATE,
    })
    return context


# =========================================================================================================
# JC 附件3 廉政承诺书
# =========================================================================================================

def pledge_context(expert: dict, application: dict | None, policy: Any) -> dict:
    """附件3: the applicant's name under the six promises and the date the pledge was signed (blank date line
    while it is not)."""
    application = application or {}
    form_id = getattr(getattr(policy, "intake", None), "pledge_form_id", None) or "jc_fj3"
    annex, title = form_heading(policy, form_id)
    signed = bool(application.get("pledge_signed"))
    return {
        "form_id": form_id,
        "annex_label": annex,
        "title": title,
        "name": text(expert.get("name")),
        "signed": signed,
        "pledge_date": cn_date_or_blank(application.get("pledge_date") if signed else None),
    }


# =========================================================================================================
# JC 附件4 条件审核意见表
# =========================================================================================================

def _points(value: Any) -> str:
    return "" if value is None else str(value)


_SOURCE_NOTE = re.compile(r"（附件[^（）]*）\s*$")


def _short_rule(rule: Any) -> str:
    """A scoring rule without its closing source note (“（附件4 第8项：评分标准…）”): the sheet prints the
    评分标准 in its own column, so 备注 keeps only how the points came about."""
    return _SOURCE_NOTE.sub("", text(rule)).strip()


def _line_remark(line: dict) -> str:
    """备注 of one item: the rule that produced derived points (or the reviewer's note, else the band the
    manual points fall in), and the bonus with its reason."""
    parts = []
    if line.get("derived"):
        parts.append(_short_rule(line.get("rule")))
        parts.append(text(line.get("remark")))
    else:
        parts.append(text(line.get("remark")) or _short_rule(line.get("rule")))
    if line.get("bonus_points"):
        parts.append(_short_rule(line.get("bonus_rule")) or f"另加{line['bonus_points']}分")
    out: list[str] = []
    for p in parts:
        if p and p not in out:
            out.append(p)
    return "；".join(out)


def review_sheet_context(expert: dict, application: dict | None, policy: Any, *,
                         specialty_label: SpecialtyLabel | None = None) -> dict:
    """附件4: one row per scoring item with its weight, 评分标准 text (from the profile), the points (derived
    ones computed, manual ones entered; a bonus shows as "6+5"), the rule behind them in 备注, the total
    against the pass mark, and 审核意见 with the reviewer's date. Without a score sheet yet, the rows come
    from the profile with empty points, so the blank sheet can be printed for the interview."""
    scoring = getattr(policy, "scoring", None)
    if scoring is None:
        raise DomainError(f"“{policy.short_name}”不按评分表审核，没有条件审核意见表。")
    application = application or {}
    review = application.get("review") or {}
    sheet = review.get("sheet") or None
    annex, title = form_heading(policy, scoring.form_id)
    items = {it.key: it for it in scoring.items}
    lines = []
    if sheet:
        for line in sheet.get("lines") or ():
            item = items.get(line.get("key"))
            points, bonus = line.get("points"), line.get("bonus_points") or 0
            lines.append({
                "key": line.get("key", ""),
                "name": text(line.get("name")) or (item.name if item else ""),
                "weight": _points(line.get("weight", item.weight if item else None)),
                "criteria": item.criteria if item else text(line.get("rule")),
                "points": f"{_points(points)}+{bonus}" if bonus else _points(points),
                "remark": _line_remark(line),
            })
        pass_mark = sheet.get("pass_mark", scoring.pass_mark)
        total = _points(sheet.get("total"))
        passed = bool(sheet.get("passed"))
        total_remark = (f"达到{pass_mark}分" if passed else f"低于{pass_mark}分，原则上不予审核通过")
    else:
        for item in scoring.items:
            lines.append({"key": item.key, "name": item.name, "weight": str(item.weight), "criteria": item.criteria,
                          "points": "", "remark": ""})
        pass_mark, total, total_remark = scoring.pass_mark, "", ""
    person = _person(expert, policy, specialty_label)
    return {
        "form_id": scoring.form_id,
        "annex_label": annex,
        "title": title,
        "name": person["name"],
        "sectors": person["sectors"],
        "specialties": person["specialties"],
        "lines": lines,
        "total": total,
        "total_label": f"专家条件审核总得分(原则上低于{pass_mark}分不予审核通过),{scoring.quota_note}",
        "total_remark": total_remark,
        "pass_mark": pass_mark,
        "opinion": text(review.get("opinion")),
        "reviewer": text(review.get("reviewer")),
        "reviewed_on": cn_date_or_blank(review.get("reviewed_on")),
    }


# =========================================================================================================
# JC 附件5 推荐汇总表 / YQ 附表三 汇总表
# =========================================================================================================

Rows = Sequence[tuple[dict, dict | None]]


def _summary_form_id(policy: Any, default: str) -> str:
    return getattr(getattr(policy, "review", None), "summary_form_id", None) or default


def recommendation_summary_context(rows: Rows, lead_office: str, policy: Any, on: date, *,
                                   specialty_label: SpecialtyLabel | None = None) -> dict:
    """附件5: one row per recommended candidate (序号 … 拟申报专家类别、行业领域及专业分类) under the
    填报科室 (the lead office) and 填报日期 `on`; the 承办人/科室负责人/分管领导 lines stay for signatures."""
    form_id = _summary_form_id(policy, "jc_fj5")
    annex, title = form_heading(policy, form_id)
    out = []
    for index, (expert, _application) in enumerate(rows, start=1):
        person = _person(expert, policy, specialty_label)
        classification = "\n".join(t for t in (person["category"], person["specialty_lines"]) if t)
        out.append({
            "index": index,
            "name": person["name"],
            "gender": person["gender"],
            "id_number": person["id_number"],
            "mobile": person["mobile"],
            "unit": person["unit"],
            "position_and_title": person["position_and_title"],
            "school": person["school"],
            "major": person["major"],
            "current_field": person["current_field"],
            "classification": classification,
        })
    return {
        "form_id": form_id,
        "annex_label": annex,
        "title": title,
        "lead_office": text(lead_office),
        "fill_date": cn_date(on),
        "rows": out,
        "count": len(out),
    }


def yq_summary_context(rows: Rows, policy: Any, on: date, *,
                       specialty_label: SpecialtyLabel | None = None) -> dict:
    """附表三: one row per new applicant who meets the conditions (YQ 第九条(二)), dated `on` (填报时间)."""
    form_id = _summary_form_id(policy, "yq_fb3")
    annex, title = form_heading(policy, form_id)
    out = []
    for index, (expert, _application) in enumerate(rows, start=1):
        person = _person(expert, policy, specialty_label)
        out.append({
            "index": index,
            "name": person["name"],
            "gender": person["gender"],
            "birth_month": person["birth_month"],
            "unit": person["unit"],
            "position": person["position"],
            "school": person["school"],
            "job_title": person["job_title"],
            "qualifications": person["qualifications"],
            "sectors": person["sectors"],
            "specialties": person["specialties"].replace("；", "\n"),
        })
    return {
        "form_id": form_id,
        "annex_label": annex,
        "title": title,
        "fill_date": cn_date(on),
        "rows": out,
        "count": len(out),
    }


# =========================================================================================================
# 拟定名单公示 (JC 第八条(三); YQ 第七条(二)3) — no annex draws it
# =========================================================================================================

def _local_form_title(policy: Any, suffix: str, default: str) -> str:
    for spec in getattr(policy, "forms", ()) or ():
        if spec.id.endswith(suffix):
            return spec.title
    return default


def _approved_before_notice(policy: Any) -> bool:
    """JC: the leadership group approves the list, then the notice runs; YQ: the notice runs first and the
    office meeting decides after it. Read off the order of the profile's lifecycle steps."""
    lifecycle = getattr(policy, "lifecycle", None)
    steps = list(getattr(lifecycle, "steps", ()) or ())
    body = getattr(lifecycle, "approval_body", "") or ""
    notice_at = next((i for i, s in enumerate(steps) if "公示" in s), None)
    approval_at = next((i for i, s in enumerate(steps) if body and body in s and "公示" not in s), None)
    if notice_at is None or approval_at is None:
        return True
    return approval_at < notice_at


def notice_list_context(rows: Rows, policy: Any, notice_start: date, notice_end: date, *,
                        contact: str = "", issued_on: date | None = None,
                        specialty_label: SpecialtyLabel | None = None) -> dict:
    """The public notice of the draft list: title, the intro naming the policy and the notice period
    (start–end, number of days), one row per candidate (no ID or phone numbers: the notice is public),
    the objection line with the office and `contact`, the issuing body and date (default: the first day)."""
    if notice_end < notice_start:
        raise DomainError(f"公示结束日期（{cn_date(notice_end)}）早于开始日期（{cn_date(notice_start)}）。")
    pool = pool_name(policy)
    title = _local_form_title(policy, "_notice", f"{pool}拟定名单公示")
    days = (notice_end - notice_start).days + 1
    out = []
    for index, (expert, _application) in enumerate(rows, start=1):
        person = _person(expert, policy, specialty_label)
        out.append({
            "index": index,
            "name": person["name"],
            "gender": person["gender"],
            "unit": person["unit"],
            "position_and_title": person["position_and_title"],
            "specialties": "\n".join(t for t in (person["category"], person["specialty_lines"]) if t),
        })
    lifecycle = getattr(policy, "lifecycle", None)
    body = getattr(lifecycle, "approval_body", "") or ""
    basis = f"根据《{policy.name}》（{policy.document_number}）有关规定，"
    if _approved_before_notice(policy):
        intro = (f"{basis}经申报、条件审核、推荐汇总和形式审查，并经{body}审议通过，"
                 f"拟将以下{len(out)}名同志列入{pool}，现予以公示。")
        after = "公示期满无异议的，按程序印发专家聘用文件，颁发专家聘书。"
    else:
        intro = (f"{basis}经{getattr(policy, 'office', '')}资格审核，"
                 f"拟将以下{len(out)}名同志列入{pool}，现予以公示。")
        after = f"公示期满无异议的，提交{body}审定。"
    period = f"{cn_date(notice_start)}至{cn_date(notice_end)}"
    office = getattr(policy, "office", "") or ""
    return {
        "title": title,
        "intro": intro,
        "period": period,
        "period_text": f"公示时间：{period}（共{days}日）。{after}",
        "notice_start": cn_date(notice_start),
        "notice_end": cn_date(notice_end),
        "days": days,
        "rows": out,
        "count": len(out),
        "objection_text": (f"公示期间，如对公示人员有异议，请以书面形式向{office}反映，"
                           "并写明真实姓名、联系方式和具体事实。"),
        "contact": text(contact) or "　" * 12,
        "issuer": getattr(policy, "issuer", "") or policy.city,
        "issued_on": cn_date(issued_on or notice_start),
    }


# =========================================================================================================
# 聘书 (JC 第八条(三) 颁发专家聘书; YQ 第七条(二)5 市安委办发放专家聘书) — one page per expert
# =========================================================================================================

def certificate_entry(expert: dict, policy: Any, certificate_no: str, term_start: date, term_end: date,
                      issued_on: date, *, specialty_label: SpecialtyLabel | None = None) -> dict:
    """One certificate page: name, the expert's category, sectors and specialties, the term, the number,
    the issuing body and date."""
    if term_end < term_start:
        raise DomainError(f"聘期结束日期（{cn_date(term_end)}）早于开始日期（{cn_date(term_start)}）。")
    person = _person(expert, policy, specialty_label)
    years = getattr(getattr(policy, "lifecycle", None), "term_years", None)
    term = f"{cn_date(term_start)}至{cn_date(term_end)}"
    details = [{"label": "专家类别", "value": person["category"]}] if person["category"] else []
    details += [
        {"label": "行业领域", "value": person["sectors"]},
        {"label": "专业分类", "value": person["specialties"]},
        {"label": "聘　　期", "value": f"{cn_number(years)}年（{term}）" if years else term},
    ]
    return {
        "name": person["name"],
        "pool_name": pool_name(policy),
        "category": person["category"],
        "sectors": person["sectors"],
        "specialties": person["specialties"],
        "term_years": f"{cn_number(years)}年" if years else "",
        "term_start": cn_date(term_start),
        "term_end": cn_date(term_end),
        "term": term,
        "details": details,
        "certificate_no": text(certificate_no),
        "issuer": getattr(policy, "issuer", "") or policy.city,
        "issued_on": cn_date(issued_on),
    }


def certificates_context(entries: Iterable[dict]) -> dict:
    """Several certificates in one document, a page each (batch printing)."""
    certificates = list(entries)
    return {"certificates": certificates, "count": len(certificates)}


def certificate_context(expert: dict, policy: Any, certificate_no: str, term_start: date, term_end: date,
                        issued_on: date, *, specialty_label: SpecialtyLabel | None = None) -> dict:
    """The certificate of one expert (the same template as the batch, with one page)."""
    return certificates_context([certificate_entry(expert, policy, certificate_no, term_start, term_end, issued_on,
                                                   specialty_label=specialty_label)])
