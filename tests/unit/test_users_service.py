"""用户与登录 — setup, login, lockout and user management through the service, on an in-memory store."""
from datetime import timedelta

import pytest

from core import vocab
from core.errors import AuthError, PermissionDenied, ValidationError
from services import settings, users
from tests.conftest import ADMIN, OFFICE


def setup_admin(ctx, policy_id="yangquan-2024"):
    return users.create_first_admin(ctx, username="admin", display_name="管理员甲", password="abc12345",
                                    confirm="abc12345", policy_id=policy_id)


def test_first_start_needs_setup_and_setup_chooses_the_policy(ctx):
    assert users.needs_setup(ctx)
    admin = setup_admin(ctx)
    assert admin.role == vocab.ROLE_ADMIN
    assert not users.needs_setup(ctx)
    assert settings.active_policy_id(ctx) == "yangquan-2024"


def test_setup_cannot_run_twice(ctx):
    setup_admin(ctx)
    with pytest.raises(PermissionDenied, match="已完成初始设置"):
        setup_admin(ctx)


def test_setup_with_a_weak_password_saves_nothing(ctx):
    with pytest.raises(ValidationError, match="至少8位"):
        users.create_first_admin(ctx, username="admin", display_name="甲", password="123", confirm="123",
                                 policy_id="jincheng-2026")
    assert users.needs_setup(ctx)


def test_login_with_the_right_password_returns_the_user(ctx):
    setup_admin(ctx)
    assert users.login(ctx, "admin", "abc12345").username == "admin"


def test_unknown_user_and_wrong_password_get_the_same_message(ctx):
    setup_admin(ctx)
    with pytest.raises(AuthError, match="用户名或密码错误"):
        users.login(ctx, "nobody", "abc12345")
    with pytest.raises(AuthError, match="用户名或密码错误"):
        users.login(ctx, "admin", "wrong")


def test_five_wrong_passwords_lock_the_account_for_fifteen_minutes(ctx, clock):
    setup_admin(ctx)
    for _ in range(4):
        with pytest.raises(AuthError, match="用户名或密码错误"):
            users.login(ctx, "admin", "wrong")
    with pytest.raises(AuthError, match="锁定15分钟"):
        users.login(ctx, "admin", "wrong")
    with pytest.raises(AuthError, match="已锁定"):
        users.login(ctx, "admin", "abc12345")  # even the right password waits
    clock.now += timedelta(minutes=15, seconds=1)
    assert users.login(ctx, "admin", "abc12345").username == "admin"


def test_the_password_hash_never_reaches_the_audit_log(ctx):
    setup_admin(ctx)
    for entry in ctx.store.audit.entries(collection="users"):
        assert "scrypt$" not in str(entry)


def test_admin_creates_a_department_user_who_can_log_in(ctx):
    admin = setup_admin(ctx)
    users.create_user(ctx, admin, username="hgk", display_name="化工科", role=vocab.ROLE_DEPARTMENT,
                      department="危险化学品安全监督管理科", password="abc12345", confirm="abc12345")
    user = users.login(ctx, "hgk", "abc12345")
    assert user.role == vocab.ROLE_DEPARTMENT and user.department == "危险化学品安全监督管理科"


def test_a_department_user_needs_its_department(ctx):
    admin = setup_admin(ctx)
    with pytest.raises(ValidationError, match="科室名称"):
        users.create_user(ctx, admin, username="hgk", display_name="化工科", role=vocab.ROLE_DEPARTMENT,
                          password="abc12345", confirm="abc12345")


def test_duplicate_usernames_are_refused(ctx):
    admin = setup_admin(ctx)
    with pytest.raises(Exception, match="已存在"):
        users.create_user(ctx, admin, username="admin", display_name="乙", role=vocab.ROLE_OFFICE,
                          password="abc12345", confirm="abc12345")


def test_a_disabled_account_cannot_log_in_until_enabled(ctx):
    admin = setup_admin(ctx)
    users.create_user(ctx, admin, username="office", display_name="乙", role=vocab.ROLE_OFFICE,
                      password="abc12345", confirm="abc12345")
    users.set_disabled(ctx, admin, "office", True)
    with pytest.raises(AuthError, match="已停用"):
        users.login(ctx, "office", "abc12345")
    users.set_disabled(ctx, admin, "office", False)
    assert users.login(ctx, "office", "abc12345")


