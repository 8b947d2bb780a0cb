"""表单下载 — produce the official Word forms a page offers for download: (file name, .docx bytes).

One function per form of the application path (JC-W1, YQ-W1, X-W1): the taxonomy table (JC 附件1 / YQ 分类表),
the application form (JC 附件2; YQ 附表一, 特聘专家 附表二) with the optional 1-inch photo, the integrity pledge
(JC 附件3), the review sheet (JC 附件4), the summaries (JC 附件5 per lead office; YQ 附表三), the public notice
of the draft list and the appointment certificate (聘书, one page per expert, batch-printable); and the forms of
the drawing and dispatch path: the request (YQ 附表四; JC uses 附件7 for it), the dispatch slip (YQ 附表五, with the
evaluation's ratings when given), the dispatch approval slip (JC 附件7) and the draw record (抽取记录单). Contexts come
from core (pure), bytes from forms (docxtpl); this module picks the template the policy profile names and
names the file. `zip_forms` renders many forms into one zip, reporting progress for `st.progress`.
`template_report` (X-W2) lists every template of a profile with the fields it needs against what the app
supplies, from a sample context, so an admin page can show what a replaced template breaks.
"""
from __future__ import annotations

import hashlib
import io
import os
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence, Union

import forms
from core.errors import DomainError, ValidationError
from core.forms_context import (
    application_form_context, application_form_id, certificate_entry, certificates_context,
    dispatch_approval_context, dispatch_slip_context, draw_record_context, notice_list_context, pledge_context,
    recommendation_summary_context, request_form_context, review_sheet_context, taxonomy_table_context,
    yq_summary_context,
)
from core.idcard import check_digit

# Layouts of the taxonomy table, used when a profile's forms list names no template file that exists:
# with categories, caps and 牵头科室 (JC 附件1) or a plain numbered list (YQ 分类表).
_WITH_CATEGORIES, _FLAT = "jc_fj1_专家类别划分表.docx", "yq_flb_分类表.docx"
# The two forms no annex draws; a profile lists them as <prefix>_notice / <prefix>_certificate.
NOTICE_TEMPLATE, CERTIFICATE_TEMPLATE = "notice_拟定名单公示.docx", "certificate_聘书.docx"
DRAW_RECORD_TEMPLATE = "draw_record_抽取记录单.docx"  # listed as <prefix>_draw_record
PHOTO_MAX_BYTES = 2 * 1024 * 1024  # a 1-inch ID photo is far smaller; keeps the store and the .docx small

Rows = Sequence[tuple[dict, Union[dict, None]]]
Progress = Callable[[int, int], None]
FormItem = Union[tuple[str, bytes], Callable[[], tuple[str, bytes]]]

_UNSAFE_IN_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


# --------------------------------------------------------------------------------------------------------
# file names and templates
# --------------------------------------------------------------------------------------------------------

def safe_filename(name: str) -> str:
    """A file name Windows and zip readers accept: characters like / \\ : * ? " < > | become "_"."""
    cleaned = _UNSAFE_IN_NAME.sub("_", name).strip().strip(".")
    return cleaned or "表单"


def _spec(policy: Any, form_id: str):
    try:
        return policy.form(form_id)
    except (KeyError, LookupError, DomainError):
        raise forms.FormError(f"“{policy.short_name}”的表单清单中没有“{form_id}”，无法生成。") from None


def _filename(spec: Any, *parts: str) -> str:
    head = spec.title if spec.annex == "本地表单" else f"{spec.annex}_{spec.title}"
    return safe_filename("_".join([head, *[p for p in parts if p]])) + ".docx"


def local_form_id(policy: Any, kind: str) -> str | None:
    """Id of the profile's local form `kind` ("notice" or "certificate"), e.g. jc_notice; None if not listed."""
    return next((f.id for f in getattr(policy, "forms", ()) if f.id.endswith("_" + kind)), None)


def _local_template(policy: Any, kind: str, default: str) -> tuple[str, Any]:
    form_id = local_form_id(policy, kind)
    if form_id is None:
        return default, None
    return _spec(policy, form_id).template, _spec(policy, form_id)


# --------------------------------------------------------------------------------------------------------
# taxonomy table (JC 附件1 / YQ 分类表)
# --------------------------------------------------------------------------------------------------------

