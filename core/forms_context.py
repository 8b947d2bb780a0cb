"""表单上下文 — what each official Word form shows, decided in Python before any template sees it.

Pure functions (standard library only) that turn a policy profile into the plain dicts a docxtpl template
renders: rows already grouped and labelled, dates already written the Chinese way (2026年6月5日), caps
already worded as in the annex ("不超过80人"). Templates only place values; they decide nothing.
Forms covered here: JC 附件1《晋城市安全生产和应急管理专家类别划分表》(第十条) and the YQ
《专家行业领域和专业范围分类表》(附表一/附表二 填写说明) — JC-W1, YQ-W1, X-W1.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

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
