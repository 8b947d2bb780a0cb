"""专家培训 — record training sessions and who attended (JC 第十三条 每年一次专题培训; YQ 第二十一条), correct the
attendance, and see a year's sessions against what the profile asks; attendance counts in the yearly assessment."""
import pandas as pd
import streamlit as st

from core.dates import office_date
from pages._ui import dataframe, md_escape, current_user, get_context, perform, show_flash
from services import settings, training

ctx = get_context()
user = current_user()
policy = settings.active_policy(ctx)
st.title("专家培训")
st.caption(f"{md_escape(policy.short_name)}（{md_escape(policy.training.source)}）：{md_escape(policy.training.required_by)}")
show_flash()

pool = training.pool(ctx)
label = {i: f"{e['name']}（{e.get('unit', '')}）" for i, e in pool.items()}
year = int(st.number_input("年度", min_value=2000, max_value=2100, step=1, value=ctx.today().year, key="training_year"))
check = training.year_check(ctx, year)
if check["warning"]:
    st.warning(md_escape(check["warning"]))
else:
    st.caption(f"{year}年已登记培训{md_escape(check['held'])}次。")

with st.form("training_new", clear_on_submit=True):
    st.markdown("**登记培训**")
    title = st.text_input("培训名称", key="training_title")
    left, mid, right = st.columns(3)
    held_on = left.date_input("培训日期", value=None, max_value=ctx.today(), format="YYYY-MM-DD", key="training_held_on")
    hours = mid.number_input("学时", min_value=0.0, max_value=200.0, step=0.5, value=None, key="training_hours")
    organizer = right.text_input("组织单位", policy.training.organizer, key="training_organizer")
    content = st.text_area("培训内容", key="training_content")
    attendees = st.multiselect("参训专家", list(pool), format_func=label.get, key="training_attendees",
                               placeholder="选择在库专家，可多选")
    if st.form_submit_button("登记培训", type="primary"):
        data = {"title": title, "held_on": held_on, "hours": hours, "organizer": organizer, "content": content,
                "attendees": attendees}
        perform(lambda: training.record_session(ctx, user, data), "已登记培训")

found = training.sessions(ctx, year)
st.subheader(f"{year}年培训（{len(found)}次）")
if not found:
    st.caption("本年度尚未登记培训。")
else:
    dataframe(pd.DataFrame([{"日期": t["held_on"], "培训名称": t["title"], "学时": t["hours"],
                                "组织单位": t["organizer"], "参训人数": len(t["attendees"])} for t in found]),
                 hide_index=True, width="stretch")
for t in found:
    with st.expander(f"{md_escape(office_date(t['held_on']))} {md_escape(t['title'])}（{len(t['attendees'])}人）"):
        if t.get("content"):
            st.text(t["content"])
        with st.form(f"training_attendance_{t['id']}"):
            chosen = st.multiselect("参训专家", list(pool), default=[i for i in t["attendees"] if i in pool],
                                    format_func=label.get, key=f"training_people_{t['id']}", placeholder="请选择")
            if st.form_submit_button("保存参训人员"):
                perform(lambda tid=t["id"], people=chosen: training.set_attendance(ctx, user, tid, people),
                        "已更正参训人员")
