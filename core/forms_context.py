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
Forms of the drawing and dispatch path (issue 4): YQ 附表四 使用申请表 (第十四条(一)1(2)), 附表五 使用委派单
(第十四条(一)1(5); its rating column is filled by the evaluation step, 第二十三条(一)1), JC 附件7 服务派遣审批单
(第十一条, 注1–4), and the local 抽取记录单 that makes a draw checkable (JC 第十一条 随机选取、轮换使用; YQ 第十四条(一)1).
"""
from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any, Callable, Iterable, Sequence

from core.dates import ISO_TEXT, office_date, office_datetime
from core.drawing import method_name
from core.errors import DomainError

# Official titles and annex labels, copied from the seeds (the form must keep its official title, X-W1).
_TAXONOMY_TITLES: dict[str, tuple[str, str]] = {
    "jincheng-2026": ("附件1", "晋城市安全生产和应急管理专家类别划分表"),
    "yangquan-2024": ("", "专家行业领域和专业范围分类表"),
}

_CN_ORDINALS = "一二三四五六七八九十"


def cn_date(d: date | datetime) -> str:
    """A date the way Chinese official documents write it: 2026年6月5日 (no leading zeros; core.dates, issue 12)."""
    return office_date(d)


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
    "jc_fj7": ("附件7", "晋城市安全生产和应急管理专家服务派遣审批单"),
    "yq_fb4": ("附表四", "阳泉市应急管理和安全生产专家使用申请表"),
    "yq_fb5": ("附表五", "阳泉市应急管理和安全生产专家使用委派单"),
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


def _year_only(value: Any) -> str:
    """A birth date already coarsened to its year for a masked viewer (core.masking: "1981年") prints as it is."""
    return value if isinstance(value, str) and re.fullmatch(r"\d{4}年", value) else ""


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
        "birth_month": cn_month(expert_birth(expert)) or _year_only(expert.get("birth_date")),
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
    against the pass mark, and 审核意见 with the reviewer's date (and, when the applicant passed below the mark by
    exception, the written reason, the approver and the approval date). Without a score sheet yet, the rows come
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
    exception = _pass_exception(review.get("exception") if sheet else None)
    if exception["granted"]:
        total_remark = f"低于{pass_mark}分，经{exception['approver_role']}批准例外通过"
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
        "exception": exception,
    }


def _pass_exception(stored: Any) -> dict:
    """低于分数线例外通过 as 附件4's 审核意见 prints it: `granted` (whether the paragraphs print at all), 理由,
    批准人 with the profile's role, 批准日期. Every key is always there (empty without an exception), so the
    template's fields are the same in every context."""
    if not isinstance(stored, dict) or not text(stored.get("reason")):
        return {"granted": False, "reason": "", "approver_role": "", "approved_by": "", "approved_on": ""}
    return {"granted": True, "reason": text(stored.get("reason")), "approver_role": text(stored.get("approver_role")),
            "approved_by": text(stored.get("approved_by")), "approved_on": cn_date_or_blank(stored.get("approved_on"))}


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


# =========================================================================================================
# Drawing and dispatch (issue 4): YQ 附表四 使用申请表, 附表五 使用委派单, JC 附件7 服务派遣审批单, 抽取记录单
# =========================================================================================================

# 附表四/附表五 print the period as "    年  月  日至    年  月  日，共计  天。" until it is known.
BLANK_PERIOD = "　　　　年　　月　　日至　　　　年　　月　　日，共计　　天。"
USAGE_CATEGORIES = ("安全生产", "应急管理")  # YQ 附表四/附表五 使用类别, when a profile lists none
SLIP_RATINGS = ("优秀", "良好", "一般", "较差")  # YQ 附表五 对专家工作情况评价
SLIP_MIN_ROWS = 5  # 附表五 prints five expert rows: fewer experts leave blank rows, more add rows
NOT_INVITED = ""  # 抽取记录单: an expert of the order who was not invited (yet)

