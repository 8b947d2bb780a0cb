"""专家录入 — create or edit one expert record; the form is generated from the field list, grouped as the paper
forms group them (JC 附件2 / YQ 附表一). Every bad field is reported at once in Chinese; nothing is saved until
the whole record is valid."""
from datetime import date

import streamlit as st

from core.errors import DomainError, DuplicateError
from core.expert_fields import EXPERT_FIELDS, GROUPS
from pages._ui import current_user, get_context, show_error
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
st.caption("带 * 的为必填项。性别和出生日期可不填，将由身份证号自动推出。")

ALLOWED = {"route": policy.routes, "expert_kind": policy.expert_kinds}
prefix = f"expert_form_{expert_id or 'new'}_"


def widget(field):
    key, label = prefix + field.key, field.label + (" *" if field.required else "")
    value = record.get(field.key)
    if field.kind == "longtext":
        return st.text_area(label, value or "", key=key, help=field.help or None)
    if field.kind == "choice":
        options = list(ALLOWED.get(field.key, field.choices))
        options = options if field.required else [""] + options
        index = options.index(value) if value in options else 0
        return st.selectbox(label, options, index=index, key=key, help=field.help or None, placeholder="请选择")
    if field.kind == "multichoice":
        return st.multiselect(label, field.choices, default=[v for v in value or [] if v in field.choices], key=key,
                              placeholder="可多选")
    if field.kind == "specialties":
        codes = list(taxonomy.all_specialty_codes())
        return st.multiselect(label, codes, default=[c for c in value or [] if c in codes], key=key,
                              format_func=lambda c: f"{taxonomy.specialty_label(c)}（{taxonomy.sector_of(c).name}）",
                              help=field.help or None, placeholder="可多选，输入关键字查找")
    if field.kind == "int":
        return st.number_input(label, min_value=0, max_value=60, step=1, value=value, key=key, help=field.help or None)
    if field.kind == "date":
        return st.date_input(label, value=date.fromisoformat(value) if value else None, min_value=date(1900, 1, 1),
                             max_value=date(2100, 12, 31), key=key, help=field.help or None, format="YYYY-MM-DD")
    if field.kind == "bool":
        return st.checkbox(label, value=bool(value), key=key, help=field.help or None)
    if field.kind == "list":
        return st.text_area(label, "\n".join(value or []), key=key, help=field.help or None)
    return st.text_input(label, value or "", key=key, help=field.help or None)


with st.form(f"expert_form_{expert_id or 'new'}"):
    values = {}
    for group in GROUPS:
        st.subheader(group)
        fields = [f for f in EXPERT_FIELDS if f.group == group]
        cols = st.columns(2)
        for i, field in enumerate(fields):
            target = st if field.kind in ("longtext", "specialties") else cols[i % 2]
            with target if target is not st else st.container():
                values[field.key] = widget(field)
    submitted = st.form_submit_button("保存", type="primary")

if submitted:
    data = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in values.items()}
    data = {k: (None if v in ("", []) else v) for k, v in data.items()}  # a cleared field is cleared
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
