"""年度考核 — JC 履职考核 (第十条(三), 附件6) / YQ 年度考评 (第九条(二), 第二十三条): pick the year, see who is due and
who is done, enter the whole list as one table (issue 12: pre-filled from the year's records, checked row by row
with the single form's rules, saved all or nothing), assess one expert in detail from the pre-filled services (JC:
the expert's self-evaluation too), and download 附件6 and the results list (Word, Excel)."""
import hashlib

import pandas as pd
import streamlit as st

from core.errors import DomainError
from core.dates import office_date
from pages._ui import dataframe, md_escape, current_user, download, flash, get_context, perform, show_error, show_flash
from services import assessments, settings

ctx = get_context()
user = current_user()
policy = settings.active_policy(ctx)
opts = assessments.options(ctx)
st.title("年度考核")
st.caption(f"{md_escape(policy.short_name)}：{md_escape(opts['name'])}（{md_escape(policy.assessment.source)}），由{md_escape(opts['assessor'])}组织。")
show_flash()

year = int(st.number_input("考核年度", min_value=2000, max_value=2100, step=1, value=assessments.default_year(ctx),
                           key="assessment_year"))
period = assessments.period(ctx, year)
due = assessments.due_list(ctx, year)
st.info(f"{md_escape(period['rule'])}。考核范围：{md_escape(period['scope'])}。")
waiting = [r for r in due if r["status"] == "未考核"]
if period["past_deadline"] and waiting:
    st.warning(f"已过{md_escape(period['deadline_text'])}的完成期限，尚有{len(waiting)}人未考核。")

tab_list, tab_one, tab_results = st.tabs([f"考核名单与表格录入（{len(due)}）", "逐人录入", "考核结果"],
                                               key="assessment_tabs", on_change="rerun")


def _cell(value) -> str:
    """A cell of the edited table as text ("" for an empty cell)."""
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else value


with tab_list:
    if not due:
        st.caption("本年度没有需要考核的专家。")
    else:
        columns = assessments.table_columns(ctx)
        rows = assessments.table_rows(ctx, year)
        # keyed by the profile and the year, and by who is on the list: edits never land on another expert's row
        roster = hashlib.sha256(",".join(str(r[assessments.COL_ID]) for r in rows).encode()).hexdigest()[:12]
        table_key = f"assessment_table_{policy.id}_{year}_{roster}"
        problems_key = f"assessment_table_problems_{policy.id}_{year}"
        problems = st.session_state.get(problems_key) or []
        on_row: dict = {}
        for p in problems:
            on_row.setdefault(p["expert_id"], []).append(f"{p['field']}：{p['message']}")
        for r in rows:
            r[assessments.COL_PROBLEMS] = "；".join(on_row.get(r[assessments.COL_ID], []))
        st.caption("在表格中逐行填写各考核项目和考核结论（本年度服务情况由委派、评价和培训记录自动汇总）；"
                   "未填写的行保持“未考核”。点“保存表格”时逐行核对，只要有一行不符合要求，整张表格都不保存，"
                   "问题写在该行的“问题”栏并列在表格上方。各考核项目的“考核情况”说明和附件6请在“逐人录入”中办理。")
        if problems:
            st.error(f"表格未保存：{len({p['line'] for p in problems})}行有问题，共{len(problems)}处，请修改后再保存。")
            dataframe(pd.DataFrame([{"行": p["line"], "姓名": p["name"], "栏目": p["field"], "问题": p["message"]}
                                       for p in problems]), hide_index=True, width="stretch")
        keys = [c["key"] for c in columns]
        frame = pd.DataFrame(rows, columns=keys).astype("string")
        config = {}
        for c in columns:
            if c["options"] is not None:
                frame[c["key"]] = frame[c["key"]].replace("", pd.NA)
                config[c["key"]] = st.column_config.SelectboxColumn(c["key"], options=c["options"], help=c["help"])
            else:
                config[c["key"]] = st.column_config.TextColumn(c["key"], max_chars=c["max_chars"], help=c["help"],
                                                               disabled=not c["editable"],
                                                               pinned=c["key"] == assessments.COL_NAME or None,
                                                               width="large" if c["key"] == assessments.COL_PROBLEMS
                                                               else None)
        with st.form(f"assessment_table_form_{policy.id}_{year}"):
            edited = st.data_editor(frame, key=table_key, hide_index=True, num_rows="fixed", width="stretch",
                                    column_order=[k for k in keys if k != assessments.COL_ID
                                                  and (problems or k != assessments.COL_PROBLEMS)],
                                    disabled=[c["key"] for c in columns if not c["editable"]],
                                    column_config=config, placeholder="")
            submitted = st.form_submit_button("保存表格", type="primary")
        if submitted:
            table = [{k: (int(v) if k == assessments.COL_ID else _cell(v)) for k, v in row.items()}
                     for row in edited.to_dict("records")]
            try:
                with st.spinner("正在核对并保存……"):
                    outcome = assessments.save_table(ctx, user, year, table)
            except assessments.AssessmentTableError as error:
                st.session_state[problems_key] = error.problems
                st.rerun()
            except DomainError as error:
                show_error(error)
            else:
                st.session_state.pop(problems_key, None)
                st.session_state.pop(table_key, None)  # the table now shows the saved records
                done = []
                if outcome["saved"]:
                    done.append(f"新保存{outcome['saved']}人")
                if outcome["corrected"]:
                    done.append(f"更正{outcome['corrected']}人")
                message = ("已保存考核表格：" + "、".join(done)) if done else "表格没有改动，未写入任何记录"
                if done and outcome["unchanged"]:
                    message += f"；{outcome['unchanged']}人未填写或未改动"
                flash(md_escape(message + "。"))
                st.rerun()