def taxonomy_template(policy: Any) -> str:
    """Template file of the policy's taxonomy table: the one its profile lists (taxonomy.form_id → forms),
    else by shape — categories, caps and 牵头科室 (JC layout) or a plain numbered list (YQ layout)."""
    form_id = getattr(policy.taxonomy, "form_id", None)
    if form_id and hasattr(policy, "form"):
        template = policy.form(form_id).template
        if (forms.TEMPLATES_DIR / template).is_file():
            return template
    return _WITH_CATEGORIES if policy.taxonomy.categories else _FLAT


def taxonomy_filename(policy: Any, today: date) -> str:
    """晋城市专家类别划分表_20261125.docx / 阳泉市专家行业领域和专业范围分类表_20261125.docx."""
    kind = "专家类别划分表" if policy.taxonomy.categories else "专家行业领域和专业范围分类表"
    return f"{policy.city}{kind}_{today:%Y%m%d}.docx"


def taxonomy_form(policy: Any, today: date) -> tuple[str, bytes]:
    """(file name, .docx bytes) of the taxonomy table of `policy`, dated `today`. Raises forms.FormError."""
    context = taxonomy_table_context(policy, printed_on=today)
    return taxonomy_filename(policy, today), forms.render(taxonomy_template(policy), context)


def template_problems(policy: Any, today: date) -> list[str]:
    """What stops the taxonomy template from being filled (X-W2: staff edited it in Word); [] when fine."""
    context = taxonomy_table_context(policy, printed_on=today)
    return forms.check_template(taxonomy_template(policy), context)


# --------------------------------------------------------------------------------------------------------
# the application path, one function per form
# --------------------------------------------------------------------------------------------------------

def check_photo(data: bytes | None, *, max_bytes: int = PHOTO_MAX_BYTES) -> None:
    """Refuse a photo that is not a JPG/PNG picture or is larger than `max_bytes` (ValidationError on
    field "photo", in Chinese); None or b"" (no photo) is fine."""
    if not data:
        return
    if len(data) > max_bytes:
        raise ValidationError(("photo", f"照片不能超过{max_bytes // 1024}KB（当前{len(data) // 1024}KB），请压缩后重新上传"))
    problem = forms.image_problem(data)
    if problem:
        raise ValidationError(("photo", problem))


def application_form(expert: dict, application: dict | None, policy: Any, *, photo: bytes | None = None,
                     specialty_label: Callable[[str], str] | None = None) -> tuple[str, bytes]:
    """JC 附件2 申报表, or YQ 附表一 入库申请表 / 附表二 特聘专家推荐表 by the application's kind, with the
    1-inch photo (JPG/PNG bytes) in its cell when given, else the cell's 1寸免冠照片粘贴处."""
    context = application_form_context(expert, application, policy, specialty_label=specialty_label)
    spec = _spec(policy, context["form_id"])
    data = forms.render(spec.template, context, images={"photo": photo})
    return _filename(spec, context["name"]), data


def pledge_form(expert: dict, application: dict | None, policy: Any) -> tuple[str, bytes]:
    """JC 附件3 廉政承诺书 (a profile without a pledge form → FormError)."""
    form_id = getattr(policy.intake, "pledge_form_id", None)
    if not form_id:
        raise forms.FormError(f"“{policy.short_name}”没有单独的廉政承诺书（承诺写在申请表内）。")
    spec = _spec(policy, form_id)
    context = pledge_context(expert, application, policy)
    return _filename(spec, context["name"]), forms.render(spec.template, context)


def review_sheet_form(expert: dict, application: dict | None, policy: Any, *,
                      specialty_label: Callable[[str], str] | None = None) -> tuple[str, bytes]:
    """JC 附件4 条件审核意见表: each item's weight, 评分标准, points and rule, the total, 审核意见."""
    context = review_sheet_context(expert, application, policy, specialty_label=specialty_label)
    spec = _spec(policy, context["form_id"])
    return _filename(spec, context["name"]), forms.render(spec.template, context)


def recommendation_summary_form(rows: Rows, lead_office: str, policy: Any, on: date) -> tuple[str, bytes]:
    """JC 附件5 推荐汇总表 of one lead office (填报科室), one row per candidate."""
    context = recommendation_summary_context(rows, lead_office, policy, on)
    spec = _spec(policy, context["form_id"])
    return _filename(spec, lead_office, f"{on:%Y%m%d}"), forms.render(spec.template, context)


