"""使用申请 — a using department (or the office on its behalf) asks for experts for one task (一事一派): matter and
task type, target enterprises (for 回避), place, dates, how many experts per specialty, an optional minimum title
(技术优先); emergencies are used first and approved afterwards; JC experts from outside the pool with a reason."""

import pandas as pd
import streamlit as st

from core import vocab
from core.dispatch import direct_reason_choices, task_type_choices, task_type_label
from pages._ui import current_user, get_context, perform, show_flash
from services import dispatch, settings

ctx = get_context()
user = current_user()
policy = settings.active_policy(ctx)
taxonomy = policy.taxonomy
drawing = policy.drawing
st.title("使用申请")
show_flash()

with st.container(border=True):
    st.subheader("新申请")
    c1, c2 = st.columns(2)
    department = c1.text_input("使用科室（单位）*", user.department, key="requests_department",
                               disabled=user.role == vocab.ROLE_DEPARTMENT)
    contact = c2.text_input("联系人 *", user.display_name, key="requests_contact")
    phone = c1.text_input("联系电话", key="requests_phone")
    task_type = c2.selectbox(f"{task_type_label(policy)} *", list(task_type_choices(policy)), key="requests_task_type")
    matter = st.text_area("使用事项（主要工作内容）*", key="requests_matter")
    c1, c2, c3 = st.columns(3)
    start = c1.date_input("开始日期 *", value=None, key="requests_start", format="YYYY-MM-DD")
    end = c2.date_input("结束日期 *", value=None, key="requests_end", format="YYYY-MM-DD")
    place = c3.text_input("工作地点", key="requests_place")
    outside = st.checkbox("跨市服务（市外）", key="requests_outside")
    enterprises = st.text_area("任务对象单位（被检查企业等，每行一个，用于回避）", key="requests_enterprises")
    specs = st.multiselect("所需专业 *", list(taxonomy.all_specialty_codes()), key="requests_specs",
                           format_func=taxonomy.specialty_label, placeholder="可多选")
    needs = [{"specialty": code, "count": st.number_input(f"{taxonomy.specialty_label(code)}：人数", min_value=0,
                                                          max_value=50, value=1, step=1, key=f"requests_count_{code}")}
             for code in specs]
    min_title = st.selectbox("最低职称要求（技术优先，可不选）", ["", "中级", "副高级", "正高级"], key="requests_min_title")
    emergency = st.checkbox(f"紧急使用（{drawing.emergency.name}）", key="requests_emergency",
                            help=drawing.emergency.text)
    mode = "抽取"
    direct_reason = None
    reasons = dict(direct_reason_choices(policy))
    if reasons:
        mode = st.radio("方式", ("抽取", "选派"), horizontal=True, key="requests_mode")
        if mode == "选派":
            direct_reason = st.selectbox("选派情形", list(reasons), key="requests_direct_reason",
                                         format_func=lambda code: f"（{code}）{reasons[code]}")
    externals = []
    if drawing.out_of_pool is not None:
        st.caption(f"使用库外专家须经{drawing.out_of_pool.approver}批准，且须具有高级及以上职称。")
        table = st.data_editor(pd.DataFrame(columns=["name", "unit", "title", "title_level", "reason"]),
                               num_rows="dynamic", key="requests_externals", width="stretch",
                               column_config={"name": "姓名", "unit": "单位", "title": "职称", "reason": "理由",
                                              "title_level": st.column_config.SelectboxColumn(
                                                  "职称等级", options=list(vocab.TITLE_LEVELS))})
        externals = [dict(row) for row in table.fillna("").to_dict("records") if any(row.values())]
    if st.button("提交申请", type="primary", key="requests_submit"):
        data = {"department": department, "contact": contact, "contact_phone": phone, "matter": matter,
                "task_type": task_type, "target_enterprises": [e.strip() for e in enterprises.splitlines() if e.strip()],
                "place": place, "outside_city": outside, "start": start.isoformat() if start else None,
                "end": end.isoformat() if end else None, "needs": needs, "min_title_level": min_title or None,
                "mode": mode, "direct_reason": direct_reason, "emergency": emergency, "external_experts": externals}
        perform(lambda: dispatch.file_request(ctx, user, data),
                lambda filed: f"申请已提交（编号 {filed[0]}）" + ("；" + "；".join(filed[1]) if filed[1] else ""))

st.subheader("申请记录")
rows = dispatch.requests(ctx, user)
if rows:
    st.dataframe(pd.DataFrame([{"编号": r["id"], "使用科室": r["department"], "事项": r["matter"],
                                "时间": f"{r['start']} 至 {r['end']}", "人数": sum(n["count"] for n in r["needs"]),
                                "审批": r["required_level"], "状态": r["status"],
                                "提示": "该专业无可用专家，请调整申请" if r.get("shortages") else ""} for r in rows]),
                 hide_index=True, width="stretch")
else:
    st.caption("还没有使用申请。")
