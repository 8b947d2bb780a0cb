"""入库申报 — the application form of the active profile (JC 附件2 + 附件3 / YQ 附表一, 附表二), with eligibility
checked beside it as the user types; save as a draft or submit. Widgets sit outside st.form on purpose: the
eligibility panel must follow each change.

提交申报 reports every problem at once (issue 12): each under its own field and all of them listed under the
buttons, in form order. After a refused submit the list is checked again on every change, so a corrected field's
message goes away and the ones still to fix stay in view."""
import streamlit as st

from core.dates import office_date
from core.eligibility import EligibilityResult
from core.errors import DomainError, DuplicateError, ValidationError
from core.expert_fields import EXPERT_FIELDS, FIELDS_BY_KEY, GROUPS
from core.intake import declaration_questions, outside_window, window_text
from pages._ui import md_escape, current_user, field_widget, flash, form_values, get_context, show_error, show_flash
from services import applications, settings
from services.forms_service import PHOTO_MAX_BYTES


def day_text(day) -> str:
    """A date as the office writes it: 2026年12月7日 (no leading zeros; core.dates, issue 12)."""
    return office_date(day)


ctx = get_context()
user = current_user()
policy = settings.active_policy(ctx)
st.title("入库申报")
show_flash()
if outside_window(policy, ctx.today()):
    st.warning(f"当前不在集中申报期（{md_escape(window_text(policy))}）。申报仍可受理，但会标记为“非申报期受理”。")

if "intake_pending" in st.session_state:  # set by a save below; widgets take new values only before they render
    st.session_state["intake_draft"] = st.session_state.pop("intake_pending")
drafts = {d["id"]: d for d in applications.drafts(ctx)}
choice = st.selectbox("申报", [None] + list(drafts), key="intake_draft",
                      format_func=lambda i: "新申报" if i is None else
                      f"继续填写草稿：{drafts[i]['form'].get('name', '')}（{day_text(drafts[i]['updated_at'][:10])}）", placeholder="请选择")
draft = drafts.get(choice) or {}
form_defaults = draft.get("form") or {}
prefix = f"intake_{choice or 'new'}_"
# the application's own fields, by the key a refused submit names them with
APP_LABELS = {"kind": "专家类型", "route": "申报方式", "pledge_signed": "廉政承诺书", "pledge_date": "承诺日期",
              "special": "推荐部门", "declarations": "申报声明", "photo": "照片"}
slots = {}  # field key → the place under its widget where that field's problems are shown


def show_problems(problems: list[tuple[str, str]], summary) -> None:
    """Every problem of a refused submit: under its own field (when the field has a widget here) and listed in
    `summary` with the field's name, in form order. Messages can quote what the user typed: all escaped."""
    by_field: dict[str, list[str]] = {}
    for key, message in problems:
        by_field.setdefault(key, []).append(message)
    for key, messages in by_field.items():
        if key in slots:
            slots[key].error(md_escape("；".join(messages)))
    lines = []
    for key, message in problems:
        label = FIELDS_BY_KEY[key].label if key in FIELDS_BY_KEY else APP_LABELS.get(key, "")
        lines.append(message if not label or message.startswith(label) else f"{label}：{message}")
    listed = "\n".join(f"- {md_escape(line)}" for line in lines)
    summary.error(f"有 {len(problems)} 处需要修改，请逐项改正后再提交：\n{listed}")


SKIP = {"state", "term_start", "term_end", "certificate_no", "group_role", "appointed_under", "remarks",
        "route", "expert_kind"}