def yq_summary_form(rows: Rows, policy: Any, on: date) -> tuple[str, bytes]:
    """YQ 附表三 汇总表, one row per applicant who meets the conditions."""
    context = yq_summary_context(rows, policy, on)
    spec = _spec(policy, context["form_id"])
    return _filename(spec, f"{on:%Y%m%d}"), forms.render(spec.template, context)


def summary_form(rows: Rows, policy: Any, on: date, *, lead_office: str = "") -> tuple[str, bytes]:
    """The profile's summary table: per lead office (JC 附件5) or for the whole city (YQ 附表三)."""
    if getattr(policy.review, "summary_by_lead_office", False):
        return recommendation_summary_form(rows, lead_office, policy, on)
    return yq_summary_form(rows, policy, on)


def notice_form(rows: Rows, policy: Any, notice_start: date, notice_end: date, *, contact: str = "",
                issued_on: date | None = None) -> tuple[str, bytes]:
    """The public notice of the draft list (拟定名单公示) with the notice period and the candidates."""
    template, spec = _local_template(policy, "notice", NOTICE_TEMPLATE)
    context = notice_list_context(rows, policy, notice_start, notice_end, contact=contact, issued_on=issued_on)
    name = safe_filename(f"{context['title']}_{notice_start:%Y%m%d}") + ".docx"
    return name, forms.render(template, context)


def certificate_form(expert: dict, policy: Any, certificate_no: str, term_start: date, term_end: date,
                     issued_on: date) -> tuple[str, bytes]:
    """The 聘书 of one expert."""
    template, _spec_ = _local_template(policy, "certificate", CERTIFICATE_TEMPLATE)
    entry = certificate_entry(expert, policy, certificate_no, term_start, term_end, issued_on)
    name = safe_filename(f"聘书_{entry['name']}_{entry['certificate_no']}") + ".docx"
    return name, forms.render(template, certificates_context([entry]))


def certificates_form(items: Iterable[tuple[dict, str, date, date]], policy: Any, issued_on: date) -> tuple[str, bytes]:
    """All certificates in ONE document, a page each, for batch printing. `items`: (expert,
    certificate_no, term_start, term_end) per expert."""
    template, _spec_ = _local_template(policy, "certificate", CERTIFICATE_TEMPLATE)
    entries = [certificate_entry(expert, policy, number, start, end, issued_on) for expert, number, start, end in items]
    if not entries:
        raise DomainError("没有要打印的聘书。")
    name = safe_filename(f"聘书_{len(entries)}人_{issued_on:%Y%m%d}") + ".docx"
    return name, forms.render(template, certificates_context(entries))


# --------------------------------------------------------------------------------------------------------
# the drawing and dispatch path (YQ 附表四/附表五, JC 附件7, 抽取记录单)
# --------------------------------------------------------------------------------------------------------

def _request_parts(request: dict) -> list[str]:
    """File name parts of a request's forms: the department and the start date (20260605)."""
    start = str(request.get("start") or "")
    return [str(request.get("department") or ""), re.sub(r"\D", "", start[:10])]


def request_form(request: dict, policy: Any, *, experts: list[dict] | None = None) -> tuple[str, bytes]:
    """The form a request is filed on: YQ 附表四 使用申请表; for a profile without a separate dispatch slip
    (JC) it is 附件7 服务派遣审批单, with the `experts` known so far (none before the draw)."""
    if not getattr(policy.drawing, "dispatch_form_id", None):
        return dispatch_approval_form(request, experts or [], policy)
    context = request_form_context(request, policy)
    spec = _spec(policy, context["form_id"])
    return _filename(spec, *_request_parts(request)), forms.render(spec.template, context)


def dispatch_slip_form(request: dict, experts: list[dict], policy: Any, *, number: str,
                       ratings: dict | None = None) -> tuple[str, bytes]:
    """YQ 附表五 使用委派单 numbered `number`: the accepted experts with 专业 and 职称/资格, padded to five rows;
    rating boxes ticked from `ratings` (expert id → 优秀/良好/一般/较差) once the use is evaluated."""
    context = dispatch_slip_context(request, experts, policy, number=number, ratings=ratings)
    spec = _spec(policy, context["form_id"])
    parts = [context["number"]] if context["number"] else _request_parts(request)
    return _filename(spec, *parts), forms.render(spec.template, context)


