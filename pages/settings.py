"""系统设置 — the active policy profile, backups (list, create, restore), the audit log's integrity check, and
removal of the demo pool. Admins only. Every sweeping action (switching the profile, restoring a backup, deleting
past-retention applications, removing the demo pool) first shows exactly what it will change and runs only after
an explicit confirmation; what the admin saw is checked again when they confirm."""
import pandas as pd
import streamlit as st

from core.errors import DomainError
from core.dates import office_datetime
from pages._ui import dataframe, md_escape, current_user, flash, get_context, perform, show_error, show_flash
from services import admin, applications, demo_history, experts, forms_service, settings

ctx = get_context()
user = current_user()
st.title("系统设置")
show_flash()


def refused(error: DomainError) -> None:
    """A refusal whose text may name records (user text): shown as plain text, never as Markdown."""
    st.error("未执行，原因如下：")
    st.text(error.message)


def seen(key: str, value):
    """The value shown in the previous run (what the admin looked at when they clicked), then remember this one."""
    before = st.session_state.get(key)
    st.session_state[key] = value
    return before


# --- 当前政策 ----------------------------------------------------------------------------------------------------
st.subheader("当前政策")
choices = settings.policy_choices(ctx)
current = settings.active_policy_id(ctx)
chosen = st.selectbox("本单位执行的政策", list(choices), index=list(choices).index(current),
                      format_func=choices.get, key="settings_policy_id", placeholder="请选择")
st.caption("已有记录保留其建立时所依据的政策；切换后，新记录按新政策建立。")
if chosen != current:
    plan = settings.switch_plan(ctx, user, chosen)
    st.warning(f"将从“{md_escape(plan.current)}”切换到“{md_escape(plan.target)}”。切换后：")
    st.text(f"首页、专家库、抽取委派只显示“{plan.target}”下的专家：{plan.experts_shown} 名；"
            f"“{plan.current}”下的 {plan.experts_hidden} 名专家保留原样，但不再显示。")
    for line in plan.changes:
        st.text("· " + line)
    counts = {label: {"当前政策下（保留，不再显示）": n} for label, n in plan.kept}
    for label, n in plan.under_target:
        counts.setdefault(label, {})["新政策下（切换后显示）"] = n
    if counts:
        dataframe(pd.DataFrame([{"记录": label, "当前政策下（保留，不再显示）": c.get("当前政策下（保留，不再显示）", 0),
                                    "新政策下（切换后显示）": c.get("新政策下（切换后显示）", 0)}
                                   for label, c in counts.items()]), hide_index=True, width="stretch")
    sure = st.checkbox("我已了解上述变化，确认切换", key=f"settings_policy_sure_{chosen}")
    if st.button(f"切换到“{md_escape(plan.target)}”", key="settings_policy_switch", type="primary"):
        perform(lambda: settings.set_active_policy(ctx, user, chosen, confirmed=sure),
                f"已切换当前政策为“{md_escape(plan.target)}”")

# --- 登录会话 (issue 11 §5) -------------------------------------------------------------------------------------
st.subheader("登录会话")
idle_now = settings.session_idle_minutes(ctx)
idle = st.number_input("无操作自动退出（分钟）", min_value=5, max_value=480, step=5, value=idle_now,
                       key="settings_session_idle",
                       help="登录后超过这段时间没有任何操作，会话结束，需要重新登录。刷新页面不会退出登录。")
if st.button("保存会话设置", key="settings_session_save"):
    perform(lambda: settings.set_session_idle_minutes(ctx, user, idle),
            lambda minutes: f"无操作自动退出时间已设为 {int(minutes)} 分钟")

# --- 数据备份 ----------------------------------------------------------------------------------------------------
st.subheader("数据备份")
st.caption(f"数据目录：{md_escape(admin.data_dir(ctx))}。系统每天首次使用时自动备份一次，保留30天；恢复前会先自动备份当前数据。")
try:
    backups = admin.list_backups(ctx, user)
except DomainError as error:
    show_error(error)
    backups = []
if st.button("立即备份", key="settings_backup_now"):
    perform(lambda: admin.backup_now(ctx, user), lambda info: f"已备份：{md_escape(info.name)}")
if backups:
    dataframe(pd.DataFrame([{"备份": b.name, "时间": b.created, "原因": b.reason, "操作人": b.actor,
                                "大小(KB)": round(b.size_bytes / 1024, 1)} for b in backups]),
                 hide_index=True, width="stretch")
    # no backup chosen until the admin picks one: reading a backup's counts takes seconds at 3,000 experts, and the
    # page must not pay it on every view (issue 12 browser benchmark: 4.6 s)
    name = st.selectbox("选择要恢复的备份", [b.name for b in backups], key="settings_restore_name", index=None,
                        placeholder="请选择要恢复的备份")
    try:
        restore = admin.restore_plan(ctx, user, name) if name is not None else None
    except DomainError as error:
        show_error(error)
        restore = None
    if restore is not None:
        st.text(f"备份 {restore.name}：{office_datetime(restore.created)}，{restore.reason or '—'}，"
                f"操作人 {restore.actor or '—'}")
        dataframe(pd.DataFrame([{"数据": r.label, "备份中": "（无）" if r.in_backup is None else r.in_backup,
                                    "当前": r.now, "恢复后变化": "删除该类全部记录" if r.in_backup is None
                                    else (f"{r.in_backup - r.now:+d}" if r.in_backup != r.now else "不变")}
                                   for r in restore.rows]), hide_index=True, width="stretch")
        st.caption(f"恢复会用该备份替换当前全部数据（{len(restore.changed)} 类数据的条数会变化；条数不变的也回到备份时的内容）；"
                   "当前数据先自动备份；操作日志不回滚，恢复本身记入日志。")
        sure = st.checkbox(f"我确认用备份 {md_escape(restore.name)} 替换当前全部数据", key=f"settings_restore_sure_{restore.name}")
        if st.button("恢复此备份", key="settings_restore_go"):
            perform(lambda: admin.restore_backup(ctx, user, name, confirmed=sure),
                    lambda snapshot: f"已从备份 {md_escape(name)} 恢复（恢复前的数据已自动备份为 {md_escape(snapshot.name)}）")

