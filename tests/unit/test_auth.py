"""登录与口令 — hashing, lockout and role permissions (issue 2 §5)."""
from datetime import datetime, timedelta

import pytest

from core import vocab
from core.auth import (MAX_FAILED_ATTEMPTS, after_failed_login, after_successful_login, can, check_new_password,
                       check_username, hash_password, locked_until, verify_password)
from core.errors import ValidationError

NOW = datetime(2026, 11, 25, 9, 0, 0)


def test_a_password_verifies_against_its_own_hash_only():
    stored = hash_password("abc12345")
    assert verify_password("abc12345", stored)
    assert not verify_password("abc12346", stored)


def test_each_hash_has_its_own_salt():
    assert hash_password("abc12345") != hash_password("abc12345")


def test_a_malformed_stored_hash_never_matches():
    assert not verify_password("x", "not-a-hash")
    assert not verify_password("x", "md5$1$2$3$00$00")


@pytest.mark.parametrize("password, message", [("short1", "至少8位"), ("abcdefgh", "字母和数字")])
def test_weak_passwords_are_refused_in_chinese(password, message):
    with pytest.raises(ValidationError, match=message):
        check_new_password(password)


def test_mistyped_confirmation_is_refused():
    with pytest.raises(ValidationError, match="两次输入的密码不一致"):
        check_new_password("abc12345", "abc12346")


def test_usernames_are_plain_ascii():
    assert check_username(" admin ") == "admin"
    with pytest.raises(ValidationError, match="用户名"):
        check_username("管理员")


def test_the_fifth_failure_locks_the_account_for_fifteen_minutes():
    user: dict = {}
    for _ in range(MAX_FAILED_ATTEMPTS - 1):
        user.update(after_failed_login(user, NOW))
        assert locked_until(user, NOW) is None
    user.update(after_failed_login(user, NOW))
    assert locked_until(user, NOW) == NOW + timedelta(minutes=15)
    assert locked_until(user, NOW + timedelta(minutes=15, seconds=1)) is None


def test_a_successful_login_clears_the_failures():
    changes = after_successful_login(NOW)
    assert changes["failed_count"] == 0 and changes["locked_until"] is None


def test_only_office_roles_see_sensitive_data_and_edit():
    assert can(vocab.ROLE_ADMIN, "view_sensitive") and can(vocab.ROLE_OFFICE, "view_sensitive")
    assert not can(vocab.ROLE_DEPARTMENT, "view_sensitive") and not can(vocab.ROLE_LEADER, "view_sensitive")
    assert not can(vocab.ROLE_DEPARTMENT, "edit_experts")
    assert can(vocab.ROLE_ADMIN, "remove_demo") and not can(vocab.ROLE_OFFICE, "remove_demo")