def test_the_last_admin_cannot_be_disabled(ctx):
    admin = setup_admin(ctx)
    with pytest.raises(ValidationError):
        users.set_disabled(ctx, admin, "admin", True)


def test_reset_password_clears_a_lock(ctx):
    admin = setup_admin(ctx)
    users.create_user(ctx, admin, username="office", display_name="乙", role=vocab.ROLE_OFFICE,
                      password="abc12345", confirm="abc12345")
    for _ in range(5):
        with pytest.raises(AuthError):
            users.login(ctx, "office", "bad")
    users.reset_password(ctx, admin, "office", "new12345", "new12345")
    assert users.login(ctx, "office", "new12345")


def test_only_admins_manage_users(ctx):
    setup_admin(ctx)
    with pytest.raises(PermissionDenied):
        users.list_users(ctx, OFFICE)
    with pytest.raises(PermissionDenied):
        users.create_user(ctx, OFFICE, username="x1234", display_name="x", role=vocab.ROLE_ADMIN,
                          password="abc12345", confirm="abc12345")


def test_a_user_changes_their_own_password_with_the_old_one(ctx):
    admin = setup_admin(ctx)
    with pytest.raises(ValidationError, match="原密码不正确"):
        users.change_own_password(ctx, admin, "nope", "new12345", "new12345")
    users.change_own_password(ctx, admin, "abc12345", "new12345", "new12345")
    assert users.login(ctx, "admin", "new12345")


def test_only_an_admin_switches_the_active_policy_x_p1(ctx):
    admin = setup_admin(ctx, "jincheng-2026")
    with pytest.raises(PermissionDenied):
        settings.set_active_policy(ctx, OFFICE, "yangquan-2024")
    settings.set_active_policy(ctx, admin, "yangquan-2024")
    assert settings.active_policy(ctx).id == "yangquan-2024"
    with pytest.raises(ValidationError):
        settings.set_active_policy(ctx, ADMIN, "nowhere-1999")


def _locked(ctx, username="lock1"):
    users.create_user(ctx, ADMIN, username=username, display_name="锁定测试", role=vocab.ROLE_OFFICE,
                      password="abc12345", confirm="abc12345")
    for _ in range(5):
        with pytest.raises(AuthError):
            users.login(ctx, username, "wrong-pass1")
    with pytest.raises(AuthError, match="锁定"):
        users.login(ctx, username, "abc12345")


def test_an_admin_sees_who_is_locked_and_unlocks_without_resetting_the_password(ctx):
    """Issue 11 §4."""
    setup_admin(ctx)
    _locked(ctx)
    [row] = [r for r in users.list_users(ctx, ADMIN) if r["用户名"] == "lock1"]
    assert row["状态"].startswith("已锁定")
    with pytest.raises(PermissionDenied):
        users.unlock(ctx, OFFICE, "lock1")
    users.unlock(ctx, ADMIN, "lock1")
    assert users.login(ctx, "lock1", "abc12345").username == "lock1"
    with pytest.raises(ValidationError, match="未被锁定"):
        users.unlock(ctx, ADMIN, "lock1")


def test_re_enabling_an_account_also_lifts_its_lockout(ctx):
    setup_admin(ctx)
    _locked(ctx)
    users.set_disabled(ctx, ADMIN, "lock1", True)
    assert [r["状态"] for r in users.list_users(ctx, ADMIN) if r["用户名"] == "lock1"][0].endswith("停用")
    users.set_disabled(ctx, ADMIN, "lock1", False)
    assert users.login(ctx, "lock1", "abc12345").username == "lock1"


def test_the_session_follows_the_user_record(ctx):
    """Issue 11 §4: disabled → the session ends; a changed role or department is what the next run acts as."""
    from services.context import User

    setup_admin(ctx)
    users.create_user(ctx, ADMIN, username="dept1", display_name="科室甲", role=vocab.ROLE_DEPARTMENT,
                      department="煤矿安全监管综合科", password="abc12345", confirm="abc12345")
    session = User("dept1", "科室甲", vocab.ROLE_ADMIN, "")  # a stale or forged role in the session
    assert users.session_user(ctx, session) == User("dept1", "科室甲", vocab.ROLE_DEPARTMENT, "煤矿安全监管综合科")
    users.set_disabled(ctx, ADMIN, "dept1", True)
    assert users.session_user(ctx, session) is None
    assert users.session_user(ctx, User("ghost", "无此人", vocab.ROLE_ADMIN)) is None
