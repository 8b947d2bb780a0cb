"""抽取委派 — the office draws experts for an approved request (or an emergency), sees every exclusion and the
complete ranked order, invites by phone/WeChat, records answers (a decline moves to the next in order, never a
re-shuffle), proves a draw by replaying it, and prints the request, dispatch and draw-record forms.

Issue 12: each open invitation is a card with the expert's full mobile number (the office calls) and a ready
invitation text to copy into WeChat (st.code: shown as typed, never as Markdown); specialties by name; the exclusions
summed by rule, real exclusions (回避, busy, suspended, declined) first and 专业不符 as one count; dates as the office
writes them (services.drawing_view)."""
import pandas as pd
import streamlit as st

from core.errors import DomainError
from pages._ui import dataframe, md_escape, ExpertNames, current_user, download, get_context, perform, show_error, show_flash
from services import dispatch, drawing_view, experts, settings

ctx = get_context()
user = current_user()
policy = settings.active_policy(ctx)
taxonomy = policy.taxonomy
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
st.title("抽取委派")
show_flash()

# Finished tasks accumulate for years: the list shows the requests still being worked on unless a year is picked
# (then that year's requests, finished ones included).
ONGOING = "ongoing"
scopes = [ONGOING] + dispatch.request_years(ctx, user, status=dispatch.DRAWING_PAGE_STATUSES)
scope = st.selectbox("显示的申请", scopes, key="drawing_scope",
                     format_func=lambda s: "未完成的申请" if s == ONGOING else f"{s}年开始的全部申请（含已完成）", placeholder="请选择")
if scope == ONGOING:
    shown = dispatch.requests(ctx, user, status=tuple(s for s in dispatch.DRAWING_PAGE_STATUSES if s != "已完成"))
else:
    shown = dispatch.requests(ctx, user, status=dispatch.DRAWING_PAGE_STATUSES, year=scope)
open_requests = {r["id"]: r for r in shown}
if not open_requests:
    st.info("没有使用申请。使用科室在“使用申请”中提出。" if len(scopes) == 1 else
            "没有未完成的使用申请。已完成的可在上方“显示的申请”中按年份查看。")
    st.stop()
request_id = st.selectbox("使用申请", list(open_requests), key="drawing_request",
                          format_func=lambda i: f"{i}号 {open_requests[i]['department']}：{open_requests[i]['matter'][:30]}"
                                                f"（{open_requests[i]['status']}）", placeholder="请选择")
req = open_requests[request_id]
names = ExpertNames({e["id"]: e["name"] for e in experts.active_experts(ctx)})  # a deleted record shows as such
st.caption(f"{md_escape(drawing_view.office_period(req['start'], req['end']))}；" + "；".join(f"{md_escape(taxonomy.specialty_label(n['specialty']))} {md_escape(n['count'])}人"
                                                           for n in req["needs"])
           + (f"；最低职称 {md_escape(req['min_title_level'])}" if req.get("min_title_level") else ""))
approval = req.get("approval")
if approval:
    st.success(f"{md_escape(approval['level'])}已于{md_escape(drawing_view.office_date(approval['on']))}审批同意" + ("（事后补批）" if approval["after_the_fact"] else ""))
    st.text(f"审批人：{approval['by']}；意见：{approval['opinion']}")  # user text, never Markdown
elif req.get("emergency"):
    st.warning(f"紧急使用：可先抽取委派，审批待补（{md_escape(policy.drawing.emergency.name)}）")
else:
    st.info(f"待{md_escape(req['required_level'])}审批，审批后方可抽取。")
for spec in req.get("shortages") or []:
    st.error(f"{md_escape(taxonomy.specialty_label(spec))}：该专业无可用专家，请通知申请部门调整申请。")

draws = dispatch.draws_of(ctx, request_id)
staffing = dispatch.staffing_of(ctx, request_id)
open_slots = {row["specialty"]: row["open"] for row in staffing if row["open"]}
dataframe(pd.DataFrame([{"专业": taxonomy.specialty_label(row["specialty"]), "申请人数": row["requested"],
                            "已接受": row["accepted"], "邀请中": row["pending"], "待补": row["open"]} for row in staffing]),
             hide_index=True, width="stretch", key=f"drawing_staffing_{request_id}")