# --- 表格模板检查 ------------------------------------------------------------------------------------------------
st.subheader("表格模板检查")
st.caption("模板可由办公室在 Word 中修改后放回 templates_docx/；此处核对每个模板所需字段与系统提供的字段是否一致。")
policy = settings.active_policy(ctx)
report = forms_service.template_report(policy, ctx.today(), documents=True)
dataframe(pd.DataFrame([{"表格": f"{r.annex} {r.title}", "模板文件": r.template,
                            "状态": "正常" if r.ok else "有问题",
                            "问题": "；".join(r.problems)} for r in report]), hide_index=True, width="stretch")

# --- 申报资料保存期 ----------------------------------------------------------------------------------------------
st.subheader("申报资料保存期")
expired = applications.past_retention(ctx)
expired_ids = sorted(a["id"] for a in expired)
shown_ids = seen("settings_purge_seen", expired_ids)
st.caption(f"已提交的申报和审核资料须保存不少于{md_escape(policy.lifecycle.record_retention_years)}年；"
           f"目前已过保存期的有 {len(expired)} 份。")
if expired:
    names = {a["id"]: e["name"] for e, a in applications.with_experts(ctx, expired)}
    dataframe(pd.DataFrame([{"申报资料": f"#{a['id']}", "专家": names.get(a["id"], f"（专家记录已删除 #{a.get('expert_id')}）"),
                                "建档日期": str(a.get("created_at", ""))[:10], "状态": a.get("status", ""),
                                "政策": settings.profile_label(ctx, a.get("policy_id"))} for a in expired]),
                 hide_index=True, width="stretch")
    sure = st.checkbox(f"我已了解将永久删除以上 {len(expired)} 份申报资料", key=f"settings_purge_sure_{len(expired)}")
    if st.button(f"删除以上 {len(expired)} 份申报资料", key="settings_purge_apps"):
        perform(lambda: applications.purge_past_retention(ctx, user, confirmed=sure, expected_ids=shown_ids),
                lambda count: f"已删除 {md_escape(count)} 份过期申报资料")

# --- 操作日志 ----------------------------------------------------------------------------------------------------
st.subheader("操作日志完整性")
if st.button("校验操作日志", key="settings_verify_audit"):
    check = admin.verify_audit(ctx, user)
    (st.success if check.ok else st.error)(check.message)

# --- 演示数据 ----------------------------------------------------------------------------------------------------
st.subheader("演示数据")
if experts.has_demo(ctx):
    plan = demo_history.removal_plan(ctx, user)
    shown = seen("settings_demo_seen", plan.fingerprint)
    dataframe(pd.DataFrame([{"将删除的记录": label, "条数": n} for _, label, n in plan.counts()]),
                 hide_index=True, width="stretch")
    if plan.subject_only:
        st.caption("其中 " + "、".join(f"{md_escape(demo_history.KIND_LABELS.get(c, c))} {md_escape(n)} 条" for c, n in plan.subject_only.items())
                   + " 不是演示数据生成的，但只涉及演示专家（虚构人员），随演示专家一并删除。")
    if not plan.ok:
        st.error(f"不能删除演示数据：有 {len(plan.blockers)} 条真实（非演示）记录用到了演示专家，删除后这些记录将指向不存在的专家。"
                 "请先处理这些记录（如更正参训人员），或保留演示数据。")
        dataframe(pd.DataFrame([{"记录": f"{demo_history.KIND_LABELS.get(b.collection, b.collection)} #{b.record_id}",
                                    "说明": b.text} for b in plan.blockers]), hide_index=True, width="stretch")
    else:
        st.caption(f"共 {md_escape(plan.total)} 条记录将被删除（删除前自动备份，每条删除记入操作日志）。")
        sure = st.checkbox("我已了解将删除以上记录", key=f"settings_demo_sure_{plan.fingerprint}")
        if st.button("删除以上演示数据", key="settings_remove_demo", type="primary"):
            try:
                removed = demo_history.remove_demo(ctx, user, confirmed=sure, fingerprint=shown)
            except DomainError as error:
                refused(error)
            else:
                flash(f"已删除 {sum(removed.values())} 条演示数据（其中演示专家 {md_escape(removed.get('experts', 0))} 名）")
                st.rerun()
else:
    st.caption("当前没有演示数据。")
