"""专家录入 — edit one expert record, or register an expert appointed before the system existed (存量专家登记).

The form is generated from the field list, grouped as the paper forms group them (JC 附件2 / YQ 附表一). Every bad
field is reported at once in Chinese; nothing is saved until the whole record is valid. State, term, certificate
number and appointment document are written by their procedures and are shown here, never edited. A new expert
who applies goes through 入库申报; one already appointed comes in through 存量专家登记: the appointment document
number and date, the eligibility run under the active profile, and a written reason for each rule that did not pass.
"""
import pandas as pd
import streamlit as st

from core.errors import DomainError, DuplicateError
from core.expert_fields import EXPERT_FIELDS, GROUPS
from core.dates import office_date
from pages._ui import dataframe, md_escape, current_user, field_widget, form_values, get_context, show_error
from services import experts, legacy, settings


def refused(error: DomainError) -> None:
    """Show a refused save; a duplicate ID number also offers to open the existing record."""
    show_error(error)
    if isinstance(error, DuplicateError):
        st.session_state["expert_form_duplicate"] = error.existing_id


ctx = get_context()
user = current_user()
policy = settings.active_policy(ctx)

expert_id = st.session_state.get("expert_form_id")
record: dict = {}
if expert_id is not None:
    try:
        record = experts.get_expert(ctx, user, expert_id)
    except DomainError as error:
        show_error(error)
        st.session_state.pop("expert_form_id", None)
        st.stop()
    st.title("修改专家信息")
    st.text(f"{record.get('name')}（{record.get('state')}）")
    if st.button("改为登记存量专家", key="expert_form_new"):
        st.session_state.pop("expert_form_id", None)
        st.rerun()
    hidden = experts.PROCEDURE_KEYS
    st.caption("带 * 的为必填项。状态、聘期、聘书编号和聘任文件由相应程序记录，这里只显示不修改；"
               "状态变更须通过条件审核、推荐与聘任、解聘清退办理。")
    st.text("　".join(f"{f.label}：{record.get(f.key) or '—'}" for f in EXPERT_FIELDS if f.key in hidden))
else:
    st.title("存量专家登记")
    hidden = legacy.SET_BY_REGISTRATION
    st.caption("用于本系统启用前已经聘任的专家：填写全部信息和聘任文件文号、聘任日期，系统按现行政策逐条审查资格条件，"
               "未通过或待核实的条件须逐条写明放宽或核实理由，登记后为在库专家。新专家申报请到“入库申报”办理。"
               "带 * 的为必填项；性别和出生日期可不填，由身份证号推出。")

prefix = f"expert_form_{expert_id or 'new'}_"

with st.form(f"expert_form_{expert_id or 'new'}"):
    values = {}
    for group in GROUPS:
        st.subheader(md_escape(group))
        fields = [f for f in EXPERT_FIELDS if f.group == group and f.key not in hidden]
        cols = st.columns(2)
        for i, field in enumerate(fields):
            target = st if field.kind in ("longtext", "specialties") else cols[i % 2]
            with target if target is not st else st.container():
                values[field.key] = field_widget(field, record.get(field.key), prefix + field.key, policy)
    if expert_id is None:
        st.subheader("聘任依据")
        c1, c2 = st.columns(2)
        document = c1.text_input("聘任文件文号 *", key=prefix + "document_number",
                                 help="如“晋市应急总指办发[2023]4号”；按该文件选入的专家自原聘任之日起满三年退出（JC 第二十条）")
        appointed_on = c2.date_input("聘任日期（文件下发之日） *", value=None, key=prefix + "appointed_on",
                                     format="YYYY-MM-DD")
    submitted = st.form_submit_button("保存" if expert_id is not None else "检查资格条件", type="primary")

if submitted:
    data = form_values(values)  # a cleared field is cleared
    if expert_id is not None:
        if record.get("id_number", "").count("*"):
            data.pop("id_number", None)  # a masked value is never written back
        try:
            experts.update_expert(ctx, user, expert_id, data)
            st.success("已保存修改")
        except DomainError as error:
            refused(error)
    else:
        pending = {"data": data, "document_number": document,
                   "appointed_on": appointed_on.isoformat() if appointed_on else None}
        try:
            legacy.preview(ctx, user, data, document_number=document, appointed_on=pending["appointed_on"])
        except DomainError as error:
            st.session_state.pop("expert_form_legacy", None)
            show_error(error)
        else:
            st.session_state["expert_form_legacy"] = pending

pending = st.session_state.get("expert_form_legacy") if expert_id is None else None
if pending:
    try:
        found = legacy.preview(ctx, user, pending["data"], document_number=pending["document_number"],
                               appointed_on=pending["appointed_on"])
    except DomainError as error:
        show_error(error)
        st.stop()
    st.subheader("资格条件审查")
    st.text(f"{found.record['name']}：聘任文件 {found.document_number}，{office_date(found.term.start)}聘任，"
            f"聘期至{office_date(found.term.end)}（{found.term.basis}）")
    dataframe(pd.DataFrame([{"条件": r.name, "结果": r.status, "说明": r.reason, "出处": r.source}
                               for r in found.eligibility.rules]), hide_index=True, width="stretch")
    key = found.record["id_number"]
    with st.form(f"expert_form_legacy_confirm_{key}"):
        reasons = {}
        if found.needs_reason:
            st.caption("以下条件未通过或待核实：请逐条写明放宽或核实的理由（至少5个字），将随登记记录保存。")
        for rule in found.needs_reason:
            reasons[rule.rule_id] = st.text_input(f"{md_escape(rule.name)}（{md_escape(rule.status)}）的放宽或核实理由",
                                                  key=f"expert_form_legacy_relax_{key}_{rule.rule_id}")
        confirmed = st.form_submit_button("确认登记为在库专家", type="primary")
    if confirmed:
        try:
            new_id = legacy.register_legacy(ctx, user, pending["data"], document_number=pending["document_number"],
                                            appointed_on=pending["appointed_on"], relaxations=reasons)
        except DomainError as error:
            refused(error)
        else:
            st.session_state.pop("expert_form_legacy", None)
            st.session_state["expert_form_id"] = new_id
            st.success("已登记为在库专家，登记记录和资格审查结果已保存")
            st.text(found.record["name"])

duplicate = st.session_state.get("expert_form_duplicate")
if duplicate is not None and duplicate != expert_id:
    if st.button("打开已有的同一身份证号记录", key="expert_form_open_existing"):
        st.session_state["expert_form_id"] = duplicate
        st.session_state.pop("expert_form_duplicate", None)
        st.session_state.pop("expert_form_legacy", None)
        st.rerun()
