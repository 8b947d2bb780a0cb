"""Issue 11 §7 in AppTest: with a full disk app.py starts, a user logs in, pages read, a write is refused with the
store's message, and the admin sees the banner (today's backup not made, 0 bytes free)."""
from __future__ import annotations

from pathlib import Path

import pytest

from services.unrecorded_logins import UNRECORDED
from tests.app.conftest import click, make_app, rerun_app, texts
from tests.issue11_full_disk import full_disk, snapshot

ROOT = Path(__file__).resolve().parents[2]
READ_PAGES = sorted(f"pages/{p.name}" for p in (ROOT / "pages").glob("*.py")
                    if not p.name.startswith("_") and p.stem not in ("login", "setup", "users"))


@pytest.fixture(autouse=True)
def _fresh_memory_lockout():
    UNRECORDED.clear()
    yield
    UNRECORDED.clear()


def test_issue11_d7_the_app_starts_logs_in_reads_and_refuses_writes_with_a_full_disk(app_ctx, data_dir):
    before = snapshot(data_dir)
    with full_disk(data_dir):
        at = make_app().run()  # start-up: the daily backup fails, the app does not stop
        assert not at.exception, at.exception
        assert "备份失败" not in texts(at)
        at.text_input(key="login_username").input("admin")
        at.text_input(key="login_password").input("abc12345")
        at.button[0].click().run()
        assert not at.exception, at.exception
        assert at.session_state["user"].username == "admin"
        rerun_app(at)
        assert not at.exception, at.exception
        banner = [str(w.value) for w in at.warning if "今日自动备份未完成" in str(w.value)]
        assert banner, texts(at)
        assert "磁盘空间不足" in banner[0] and "剩余 0 字节" in banner[0] and "请尽快清理磁盘" in banner[0]
        for page in [*READ_PAGES, "pages/users.py"]:  # every screen an admin has only reads when opened
            at.switch_page(page)
            at.run()
            assert not at.exception, (page, at.exception)
            assert not at.error, (page, [e.value for e in at.error])
        at.text_input(key="users_new_username").input("newuser")
        at.text_input(key="users_new_display_name").input("新用户")
        at.text_input(key="users_new_password").input("abc12345")
        at.text_input(key="users_new_confirm").input("abc12345")
        click(at, "创建用户")
        assert not at.exception, at.exception
        assert "保存失败：服务器磁盘空间不足，数据未改变。" in texts(at)
    assert snapshot(data_dir) == before  # not a byte changed: no last_login, no audit line, no half backup
