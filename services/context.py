"""应用上下文 — the store, the loaded policy profiles and the clock, built once per process.

`EXPERT_DATA_DIR` (default ./data) is where the embedded store lives. Tests build a context on an in-memory store
and a fixed clock. `User` is the signed-in person every service call acts as.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Callable

from core.policy import Policy, load_policies
from store import Store, open_store

ROOT = Path(__file__).resolve().parent.parent
POLICY_DIR = ROOT / "policies"


def default_data_dir() -> Path:
    return Path(os.environ.get("EXPERT_DATA_DIR") or ROOT / "data").resolve()


@dataclass(frozen=True)
class User:
    """The signed-in user (登录用户)."""
    username: str
    display_name: str
    role: str
    department: str = ""

    @property
    def label(self) -> str:
        return f"{self.display_name}（{self.role}{'·' + self.department if self.department else ''}）"


SYSTEM = User("system", "系统", "管理员")


@dataclass
class AppContext:
    store: Store
    policies: dict[str, Policy]
    clock: Callable[[], datetime] = field(default=datetime.now)
    # what start-up / login housekeeping could not do (e.g. "backup" → the Chinese reason the daily backup failed,
    # a full disk); shown to admins as a banner, cleared when the task succeeds on a later start or login
    maintenance_problems: dict[str, str] = field(default_factory=dict)

    def now(self) -> datetime:
        return self.clock()

    def today(self) -> date:
        return self.clock().date()


def build_context(data_dir: Path | None | str = "default", *, clock: Callable[[], datetime] = datetime.now,
                  policy_dir: Path = POLICY_DIR, migrate: bool | None = None) -> AppContext:
    """Open the store (None → in memory) and load every policy profile; both fail loudly in Chinese.

    `migrate` (by default only for the app's own folder, `data_dir` "default": pages._ui.get_context, server.py)
    first brings the folder's data up to the current schema (services.migrations.migrate_on_start: a backup, then
    each pending step, every write audited). A step that fails raises MigrationError (Chinese) and no context is
    made, so the app does not start on a half-migrated folder; the next start carries on. Tools and tests that open
    a folder by name pass migrate=True to do the same."""
    path = default_data_dir() if data_dir == "default" else (Path(data_dir) if data_dir is not None else None)
    if path is not None:
        path.mkdir(parents=True, exist_ok=True)
    ctx = AppContext(store=open_store(path, clock=clock), policies=load_policies(policy_dir), clock=clock)
    if (data_dir == "default" if migrate is None else migrate) and path is not None:
        from services.migrations import migrate_on_start  # it imports this module: loaded when first needed

        migrate_on_start(ctx)
    return ctx