def dispatch_approval_form(request: dict, experts: list[dict], policy: Any) -> tuple[str, bytes]:
    """JC 附件7 服务派遣审批单: the approval, the using office and handler, the experts who attend, time, place,
    work, and 注1–4."""
    context = dispatch_approval_context(request, experts, policy)
    spec = _spec(policy, context["form_id"])
    return _filename(spec, *_request_parts(request)), forms.render(spec.template, context)


def draw_record_form(request: dict, draw: Any, pool_names: dict, assignments: list[dict], policy: Any, *,
                     drawn_by: str) -> tuple[str, bytes]:
    """抽取记录单 of one draw (DrawResult.to_dict()): request, time, who drew, seed, list hashes, exclusions,
    the ranked orders and the answers. `pool_names` maps expert id → name."""
    template, spec = _local_template(policy, "draw_record", DRAW_RECORD_TEMPLATE)
    context = draw_record_context(request, draw, pool_names, assignments, policy, drawn_by=drawn_by)
    drawn_at = draw.to_dict().get("drawn_at") if hasattr(draw, "to_dict") else (draw or {}).get("drawn_at")
    stamp = re.sub(r"\D", "", str(drawn_at or ""))[:12]
    name = safe_filename("_".join(p for p in (context["title"], str(request.get("department") or ""), stamp) if p))
    return name + ".docx", forms.render(template, context)


# --------------------------------------------------------------------------------------------------------
# many forms at once
# --------------------------------------------------------------------------------------------------------

def _unique_name(name: str, taken: set[str]) -> str:
    if name not in taken:
        return name
    stem, dot, ext = name.rpartition(".")
    stem, ext = (stem, "." + ext) if dot else (name, "")
    n = 2
    while f"{stem}({n}){ext}" in taken:
        n += 1
    return f"{stem}({n}){ext}"


def zip_forms(items: Sequence[FormItem], progress: Progress | None = None) -> bytes:
    """One zip holding every form of `items` — each a ready (file name, bytes) pair or a zero-argument
    function returning one (rendered here, one after another). `progress(done, total)` is called after
    each form (e.g. to move an `st.progress` bar). Equal file names get (2), (3)… Any FormError stops
    the whole zip: half a batch is worse than a clear message."""
    items = list(items)
    total = len(items)
    buffer = io.BytesIO()
    taken: set[str] = set()
    # .docx files are zip archives already: storing them is as small as deflating them again, and faster.
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for done, item in enumerate(items, start=1):
            name, data = item() if callable(item) else item
            name = _unique_name(safe_filename(name), taken)  # no folders or odd characters inside the zip
            taken.add(name)
            archive.writestr(name, data)
            if progress is not None:
                progress(done, total)
    return buffer.getvalue()


def application_forms_zip(rows: Rows, policy: Any, *, photos: dict[int, bytes] | None = None,
                          progress: Progress | None = None) -> bytes:
    """The application forms (JC 附件2 / YQ 附表一·二) of many people in one zip; `photos` by expert id."""
    photos = photos or {}

    def one(expert: dict, application: dict | None) -> FormItem:
        return lambda: application_form(expert, application, policy, photo=photos.get(expert.get("id")))

    return zip_forms([one(e, a) for e, a in rows], progress)


def review_sheets_zip(rows: Rows, policy: Any, *, progress: Progress | None = None) -> bytes:
    """The JC 附件4 review sheets of many candidates in one zip."""
    def one(expert: dict, application: dict | None) -> FormItem:
        return lambda: review_sheet_form(expert, application, policy)

    return zip_forms([one(e, a) for e, a in rows], progress)


def certificates_zip(items: Iterable[tuple[dict, str, date, date]], policy: Any, issued_on: date, *,
                     progress: Progress | None = None) -> bytes:
    """One 聘书 file per expert in a zip (for sending each expert their own); see certificates_form for
    one document to print them all."""
    def one(expert: dict, number: str, start: date, end: date) -> FormItem:
        return lambda: certificate_form(expert, policy, number, start, end, issued_on)

    return zip_forms([one(*item) for item in items], progress)