outcome_draw = st.session_state.pop(f"drawing_outcome_{request_id}", None)
if outcome_draw is not None:  # the per-specialty result of the draw just made: one line per specialty, never both
    outcome = dispatch.draw_outcome(ctx, outcome_draw)
    lines = dispatch.outcome_lines(outcome, taxonomy.specialty_label)
    if all(kind == "ok" for kind, _ in lines):
        st.success("已抽取并发出邀请" if any(row["invite"] for row in outcome) else "已抽取，无需发出新的邀请")
    else:
        st.warning("已抽取，但有专业仍缺人，请通知申请科室调整申请（各专业结果如下）")
    for kind, line in lines:
        (st.success if kind == "ok" else st.warning)(line)


def run_draw(reason: str) -> None:
    try:
        draw_id = dispatch.draw(ctx, user, request_id, reason=reason)
    except DomainError as error:
        show_error(error)
    else:
        st.session_state[f"drawing_outcome_{request_id}"] = draw_id
        st.rerun()


if req.get("mode") == "选派" and open_slots and req["status"] in dispatch.DRAWABLE_STATUSES:
    st.text(f"直接选派情形：{req.get('direct_reason')}")
    eligible, excluded = dispatch.eligible_for_selection(ctx, request_id)
    with st.form(f"drawing_select_{request_id}"):
        picks = {spec: st.multiselect(
            f"{md_escape(taxonomy.specialty_label(spec))}（须选{md_escape(count)}人）", eligible.get(spec, []),
            format_func=lambda i: names.get(i, i), key=f"drawing_pick_{request_id}_{spec}", placeholder="选择专家")
            for spec, count in open_slots.items()}
        if st.form_submit_button("确认选派", type="primary"):
            perform(lambda: dispatch.select_directly(ctx, user, request_id, picks), "已选派并发出邀请")
    with st.expander(f"不可选派（{len(excluded)}人，含原因）"):
        dataframe(pd.DataFrame([{"姓名": x["name"], "规则": x.get("label", x["rule"]), "原因": x["reason"]}
                                   for x in excluded]), hide_index=True, width="stretch")
elif req.get("mode") != "选派" and req["status"] in dispatch.DRAWABLE_STATUSES:
    if not draws:
        with st.form(f"drawing_draw_{request_id}"):
            if st.form_submit_button("随机抽取", type="primary"):
                run_draw("")
    elif not open_slots:
        st.info("各专业均已满员，无需重新抽取。")
    else:
        with st.form(f"drawing_redraw_{request_id}"):
            st.caption("重新抽取只为未满员的专业补充邀请（见上表“待补”）；已接受和邀请中的专家不变，原抽取记录保留。")
            reason = st.text_input("重新抽取理由 *", key=f"drawing_reason_{request_id}")
            confirmed = st.checkbox("确认重新抽取", key=f"drawing_redraw_confirm_{request_id}")
            if st.form_submit_button("重新抽取", type="primary"):
                if confirmed:
                    run_draw(reason)
                else:
                    st.error("请先勾选“确认重新抽取”。")

if draws:
    latest = draws[-1]
    result = latest["result"]
    st.subheader(f"第{md_escape(latest['seq'])}次抽取")
    st.text(f"抽取人：{latest['drawn_by']}；时间：{drawing_view.office_datetime(result['drawn_at'])}；"
            f"理由：{latest['reason']}；抽取方法：{drawing_view.method_name(result['method_version'])}；"
            f"随机种子 {result['seed']}")
    if st.button("复核本次抽取", key=f"drawing_verify_{request_id}"):
        ok, message = dispatch.verify(ctx, latest["id"])
        (st.success if ok else st.error)(message)
    for spec, order in result["orders"].items():
        with st.expander(f"{md_escape(taxonomy.specialty_label(spec))}：可抽取 {len(order)} 人（完整排序）"):
            dataframe(pd.DataFrame([{"顺序": n + 1, "姓名": names.get(i, i), "近期使用次数": result["use_counts"].get(str(i), 0)}
                                       for n, i in enumerate(order)]), hide_index=True, width="stretch")
    rules = drawing_view.exclusion_rules(result)  # real exclusions (回避, busy, suspended, declined) first
    listed = drawing_view.listed_exclusions(result)
    if rules:
        st.text(drawing_view.exclusion_line(rules))
    with st.expander(f"排除名单（共{sum(row['count'] for row in rules)}人；逐人列出{len(listed)}人，其余按规则计数）"):
        dataframe(pd.DataFrame([{"排除规则": row["label"], "人数": row["count"], "逐人列出": row["listed"],
                                    "说明": "所报专业不是本次所需，只计人数" if row["collapsed"]
                                    else ("逐人列出见下表" if row["listed"] >= row["count"]
                                          else "非本次所需专业或人数较多的只计人数")}
                                   for row in rules], columns=["排除规则", "人数", "逐人列出", "说明"]),
                     hide_index=True, width="stretch", key=f"drawing_exclusion_rules_{latest['id']}")
        if listed:
            dataframe(pd.DataFrame([{"姓名": x["name"], "规则": x.get("label", x["rule"]), "原因": x["reason"]}
                                       for x in listed]), hide_index=True, width="stretch",
                         key=f"drawing_exclusions_{latest['id']}")
        if st.checkbox("查看全部排除（含专业不符，由抽取时的专家名单快照复算）", key=f"drawing_all_exclusions_{latest['id']}"):
            try:
                everyone = dispatch.all_exclusions(ctx, latest["id"])
            except DomainError as error:
                show_error(error)
            else:
                dataframe(pd.DataFrame([{"姓名": x["name"], "规则": x.get("label", x["rule"]), "原因": x["reason"]}
                                           for x in everyone], columns=["姓名", "规则", "原因"]),
                             hide_index=True, width="stretch", key=f"drawing_all_exclusions_table_{latest['id']}")
    if len(draws) > 1:
        with st.expander("历次抽取"):
            dataframe(pd.DataFrame([{"次序": d["seq"], "时间": drawing_view.office_datetime(d["result"]["drawn_at"]),
                                        "抽取人": d["drawn_by"],
                                        "理由": d["reason"]} for d in draws]), hide_index=True, width="stretch")