# Notes printed under a form, word for word from the seeds (their ASCII punctuation kept).
_FORM_NOTES: dict[str, tuple[str, ...]] = {
    "jc_fj7": (
        "1.此表为市应急管理局各科室(单位)使用专家申请记录,审批完成后报专家管理工作领导小组办公室,"
        "使用科室(单位)留存复印件;",
        "2.严格按照《晋城市安全生产和应急管理专家使用管理办法》要求,事前一事一填;",
        "3.单次使用专家10人以上或使用市应急管理局专家库之外的专家需报经局主要领导批准;",
        "4.应急救援等特殊情况在使用后填写此表。",
    ),
}

# Chinese labels of the draw's exclusion rules (core/drawing.py EXCLUSION_RULES is preferred when present).
_EXCLUSION_LABELS: dict[str, str] = {
    "not_in_term": "不在聘期/未聘任", "suspended": "暂停使用", "dismissed": "已解聘/清退",
    "wrong_specialty": "专业不符", "below_title": "职称低于要求", "same_employer": "与任务对象同一单位",
    "related_enterprise": "申报的关联企业", "busy": "同期已有其他任务", "unavailable": "申报不可参加",
    "declined": "已拒绝本次委派",
}
_ANSWERS = {"已接受": "接受", "已完成": "接受", "已拒绝": "拒绝", "邀请中": "待答复", "已取消": "已取消"}


def _has_dispatch_slip(policy: Any) -> bool:
    """YQ: 附表四 asks, 附表五 dispatches. JC: one 附件7 approval slip before (and, 注4, after) the use."""
    return bool(getattr(policy.drawing, "dispatch_form_id", None))


def _period(request: dict) -> tuple[date | None, date | None, int | None]:
    """(start, end, days) of a request; days from the record, else the inclusive span."""
    start, end = as_date(request.get("start")), as_date(request.get("end"))
    days = request.get("days")
    if isinstance(days, bool) or not isinstance(days, int) or days <= 0:
        days = (end - start).days + 1 if start and end and end >= start else None
    return start, end or start, days


def usage_period_text(request: dict) -> str:
    """使用时间 as 附表四/附表五 word it: 2026年6月5日至2026年6月7日，共计3天。 (blank line while unknown)."""
    start, end, days = _period(request)
    if start is None:
        return BLANK_PERIOD
    return f"{cn_date(start)}至{cn_date(end)}，共计{days if days else '　　'}天。"


def work_period_text(request: dict) -> str:
    """专家工作时间 of JC 附件7: 2026年6月5日至2026年6月7日（共3天）; one day: 2026年6月5日（共1天）."""
    start, end, days = _period(request)
    if start is None:
        return ""
    span = cn_date(start) if end == start else f"{cn_date(start)}至{cn_date(end)}"
    return f"{span}（共{days}天）" if days else span


def _usage_boxes(request: dict, policy: Any) -> tuple[list[dict], str]:
    """使用类别 ☐安全生产 ☐应急管理 with the request's category ticked (request.usage_category, else task_type)."""
    options = tuple(getattr(policy.drawing, "usage_categories", ()) or ()) or USAGE_CATEGORIES
    chosen = text(request.get("usage_category")) or text(request.get("task_type"))
    items = [{"name": o, "box": box(o == chosen), "checked": o == chosen} for o in options]
    return items, "　".join(f"{i['box']}{i['name']}" for i in items)


_UNIT_AND_SECTION = re.compile(r"^(.+?(?:局|委员会|委|政府|办公室|中心|公司))(.+?(?:科|处|室|股|队|部|组|中心))$")


def split_unit(department: str) -> tuple[str, str]:
    """(使用单位, 申请科室) from one name: "市应急管理局危险化学品安全监督管理科" → ("市应急管理局",
    "危险化学品安全监督管理科"); a name that does not split stays whole as the unit."""
    match = _UNIT_AND_SECTION.match(department or "")
    return (match.group(1), match.group(2)) if match else (department or "", "")