# --------------------------------------------------------------------------------------------------------
# X-W2: does each template of a profile get the fields it needs?
# --------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class TemplateStatus:
    """One template of a profile against what the app supplies (X-W2)."""

    form_id: str
    annex: str
    title: str
    template: str
    exists: bool
    supported: bool  # the app fills this form (a context builder exists); others come with later issues
    needed: tuple[str, ...] = ()  # top-level fields the template uses
    supplied: tuple[str, ...] = ()  # what the app's context (and pictures) hold
    missing: tuple[str, ...] = ()  # needed but not supplied
    unused: tuple[str, ...] = ()  # supplied but not used (fine; shows what a template could print)
    problems: tuple[str, ...] = field(default=())  # Chinese sentences; empty when the template renders

    @property
    def ok(self) -> bool:
        return not self.problems


def _sample_id_number(birth: date, seq: int = 123) -> str:
    first17 = f"140502{birth:%Y%m%d}{seq:03d}"
    return first17 + check_digit(first17)


def sample_expert(policy: Any) -> dict:
    """A realistic applicant for trial renders (X-W2 check, benchmarks): every field of the record filled."""
    codes = policy.taxonomy.all_specialty_codes()
    birth = date(1976, 5, 18)
    return {
        "id": 1, "name": "张建国", "id_number": _sample_id_number(birth), "gender": "男",
        "birth_date": birth.isoformat(), "political_status": "中共党员", "employment_status": "在岗",
        "employment_other": "", "mobile": "13903561234", "work_phone": "0356-2021234", "home_phone": "0356-2025678",
        "email": "zhangjg@example.com", "unit": f"{policy.city}安泰安全技术服务有限公司",
        "unit_address": f"{policy.city}城区凤台东街1号", "postcode": "048000", "department": "技术部",
        "position": "总工程师", "unit_phone": "0356-2021000", "fax": "0356-2021001",
        "school": "太原理工大学", "education": "本科", "major": "采矿工程", "title": "高级工程师",
        "title_level": "副高级", "qualifications": ["注册安全工程师"], "current_field": "煤矿安全",
        "years_in_field": 22, "enterprise_safety_years": 16, "route": policy.routes[0],
        "expert_kind": "普通专家", "specialties": list(codes[:2]), "apply_date": "2026-06-05",
        "resume": "1998年7月毕业于太原理工大学采矿工程专业，本科。\n1998年至2010年 在煤矿从事采掘技术工作。\n"
                  "2010年至今 从事煤矿安全技术服务工作。",
        "publications": "《综采工作面顶板管理实践》，2019年，《煤矿安全》。",
        "awards": "2021年 市安全生产先进个人。",
        "achievements": "参与市级重大事故隐患排查20余次；参与2件生产安全事故调查。",
        "unit_opinion": "同意推荐。",
    }


def sample_application(policy: Any, kind: str = "普通专家") -> dict:
    """An application of `sample_expert` in every state a form reads: pledge signed, reviewed and scored."""
    review: dict[str, Any] = {"opinion": "材料真实，符合条件，同意推荐。", "reviewer": "李审核", "reviewed_on": "2026-06-20"}
    scoring = getattr(policy, "scoring", None)
    if scoring is not None:
        lines = [{"key": it.key, "name": it.name, "weight": it.weight, "points": it.weight - 2,
                  "derived": it.method == "derived", "rule": "示例规则" if it.method == "derived" else "",
                  "bonus_points": 0, "bonus_rule": "", "remark": ""} for it in scoring.items]
        total = sum(line["points"] for line in lines)
        review["sheet"] = {"policy_id": policy.id, "lines": lines, "total": total, "pass_mark": scoring.pass_mark,
                           "passed": total >= scoring.pass_mark, "max_score": scoring.max_score}
    return {
        "id": 1, "expert_id": 1, "policy_id": policy.id, "status": "已提交", "kind": kind, "route": policy.routes[0],
        "apply_date": "2026-06-05", "outside_window": False, "pledge_signed": True, "pledge_date": "2026-06-05",
        "special": ({"department": "市应急管理局救援协调科", "department_opinion": "同意推荐。",
                     "leader_opinion": "同意。", "path": "frontline"} if kind == "特聘专家" else None),
        "declarations": {}, "eligibility": None, "overrides": {}, "review": review, "has_photo": False,
    }


