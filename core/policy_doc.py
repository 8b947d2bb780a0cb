"""政策规则说明 — a policy profile as readable Chinese sections, each with its source article (X-P1, issue 6 §1).

`policy_sections(policy)` turns a profile (core/policy.py) into ordered sections — 基本信息, 分类表与人数控制,
选聘条件, 申报, 条件审核, 评分表, 聘任周期, 抽取与委派, 拒绝委派, 服务评价, 期限一览, 年度考核, 培训, 技术帮扶,
解聘/清退, 劳务报酬 (with its rate versions), 表单 — each a title, the article it comes from (the section's
`source`) and rows of (参数, 取值 in plain Chinese, 出处 or 本地设置). Everything is GENERATED from the model: the
parameter names are the field descriptions, the values the profile's values, the marks its `source` /
`set_locally` fields (seed silent → 本地设置). Nothing is written per field, so the page and the Word document
(政策规则说明) cannot drift from the rules that run; a test checks every leaf field of the model appears.
`profile_doc_context` is the context of the Word template. Pure: stdlib + pydantic + core only.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Mapping

from pydantic import BaseModel

from core import policy as policy_module
from core.dates import office_date
from core.forms_context import cn_date, cn_ordinal
from core.policy import Policy
from core.policy_edit import SECTION_META, Parameter, editable_parameters, format_value, short_description

__all__ = ["DocRow", "DocSection", "SECTION_ORDER", "DEADLINES_KEY", "policy_sections", "profile_doc_context",
           "LOCAL_MARK", "CHANGED_MARK", "DOC_TITLE"]

DOC_TITLE = "政策规则说明"
LOCAL_MARK = "本地设置"
CHANGED_MARK = "变体修改"
BASIC_KEY = ""
DEADLINES_KEY = "deadlines"
# The order the sections are read in; a part of the model not named here is appended after them, so a new
# part of the profile still shows up.
SECTION_ORDER = (BASIC_KEY, "taxonomy", "eligibility", "intake", "review", "scoring", "lifecycle", "drawing",
                 "declines", "evaluations", DEADLINES_KEY, "assessment", "training", "assistance", "dismissal",
                 "fees", "forms")
_TITLES = {BASIC_KEY: "基本信息", DEADLINES_KEY: "期限一览"}
# Time limits gathered again under 期限一览 (by the field's name: …_days, month, term years …).
_DEADLINE_NAME = re.compile(r"(_days|^month|_month|deadline_unit|term_years|leave_after_years|retention_years)$")


@dataclass(frozen=True)
class DocRow:
    path: str       # the parameter's dotted path (as in Policy.variant); a compact list row names the list
    param: str      # 参数 (label within the section)
    value: str      # 取值, plain Chinese
    mark: str       # 出处 or 本地设置


@dataclass(frozen=True)
class DocSection:
    key: str                      # top-level field ("taxonomy"), "" for 基本信息, "deadlines" for 期限一览
    title: str
    source: str                   # the section's article(s)
    rows: tuple[DocRow, ...]
    notes: tuple[str, ...] = ()
    local: tuple[str, ...] = ()   # parameters the seed left to the office (本地设置)
    covered: frozenset[str] = field(default_factory=frozenset)  # every parameter path shown, incl. source/notes


def _get(obj: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        obj = obj[int(part)] if isinstance(obj, tuple) else getattr(obj, part)
    return obj


def _model_class(name: str) -> type[BaseModel] | None:
    cls = getattr(policy_module, name, None)
    return cls if isinstance(cls, type) and issubclass(cls, BaseModel) else None


_ITEM = re.compile(r"^(?P<list>.+)\.(?P<index>\d+)\.(?P<field>[a-z_]+)$")


def _compact(param: Parameter) -> bool:
    """A parameter of a small list item with two text fields (专业 code + name, 情形 code + text): such a list
    reads best as one row "1.1 地质勘探、测量；1.2 …"."""
    if not _ITEM.match(param.path):
        return False
    cls = _model_class(param.model)
    return cls is not None and len(cls.model_fields) == 2 and param.kind == "text"


def _list_label(param: Parameter) -> str:
    """"… › 本行业领域下的专业「1.1 地质勘探、测量」 › 专业代码" → "… › 本行业领域下的专业"."""
    head = param.short_label.rsplit(" › ", 1)[0]
    return re.sub(r"「[^「」]*」$", "", head)


def _mark(policy: Policy, param: Parameter, section: Any) -> str:
    parts = param.path.split(".")
    local_fields = getattr(section, "set_locally", ()) or ()
    if len(parts) > 1 and parts[1] in local_fields:
        return LOCAL_MARK
    # an item that says of itself it is set locally (劳务报酬 rate version with set_locally = true)
    for k in range(len(parts) - 1, 0, -1):
        if parts[k - 1].isdigit():
            owner = _get(policy, ".".join(parts[:k]))
            if isinstance(owner, BaseModel) and getattr(owner, "set_locally", None) is True:
                return LOCAL_MARK
    return f"出处：{param.item_source}" if param.item_source else ""


def _rows(policy: Policy, params: list[Parameter], section: Any, *, full_labels: bool = False) -> tuple[
        list[DocRow], set[str]]:
    rows: list[DocRow] = []
    covered: set[str] = set()
    i = 0
    while i < len(params):
        p = params[i]
        covered.add(p.path)
        if _compact(p):
            list_path = _ITEM.match(p.path)["list"]
            items: dict[str, list[str]] = {}
            j = i
            while j < len(params) and _compact(params[j]) and _ITEM.match(params[j].path)["list"] == list_path:
                m = _ITEM.match(params[j].path)
                items.setdefault(m["index"], []).append(str(params[j].value))
                covered.add(params[j].path)
                j += 1
            value = "；".join(" ".join(v) for v in items.values())
            label = _list_label(p) if not full_labels else p.label.rsplit(" › ", 1)[0]
            rows.append(DocRow(list_path, label, value, _mark(policy, p, section)))
            i = j
            continue
        if p.field_name == "source" and _ITEM.match(p.path) and p.path.count(".") >= 2:
            # an item's own source: shown as the 出处 of its rows, not as a row of its own
            i += 1
            continue
        rows.append(DocRow(p.path, p.label if full_labels else p.short_label, format_value(p.value, p),
                           _mark(policy, p, section)))
        i += 1
    return rows, covered


def policy_sections(policy: Policy, *, changed: Mapping[str, str] | None = None) -> list[DocSection]:
    """The profile as ordered sections of (参数, 取值, 出处/本地设置) rows, generated from the model. For a variant,
    `changed` ({path: the base's value as text}, from core.policy_edit.diff) marks its changed rows
    “变体修改（原为 …）”."""
    sections = _sections(policy)
    if not changed:
        return sections
    return [DocSection(s.key, s.title, s.source,
                       tuple(DocRow(r.path, r.param, r.value, f"{CHANGED_MARK}（原为 {changed[r.path]}）")
                             if r.path in changed else r for r in s.rows), s.notes, s.local, s.covered)
            for s in sections]


def _sections(policy: Policy) -> list[DocSection]:
    params = editable_parameters(policy)
    by_section: dict[str, list[Parameter]] = {}
    for p in params:
        by_section.setdefault(p.section, []).append(p)
    keys = [k for k in SECTION_ORDER if k == DEADLINES_KEY or k in by_section]
    keys += [k for k in by_section if k not in keys]
    sections: list[DocSection] = []
    for key in keys:
        if key == DEADLINES_KEY:
            chosen = [p for p in params if p.section and _DEADLINE_NAME.search(p.field_name) and p.value is not None]
            rows = [DocRow(p.path, p.label, format_value(p.value, p), _mark(policy, p, getattr(policy, p.section)))
                    for p in chosen]
            sections.append(DocSection(key, _TITLES[key], "见各节", tuple(rows)))
            continue
        section = getattr(policy, key) if key else policy
        meta = {f"{key}.{m}" for m in SECTION_META} if key else set()
        own = [p for p in by_section[key] if p.path not in meta]
        rows, covered = _rows(policy, own, section if key else None)
        title = _TITLES.get(key) or short_description(type(policy).model_fields[key].description)
        source = getattr(section, "source", "") if key and isinstance(section, BaseModel) else policy.document_number
        notes = tuple(getattr(section, "notes", ()) or ()) if key else ()
        local_names = tuple(getattr(section, "set_locally", ()) or ()) if key else ()
        local = tuple(short_description(type(section).model_fields[n].description) for n in local_names)
        if not key:
            source = f"{policy.name}（{policy.document_number}）"
        if key and isinstance(section, tuple):  # a list part (forms): its items carry their own sources
            source = "见各项"
        sections.append(DocSection(key, title, source or "", tuple(rows), notes, local,
                                   frozenset(covered | (meta & {p.path for p in by_section[key]}))))
    codes: dict[str, str] = {}
    for s in sections:  # values such as "窗口内累计次数（within_window）" say what a code means
        for r in s.rows:
            for m in re.finditer(r"([^（）\s]+)（([a-z][a-z0-9]*(?:_[a-z0-9]+)*)）", r.value):
                codes.setdefault(m[2], m[1])
    return [_in_office_words(policy, s, codes) for s in sections]


# --- the office's words (issue 12): no field names, keys, form ids or ISO dates in the reading ------------------
_IDENT = re.compile(r"(?<![A-Za-z0-9_{.\-])[a-z][a-z0-9]*(?:_[a-z0-9]+)*(?![A-Za-z0-9_}\-])")
_CODE_IN_PARENS = re.compile(r"（[a-z][a-z0-9]*(?:_[a-z0-9]+)*）")
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_CODE_REF = re.compile(r"（[^（）]*\.[a-z_][a-z0-9_.]*）")  # （core.dismissal.reminder_talk） （审批规则.level）
# rows that only name an internal identifier (a rule's key, the profile's id, a form's id or template file):
# the reading names the thing itself instead (its title, 附件编号), so these rows are left out
_ID_LABELS = ("标识", "模板文件名")


def _field_words() -> dict[str, str]:
    """Every field name of the profile model → its label ("min_education" → "最低学历"); "出处" for source."""
    words: dict[str, set[str]] = {}
    for name in dir(policy_module):
        cls = _model_class(name)
        if cls is None:
            continue
        for field_name, info in cls.model_fields.items():
            words.setdefault(field_name, set()).add(short_description(info.description))
    return {k: re.sub(r"\s*的?\s*id$", "", "出处" if "出处" in v else sorted(v)[0]) for k, v in words.items()}


_FIELD_WORDS = _field_words()


def _office_words(text: str, codes: Mapping[str, str]) -> str:
    """Field names and option codes in a label or note said in Chinese; "X 省略" → "X未作规定"; ISO days as
    2026年6月5日."""
    def word(m: re.Match) -> str:
        return codes.get(m[0]) or _FIELD_WORDS.get(m[0]) or m[0]

    out = _CODE_REF.sub("", _ISO_DAY.sub(lambda m: office_date(m[0]), text))
    out = _IDENT.sub(word, out)
    out = re.sub(r"\s*(均)?省略", lambda m: f"{m[1] or ''}未作规定", out)
    out = re.sub(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])", "", out) if out != text else out
    return out


def _form_names(policy: Policy) -> dict[str, str]:
    """Form id → "附件2《title》" (the way the office names a form)."""
    return {f.id: f"{f.annex}《{f.title}》" for f in getattr(policy, "forms", ()) or ()}


def _in_office_words(policy: Policy, section: DocSection, codes: Mapping[str, str]) -> DocSection:
    forms = _form_names(policy)
    rows = []
    for r in section.rows:
        value = r.value
        if value in forms:
            value = forms[value]
        elif r.param.endswith(_ID_LABELS) or r.param.endswith(("表单 id", "的 id")) and value not in forms:
            continue
        value = _CODE_IN_PARENS.sub("", value)
        if "{year}" in value or "{seq" in value:  # a number pattern (聘书编号格式): shown as an example number
            try:
                example = value.format(year=policy.effective_date.year, seq=1)
            except (KeyError, IndexError, ValueError, AttributeError):
                example = ""
            if example:
                value = f"如 {example}（年份和序号在发证时自动编排）"
        param = re.sub(r"\s*的?\s*id$", "", r.param)
        rows.append(DocRow(r.path, _office_words(param, codes), value, _office_words(r.mark, codes)))
    notes = tuple(_office_words(n, codes) for n in section.notes)
    return DocSection(section.key, section.title, _office_words(section.source, codes), tuple(rows), notes,
                      section.local, section.covered)


def profile_doc_context(policy: Policy, *, printed_on: date, variant: dict | None = None,
                        changed: Mapping[str, str] | None = None) -> dict:
    """Context of the Word document 政策规则说明 (templates_docx/build_policy_docs.py): the sections above, numbered
    一、二、…; for a saved variant (services.policy_variants) a line naming it, its base, author and note."""
    sections = []
    for i, s in enumerate(policy_sections(policy, changed=changed), start=1):
        notes = list(s.notes)
        if s.local:
            notes.append(f"本节中种子文件未作规定、由本地设置的参数：{'、'.join(s.local)}。")
        sections.append({
            "heading": f"{cn_ordinal(i)}、{s.title}",
            "source_line": f"出处：{s.source}" if s.source else "",
            "rows": [{"param": r.param, "value": r.value, "mark": r.mark} for r in s.rows]
                    or [{"param": "（本节没有参数）", "value": "", "mark": ""}],
            "notes_text": "\n".join(f"说明：{n}" for n in notes),
        })
    if variant:
        variant_line = (f"本说明依据策略变体“{variant.get('name', '')}”（以{variant.get('base_name', '')}为基础，"
                        f"修改 {len(variant.get('changes') or {})} 项参数；制作人：{variant.get('author', '')}，"
                        f"{str(variant.get('created', ''))[:10]}）。变体用于推演，不是正式施行的办法。")
        if variant.get("note"):
            variant_line += f"\n变体说明：{variant['note']}"
    else:
        variant_line = "本说明由系统按正在使用的策略档案自动生成，与系统执行的规则一致。"
    return {
        "title": DOC_TITLE,
        "policy_name": policy.name,
        "document_number": policy.document_number,
        "subtitle": f"{policy.name}（{policy.document_number}）",
        "variant_line": variant_line,
        "printed_on": cn_date(printed_on),
        "sections": sections,
    }
