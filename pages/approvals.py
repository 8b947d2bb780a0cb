"""审批 — the leader (JC 分管领导, or 主要领导 for ≥10 experts or experts from outside the pool) or the office (YQ)
decides on requests: 同意, 不同意 (final) or 退回修改 (back to the requester to edit and resubmit), the last two with
a reason; each decision is kept in the request's history. An emergency used first is approved here afterwards
(待补批). Listed in the sidebar only for the roles that sign requests under the active profile (issue 12: 晋城 the
领导, 阳泉 the office — services.drawing_view.approves_requests), so nobody is shown a page that is always empty."""
import pandas as pd
import streamlit as st

from pages._ui import dataframe, md_escape, current_user, get_context, perform, show_flash
from services import dispatch, drawing_view, settings

ctx = get_context()
user = current_user()
policy = settings.active_policy(ctx)
st.title("使用审批")
show_flash()

waiting = dispatch.awaiting_approval(ctx, user)
if not waiting:
    st.info("没有待您审批的使用申请。")
for req in waiting:
    rid = req["id"]
    with st.container(border=True):
        st.subheader(f"申请编号 #{md_escape(rid)}" + ("（紧急使用，补办审批）" if req["status"] != "待审批" else ""))
        # user text (department, matter, place, names) is shown as plain text, never as Markdown
        st.text(f"{req['department']}：{req['matter']}")
        st.text(drawing_view.office_period(req["start"], req["end"]) + (f"，{req['place']}" if req.get("place") else "")
                + f"；联系人 {req.get('contact') or ''} {req.get('contact_phone') or ''}")
        st.text("；".join(f"{policy.taxonomy.specialty_label(n['specialty'])} {n['count']}人" for n in req["needs"]))
        st.caption(f"须由{md_escape(req['required_level'])}审批：{md_escape(req['required_reason'])}")
        if req.get("external_experts"):
            dataframe(pd.DataFrame([{"库外专家": x["name"], "单位": x["unit"], "职称": x["title"], "理由": x["reason"]}
                                       for x in req["external_experts"]]), hide_index=True, width="stretch",
                         key=f"approvals_externals_{rid}")
        if len(req.get("history") or []) > 1:
            with st.expander("办理记录"):
                dataframe(pd.DataFrame([{"操作": h["action"], "人员": h["by"], "时间": drawing_view.office_datetime(h["at"]),
                                            "理由/意见": h["reason"]}
                                           for h in req["history"]]), hide_index=True, width="stretch",
                             key=f"approvals_history_{rid}")
        with st.form(f"approvals_{rid}"):
            opinion = st.text_area("审批意见 / 理由（不同意、退回修改须写明理由）", key=f"approvals_opinion_{rid}",
                                   max_chars=500)
            c1, c2, c3 = st.columns(3)
            agree = c1.form_submit_button("同意", type="primary", key=f"approvals_agree_{rid}")
            refuse = c2.form_submit_button("不同意", key=f"approvals_reject_{rid}")
            send_back = c3.form_submit_button("退回修改", key=f"approvals_return_{rid}")
        if agree:
            perform(lambda r=rid, o=opinion: dispatch.approve(ctx, user, r, o), f"申请编号 #{md_escape(rid)} 已审批同意")
        elif refuse:
            perform(lambda r=rid, o=opinion: dispatch.reject(ctx, user, r, o), f"申请编号 #{md_escape(rid)} 不同意，已办结")
        elif send_back:
            perform(lambda r=rid, o=opinion: dispatch.return_for_changes(ctx, user, r, o),
                    f"申请编号 #{md_escape(rid)} 已退回申请科室修改")