def _place(request: dict) -> str:
    place = text(request.get("place"))
    return f"{place}（市外）" if request.get("outside_city") and place else place


def _targets(request: dict) -> str:
    return text(request.get("target_enterprises"))


def _contact_line(request: dict) -> str:
    return "　".join(t for t in (text(request.get("contact")), text(request.get("contact_phone"))) if t)


def _request_number(request: dict) -> str:
    number = text(request.get("number"))
    if number:
        return number
    rid = request.get("id")
    return f"第{rid}号" if rid not in (None, "") else ""


def _need_lines(request: dict, policy: Any) -> list[str]:
    """行业、专业要求及专家数量: "4.煤矿／4.1 地质测量、勘探：2人" per need, 共计 when several, the minimum title."""
    label = _label_function(policy, None)
    lines, total = [], 0
    for need in request.get("needs") or ():
        code = text(need.get("specialty"))
        count = need.get("count")
        try:
            sector = policy.taxonomy.sector_of(code)
            head = f"{sector.code}.{sector.name}／"
        except (KeyError, LookupError, DomainError):
            head = ""
        lines.append(f"{head}{label(code)}：{count}人")
        if isinstance(count, int) and not isinstance(count, bool):
            total += count
    if len(lines) > 1:
        lines.append(f"共计{total}人")
    level = text(request.get("min_title_level"))
    if level and level != "无":
        lines.append(f"技术要求：{level}及以上职称")
    return lines


def _direct_reason(value: Any, policy: Any) -> str:
    """The 选派 reason as the profile words it: "（3）各行业安全生产标准化定级现场核查" (a code or the text)."""
    value = text(value)
    selection = getattr(policy.drawing, "direct_selection", None)
    for reason in getattr(selection, "reasons", ()) or ():
        bare = reason.text.rstrip("；。;.")
        if value and value in (reason.code, reason.text, bare):
            return f"（{reason.code}）{bare}"
    return value


def selection_text(request: dict, policy: Any) -> str:
    """How the experts are chosen: 随机抽取, or 直接选派 with its listed reason; emergency use named as the
    profile names it (YQ 先委派后补批, JC 使用后填写)."""
    if request.get("mode") == "选派":
        reason = _direct_reason(request.get("direct_reason"), policy)
        out = f"直接选派：{reason}" if reason else "直接选派"
    else:
        out = "随机抽取"
    if request.get("emergency"):
        out += f"（紧急情况，{policy.drawing.emergency.name}）"
    return out


def _approval_text(request: dict, policy: Any) -> str:
    """审批情况 for the draw record: who approved at which level and when, or that it is still due."""
    approval = request.get("approval") or None
    if approval:
        who = text(approval.get("by_name") or approval.get("by"))
        on = as_date(approval.get("on"))
        out = f"{text(approval.get('level'))}{('（' + who + '）') if who else ''}"
        out += f"于{cn_date(on)}批准" if on else "已批准"
        if approval.get("after_the_fact"):
            out += "（事后补批）"
        opinion = text(approval.get("opinion"))
        return out + (f"：{opinion}" if opinion else "")
    if request.get("emergency"):
        return f"{policy.drawing.emergency.name}，尚待补批"
    return "尚未审批"


def _get(obj: Any, key: str, default: Any = None) -> Any:
    """A field of a stored dict or of a dataclass (DrawResult, Exclusion)."""
    if isinstance(obj, dict):
        return obj.get(key, default)
    return getattr(obj, key, default)


def _expert_name(expert_id: Any, pool_names: dict) -> str:
    name = pool_names.get(expert_id)
    if name is None and expert_id is not None:
        name = pool_names.get(str(expert_id))
        if name is None and str(expert_id).isdigit():
            name = pool_names.get(int(str(expert_id)))
    return text(name) if name is not None else f"专家{expert_id}"