def sample_request(policy: Any) -> dict:
    """A realistic, approved request of `policy` for trial renders: two specialties, a target enterprise."""
    codes = policy.taxonomy.all_specialty_codes()
    drawing = policy.drawing
    task_type = drawing.usage_categories[0] if drawing.usage_categories else drawing.task_types[0]
    level = "分管领导" if not drawing.dispatch_form_id else "专家管理办公室"
    return {
        "id": 1, "policy_id": policy.id, "department": "市应急管理局危险化学品安全监督管理科", "contact": "王经办",
        "contact_phone": "13903560001", "matter": "对辖区危险化学品企业开展安全生产专项检查", "task_type": task_type,
        "target_enterprises": [f"{policy.city}恒达化工有限公司"], "place": f"{policy.city}城区",
        "outside_city": False, "start": "2026-07-06", "end": "2026-07-08", "days": 3,
        "needs": [{"specialty": codes[0], "count": 2}, {"specialty": codes[1], "count": 1}],
        "min_title_level": "中级", "mode": "抽取", "direct_reason": None, "emergency": False,
        "filed_on": "2026-07-01", "filed_by": "dept", "external_experts": [], "enterprise_phone": "0356-2031234",
        "approval": {"by": "leader", "role": "领导", "level": level, "on": "2026-07-02", "opinion": "同意。",
                     "after_the_fact": False},
        "status": "已委派",
    }


def sample_dispatched_experts(policy: Any) -> list[dict]:
    """The experts who accepted `sample_request` (the sample applicant and one more)."""
    codes = policy.taxonomy.all_specialty_codes()
    first = dict(sample_expert(policy), specialties=[codes[0]])
    second = dict(sample_expert(policy), id=2, name="李明", title="工程师", title_level="中级", qualifications=[],
                  specialties=[codes[1]])
    return [first, second]


def sample_draw(policy: Any) -> tuple[dict, dict[int, str], list[dict]]:
    """(DrawResult.to_dict() shape, expert names by id, assignments) of a draw for `sample_request`."""
    codes = policy.taxonomy.all_specialty_codes()
    orders = {codes[0]: [1, 3, 4], codes[1]: [5, 2]}
    draw = {
        "request_id": 1, "policy_id": policy.id, "method_version": "rotation-seeded-v1",
        "seed": "3f9a6c2e8b1d4f7a0c5e9b2d6a8f1c3e", "drawn_at": "2026-07-02T10:15:30",
        "eligible_hash": {code: hashlib.sha256(repr(ids).encode()).hexdigest() for code, ids in orders.items()},
        "exclusions": [{"expert_id": 9, "name": "赵六", "rule": "same_employer", "label": "与任务对象同一单位",
                        "reason": f"工作单位为{policy.city}恒达化工有限公司，与任务对象相同"}],
        "orders": orders, "use_counts": {"1": 0, "3": 1, "4": 2, "5": 0, "2": 1},
    }
    names = {1: "张建国", 2: "李明", 3: "王强", 4: "刘洋", 5: "陈静", 9: "赵六"}
    assignments = [
        {"id": 1, "request_id": 1, "expert_id": 1, "status": "已接受", "answered_on": "2026-07-02",
         "answer_channel": "电话", "decline_reason": "", "decline_justified": None},
        {"id": 2, "request_id": 1, "expert_id": 3, "status": "已拒绝", "answered_on": "2026-07-02",
         "answer_channel": "微信", "decline_reason": "本人住院治疗", "decline_justified": True},
        {"id": 3, "request_id": 1, "expert_id": 5, "status": "已拒绝", "answered_on": "2026-07-03",
         "answer_channel": "电话", "decline_reason": "另有安排", "decline_justified": False},
        {"id": 4, "request_id": 1, "expert_id": 4, "status": "已接受", "answered_on": "2026-07-03",
         "answer_channel": "电话", "decline_reason": "", "decline_justified": None},
        {"id": 5, "request_id": 1, "expert_id": 2, "status": "已接受", "answered_on": "2026-07-03",
         "answer_channel": "微信", "decline_reason": "", "decline_justified": None},
    ]
    return draw, names, assignments


