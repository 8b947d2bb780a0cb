"""审批 — the leader (JC 分管领导, or 主要领导 for ≥10 experts or experts from outside the pool) or the office (YQ)
approves requests; an emergency used first is approved here afterwards (待补批)."""
import streamlit as st

from pages._ui import current_user, get_context, perform, show_flash
from services import dispatch, settings

ctx = get_context()
user = current_user()
policy = settings.active_policy(ctx)
st.title("使用审批")
show_flash()

waiting = dispatch.awaiting_approval(ctx, user)
if not waiting:
    st.info("没有待您审批的使用申请。")
for req in waiting:
    with st.container(border=True):
        label = "（紧急使用，补办审批）" if req["status"] != "待审批" else ""
        st.markdown(f"**{req['department']}：{req['matter']}**{label}")
        st.caption(f"{req['start']} 至 {req['end']}，{req.get('place') or ''}；须由{req['required_level']}审批："
                   f"{req['required_reason']}")
        st.markdown("；".join(f"{policy.taxonomy.specialty_label(n['specialty'])} {n['count']}人" for n in req["needs"]))
        for ext in req.get("external_experts") or []:
            st.markdown(f"- 库外专家：{ext['name']}（{ext['unit']}，{ext['title']}）— {ext['reason']}")
        with st.form(f"approvals_{req['id']}"):
            opinion = st.text_input("审批意见", "同意", key=f"approvals_opinion_{req['id']}")
            if st.form_submit_button("同意"):
                perform(lambda r=req, o=opinion: dispatch.approve(ctx, user, r["id"], o), "已审批")