def _expert_specialty(expert: dict, request: dict, label: SpecialtyLabel) -> str:
    """专业 of a dispatched expert: the specialty drawn for, else those of theirs the request needs, else all."""
    chosen = expert.get("drawn_specialty") or expert.get("specialty")
    if chosen:
        codes = [chosen]
    else:
        needed = {text(n.get("specialty")) for n in request.get("needs") or ()}
        own = [text(c) for c in expert.get("specialties") or ()]
        codes = [c for c in own if c in needed] or own
    return "\n".join(label(c) for c in codes)


def _title_and_qualification(expert: dict) -> str:
    """职称/资格: "高级工程师／注册安全工程师"."""
    return "／".join(t for t in (text(expert.get("title")), text(expert.get("qualifications"))) if t)


def _exclusion_labels() -> dict[str, str]:
    labels = dict(_EXCLUSION_LABELS)
    try:  # the draw module's own labels win, so a renamed rule shows its current wording
        from core import drawing
    except ImportError:
        return labels
    rules = getattr(drawing, "EXCLUSION_RULES", None)
    if isinstance(rules, dict):
        labels.update({str(k): str(v) for k, v in rules.items()})
    elif isinstance(rules, (list, tuple)):
        labels.update({str(r[0]): str(r[1]) for r in rules if isinstance(r, (list, tuple)) and len(r) == 2})
    return labels


def cn_datetime(value: Any) -> str:
    """2026年6月3日 10:15:30 from a datetime or an ISO string; a date alone as 2026年6月3日 (core.dates, issue 12:
    the 抽取记录单 keeps the seconds of the draw)."""
    if isinstance(value, str) and value.strip() and not ISO_TEXT.match(value):
        return text(value.strip())
    return office_datetime(value, seconds=True)


def _group_hex(value: str, size: int = 8) -> str:
    """A long hex digest in groups of 8 so it can be read aloud and wraps in a cell."""
    return " ".join(value[i:i + size] for i in range(0, len(value), size))


# ---------------------------------------------------------------- YQ 附表四 使用申请表

def request_form_context(request: dict, policy: Any) -> dict:
    """YQ 附表四 (第十四条(一)1(2)): 使用单位, 申请科室, 联系人及电话, 使用事项 (with place, target enterprises
    and — when not by random draw — how the experts are chosen), 使用时间 "…至…，共计N天。", 使用类别 with the
    chosen one ticked, 行业、专业要求及专家数量; the two signature cells stay blank for handwriting.
    使用单位/申请科室 come from request.unit/section, else from the department's name split at the unit
    ("市应急管理局" + "危险化学品安全监督管理科"). A profile with no separate dispatch slip (JC) uses 附件7
    instead (dispatch_approval_context)."""
    if not _has_dispatch_slip(policy):
        raise DomainError(f"“{policy.short_name}”使用专家前填写服务派遣审批单，没有单独的使用申请表。")
    form_id = policy.drawing.request_form_id
    annex, title = form_heading(policy, form_id)
    department = text(request.get("department"))
    unit, section = text(request.get("unit")), text(request.get("section"))
    if not unit:
        unit, split_section = split_unit(department)
        section = section or split_section
    elif not section and department != unit:
        section = department
    categories, category_boxes = _usage_boxes(request, policy)
    task_type = text(request.get("task_type"))
    details = []
    if task_type and task_type not in [c["name"] for c in categories]:
        details.append(f"任务类型：{task_type}")
    if _place(request):
        details.append(f"工作地点：{_place(request)}")
    if _targets(request):
        details.append(f"服务对象：{_targets(request)}")
    if request.get("mode") == "选派" or request.get("emergency"):
        details.append(f"选取方式：{selection_text(request, policy)}")
    matter = text(request.get("matter"))
    return {
        "form_id": form_id,
        "annex_label": annex,
        "title": title,
        "request_no": _request_number(request),
        "use_unit": unit,
        "section": section,
        "contact_line": _contact_line(request),
        "matter": matter,
        "matter_details": "\n".join(details),
        "matter_text": "\n".join(t for t in [matter, *details] if t),
        "period": usage_period_text(request),
        "categories": categories,
        "category_boxes": category_boxes,
        "needs_text": "\n".join(_need_lines(request, policy)),
        "filed_on": cn_date_or_blank(request.get("filed_on")),
    }