left, right = st.columns([3, 2], gap="large")
with left:
    st.subheader("申报信息")
    c1, c2 = st.columns(2)
    kinds = list(policy.expert_kinds)
    kind = c1.selectbox("专家类型", kinds, key=prefix + "kind",
                        index=kinds.index(draft["kind"]) if draft.get("kind") in kinds else 0, placeholder="请选择")
    slots["kind"] = c1.empty()
    routes = [r for k in policy.intake.kinds if k.kind == kind for r in k.routes] or list(policy.routes)
    route = c2.selectbox("申报方式", routes, key=prefix + "route",
                         index=routes.index(draft["route"]) if draft.get("route") in routes else 0, placeholder="请选择")
    values = {}
    for group in GROUPS:
        fields = [f for f in EXPERT_FIELDS if f.group == group and f.key not in SKIP]
        if not fields:
            continue
        st.subheader(md_escape(group))
        cols = st.columns(2)
        for i, field in enumerate(fields):
            with st.container() if field.kind in ("longtext", "specialties") else cols[i % 2]:
                values[field.key] = field_widget(field, form_defaults.get(field.key), prefix + field.key, policy)
                slots[field.key] = st.empty()

    app = {"kind": kind, "route": route, "declarations": {}}
    st.subheader("承诺与声明")
    if policy.intake.pledge_form_id:
        app["pledge_signed"] = st.checkbox("申报人已签署《廉政承诺书》（附件3）", key=prefix + "pledge",
                                           value=bool(draft.get("pledge_signed")))
        slots["pledge_signed"] = st.empty()
        pledge_date = st.date_input("承诺日期", value=None, key=prefix + "pledge_date", format="YYYY-MM-DD")
        slots["pledge_date"] = st.empty()
        app["pledge_date"] = pledge_date.isoformat() if pledge_date else None
    if kind == "特聘专家":
        special = draft.get("special") or {}
        department = st.text_input("推荐部门 *", special.get("department", ""), key=prefix + "sp_dept")
        slots["special"] = st.empty()
        app["special"] = {
            "department": department,
            "department_opinion": st.text_area("部门意见", special.get("department_opinion", ""), key=prefix + "sp_op"),
            "leader_opinion": st.text_area("分管领导意见", special.get("leader_opinion", ""), key=prefix + "sp_lead"),
            "path": st.selectbox("选聘情形", [p.label for p in policy.eligibility.special_expert.paths],
                                 key=prefix + "sp_path", placeholder="请选择") if policy.eligibility.special_expert else ""}
    answers = {"未核实": None, "是": True, "否": False}
    for key, label in declaration_questions(policy, kind, values.get("specialties"),
                                           values.get("qualifications")):
        stored = (draft.get("declarations") or {}).get(key)
        picked = st.radio(md_escape(label), list(answers), horizontal=True, key=prefix + "decl_" + key,
                          index=list(answers.values()).index(stored))
        app["declarations"][key] = answers[picked]
    photo = st.file_uploader(f"1寸免冠照片（JPG/PNG，不超过{md_escape(PHOTO_MAX_BYTES // 1024 // 1024)}MB）", type=["jpg", "jpeg", "png"],
                             key=prefix + "photo")
    slots["photo"] = st.empty()

form = form_values(values)
existing = applications.person(ctx, form.get("id_number") or "")
with right:
    st.subheader("资格预审")
    st.caption(f"按《{md_escape(policy.name)}》于 {md_escape(day_text(ctx.today()))} 检查；保存时按保存当日再查一次。")
    ban = applications.ban_reason(ctx, form.get("id_number") or "")
    if ban:
        st.error(f"该人员{md_escape(ban)}，不能申报。")
    elif existing and existing.get("state") not in applications.REAPPLY_STATES:
        st.info(f"身份证号已在专家库中：{md_escape(existing['name'])}（{md_escape(existing['state'])}）。")
        if st.button("打开已有记录", key="intake_open_existing"):
            st.session_state["expert_form_id"] = existing["id"]
            st.switch_page("pages/expert_form.py")
    result = applications.preview_eligibility(ctx, form, app)
    icons = {"通过": ":green[✔ 通过]", "不通过": ":red[✘ 不通过]", "待审核": ":orange[● 待审核]"}
    st.markdown(f"**结论：{md_escape(result.status)}**")
    for rule in result.rules:
        st.markdown(f"{icons[rule.status]} **{md_escape(rule.name)}** — {md_escape(rule.reason)}  \n:gray[{md_escape(rule.source)}]")

c1, c2, c3 = st.columns(3)
summary = st.empty()  # under the buttons: every problem of a refused submit, listed with its field
attempted = prefix + "attempted"  # a submit was refused: keep the list of problems current as the user corrects
problems = None
photo_file = (photo.getvalue(), photo.name) if photo else None
if choice is not None and c3.button("删除此草稿", key="intake_delete_draft"):
    try:
        applications.delete_application(ctx, user, choice)
    except DomainError as error:
        show_error(error)
    else:
        flash("草稿已删除")
        st.session_state["intake_pending"] = None
        st.rerun()
if c1.button("保存草稿", key="intake_save_draft"):
    try:
        draft_id = applications.save_draft(ctx, user, form, app, app_id=choice)
    except DomainError as error:
        show_error(error)
    else:
        flash(f"草稿已保存：{md_escape(form.get('name'))}")
        st.session_state["intake_pending"] = draft_id
        st.rerun()
if c2.button("提交申报", type="primary", key="intake_submit", disabled=bool(ban)):
    st.session_state[attempted] = True
    try:
        expert_id, app_id = applications.submit(ctx, user, form, app, app_id=choice, photo=photo_file)
    except DuplicateError as error:  # nothing else wrong; 打开已有记录 is offered beside 资格预审
        problems = [("id_number", error.message)]
    except ValidationError as error:
        problems = error.errors
    except DomainError as error:
        show_error(error)
    else:
        result = EligibilityResult.from_dict(applications.application(ctx, app_id)["eligibility"])
        flash(f"已提交申报：{md_escape(form.get('name'))}（资格预审：{md_escape(result.status)}），请到“条件审核”办理。")
        st.session_state["intake_pending"] = None
        for key in [k for k in st.session_state if str(k).startswith(prefix)]:
            del st.session_state[key]  # a fresh, empty form for the next applicant
        st.rerun()
if problems is None and st.session_state.get(attempted):
    problems = applications.submission_errors(ctx, form, app, photo=photo_file)
if problems:
    show_problems(problems, summary)