assignments = dispatch.assignments_of(ctx, request_id)
if assignments:
    st.subheader("邀请与答复")
    dataframe(pd.DataFrame([{"姓名": names.get(a["expert_id"], a["expert_id"]),
                                "专业": taxonomy.specialty_label(a["specialty"]), "顺序": a.get("position") or "",
                                "状态": a["status"], "方式": a.get("answer_channel", ""),
                                "拒绝理由": a.get("decline_reason", "")} for a in assignments]),
                 hide_index=True, width="stretch", key=f"drawing_assignments_{request_id}")
    for card in drawing_view.invitation_cards(ctx, user, request_id):
        aid = card["assignment_id"]
        # one card per open invitation: who, the mobile number in full, the text to paste into WeChat, the answer
        with st.container(key=f"drawing_card_{aid}"), st.form(f"drawing_answer_{aid}"):
            st.text(f"{names.get(card['expert_id'])}（{card['specialty']}，"
                    + (f"第{card['position']}位）" if card.get("position") else "直接选派）")
                    + (f"　{card['unit']}" if card["unit"] else ""))
            st.text(f"手机：{card['mobile'] or '未登记'}")  # in full for the office, who calls (core.masking)
            st.caption("邀请文字（点右上角图标复制，粘贴到微信）")
            st.code(card["text"], language=None, wrap_lines=True)
            c1, c2 = st.columns(2)
            channel = c1.radio("联系方式", ("电话", "微信"), horizontal=True, key=f"drawing_channel_{aid}")
            verdict = c2.radio("答复", ("接受", "拒绝"), horizontal=True, key=f"drawing_verdict_{aid}")
            why = st.text_input("拒绝理由", key=f"drawing_why_{aid}")
            justified = st.radio("理由是否正当", ("正当", "不正当"), horizontal=True, key=f"drawing_just_{aid}")
            if st.form_submit_button("记录答复"):
                perform(lambda i=aid, c=channel, v=verdict, w=why, j=justified: dispatch.answer(
                    ctx, user, i, accepted=v == "接受", channel=c, reason=w, justified=j == "正当"),
                    f"已记录答复：{md_escape(names.get(card['expert_id']))}{md_escape(verdict)}")

open_ones = [a for a in assignments if a["status"] in ("邀请中", "已接受")]
if open_ones:
    with st.expander("调整已委派专家"):
        with st.form(f"drawing_replace_{request_id}"):
            target = st.selectbox("调整的专家", [a["id"] for a in open_ones], key=f"drawing_replace_target_{request_id}",
                                  format_func=lambda i: names.get(next(a["expert_id"] for a in open_ones if a["id"] == i)), placeholder="请选择")
            why = st.text_input("调整理由", key=f"drawing_replace_reason_{request_id}")
            st.caption("晋城：调整已经审批的专家须重新报分管领导批准（第十一条）。")
            if st.form_submit_button("调整并邀请下一位"):
                perform(lambda: dispatch.replace_expert(ctx, user, target, why), "已调整")

st.subheader("表格下载")
forms = dispatch.forms_for(ctx, request_id)
for col, (title, filename, build) in zip(st.columns(len(forms)), forms):
    download(f"下载{md_escape(title)}", build, file_name=filename, key=f"drawing_dl_{request_id}_{title}", mime=DOCX, container=col)
