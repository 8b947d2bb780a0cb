"""使用申请 — a using department (or the office on its behalf) asks for experts for one task (一事一派): matter and
task type, target enterprises (for 回避), place, dates, how many experts per specialty, an optional minimum title
(技术优先); emergencies are used first and approved afterwards; JC experts from outside the pool with a reason.

After 提交申请 the form starts empty (every widget key carries the number of the filling-in) and the filing carries a
token for that filling-in, so a double click files once. The requester withdraws a request here with a reason, and
edits and resubmits one the approver sent back (退回修改); each step is kept in the request's history."""
from datetime import date

import pandas as pd
import streamlit as st

from core import vocab
from core.dispatch import direct_reason_choices, task_type_choices, task_type_label
from core.errors import DomainError, DuplicateError
from core.dates import office_datetime
from pages._ui import dataframe, md_escape, current_user, flash, get_context, perform, show_error, show_flash
from services import dispatch, settings

ctx = get_context()
user = current_user()
policy = settings.active_policy(ctx)
taxonomy = policy.taxonomy
drawing = policy.drawing
st.title("使用申请")
show_flash()


def request_inputs(prefix: str, initial: dict) -> dict:
    """The request's widgets, pre-filled from `initial`, keyed by `prefix` (one filling-in, or one request)."""
    c1, c2 = st.columns(2)
    department = c1.text_input("使用科室（单位）*", initial.get("department") or "", key=f"{prefix}_department",
                               disabled=user.role == vocab.ROLE_DEPARTMENT, max_chars=50)
    contact = c2.text_input("联系人 *", initial.get("contact") or "", key=f"{prefix}_contact", max_chars=20)
    phone = c1.text_input("联系电话（11位手机号或 区号-号码）", initial.get("contact_phone") or "",
                          key=f"{prefix}_phone", max_chars=20)
    types = list(task_type_choices(policy))
    task_type = c2.selectbox(f"{md_escape(task_type_label(policy))} *", types, key=f"{prefix}_task_type",
                             index=types.index(initial["task_type"]) if initial.get("task_type") in types else 0, placeholder="请选择")
    matter = st.text_area("使用事项（主要工作内容）*", initial.get("matter") or "", key=f"{prefix}_matter", max_chars=500)
    c1, c2, c3 = st.columns(3)
    start = c1.date_input("开始日期 *", value=date.fromisoformat(initial["start"]) if initial.get("start") else None,
                          key=f"{prefix}_start", format="YYYY-MM-DD")
    end = c2.date_input("结束日期 *", value=date.fromisoformat(initial["end"]) if initial.get("end") else None,
                        key=f"{prefix}_end", format="YYYY-MM-DD")
    place = c3.text_input("工作地点", initial.get("place") or "", key=f"{prefix}_place", max_chars=100)
    outside = st.checkbox("跨市服务（市外）", bool(initial.get("outside_city")), key=f"{prefix}_outside")
    enterprises = st.text_area("任务对象单位（被检查企业等，每行一个，用于回避）",
                               "\n".join(initial.get("target_enterprises") or []), key=f"{prefix}_enterprises")
    counts = {n["specialty"]: n["count"] for n in initial.get("needs") or []}
    codes = list(taxonomy.all_specialty_codes())
    specs = st.multiselect("所需专业 *", codes, default=[c for c in counts if c in codes], key=f"{prefix}_specs",
                           format_func=taxonomy.specialty_label, placeholder="可多选")
    needs = [{"specialty": code, "count": st.number_input(
        f"{md_escape(taxonomy.specialty_label(code))}：人数", min_value=0, max_value=50, value=counts.get(code, 1), step=1,
        key=f"{prefix}_count_{code}")} for code in specs]
    titles = ["", "中级", "副高级", "正高级"]
    min_title = st.selectbox("最低职称要求（技术优先，可不选）", titles, key=f"{prefix}_min_title",
                             index=titles.index(initial.get("min_title_level") or ""), placeholder="请选择")
    emergency = st.checkbox(f"紧急使用（{md_escape(drawing.emergency.name)}）", bool(initial.get("emergency")),
                            key=f"{prefix}_emergency", help=md_escape(drawing.emergency.text))
    mode, direct_reason = "抽取", None
    reasons = dict(direct_reason_choices(policy))
    if reasons:
        mode = st.radio("方式", ("抽取", "选派"), horizontal=True, key=f"{prefix}_mode",
                        index=1 if initial.get("mode") == "选派" else 0)
        if mode == "选派":
            codes = list(reasons)
            direct_reason = st.selectbox("选派情形", codes, key=f"{prefix}_direct_reason",
                                         index=codes.index(initial["direct_reason"])
                                         if initial.get("direct_reason") in codes else 0,
                                         format_func=lambda code: f"（{code}）{reasons[code]}", placeholder="请选择")
    externals = []
    if drawing.out_of_pool is not None:
        st.caption(f"使用库外专家须经{md_escape(drawing.out_of_pool.approver)}批准，且须具有高级及以上职称。")
        columns = ["name", "unit", "title", "title_level", "reason", "is_out_of_city", "is_public_servant"]
        table = st.data_editor(pd.DataFrame(initial.get("external_experts") or [], columns=columns),
                               num_rows="dynamic", key=f"{prefix}_externals", width="stretch",
                               column_config={"name": "姓名", "unit": "单位", "title": "职称", "reason": "理由",
                                              "is_out_of_city": st.column_config.CheckboxColumn(
                                                  "市外专家", help="来自市外：计跨市食宿（第十六条(一)）", default=False),
                                              "is_public_servant": st.column_config.CheckboxColumn(
                                                  "公职人员", help="公职人员承担本单位业务不计报酬（第十六条(二)）",
                                                  default=False),
                                              "title_level": st.column_config.SelectboxColumn(
                                                  "职称等级", options=list(vocab.TITLE_LEVELS))})
        externals = [{k: (bool(v) if k.startswith("is_") and v != "" else (False if k.startswith("is_") else v))
                      for k, v in row.items()}
                     for row in table.fillna("").to_dict("records") if any(v for v in row.values() if v != "")]
    return {"department": department, "contact": contact, "contact_phone": phone, "matter": matter,
            "task_type": task_type, "target_enterprises": [e.strip() for e in enterprises.splitlines() if e.strip()],
            "place": place, "outside_city": outside, "start": start.isoformat() if start else None,
            "end": end.isoformat() if end else None, "needs": needs, "min_title_level": min_title or None,
            "mode": mode, "direct_reason": direct_reason, "emergency": emergency, "external_experts": externals}


