"""批量导入 — import an existing roster from Excel: a blank template to download, then an upload that is validated
row by row and saved whole or not at all, with every bad row and why."""
import pandas as pd
import streamlit as st

from core.errors import DomainError
from pages._ui import dataframe, md_escape, current_user, download, get_context, show_error
from services import experts, settings

ctx = get_context()
user = current_user()
policy = settings.active_policy(ctx)
st.title("批量导入专家")
st.markdown(
    "1. 下载空白模板，按“填写说明”工作表填写（身份证号、电话请保持为**文本**格式）；\n"
    "2. 上传填好的文件。系统逐行检查：**全部正确才会保存**，有任何错误则一条也不保存，并列出每一处错误；\n"
    "3. 导入的专家均为“申请中”，状态、聘期、聘书编号和聘任文件列请留空。已经聘任的在库专家请在“专家录入”中"
    "逐人办理**存量专家登记**（聘任文号、日期和资格审查）。")
download("下载导入模板（Excel）", lambda: experts.import_template(ctx), key=f"import_template_{policy.id}",
         file_name=f"专家导入模板_{policy.id}.xlsx",
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

with st.form("import_form", clear_on_submit=True):
    upload = st.file_uploader("选择Excel文件（.xlsx）", type=["xlsx"], key="import_file")
    submitted = st.form_submit_button("检查并导入", type="primary")

if submitted:
    if upload is None:
        st.error("请先选择要导入的Excel文件")
    else:
        try:
            outcome = experts.import_xlsx(ctx, user, upload.getvalue())
        except DomainError as error:
            show_error(error)
        else:
            if outcome.errors:
                st.error(f"发现 {len(outcome.errors)} 处错误，本次未导入任何记录。请修改后重新上传。")
                dataframe(pd.DataFrame([{"行号": e.row_number or "—", "字段": e.field_label, "问题": e.message}
                                           for e in outcome.errors]), hide_index=True, width="stretch")
            else:
                st.success(f"已导入 {md_escape(outcome.saved)} 名专家")
