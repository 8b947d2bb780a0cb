"""Issue 11 §5 — server-side login sessions (会话): only hashes are stored, a hand-off works once and briefly, and a
session ends on logout, idle expiry (set in 系统设置), password change or reset and disabling the account."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest

from core import sessions as rules
from core import vocab
from core.errors import PermissionDenied, ValidationError
from services import sessions, settings, users
from tests.conftest import ADMIN

PASSWORD = "abc12345"


@pytest.fixture
def people(ctx):
    users.create_first_admin(ctx, username="admin", display_name="管理员甲", password=PASSWORD, confirm=PASSWORD,
                             policy_id="jincheng-2026")
    users.create_user(ctx, ADMIN, username="dept1", display_name="科室甲", role=vocab.ROLE_DEPARTMENT,
                      department="危险化学品安全监督管理科", password=PASSWORD, confirm=PASSWORD)
    return ctx


def signed_in(ctx, username="dept1"):
    """A login as the page does it: password, session, hand-off redeemed by the browser → (session id, token)."""
    user = users.login(ctx, username, PASSWORD)
    started = sessions.start(ctx, user)
    token = sessions.redeem(ctx, started.handoff)
    assert token
    return started.session_id, token


def test_issue11_s5_a_cookie_token_restores_the_user_after_a_reload(people):
    session_id, token = signed_in(people)
    resumed = sessions.resume(people, token)
    assert resumed.session_id == session_id and resumed.user.username == "dept1"
    assert resumed.user.department == "危险化学品安全监督管理科"  # role and department from the user record


def test_issue11_s5_only_hashes_of_the_tokens_are_stored_and_the_audit_log_holds_neither(people):
    user = users.login(people, "dept1", PASSWORD)
    started = sessions.start(people, user)
    token = sessions.redeem(people, started.handoff)
    stored = json.dumps(people.store.collection("sessions").all())
    logged = json.dumps(people.store.audit.entries(), ensure_ascii=False)
    for secret in (started.handoff, token):
        assert secret not in stored and secret not in logged
    assert rules.hash_token(token) in stored
    assert rules.hash_token(token) not in logged and rules.hash_token(started.handoff) not in logged
    actions = [e["action"] for e in people.store.audit.entries(collection="sessions")]
    assert actions[:2] == ["登录：建立会话", "登录：会话写入浏览器"]


def test_issue11_s5_a_handoff_works_once(people):
    started = sessions.start(people, users.login(people, "dept1", PASSWORD))
    assert sessions.redeem(people, started.handoff)
    assert sessions.redeem(people, started.handoff) is None


def test_issue11_s5_a_handoff_expires_within_a_minute(people, clock):
    started = sessions.start(people, users.login(people, "dept1", PASSWORD))
    clock.now += timedelta(seconds=rules.HANDOFF_SECONDS + 1)
    assert sessions.redeem(people, started.handoff) is None


def test_issue11_s5_unknown_or_malformed_tokens_restore_nothing(people):
    signed_in(people)
    for token in (None, "", "x", "A" * 43, "A" * 5000, "../../etc/passwd"):
        assert sessions.resume(people, token) is None
        assert sessions.redeem(people, token or "") is None


def test_issue11_s5_a_session_idle_longer_than_the_setting_ends_and_is_audited(people, clock):
    settings.set_session_idle_minutes(people, ADMIN, 10)
    session_id, token = signed_in(people)
    clock.now += timedelta(minutes=9)
    assert sessions.resume(people, token) is not None  # activity: the idle time starts again
    clock.now += timedelta(minutes=9)
    assert sessions.resume(people, token) is not None
    clock.now += timedelta(minutes=10, seconds=1)
    assert sessions.resume(people, token) is None
    checked = sessions.current(people, session_id)
    assert checked.user is None and checked.ended == rules.END_IDLE
    assert "长时间未操作" in sessions.ended_message(checked.ended)
    assert [e["action"] for e in people.store.audit.entries(collection="sessions")].count("会话过期") == 1


def test_issue11_s5_activity_is_saved_at_most_once_a_minute(people, clock):
    session_id, token = signed_in(people)
    before = len(people.store.audit.entries())
    for _ in range(20):
        clock.now += timedelta(seconds=2)
        assert sessions.resume(people, token) is not None
    assert len(people.store.audit.entries()) - before <= 1


def test_issue11_s5_no_session_outlives_a_working_day(people, clock):
    settings.set_session_idle_minutes(people, ADMIN, rules.MAX_IDLE_MINUTES)
    _, token = signed_in(people)
    for _ in range(rules.ABSOLUTE_HOURS * 2 + 1):
        clock.now += timedelta(minutes=30)
        resumed = sessions.resume(people, token)
    assert resumed is None


def test_issue11_s5_logout_ends_the_session_for_every_tab_and_the_cookie(people):
    session_id, token = signed_in(people)
    sessions.end(people, session_id, "dept1")
    assert sessions.resume(people, token) is None
    assert sessions.current(people, session_id).user is None
    assert "退出" in [e["action"] for e in people.store.audit.entries(collection="sessions")]


def test_issue11_s5_logout_through_the_cookie_route_ends_it_too(people):
    _, token = signed_in(people)
    sessions.end_by_token(people, token)
    assert sessions.resume(people, token) is None


def test_issue11_s5_changing_ones_password_ends_the_other_sessions_but_keeps_this_one(people):
    here, here_token = signed_in(people)
    _, elsewhere_token = signed_in(people)
    me = sessions.resume(people, here_token).user
    users.change_own_password(people, me, PASSWORD, "newpass123", "newpass123", keep_session=here)
    assert sessions.resume(people, elsewhere_token) is None
    assert sessions.resume(people, here_token) is not None


def test_issue11_s5_an_admin_reset_of_the_password_ends_every_session_of_the_user(people):
    session_id, token = signed_in(people)
    users.reset_password(people, ADMIN, "dept1", "newpass123", "newpass123")
    assert sessions.resume(people, token) is None
    assert sessions.current(people, session_id).ended == rules.END_PASSWORD_RESET


def test_issue11_s5_disabling_an_account_ends_its_sessions_and_reenabling_does_not_revive_them(people):
    session_id, token = signed_in(people)
    users.set_disabled(people, ADMIN, "dept1", True)
    assert sessions.resume(people, token) is None
    assert sessions.current(people, session_id).ended == rules.END_DISABLED
    users.set_disabled(people, ADMIN, "dept1", False)
    assert sessions.resume(people, token) is None


def test_issue11_s5_a_removed_account_restores_nothing(people):
    _, token = signed_in(people)
    repo = people.store.collection("users")
    [doc] = repo.search(lambda d: d["username"] == "dept1")
    repo.delete(doc["id"], actor="admin", action="删除用户")
    assert sessions.resume(people, token) is None


def test_issue11_s5_a_handoff_of_a_disabled_account_gives_no_cookie(people):
    started = sessions.start(people, users.login(people, "dept1", PASSWORD))
    users.set_disabled(people, ADMIN, "dept1", True)
    assert sessions.redeem(people, started.handoff) is None


def test_issue11_s5_the_idle_expiry_is_an_admin_setting_within_bounds(people):
    assert settings.session_idle_minutes(people) == rules.DEFAULT_IDLE_MINUTES
    assert settings.set_session_idle_minutes(people, ADMIN, "45") == 45
    assert settings.session_idle_minutes(people) == 45
    for bad in (0, 4, 481, "abc", 7.5, None):
        with pytest.raises(ValidationError):
            settings.set_session_idle_minutes(people, ADMIN, bad)
    dept = users.login(people, "dept1", PASSWORD)
    with pytest.raises(PermissionDenied):
        settings.set_session_idle_minutes(people, dept, 60)
    assert settings.session_idle_minutes(people) == 45


def test_issue11_s5_sessions_ended_long_ago_are_removed_at_a_later_login(people, clock):
    session_id, _ = signed_in(people)
    sessions.end(people, session_id, "dept1")
    clock.now += timedelta(days=rules.KEEP_ENDED_DAYS + 1)
    signed_in(people)
    assert people.store.collection("sessions").get(session_id) is None