def _role(policy: Any, form_id: str) -> str | None:
    """Which of the app's context builders fills form `form_id` of `policy` (None: not filled yet)."""
    if form_id == getattr(policy.taxonomy, "form_id", None):
        return "taxonomy"
    for entry in getattr(policy.intake, "kinds", ()):
        if entry.application_form_id == form_id:
            return "application:" + entry.kind
    if form_id == getattr(policy.intake, "pledge_form_id", None):
        return "pledge"
    scoring = getattr(policy, "scoring", None)
    if scoring is not None and form_id in (scoring.form_id, getattr(policy.review, "form_id", None)):
        return "review"
    if form_id == getattr(policy.review, "summary_form_id", None):
        return "summary"
    drawing = getattr(policy, "drawing", None)
    if drawing is not None:
        if form_id == getattr(drawing, "dispatch_form_id", None):
            return "dispatch_slip"
        if form_id == getattr(drawing, "request_form_id", None):
            return "request" if getattr(drawing, "dispatch_form_id", None) else "dispatch_approval"
    if form_id.endswith("_draw_record"):
        return "draw_record"
    if form_id.endswith("_notice"):
        return "notice"
    if form_id.endswith("_certificate"):
        return "certificate"
    return None


# Services of later issues fill their own forms; each offers `sample_form_context(policy, form_id, today)` that
# returns (context, images) for a form it fills, else None. Imported lazily: those services import this module.
EXTRA_SAMPLE_MODULES = ("services.evaluations", "services.assessments", "services.fees")


def _extra_sample(policy: Any, form_id: str, today: date) -> tuple[dict, dict[str, bytes | None]] | None:
    import importlib

    for name in EXTRA_SAMPLE_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:  # that service is not there (yet); a missing dependency inside it is a real error
                continue
            raise
        found = module.sample_form_context(policy, form_id, today)
        if found is not None:
            return found
    return None


def sample_context(policy: Any, form_id: str, today: date) -> tuple[dict, dict[str, bytes | None]] | None:
    """(context, images) the app would render form `form_id` with, from the sample applicant; None when
    the app does not fill this form yet."""
    role = _role(policy, form_id)
    if role is None:
        return _extra_sample(policy, form_id, today)
    expert = sample_expert(policy)
    if role == "taxonomy":
        return taxonomy_table_context(policy, printed_on=today), {}
    if role.startswith("application:"):
        kind = role.split(":", 1)[1]
        expert["expert_kind"] = kind
        return application_form_context(expert, sample_application(policy, kind), policy), {"photo": None}
    application = sample_application(policy)
    rows = [(expert, application)]
    if role == "pledge":
        return pledge_context(expert, application, policy), {}
    if role == "review":
        return review_sheet_context(expert, application, policy), {}
    if role == "summary":
        if getattr(policy.review, "summary_by_lead_office", False):
            office = policy.taxonomy.sectors[0].lead_office or policy.taxonomy.sectors[0].lead_department or ""
            return recommendation_summary_context(rows, office, policy, today), {}
        return yq_summary_context(rows, policy, today), {}
    if role == "notice":
        return notice_list_context(rows, policy, today, today.fromordinal(today.toordinal() + 4)), {}
    if role in ("request", "dispatch_slip", "dispatch_approval", "draw_record"):
        request, experts_ = sample_request(policy), sample_dispatched_experts(policy)
        if role == "request":
            return request_form_context(request, policy), {}
        if role == "dispatch_slip":
            return dispatch_slip_context(request, experts_, policy, number="2026-001"), {}
        if role == "dispatch_approval":
            return dispatch_approval_context(request, experts_, policy), {}
        draw, names, assignments = sample_draw(policy)
        return draw_record_context(request, draw, names, assignments, policy, drawn_by="办公室乙"), {}
    term_end = date(today.year + 3, today.month, today.day if (today.month, today.day) != (2, 29) else 28)
    return certificates_context([certificate_entry(expert, policy, "示例〔2026〕第001号", today, term_end, today)]), {}


def app_documents(policy: Any, today: date) -> list[tuple[str, str, str, dict, dict]]:
    """The app's own documents that are no annex of a profile — 政策规则说明 and 政策调整影响分析 — as
    (id, title, template, sample context, images) for `policy`; office staff may restyle them in Word too."""
    from services import impact, policy_variants

    template, context, images = policy_variants.document_sample(policy, today)
    return [("policy_profile", "政策规则说明", template, context, images),
            ("impact_briefing", impact.TITLE, impact.TEMPLATE, impact.sample_briefing_context(policy, today), {})]


