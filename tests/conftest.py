"""Shared fixtures: a fixed clock, an in-memory app context, and signed-in users of each role."""
from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from core import vocab  # noqa: E402
from services.context import User, build_context  # noqa: E402

FIXED_NOW = datetime(2026, 11, 25, 10, 0, 0)

ADMIN = User("admin", "管理员甲", vocab.ROLE_ADMIN)
OFFICE = User("office", "办公室乙", vocab.ROLE_OFFICE)
DEPARTMENT = User("dept", "科室丙", vocab.ROLE_DEPARTMENT, "危险化学品安全监督管理科")
LEADER = User("leader", "领导丁", vocab.ROLE_LEADER)


@pytest.fixture
def clock():
    """A settable clock: clock.now is what the app sees as the current time."""
    class Clock:
        now = FIXED_NOW

        def __call__(self):
            return self.now
    return Clock()


@pytest.fixture
def ctx(clock):
    """An app context on an in-memory store, with the real policy profiles."""
    return build_context(None, clock=clock)


@pytest.fixture
def disk_ctx(tmp_path, clock):
    return build_context(tmp_path / "data", clock=clock)
