"""AppTest: every download is built on a click of 生成… and then offered as plain bytes by a button that does not
rerun the script, or a Chinese message says why it could not be built (issue 10 §6: deferred downloads failed
silently about one click in four, 'MediaFileStorageError: Deferred file … not found')."""
from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.app.conftest import ROOT_PATH, build_download, click, offered_downloads, shown

SCRIPT = f'''
import sys
sys.path.insert(0, {str(ROOT_PATH)!r})
from core.errors import DomainError
from pages._ui import download

def fine():
    return b"PK-form"

def refused():
    raise DomainError("专家记录 #105 已删除")

def broken():
    raise TypeError("unsupported operand")

download("下载附件7", fine, file_name="附件7.docx", mime="application/octet-stream", key="dl_ok_1")
download("下载抽取记录单", refused, file_name="记录.docx", mime="application/octet-stream", key="dl_refused_1")
download("导出名单（Excel）", broken, file_name="名单.xlsx", mime="application/octet-stream", key="dl_broken_1")
'''


def app() -> AppTest:
    at = AppTest.from_string(SCRIPT, default_timeout=30)
    at.run()
    return at


def test_nothing_is_built_until_asked_and_every_download_offers_its_builder():
    at = app()
    assert not at.exception
    assert offered_downloads(at) == ["生成附件7", "生成抽取记录单", "生成：导出名单（Excel）"]
    assert not at.get("download_button")


def test_a_built_file_is_offered_by_a_button_that_does_not_rerun_the_script():
    at = app()
    button = build_download(at, "下载附件7")
    assert button.proto.ignore_rerun  # the click does not rerun, so nothing revokes the file it fetches


def test_a_domain_refusal_is_shown_in_chinese_and_offers_no_file():
    at = click(app(), "生成抽取记录单")
    assert not at.exception
    assert [shown(e.value) for e in at.error] == ["未能生成“抽取记录单”：专家记录 #105 已删除"]
    assert not at.get("download_button")


def test_a_defect_while_building_is_a_chinese_message_never_a_traceback():
    at = click(app(), "生成：导出名单（Excel）")
    assert not at.exception
    assert len(at.error) == 1 and "系统内部错误" in at.error[0].value and "TypeError" not in at.error[0].value
    assert not at.get("download_button")