# ---------------------------------------------------------------- YQ 附表五 使用委派单

def dispatch_slip_context(request: dict, experts: list[dict], policy: Any, *, number: str,
                          ratings: dict | None = None) -> dict:
    """YQ 附表五 (第十四条(一)1(5)): 编号, one row per accepted expert (姓名, 专业 drawn for, 职称/资格) padded
    with blank rows to the annex's five, the rating boxes ☐优秀 ☐良好 ☐一般 ☐较差 — ticked only where
    `ratings` (expert id → rating, filled by the evaluation step) gives one — then 使用事项, 使用时间, 使用类别,
    被检查企业 and its 联系电话 (request.enterprise_phone), 备注 (request.remark and the 选派 reason)."""
    if not _has_dispatch_slip(policy):
        raise DomainError(f"“{policy.short_name}”没有专家使用委派单。")
    form_id = policy.drawing.dispatch_form_id
    annex, title = form_heading(policy, form_id)
    evaluations = getattr(policy, "evaluations", None)
    options = (tuple(evaluations.ratings) if evaluations is not None and evaluations.form_id == form_id
               else SLIP_RATINGS)
    ratings = ratings or {}
    label = _label_function(policy, None)
    rows = []
    for expert in experts:
        eid = expert.get("id")
        rating = ratings.get(eid, ratings.get(str(eid))) if eid is not None else None
        rating = text(rating) or None
        if rating is not None and rating not in options:
            raise DomainError(f"评价等级“{rating}”不是{'、'.join(options)}之一。")
        boxes = [{"name": o, "box": box(o == rating)} for o in options]
        rows.append({
            "expert_id": eid,
            "name": text(expert.get("name")),
            "specialty": _expert_specialty(expert, request, label),
            "title": _title_and_qualification(expert),
            "rating": rating or "",
            "ratings": boxes,
            "rating_boxes": " ".join(f"{b['box']}{b['name']}" for b in boxes),
        })
    count = len(rows)
    blank_boxes = " ".join(f"{UNCHECKED}{o}" for o in options)
    while len(rows) < SLIP_MIN_ROWS:
        rows.append({"expert_id": None, "name": "", "specialty": "", "title": "", "rating": "",
                     "ratings": [{"name": o, "box": UNCHECKED} for o in options], "rating_boxes": blank_boxes})
    categories, category_boxes = _usage_boxes(request, policy)
    remarks = [text(request.get("remark"))]
    if request.get("mode") == "选派" or request.get("emergency"):
        remarks.append(selection_text(request, policy))
    return {
        "form_id": form_id,
        "annex_label": annex,
        "title": title,
        "number": text(number),
        "experts": rows,
        "expert_count": count,
        "matter": text(request.get("matter")),
        "period": usage_period_text(request),
        "categories": categories,
        "category_boxes": category_boxes,
        "targets": _targets(request),
        "enterprise_phone": text(request.get("enterprise_phone")),
        "remark": "\n".join(r for r in remarks if r),
    }


# ---------------------------------------------------------------- JC 附件7 服务派遣审批单

def _split_title(title: str) -> str:
    """附件7 prints its title on two lines, "晋城市安全生产" / "和应急管理专家服务派遣审批单": break before
    the first "和" (a title without one stays on one line)."""
    cut = title.find("和")
    return f"{title[:cut]}\n{title[cut:]}" if cut > 0 else title


