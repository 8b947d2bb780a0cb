"""Issue 11 §9 on the page: 批量导入 refuses a crafted .xlsx with the guard's Chinese message and saves nothing."""
from __future__ import annotations

from services import experts
from services.context import build_context
from tests import issue11_crafted_xlsx as crafted
from tests.app.conftest import click, logged_in, texts

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_issue11_d9_x_i1_the_import_page_refuses_ten_million_shared_strings_in_chinese(app_ctx, data_dir):
    at = logged_in(page="pages/import_experts.py")
    at.get("file_uploader")[0].set_value(("roster.xlsx", crafted.shared_strings(10_000_000), XLSX))
    click(at, "检查并导入")
    assert not at.exception, at.exception
    shown = texts(at).replace("\\", "")  # messages may be Markdown-escaped
    assert "文件过大或结构异常" in shown and "sharedStrings" in shown, shown
    assert experts.active_experts(build_context(data_dir)) == []