with tab_one:
    names = {r["expert_id"]: f"{r['name']}（{r['status']}{'：' + r['conclusion'] if r['conclusion'] else ''}）" for r in due}
    expert_id = st.selectbox("专家", list(names), index=None, format_func=names.get, placeholder="选择专家",
                             key="assessment_expert")
    if expert_id is not None:
        pre = assessments.prefill(ctx, expert_id, year)
        services = pre["services"]
        st.markdown(f"**本考核周期服务情况**（{md_escape(period['period_text'])}）：{md_escape(pre['summary'])}")
        if services["tasks"]:
            dataframe(pd.DataFrame([{"服务起始日期": t["start"], "服务项目": t["matter"], "使用科室": t["department"],
                                        "天数": t["days"], "使用科室评价": t["rating"] or "未评价"}
                                       for t in services["tasks"]]), hide_index=True, width="stretch")
        if services["declines"]:
            st.caption("拒绝委派：" + "；".join(f"{md_escape(office_date(d['on']))} {md_escape(d['matter'])}（{md_escape(d['reason'])}，"
                                                f"{'正当理由' if d['justified'] else '无正当理由'}）"
                                                for d in services["declines"]))
        if services["trainings"]:
            st.caption("参加培训：" + "；".join(f"{md_escape(office_date(t['held_on']))} {md_escape(t['title'])}" for t in services["trainings"]))
        if opts["has_form"]:
            download("下载附件6（考核表）", lambda: assessments.fj6_form(ctx, expert_id, year)[1],
                     file_name=f"附件6_{pre['name']}_{year}年度.docx", key=f"assessment_fj6_{expert_id}_{year}",
                               mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
        k = f"{expert_id}_{year}"
        with st.form(f"assessment_form_{k}"):
            self_eval = None
            if opts["self_evaluation"]:
                st.markdown("**专家自评**")
                saved_self = pre["self_evaluation"]
                items = st.text_area(f"能体现服务质量的业绩（{md_escape(opts['self_items_min'])}–{md_escape(opts['self_items_max'])}项，每行一项）",
                                     "\n".join(saved_self.get("items") or []), key=f"assessment_self_items_{k}")
                comment = st.text_area("简要评述（服务态度、专业能力、依法依规、客观实际、廉洁自律、服务对象认可情况等）",
                                       saved_self.get("comment") or "", key=f"assessment_self_comment_{k}")
                own = {}
                for t in services["tasks"]:
                    key = str(t["assignment_id"])
                    scale = opts["service_self_ratings"]
                    current = (saved_self.get("service_ratings") or {}).get(key)
                    own[key] = st.selectbox(f"服务质量自我评价：{md_escape(office_date(t['start']))} {md_escape(t['matter'])}", scale,
                                            index=scale.index(current) if current in scale else None,
                                            placeholder="请选择", key=f"assessment_self_rating_{k}_{key}")
                self_eval = {"items": items, "comment": comment, "service_ratings": own}
            st.markdown(f"**{md_escape(opts['assessor'])}考核评估**")
            ratings, notes = {}, {}
            for i, item in enumerate(opts["items"]):
                left, right = st.columns([1, 2])
                scale = opts["item_ratings"]
                current = pre["item_ratings"].get(item)
                ratings[item] = left.selectbox(md_escape(item), scale, index=scale.index(current) if current in scale else None,
                                               placeholder="请评定", key=f"assessment_item_{k}_{i}")
                notes[item] = right.text_input("考核情况", pre["item_notes"].get(item, ""), key=f"assessment_note_{k}_{i}")
            keys = list(opts["conclusions"])
            conclusion = st.radio("考核结论", keys, format_func=lambda c: md_escape(opts["conclusions"].get(c)),
                                  index=keys.index(pre["conclusion"]) if pre["conclusion"] in keys else None,
                                  key=f"assessment_conclusion_{k}")
            reasons = list(opts["dismissal_reasons"])
            chosen = pre["dismissal_reason_number"] or opts["default_dismissal_reason"]
            reason = st.selectbox("建议解聘/清退时所依据的情形", reasons, index=reasons.index(chosen),
                                  format_func=opts["dismissal_reasons"].get, key=f"assessment_reason_{k}",
                                  help="仅当结论为建议解聘（清退）时使用：生成一条解聘建议，由办公室在“解聘清退”中决定是否立案。", placeholder="请选择")
            note = st.text_area("考核意见说明", pre["note"], key=f"assessment_opinion_{k}")
            if st.form_submit_button("保存考核", type="primary"):
                data = {"item_ratings": {i: r for i, r in ratings.items() if r}, "item_notes": notes,
                        "conclusion": conclusion, "dismissal_reason_number": reason, "note": note,
                        "self_evaluation": self_eval}
                perform(lambda: assessments.save(ctx, user, expert_id, year, data),
                        "已保存考核" + ("；已生成解聘建议，请到“解聘清退”处理" if conclusion in opts["dismissal_keys"] else ""))

with tab_results:
    found = assessments.results(ctx, year)
    if not found:
        st.caption("本年度尚无考核结果。")
    else:
        dataframe(pd.DataFrame([{"序号": r["line"]["index"], "姓名": r["line"]["name"], "工作单位": r["line"]["unit"],
                                    "接受委派": r["line"]["dispatch"], "参加培训": r["line"]["training"],
                                    "服务评价": r["line"]["evaluation"], "考核结论": r["line"]["conclusion"],
                                    "说明": r["line"]["note"]} for r in found]), hide_index=True, width="stretch")
        docx_mime = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        cols = st.columns(3)
        if opts["has_results_form"]:
            download("下载结果汇总表（Word）", lambda: assessments.results_form(ctx, year)[1], container=cols[0],
                     file_name=f"{opts['name']}结果_{year}年度.docx", mime=docx_mime,
                     key=f"assessment_results_docx_{year}")
        download("下载结果（Excel）", lambda: assessments.results_xlsx(ctx, year, user)[1], container=cols[1],
                 file_name=f"{opts['name']}结果_{year}年度.xlsx", key=f"assessment_results_xlsx_{year}",
                                mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    if opts["has_form"] and due:
        download("下载全部附件6（zip）", lambda: assessments.fj6_zip(ctx, year),
                 file_name=f"附件6_履职考核表_{year}年度.zip", mime="application/zip", key=f"assessment_fj6_zip_{year}")