def dispatch_approval_context(request: dict, experts: list[dict], policy: Any) -> dict:
    """JC 附件7 (第十一条): 分管领导意见 with the approval's opinion and date once approved (a note when the main
    leader signed, 注3, or when it was filled in after an emergency use, 注4), 使用科室(单位)负责人
    (request.department_head, signature and date by hand), 使用科室(单位)及经办人, 专家出勤人员 (the accepted
    experts' names, then experts from outside the pool marked 库外), 工作时间, 工作地点, 主要工作内容, and
    注1–4 word for word. The title breaks over two lines as in the annex."""
    if _has_dispatch_slip(policy):
        raise DomainError(f"“{policy.short_name}”使用使用申请表和委派单，没有服务派遣审批单。")
    form_id = policy.drawing.request_form_id
    annex, title = form_heading(policy, form_id)
    approval = request.get("approval") or None
    notes: list[str] = []
    if approval:
        opinion = text(approval.get("opinion")) or "同意。"
        approved_on = cn_date_or_blank(approval.get("on"))
        if approval.get("level") == "主要领导":
            main = getattr(policy.drawing.approval, "large_use_approver", None) or "主要领导"
            notes.append(f"已报{main}批准（注3）")
        if approval.get("after_the_fact"):
            notes.append("使用后补填（注4）")
    else:
        opinion, approved_on = "", BLANK_DATE
        if request.get("emergency"):
            notes.append("应急救援等特殊情况，使用后填写此表（注4），待补批")
    names = [text(e.get("name")) for e in experts if text(e.get("name"))]
    for outside in request.get("external_experts") or ():
        about = "，".join(t for t in (text(outside.get("unit")), text(outside.get("title"))) if t)
        names.append(f"{text(outside.get('name'))}（库外专家{('：' + about) if about else ''}）")
    department = text(request.get("department"))
    handler = text(request.get("contact"))
    phone = text(request.get("contact_phone"))
    handler_line = "　".join(t for t in (f"经办人：{handler}" if handler else "",
                                        f"联系电话：{phone}" if phone else "") if t)
    content = [text(request.get("matter"))]
    if text(request.get("task_type")):
        content.append(f"任务类型：{text(request.get('task_type'))}")
    if _targets(request):
        content.append(f"服务对象：{_targets(request)}")
    if request.get("mode") == "选派":
        content.append(f"选取方式：{selection_text(request, policy)}")
    return {
        "form_id": form_id,
        "annex_label": annex,
        "title": title,
        "title_lines": _split_title(title),
        "request_no": _request_number(request),
        "approved": bool(approval),
        "approval_level": text(approval.get("level")) if approval else "",
        "approved_by": text((approval.get("by_name") or approval.get("by"))) if approval else "",
        "leader_opinion": opinion,
        "approval_note": "；".join(notes),
        "leader_date": approved_on,
        "department_head": text(request.get("department_head")),
        "department_head_date": BLANK_DATE,
        "department": department,
        "handler": handler,
        "contact_phone": phone,
        "department_and_handler": "\n".join(t for t in (department, handler_line) if t),
        "attendees": "、".join(names),
        "attendee_count": len(names),
        "work_period": work_period_text(request),
        "place": _place(request),
        "work_content": "\n".join(t for t in content if t),
        "notes": list(_FORM_NOTES.get(form_id, ())),
    }


# ---------------------------------------------------------------- 抽取记录单 (local form)

# One short line per counted rule (issue 12: the long repeated note made each count three lines); where the names
# are (抽取委派 → 查看全部排除, recomputed from the pool snapshot) is said once, in the 专业不符 line, always last.
_COUNTED_REASON = {
    "wrong_specialty": "专业均非本次所需，只计人数（见“查看全部排除”）",
    "": "非本次所需专业或人数较多，只计人数",
}
_COUNTED_LAST = ("wrong_specialty",)  # 专业不符 closes the list, after every other rule's count