def _status(base: dict, template: str, sample: tuple[dict, dict] | None) -> TemplateStatus:
    if not (forms.TEMPLATES_DIR / template).is_file():
        problem = f"找不到表单模板《{template}》，请把模板文件放到 templates_docx 文件夹。"
        return TemplateStatus(**base, problems=(problem,) if sample is not None else ())
    try:
        needed = tuple(sorted(forms.template_fields(template)))
    except forms.FormError as exc:
        return TemplateStatus(**base, problems=(exc.message,))
    if sample is None:
        return TemplateStatus(**base, needed=needed)
    context, images = sample
    supplied = tuple(sorted(set(context) | set(images)))
    return TemplateStatus(
        **base, needed=needed, supplied=supplied,
        missing=tuple(f for f in needed if f not in supplied),
        unused=tuple(f for f in supplied if f not in needed),
        problems=tuple(forms.check_template(template, context, images=images)),
    )


_REPORTS: dict[tuple, tuple[Any, tuple[TemplateStatus, ...]]] = {}  # template_report's last results (few)
_REPORTS_KEPT = 8


def _templates_signature() -> tuple:
    """What template_report reads from disk: every file of the template folders (the renderer's and the one the
    existence check reads) with its size and modification time, so a template replaced in Word changes it."""
    import importlib

    renderer = importlib.import_module("forms.render")
    out = []
    for folder in dict.fromkeys((Path(renderer.TEMPLATES_DIR), Path(forms.TEMPLATES_DIR))):
        try:
            entries = sorted((e.name, e.stat().st_mtime_ns, e.stat().st_size) for e in os.scandir(folder) if e.is_file())
        except OSError:
            entries = []
        out.append((str(folder), tuple(entries)))
    return tuple(out)


def template_report(policy: Any, today: date, *, documents: bool = False) -> list[TemplateStatus]:
    """Every form of `policy` with its template's fields against what the app supplies (X-W2), checked by
    a trial render of the sample applicant; for an admin page after a template was replaced in Word.
    `documents=True` adds the app's own documents (`app_documents`, annex “系统文档”).

    The check renders every template (seconds), so its result is kept per profile object, day and the template
    folders' file sizes and modification times (`_templates_signature`): 系统设置 shows it on every run without
    rendering again, and a replaced template is checked afresh on the next run. It holds no personal data."""
    key = (getattr(policy, "id", None), id(policy), today, documents, _templates_signature())
    kept = _REPORTS.get(key)
    if kept is not None and kept[0] is policy:
        return list(kept[1])
    report = _template_report(policy, today, documents=documents)
    if len(_REPORTS) >= _REPORTS_KEPT:
        _REPORTS.clear()
    _REPORTS[key] = (policy, tuple(report))
    return report


def _template_report(policy: Any, today: date, *, documents: bool) -> list[TemplateStatus]:
    report = []
    for spec in policy.forms:
        sample = sample_context(policy, spec.id, today)
        base = dict(form_id=spec.id, annex=spec.annex, title=spec.title, template=spec.template,
                    exists=(forms.TEMPLATES_DIR / spec.template).is_file(), supported=sample is not None)
        report.append(_status(base, spec.template, sample))
    if documents:
        for doc_id, title, template, context, images in app_documents(policy, today):
            base = dict(form_id=doc_id, annex="系统文档", title=title, template=template,
                        exists=(forms.TEMPLATES_DIR / template).is_file(), supported=True)
            report.append(_status(base, template, (context, images)))
    return report


__all__ = [
    "CERTIFICATE_TEMPLATE", "DRAW_RECORD_TEMPLATE", "NOTICE_TEMPLATE", "PHOTO_MAX_BYTES", "TemplateStatus",
    "app_documents", "application_form", "application_form_id", "application_forms_zip", "certificate_form", "certificates_form",
    "certificates_zip", "check_photo", "dispatch_approval_form", "dispatch_slip_form", "draw_record_form",
    "local_form_id", "notice_form", "pledge_form", "recommendation_summary_form", "request_form",
    "review_sheet_form", "review_sheets_zip", "safe_filename", "sample_application", "sample_context",
    "sample_dispatched_experts", "sample_draw", "sample_expert", "sample_request", "summary_form",
    "taxonomy_filename", "taxonomy_form", "taxonomy_template", "template_problems", "template_report",
    "yq_summary_form", "zip_forms",
]
