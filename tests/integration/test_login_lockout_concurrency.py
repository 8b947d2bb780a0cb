"""登录锁定 under parallel logins (issue 11 §3): the failure count is kept in the same locked write that lets an
attempt be checked, so eight sessions guessing at once check at most five passwords before the account locks, and
the right password after the limit is refused. An unknown user name is hashed too (same time, same message)."""
from __future__ import annotations

import threading
import time

import pytest

from core.auth import DUMMY_HASH, MAX_FAILED_ATTEMPTS
from core.errors import AuthError
from services import users
from services.context import build_context

PASSWORD = "abc12345"


def checks_against_real_hash(counted: list[str], ctx) -> int:
    """How many guesses were hashed against the account's real password hash."""
    [doc] = ctx.store.collection("users").all()
    return sum(1 for c in counted if c == doc["password_hash"])


@pytest.fixture
def counted(monkeypatch):
    """services.users.verify_password counting its calls and taking scrypt's ~50 ms, so attempts overlap."""
    calls: list[str] = []
    real = users.verify_password

    def slow(password, stored):
        calls.append(stored)
        time.sleep(0.05)
        return real(password, stored)

    monkeypatch.setattr(users, "verify_password", slow)
    return calls


def _admin(tmp_path, clock):
    ctx = build_context(tmp_path / "data", clock=clock)
    users.create_first_admin(ctx, username="admin", display_name="管理员甲", password=PASSWORD, confirm=PASSWORD,
                             policy_id="jincheng-2026")
    return ctx


def _parallel(ctx, guesses_per_session: list[list[str]]) -> list[object]:
    results: list[object] = []
    lock = threading.Lock()
    start = threading.Barrier(len(guesses_per_session))

    def session(guesses):
        start.wait()
        for guess in guesses:
            try:
                outcome = users.login(ctx, "admin", guess).username
            except AuthError as error:
                outcome = error
            with lock:
                results.append((guess, outcome))

    threads = [threading.Thread(target=session, args=(g,)) for g in guesses_per_session]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_eight_parallel_sessions_check_at_most_five_guesses_and_lock_the_account(tmp_path, clock, counted):
    ctx = _admin(tmp_path, clock)
    _parallel(ctx, [[f"wrong{s}{n}" for n in range(5)] for s in range(8)])
    checked = [c for c in counted if c != DUMMY_HASH]
    assert len(checked) <= MAX_FAILED_ATTEMPTS, f"{len(checked)} guesses were checked"
    with pytest.raises(AuthError, match="锁定"):
        users.login(ctx, "admin", PASSWORD)  # the right password after the limit is refused
    assert len([c for c in counted if c != DUMMY_HASH]) == len(checked)  # …without being checked


def test_the_right_password_among_parallel_wrong_ones_never_lets_more_than_five_be_checked(tmp_path, clock, counted):
    ctx = _admin(tmp_path, clock)
    sessions = [[f"wrong{s}{n}" for n in range(3)] for s in range(8)]
    sessions[7][-1] = PASSWORD  # 23 wrong and 1 right, as the attack was tried
    results = _parallel(ctx, sessions)
    right = [outcome for guess, outcome in results if guess == PASSWORD]
    checked = [c for c in counted if c != DUMMY_HASH]
    # at most five failures are ever checked; the right password is either checked among them (then the login is
    # legitimate and clears the count) or refused unchecked once the account is locked or the slots are taken
    assert len(checked) <= MAX_FAILED_ATTEMPTS + 1, f"{len(checked)} guesses were checked"
    assert right[0] == "admin" or isinstance(right[0], AuthError)
    if isinstance(right[0], AuthError):
        assert checks_against_real_hash(counted, ctx) <= MAX_FAILED_ATTEMPTS


def test_a_slot_left_by_a_crashed_attempt_expires_by_itself(tmp_path, clock):
    from datetime import timedelta

    ctx = _admin(tmp_path, clock)
    [doc] = ctx.store.collection("users").all()
    stuck = [f"{(clock.now + timedelta(seconds=30)).isoformat()}|crashed{n}" for n in range(MAX_FAILED_ATTEMPTS)]
    ctx.store.collection("users").update(doc["id"], {"login_slots": stuck}, actor="test", action="模拟中断")
    with pytest.raises(AuthError, match="过于频繁"):
        users.login(ctx, "admin", PASSWORD)
    clock.now = clock.now + timedelta(seconds=31)
    assert users.login(ctx, "admin", PASSWORD).username == "admin"


def test_an_unknown_user_is_hashed_like_a_known_one_and_gets_the_same_message(tmp_path, clock, counted):
    ctx = _admin(tmp_path, clock)
    with pytest.raises(AuthError) as unknown:
        users.login(ctx, "nobody", "wrong-password1")
    with pytest.raises(AuthError) as known:
        users.login(ctx, "admin", "wrong-password1")
    assert str(unknown.value) == str(known.value) == users.BAD_LOGIN
    assert counted[0] == DUMMY_HASH and len(counted) == 2