def _exclusion_lines(draw: Any) -> tuple[list, dict[str, int], dict[str, int]]:
    """(the exclusions listed by name, rule → count, rule → how many listed) of a draw record: a compact record
    says all three; a full one (made before issue 17) lists everyone, and is reduced here as a compact record
    would be (core.drawing.listed)."""
    from core.drawing import Exclusion, listed, summarise
    summary = _get(draw, "exclusion_summary")
    if isinstance(summary, list):
        return (list(_get(draw, "exclusions") or ()), {text(_get(r, "rule")): int(_get(r, "count") or 0) for r in summary},
                {text(_get(r, "rule")): int(_get(r, "listed") or 0) for r in summary})
    everyone = [(ex, Exclusion(_get(ex, "expert_id"), text(_get(ex, "name")), text(_get(ex, "rule")), ""))
                for ex in _get(draw, "exclusions") or ()]
    shown = {id(x) for x in listed(x for _, x in everyone)}
    named = [ex for ex, x in everyone if id(x) in shown]
    rows = summarise([x for _, x in everyone])
    return named, {rule: n for rule, n, _ in rows}, {rule: k for rule, _, k in rows}


def draw_record_context(request: dict, draw: Any, pool_names: dict, assignments: list[dict], policy: Any, *,
                        drawn_by: str) -> dict:
    """The draw record (抽取记录单): the request in brief, when and by whom the draw was made, its random
    seed and method version, the SHA-256 of each specialty's eligible list, the exclusions a person must see
    by name with rule and reason and the rest (专业不符, experts of other specialties, long lists) as one count line
    per rule (issue 17; core.drawing.listed), the complete ranked order per needed specialty (uses in the rotation window, invitation
    result) and the answers (姓名, 答复, 方式, 日期, 拒绝理由, 理由是否成立). `draw` is DrawResult.to_dict()
    (or the DrawResult); `pool_names` maps expert id → name; `assignments` are this request's invitations.
    A specialty whose order is empty says 该专业无可用专家 (YQ 第十四条(一)1(4))."""
    if hasattr(draw, "to_dict"):
        draw = draw.to_dict()
    label = _label_function(policy, None)
    request_id = request.get("id")
    mine = [a for a in assignments or ()
            if request_id is None or a.get("request_id") in (None, request_id)]
    mine.sort(key=lambda a: (a.get("id") is None, a.get("id") or 0))
    latest = {}
    for a in mine:
        latest[a.get("expert_id")] = a
    orders: dict = dict(_get(draw, "orders") or {})
    needed = [text(n.get("specialty")) for n in request.get("needs") or ()]
    specialties = [c for c in needed if c in orders] + sorted(c for c in orders if c not in needed)
    specialties += [c for c in needed if c not in specialties]
    uses = {str(k): v for k, v in (_get(draw, "use_counts") or {}).items()}
    hashes = dict(_get(draw, "eligible_hash") or {})
    window = getattr(policy.drawing, "rotation_window_days", None)

    order_blocks, hash_rows = [], []
    for code in specialties:
        ids = list(orders.get(code) or ())
        rows = []
        for rank, eid in enumerate(ids, start=1):
            status = text((latest.get(eid) or {}).get("status")) or NOT_INVITED
            rows.append({"rank": rank, "expert_id": eid, "name": _expert_name(eid, pool_names),
                         "uses": uses.get(str(eid), 0), "status": status})
        if not rows:
            rows.append({"rank": "", "expert_id": None, "name": "该专业无可用专家", "uses": "", "status": ""})
        order_blocks.append({"specialty": label(code), "code": code, "count": len(ids), "rows": rows,
                             "heading": f"{label(code)}（候选{len(ids)}人）"})
        digest = text(hashes.get(code))
        hash_rows.append({"specialty": label(code), "code": code, "candidates": len(ids), "hash": digest,
                          "hash_grouped": _group_hex(digest)})

    labels = _exclusion_labels()
    exclusions = []
    named, counts, shown = _exclusion_lines(draw)
    for index, ex in enumerate(named, start=1):
        rule = text(_get(ex, "rule"))
        name = text(_get(ex, "name")) or _expert_name(_get(ex, "expert_id"), pool_names)
        rule_label = labels.get(rule) or text(_get(ex, "label")) or rule
        exclusions.append({"index": index, "name": name, "rule": rule_label, "rule_key": rule,
                           "reason": text(_get(ex, "reason"))})
    ordered = sorted(counts.items(), key=lambda item: item[0] in _COUNTED_LAST)  # stable: 专业不符 last (issue 12)
    for rule, n in ordered:  # issue 17: the rest as one line per rule (专业不符 was most of the pages)
        rest = n - shown.get(rule, 0)
        if rest > 0:
            exclusions.append({"index": "", "name": f"另{rest}人" if shown.get(rule) else f"{rest}人",
                               "rule": labels.get(rule) or rule, "rule_key": rule,
                               "reason": _COUNTED_REASON.get(rule, _COUNTED_REASON[""])})
    exclusion_count = sum(counts.values())
    if not exclusions:
        exclusions.append({"index": "", "name": "（无）", "rule": "", "rule_key": "", "reason": ""})

    answers = []
    for index, a in enumerate(mine, start=1):
        status = text(a.get("status"))
        justified = a.get("decline_justified")
        if status == "已拒绝":
            justified_text = "待认定" if justified is None else ("成立" if justified else "不成立")
        else:
            justified_text = ""
        answers.append({
            "index": index,
            "expert_id": a.get("expert_id"),
            "name": _expert_name(a.get("expert_id"), pool_names),
            "specialty": label(text(a.get("specialty"))) if a.get("specialty") else "",
            "status": status,
            "answer": _ANSWERS.get(status, status),
            "channel": text(a.get("answer_channel")),
            "answered_on": cn_date_or_blank(a.get("answered_on"), ""),
            "decline_reason": text(a.get("decline_reason")) if status == "已拒绝" else "",
            "justified": justified_text,
        })
    answer_count = len(answers)
    if not answers:
        answers.append({"index": "", "expert_id": None, "name": "（尚未邀请）", "specialty": "", "status": "", "answer": "",
                        "channel": "", "answered_on": "", "decline_reason": "", "justified": ""})

    spec = None
    for form in getattr(policy, "forms", ()) or ():
        if form.id.endswith("_draw_record"):
            spec = form
    title = spec.title if spec else f"{policy.city}专家抽取记录单"
    return {
        "title": title,
        "request_no": _request_number(request),
        "department": text(request.get("department")),
        "contact_line": _contact_line(request),
        "matter": text(request.get("matter")),
        "task_type": text(request.get("usage_category")) or text(request.get("task_type")),
        "period": work_period_text(request),
        "place": _place(request),
        "targets": _targets(request) or "无",
        "needs_text": "\n".join(_need_lines(request, policy)),
        "selection": selection_text(request, policy),
        "approval_text": _approval_text(request, policy),
        "drawn_at": cn_datetime(_get(draw, "drawn_at")),
        "drawn_by": text(drawn_by),
        "seed": text(_get(draw, "seed")),
        "method_version": method_name(_get(draw, "method_version")),
        "reason": text(_get(draw, "reason")) or text(_get(draw, "note")),
        "window_days": window or "",
        "hashes": hash_rows,
        "exclusions": exclusions,
        "exclusion_count": exclusion_count,
        "orders": order_blocks,
        "answers": answers,
        "answer_count": answer_count,
        "verify_note": ("核验方法：以本单所记随机种子、方法版本和抽取时的专家名单、使用记录重放抽取，应得到与上表相同的"
                        "排序；候选名单校验值（SHA-256）不同，说明名单已有变化。"),
        "audit_note": _audit_head_note(_get(draw, "audit_head")),
    }


def _audit_head_note(head: Any) -> str:
    """The audit chain head that recorded this draw (issue 11 §6): printed, it anchors the log outside the server."""
    if not isinstance(head, dict) or not head.get("line") or not head.get("hash"):
        return "操作日志链头：未找到本次抽取的日志记录。"
    return (f"操作日志链头：本次抽取记于操作日志第 {head['line']} 行，该行签名 {_group_hex(str(head['hash']))}。"
            f"日后核对日志时，该行必须仍在且签名不变，否则日志已被改动或删减。")
