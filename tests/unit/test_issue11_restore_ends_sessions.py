"""Issue 11 §5/§8 — a restore ends every login session: the restored sessions file may hold a session that was
ended (logout, password change, disabled account) after the backup was taken, and it must not open again."""
from __future__ import annotations

from core import sessions as rules
from core import vocab
from services import admin, sessions, users
from tests.conftest import ADMIN

PASSWORD = "abc12345"


def test_issue11_a_session_ended_after_the_backup_does_not_revive_when_the_backup_is_restored(disk_ctx):
    users.create_first_admin(disk_ctx, username="admin", display_name="管理员甲", password=PASSWORD,
                             confirm=PASSWORD, policy_id="jincheng-2026")
    users.create_user(disk_ctx, ADMIN, username="dept1", display_name="科室甲", role=vocab.ROLE_DEPARTMENT,
                      department="危险化学品安全监督管理科", password=PASSWORD, confirm=PASSWORD)
    started = sessions.start(disk_ctx, users.login(disk_ctx, "dept1", PASSWORD))
    token = sessions.redeem(disk_ctx, started.handoff)
    taken = admin.backup_now(disk_ctx, ADMIN)  # the backup holds the session while it is live
    sessions.end(disk_ctx, started.session_id, "dept1")  # 退出 after the backup
    assert sessions.resume(disk_ctx, token) is None

    admin.restore_backup(disk_ctx, ADMIN, taken.name, confirmed=True)

    assert sessions.resume(disk_ctx, token) is None  # the restored, still-open copy was ended by the restore
    checked = sessions.current(disk_ctx, started.session_id)
    assert checked.user is None and checked.ended == rules.END_RESTORED
    assert "恢复备份" in sessions.ended_message(checked.ended)
    assert sessions.live_sessions(disk_ctx, "dept1") == 0
    ended = [e for e in disk_ctx.store.audit.entries(collection="sessions") if e["action"] == "结束会话（恢复备份）"]
    assert ended and all(e["actor"] == ADMIN.username for e in ended)
