"""Issue 11 §7 — a full disk must not stop the office.

The disk is made full by `full_disk(data_dir)`: every write into the data folder fails with ENOSPC (os.write on a
file under it, and open() for writing there), as on a real disk with 0 bytes free; reads work. With it: the app
starts (the daily backup fails, is reported to the admin and is not marked done), users log in and read, every
write is refused with the store's own message and leaves every file byte-identical, and the lockout still holds
while the failure count cannot be written.
"""
from __future__ import annotations

import shutil
import threading
from datetime import timedelta

import pytest

from core import auth, vocab
from core.errors import AuthError, StoreError
from services import admin, users
from services.context import build_context
from services.unrecorded_logins import UNRECORDED
from tests.conftest import ADMIN, FIXED_NOW, OFFICE
from tests.issue11_full_disk import _Usage, full_disk, snapshot

@pytest.fixture(autouse=True)
def _fresh_memory_lockout():
    UNRECORDED.clear()
    yield
    UNRECORDED.clear()


@pytest.fixture
def office_dir(tmp_path, clock, monkeypatch):
    """A data folder with an admin and an office user, yesterday's backup and plenty of free space."""
    monkeypatch.setattr(admin.shutil, "disk_usage", lambda path: _Usage(10 ** 11, 10 ** 10, 9 * 10 ** 10))
    folder = tmp_path / "data"
    ctx = build_context(folder, clock=clock)
    users.create_first_admin(ctx, username="admin", display_name="管理员甲", password="abc12345",
                             confirm="abc12345", policy_id="jincheng-2026")
    users.create_user(ctx, ADMIN, username="office", display_name="办公室乙", role=vocab.ROLE_OFFICE,
                      password="abc12345", confirm="abc12345")
    ctx.store.backups.daily(today=(FIXED_NOW - timedelta(days=1)).date())
    return folder


def test_issue11_d7_start_up_with_a_full_disk_does_not_stop_and_the_failed_backup_is_retried(office_dir, clock,
                                                                                                monkeypatch):
    before = snapshot(office_dir)
    with full_disk(office_dir):
        monkeypatch.setattr(admin.shutil, "disk_usage", shutil.disk_usage)  # the full disk's 0 bytes free
        ctx = build_context(office_dir, clock=clock)
        result = admin.housekeeping(ctx)  # what get_context runs at start: must not raise
        assert result["backup"] is None
        assert "磁盘空间不足" in ctx.maintenance_problems["backup"]
        banner = admin.disk_warning(ctx, ADMIN)
        assert banner.startswith("磁盘空间不足：今日自动备份未完成")
        assert "剩余 0 字节" in banner and "请尽快清理磁盘" in banner
        assert admin.disk_warning(ctx, OFFICE) is None  # the banner is the admin's
        assert not [b for b in ctx.store.backups.list() if b.name.startswith(FIXED_NOW.strftime("%Y%m%d"))]
    assert snapshot(office_dir) == before  # nothing written, no half backup left
    monkeypatch.setattr(admin.shutil, "disk_usage", lambda path: _Usage(10 ** 11, 10 ** 10, 9 * 10 ** 10))
    result = admin.housekeeping(ctx)  # the next start or login: the day's backup is made, the banner goes
    assert result["backup"] and result["backup"].startswith(FIXED_NOW.strftime("%Y%m%d"))
    assert ctx.maintenance_problems == {}
    assert admin.disk_warning(ctx, ADMIN) is None


def test_issue11_d7_low_free_space_warns_the_admin_even_after_todays_backup(office_dir, clock, monkeypatch):
    ctx = build_context(office_dir, clock=clock)
    admin.housekeeping(ctx)
    monkeypatch.setattr(admin.shutil, "disk_usage", lambda path: _Usage(10 ** 11, 10 ** 11, 50 * 1024 ** 2))
    banner = admin.disk_warning(ctx, ADMIN)
    assert banner.startswith("磁盘空间不足：") and "剩余 50.0 MB" in banner


def test_issue11_d7_login_with_a_full_disk_logs_in_and_reads_and_every_write_is_refused(office_dir, clock):
    ctx = build_context(office_dir, clock=clock)
    before = snapshot(office_dir)
    with full_disk(office_dir):
        user = users.login(ctx, "office", "abc12345")
        assert user.role == vocab.ROLE_OFFICE
        assert users.session_user(ctx, user) == user
        assert {r["用户名"] for r in users.list_users(ctx, ADMIN)} == {"admin", "office"}  # reading works
        with pytest.raises(StoreError) as refused:
            users.create_user(ctx, ADMIN, username="third", display_name="丙", role=vocab.ROLE_LEADER,
                              password="abc12345", confirm="abc12345")
        assert refused.value.message == "保存失败：服务器磁盘空间不足，数据未改变。请联系系统管理员处理后重试。"
        with pytest.raises(StoreError, match="磁盘空间不足"):
            users.reset_password(ctx, ADMIN, "office", "new12345", "new12345")
    assert snapshot(office_dir) == before  # last_login, the audit line, nothing half-written
    assert users.login(ctx, "office", "abc12345").username == "office"  # and once there is space again
    assert users._find(ctx, "office")["last_login"]