# --- a new request: one filling-in = one generation of widget keys and one submission token ---------------------
generation = st.session_state.setdefault("requests_generation", 0)
token = st.session_state.setdefault(f"requests_token_{generation}", dispatch.new_submission_token())
with st.container(border=True):
    st.subheader("新申请")
    data = request_inputs(f"requests_{generation}", {"department": user.department, "contact": user.display_name})
    if st.button("提交申请", type="primary", key=f"requests_submit_{generation}"):
        try:
            filed, warnings = dispatch.file_request(ctx, user, data, token=token)
        except DuplicateError as error:  # already filed (a double click): show it and start a fresh form
            st.session_state["requests_generation"] = generation + 1
            flash(md_escape(error.message))
            st.rerun()
        except DomainError as error:
            show_error(error)
        else:
            st.session_state["requests_generation"] = generation + 1
            flash(f"申请已提交（申请编号 #{md_escape(filed)}）" + ("；" + "；".join(md_escape(w) for w in warnings) if warnings else ""))
            st.rerun()

# --- requests sent back for changes ----------------------------------------------------------------------------
for req in dispatch.returned_for_changes(ctx, user):
    rid = req["id"]
    with st.expander(f"申请编号 #{md_escape(rid)} 被退回修改", expanded=True):
        sent_back = [h for h in req.get("history") or [] if h["action"] == "退回修改"]
        if sent_back:
            st.text(f"退回理由（{sent_back[-1]['by']}，{office_datetime(sent_back[-1]['at'])}）：{sent_back[-1]['reason']}")
        edited = request_inputs(f"requests_edit_{rid}", req)
        if st.button("修改后重新提交", type="primary", key=f"requests_resubmit_{rid}"):
            perform(lambda r=rid, d=edited: dispatch.resubmit(ctx, user, r, d),
                    lambda done, r=rid: f"申请编号 #{md_escape(r)} 已重新提交" + ("；" + "；".join(md_escape(w) for w in done[1]) if done[1] else ""))

# --- the requests, their history, withdrawal -------------------------------------------------------------------
st.subheader("申请记录")
rows = dispatch.requests(ctx, user)
if not rows:
    st.caption("还没有使用申请。")
    st.stop()
dataframe(pd.DataFrame([{"申请编号": f"#{r['id']}", "使用科室": r["department"], "事项": r["matter"],
                            "时间": f"{r['start']} 至 {r['end']}", "人数": sum(n["count"] for n in r["needs"]),
                            "审批": r["required_level"], "状态": r["status"],
                            "提示": "该专业无可用专家，请调整申请" if r.get("shortages") else ""} for r in rows]),
             hide_index=True, width="stretch")
by_id = {r["id"]: r for r in rows}
shown = st.selectbox("查看办理记录", list(by_id), key="requests_history_pick",
                     format_func=lambda i: f"#{i} {by_id[i]['matter'][:30]}（{by_id[i]['status']}）", placeholder="请选择")
history = by_id[shown].get("history") or []
if history:
    dataframe(pd.DataFrame([{"操作": h["action"], "人员": h["by"], "时间": h["at"], "理由/意见": h["reason"]}
                               for h in history]), hide_index=True, width="stretch", key=f"requests_history_{shown}")

open_ones = {r["id"]: r for r in dispatch.withdrawable(ctx, user)}
if open_ones:
    with st.expander("撤回申请"):
        target = st.selectbox("撤回的申请", list(open_ones), key="requests_withdraw_pick",
                              format_func=lambda i: f"#{i} {open_ones[i]['matter'][:30]}（{open_ones[i]['status']}）", placeholder="请选择")
        with st.form(f"requests_withdraw_{target}"):
            st.caption("撤回后申请办结，已发出的邀请全部取消（已接受的专家请及时告知）。")
            why = st.text_area("撤回理由 *", key=f"requests_withdraw_reason_{target}", max_chars=500)
            if st.form_submit_button("撤回申请"):
                perform(lambda: dispatch.withdraw(ctx, user, target, why), f"申请编号 #{md_escape(target)} 已撤回")
