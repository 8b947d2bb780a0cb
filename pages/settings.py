"""系统设置 — the active policy profile, backups (list, create, restore), the audit log's integrity check, and
removal of the demo pool. Admins only."""
import pandas as pd
import streamlit as st

from core.errors import DomainError
from pages._ui import current_user, get_context, perform, show_error, show_flash
from services import admin, applications, experts, forms_service, settings

ctx = get_context()
user = current_user()
st.title("系统设置")
show_flash()

st.subheader("当前政策")
choices = settings.policy_choices(ctx)
current = settings.active_policy_id(ctx)
with st.form("settings_policy"):
    chosen = st.selectbox("本单位执行的政策", list(choices), index=list(choices).index(current),
                          format_func=choices.get, key="settings_policy_id")
    st.caption("已有记录保留其建立时所依据的政策；切换后，新记录按新政策建立。")
    if st.form_submit_button("保存"):
        perform(lambda: settings.set_active_policy(ctx, user, chosen), "已切换当前政策")

st.subheader("数据备份")
st.caption(f"数据目录：{admin.data_dir(ctx)}。系统每天首次使用时自动备份一次，保留30天；恢复前会先自动备份当前数据。")
try:
    backups = admin.list_backups(ctx, user)
except DomainError as error:
    show_error(error)
    backups = []
c1, c2 = st.columns(2)
if c1.button("立即备份", key="settings_backup_now"):
    perform(lambda: admin.backup_now(ctx, user), lambda info: f"已备份：{info.name}")
if backups:
    st.dataframe(pd.DataFrame([{"备份": b.name, "时间": b.created, "大小(KB)": round(b.size_bytes / 1024, 1)}
                               for b in backups]), hide_index=True, width="stretch")
    with st.form("settings_restore"):
        name = st.selectbox("选择要恢复的备份", [b.name for b in backups], key="settings_restore_name")
        sure = st.checkbox("我确认用该备份替换当前全部数据（当前数据会先自动备份）", key="settings_restore_sure")
        if st.form_submit_button("恢复"):
            try:
                admin.restore_backup(ctx, user, name, confirmed=sure)
            except DomainError as error:
                show_error(error)
            else:
                st.success(f"已从备份 {name} 恢复")

st.subheader("表格模板检查")
st.caption("模板可由办公室在 Word 中修改后放回 templates_docx/；此处核对每个模板所需字段与系统提供的字段是否一致。")
policy = settings.active_policy(ctx)
report = forms_service.template_report(policy, ctx.today(), documents=True)
st.dataframe(pd.DataFrame([{"表格": f"{r.annex} {r.title}", "模板文件": r.template,
                            "状态": "正常" if r.ok else "有问题",
                            "问题": "；".join(r.problems)} for r in report]), hide_index=True, width="stretch")

st.subheader("申报资料保存期")
expired = applications.past_retention(ctx)
st.caption(f"已提交的申报和审核资料须保存不少于{policy.lifecycle.record_retention_years}年；"
           f"目前已过保存期的有 {len(expired)} 份。")
if expired and st.button(f"删除已过保存期的 {len(expired)} 份申报资料", key="settings_purge_apps"):
    perform(lambda: applications.purge_past_retention(ctx, user), lambda count: f"已删除 {count} 份过期申报资料")

st.subheader("操作日志完整性")
if st.button("校验操作日志", key="settings_verify_audit"):
    check = admin.verify_audit(ctx, user)
    (st.success if check.ok else st.error)(check.message)

st.subheader("演示数据")
if experts.has_demo(ctx):
    if st.button("删除全部演示数据", key="settings_remove_demo", type="primary"):
        try:
            count = experts.remove_demo(ctx, user)
        except DomainError as error:
            show_error(error)
        else:
            st.success(f"已删除 {count} 条演示数据")
else:
    st.caption("当前没有演示数据。")