def test_issue11_d7_lockout_holds_while_the_failure_count_cannot_be_written(office_dir, clock, monkeypatch):
    """At most five wrong passwords are checked with a full disk, even from 8 parallel sessions; the right password
    after that is refused, and the lock is written into the record as soon as the disk has space again."""
    ctx = build_context(office_dir, clock=clock)
    checked = []
    real_verify = users.verify_password

    def counting_verify(password, stored):
        checked.append(password)
        return real_verify(password, stored)

    monkeypatch.setattr(users, "verify_password", counting_verify)
    outcomes: list[str] = []
    with full_disk(office_dir):
        def guesser(n):
            for i in range(5):
                try:
                    users.login(ctx, "office", f"wrong-{n}-{i}")
                except AuthError as e:
                    outcomes.append(e.message)

        threads = [threading.Thread(target=guesser, args=(n,)) for n in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        guesses = [p for p in checked if p.startswith("wrong-")]
        assert len(guesses) <= auth.MAX_FAILED_ATTEMPTS
        assert len(guesses) == auth.MAX_FAILED_ATTEMPTS  # the five were checked, the other 35 refused unchecked
        assert any("已锁定" in m for m in outcomes)
        with pytest.raises(AuthError, match="锁定"):
            users.login(ctx, "office", "abc12345")
    with pytest.raises(AuthError, match="锁定"):  # space again: the lock is not forgotten …
        users.login(ctx, "office", "abc12345")
    assert auth.locked_until(users._find(ctx, "office"), FIXED_NOW)  # … it is in the user record now
    clock.now = FIXED_NOW + timedelta(minutes=auth.LOCK_MINUTES + 1)
    assert users.login(ctx, "office", "abc12345").username == "office"


def test_issue11_d7_a_failure_counted_in_memory_is_carried_into_the_record_when_space_returns(office_dir, clock):
    ctx = build_context(office_dir, clock=clock)
    with full_disk(office_dir):
        for _ in range(3):
            with pytest.raises(AuthError, match="用户名或密码错误"):
                users.login(ctx, "office", "wrong-pass")
    with pytest.raises(AuthError, match="用户名或密码错误"):
        users.login(ctx, "office", "wrong-pass")
    assert users._find(ctx, "office")["failed_count"] == 4  # 3 counted in memory + 1 written
    with pytest.raises(AuthError, match="锁定"):
        users.login(ctx, "office", "wrong-pass")  # the fifth locks, as without a full disk


def test_issue11_d7_a_result_write_failing_after_the_slot_still_logs_in_or_counts(office_dir, clock, monkeypatch):
    """The disk fills between the slot write and the result write."""
    ctx = build_context(office_dir, clock=clock)
    repo_cls = type(users._repo(ctx))
    real_update = repo_cls.update

    def update(self, id, changes, *, actor, action, unique=()):
        if action in ("登录", "登录失败"):
            raise StoreError("保存失败：服务器磁盘空间不足，数据未改变。请联系系统管理员处理后重试。")
        return real_update(self, id, changes, actor=actor, action=action, unique=unique)

    monkeypatch.setattr(repo_cls, "update", update)
    checked = []
    real_verify = users.verify_password
    monkeypatch.setattr(users, "verify_password", lambda p, h: checked.append(p) or real_verify(p, h))
    assert users.login(ctx, "office", "abc12345").username == "office"  # last_login not written, still logged in
    messages = []
    for _ in range(8):
        with pytest.raises(AuthError) as refused:
            users.login(ctx, "office", "wrong-pass")
        messages.append(refused.value.message)
    assert 1 <= checked.count("wrong-pass") <= auth.MAX_FAILED_ATTEMPTS
    assert messages[0] == "用户名或密码错误"
    with pytest.raises(AuthError):
        users.login(ctx, "office", "abc12345")  # after the limit even the right password is refused


def test_issue11_d7_a_backup_failing_for_another_reason_is_reported_without_blaming_the_disk(office_dir, clock,
                                                                                              monkeypatch):
    ctx = build_context(office_dir, clock=clock)

    def refused(*args, **kwargs):
        raise StoreError("备份失败：没有写入数据文件夹的权限，当前数据未受影响。请联系系统管理员处理后重试。")

    monkeypatch.setattr(type(ctx.store.backups), "daily", refused)
    admin.housekeeping(ctx)
    banner = admin.disk_warning(ctx, ADMIN)
    assert banner.startswith("今日自动备份未完成（备份失败：没有写入数据文件夹的权限") and "磁盘空间不足" not in banner
