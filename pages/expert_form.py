"""专家录入 — create or edit one expert record; the form is generated from the field list, grouped as the paper
forms group them (JC 附件2 / YQ 附表一). Every bad field is reported at once in Chinese; nothing is saved until
the whole record is valid."""
import streamlit as st

from core.errors import DomainError, DuplicateError
from core.expert_fields import EXPERT_FIELDS, GROUPS
from pages._ui import current_user, field_widget, form_values, get_context, show_error
from services import experts, settings

ctx = get_context()
user = current_user()
policy = settings.active_policy(ctx)
taxonomy = policy.taxonomy

expert_id = st.session_state.get("expert_form_id")
record: dict = {}
if expert_id is not None:
    try:
        record = experts.get_expert(ctx, user, expert_id)
    except DomainError as error:
        show_error(error)
        st.session_state.pop("expert_form_id", None)
        st.stop()
    st.title(f"修改专家信息：{record['name']}")
    if st.button("改为录入新专家", key="expert_form_new"):
        st.session_state.pop("expert_form_id", None)
        st.rerun()
else:
    st.title("专家录入")
st.caption("带 * 的为必填项。性别和出生日期可不填，将由身份证号自动推出。"
           + (f"当前状态：{record.get('state')}（状态变更请在“专家库”详情中办理）。" if record else ""))

prefix = f"expert_form_{expert_id or 'new'}_"

with st.form(f"expert_form_{expert_id or 'new'}"):
    values = {}
    for group in GROUPS:
        st.subheader(group)
        # an existing record changes state only through a recorded transition (专家库 → 状态变更)
        fields = [f for f in EXPERT_FIELDS if f.group == group and not (expert_id is not None and f.key == "state")]
        cols = st.columns(2)
        for i, field in enumerate(fields):
            target = st if field.kind in ("longtext", "specialties") else cols[i % 2]
            with target if target is not st else st.container():
                values[field.key] = field_widget(field, record.get(field.key), prefix + field.key, policy)
    submitted = st.form_submit_button("保存", type="primary")

if submitted:
    data = form_values(values)  # a cleared field is cleared
    if expert_id is not None and record.get("id_number", "").count("*"):
        data.pop("id_number", None)  # a masked value is never written back
    try:
        if expert_id is None:
            new_id = experts.create_expert(ctx, user, data)
            st.session_state["expert_form_id"] = new_id
            st.success(f"已保存：{data.get('name')}")
        else:
            experts.update_expert(ctx, user, expert_id, data)
            st.success("已保存修改")
    except DuplicateError as error:
        show_error(error)
        st.session_state["expert_form_duplicate"] = error.existing_id
    except DomainError as error:
        show_error(error)

duplicate = st.session_state.get("expert_form_duplicate")
if duplicate is not None and duplicate != expert_id:
    if st.button("打开已有的同一身份证号记录", key="expert_form_open_existing"):
        st.session_state["expert_form_id"] = duplicate
        st.session_state.pop("expert_form_duplicate", None)
        st.rerun()
