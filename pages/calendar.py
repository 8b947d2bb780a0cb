"""节假日安排 — 管理员按国务院办公厅《关于XXXX年部分节假日安排的通知》录入 chinesecalendar 尚未收录的年份的放假日期和
调休上班日（issue 13 “The official calendar”；JC-V1 第十七条“3个工作日内”按国家法定节假日和调休安排计算）。

库收录的年份以库为准；录入的年份用于评价期限等一切按工作日计算的期限；两者都没有的年份按周一至周五计算并提醒。
每次录入、更正（须写原因，保留更正前的内容）和删除都记入操作日志（X-L1）。用户填写的文字只以表格或纯文本显示。
"""
from datetime import date

import pandas as pd
import streamlit as st

from core.errors import DomainError
from pages._ui import current_user, flash, get_context, md_escape, show_error, show_flash
from services import calendar

ctx = get_context()
user = current_user()
st.title("节假日安排")
show_flash()

try:
    years = calendar.list_years(ctx, user)
except DomainError as error:
    show_error(error)
    st.stop()

rules = calendar.rules(ctx)
st.caption("按工作日计算的期限（如晋城第十七条“3个工作日内”报送评价）按国家法定节假日和调休安排计算。"
           f"当前数据：{md_escape(rules.source_text())}。库已收录的年份以库为准；库未收录的年份，请在国务院办公厅公布"
           "当年的《部分节假日安排的通知》后按通知录入；两者都没有的年份按周一至周五计算。")
if (notice := calendar.missing_next_year_notice(ctx, user)) is not None:
    st.warning(md_escape(notice), icon=":material/event_busy:")

st.subheader("已有的年份")


def _count(value) -> str:
    return "" if value is None else str(value)


st.dataframe(pd.DataFrame([{"年份": r["years"], "来源": r["source"], "通知": r["notice"], "文号": r["document_number"],
                            "放假日期（天）": _count(r["holidays"]), "调休上班（天）": _count(r["makeup_days"]),
                            "录入日期": r["entered_on"], "录入人": r["entered_by"],
                            "更正次数": _count(r["corrections"])} for r in years]), hide_index=True, width="stretch")

st.subheader("录入或更正一年的安排")
_first, last = calendar.known_years()
entered = {r["year"] for r in years if r["year"] is not None}
default_year = next((y for y in range(max(last + 1, ctx.today().year), calendar.LAST_YEAR + 1) if y not in entered),
                    calendar.LAST_YEAR)
year = int(st.number_input("年份", min_value=calendar.FIRST_YEAR, max_value=calendar.LAST_YEAR, value=default_year,
                           step=1, key="calendar_year"))
if calendar.is_year_known(year):
    st.info(f"{year}年的安排已由程序随附的国务院节假日安排数据收录，以其为准，无需录入。")
    st.stop()

record = calendar.year_record(ctx, year)
st.text("按通知逐日填写：放假日期只填本来上班的周一至周五（周末本来就休息），调休上班日填需要上班的周六、周日；"
        "每个日期写明所属节日（如“春节”）。只录入官方通知给出的日期。")


def _table(rows: list[dict] | None) -> pd.DataFrame:
    return pd.DataFrame({"日期": pd.Series([date.fromisoformat(r["date"]) for r in rows or []], dtype="object"),
                         "节日名称": pd.Series([r["name"] for r in rows or []], dtype="object")})


def _columns() -> dict:
    return {"日期": st.column_config.DateColumn("日期", format="YYYY-MM-DD", min_value=date(year, 1, 1),
                                                max_value=date(year, 12, 31)),
            "节日名称": st.column_config.TextColumn("节日名称", max_chars=calendar.NAME_MAX)}


def _rows(frame: pd.DataFrame) -> list[tuple]:
    return [(row["日期"], row["节日名称"]) for _, row in frame.iterrows()]


with st.form(f"calendar_form_{year}"):
    st.markdown("**放假日期**")
    holidays = st.data_editor(_table(record and record.get("holidays")), num_rows="dynamic", hide_index=True,
                              column_config=_columns(), key=f"calendar_holidays_{year}", width="stretch")
    st.markdown("**调休上班日**")
    makeup = st.data_editor(_table(record and record.get("makeup_days")), num_rows="dynamic", hide_index=True,
                            column_config=_columns(), key=f"calendar_makeup_{year}", width="stretch")
    c1, c2 = st.columns(2)
    notice_title = c1.text_input("通知标题", value=(record or {}).get("notice", ""), max_chars=calendar.NOTICE_MAX,
                                 key=f"calendar_notice_{year}",
                                 placeholder=f"国务院办公厅关于{year}年部分节假日安排的通知")
    document_number = c2.text_input("文号（可不填）", value=(record or {}).get("document_number", ""),
                                    max_chars=calendar.DOCUMENT_NUMBER_MAX, key=f"calendar_docno_{year}")
    reason = st.text_input("更正原因", max_chars=calendar.REASON_MAX, key=f"calendar_reason_{year}") \
        if record is not None else ""
    save = st.form_submit_button("保存更正" if record is not None else "保存", type="primary")
if save:
    try:
        saved = calendar.save_year(ctx, user, year, holidays=_rows(holidays), makeup_days=_rows(makeup),
                                   notice=notice_title, document_number=document_number, reason=reason)
    except DomainError as error:
        show_error(error)
    else:
        if record is not None and saved == record:
            st.info(f"{year}年的安排没有变化，未保存。")
        else:
            flash(f"已保存{year}年节假日安排")
            st.rerun()

if record is not None:
    history = record.get("history") or []
    if history:
        with st.expander(f"{year}年安排的更正记录（{len(history)} 次）"):
            st.dataframe(pd.DataFrame([{"更正日期": h.get("replaced_on", ""), "更正人": h.get("replaced_by", ""),
                                        "原因": h.get("reason", ""), "原通知": h.get("notice", ""),
                                        "原放假日期": "、".join(f"{d['date']} {d['name']}" for d in h.get("holidays") or []),
                                        "原调休上班日": "、".join(f"{d['date']} {d['name']}"
                                                           for d in h.get("makeup_days") or [])}
                                       for h in reversed(history)]), hide_index=True, width="stretch")
    with st.expander(f"删除{year}年的录入"):
        st.text("仅用于误录了年份等情况；删除后该年按周一至周五计算。")
        with st.form(f"calendar_delete_{year}"):
            delete_reason = st.text_input("删除原因", max_chars=calendar.REASON_MAX, key=f"calendar_delete_reason_{year}")
            delete = st.form_submit_button("删除")
        if delete:
            try:
                calendar.delete_year(ctx, user, year, delete_reason)
            except DomainError as error:
                show_error(error)
            else:
                flash(f"已删除{year}年节假日安排")
                st.rerun()
