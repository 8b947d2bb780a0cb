"""The data folder's migrations (issue 17, X-D2: every draw still replays after the migration): a schema version
in `settings`, an ordered list of steps (full-format draw records → compact; whole pool snapshots → pieces), run at
start-up after a backup, every write audited, each step idempotent and resumable after a SIGKILL at any write — tested
on copies of a folder made by the code before compact records (tests/fixtures/draws_full_format) and of one holding
the whole snapshots the first compact records kept."""
from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from core.drawing import RECORD_FORMAT
from core.errors import StoreError
from core.pool_pieces import is_manifest, is_whole_snapshot
from services import dispatch, migrations, pool_snapshots
from services.context import build_context
from tests.conftest import FIXED_NOW
from tests.issue11_full_disk import full_disk, snapshot
from tests.unit.test_pool_snapshot_pieces import keep_whole

ROOT = Path(__file__).resolve().parents[2]
OLD_FOLDER = ROOT / "tests" / "fixtures" / "draws_full_format"


def copy_old_folder(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    for path in OLD_FOLDER.iterdir():
        if path.suffix in (".json", ".jsonl"):
            shutil.copy(path, data / path.name)
    return data


def open_ctx(data: Path, **kw):
    return build_context(data, clock=lambda: FIXED_NOW, **kw)


def files(data: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(data.iterdir()) if p.suffix in (".json", ".jsonl")}


def live_bytes(ctx) -> int:
    """The snapshot data the collections hold now (whatever the files keep until their next compaction)."""
    return sum(len(json.dumps(doc, ensure_ascii=False).encode("utf-8"))
               for name in (pool_snapshots.SNAPSHOTS, pool_snapshots.PIECES) for doc in ctx.store.collection(name).all())


def assert_fully_migrated(ctx) -> None:
    """Every draw compact and replaying, every snapshot in pieces, one manifest per hash, the audit chain intact."""
    assert migrations.schema_version(ctx) == migrations.CURRENT_VERSION
    draws = ctx.store.collection("draws").all()
    assert draws and all(d["result"]["format"] == RECORD_FORMAT for d in draws)
    for d in draws:
        ok, message = dispatch.verify(ctx, d["id"])
        assert ok and "抽取快照" in message, message
    docs = ctx.store.collection(pool_snapshots.SNAPSHOTS).all()
    assert docs and all(is_manifest(doc) for doc in docs)
    assert len({doc["hash"] for doc in docs}) == len(docs)
    assert ctx.store.audit.verify().ok


@pytest.fixture
def old(tmp_path):
    return copy_old_folder(tmp_path)


@pytest.fixture
def whole(tmp_path, monkeypatch):
    """A folder as the first compact records left it: draws compact, their pools kept as whole snapshots."""
    data = copy_old_folder(tmp_path)
    ctx = open_ctx(data)
    monkeypatch.setattr(pool_snapshots, "keep", lambda ctx_, actor, snap, digest=None: keep_whole(ctx_, snap))
    assert migrations.migrate_draws(ctx)["converted"] == 3
    monkeypatch.undo()
    assert all(is_whole_snapshot(d) for d in ctx.store.collection(pool_snapshots.SNAPSHOTS).all())
    return data


# --- the framework ----------------------------------------------------------------------------------------------
def test_x_d2_migrate_brings_an_old_folder_to_the_current_version_after_a_backup_every_write_audited(old):
    original = files(old)
    ctx = open_ctx(old)
    assert migrations.schema_version(ctx) == 0
    lines_before = len(ctx.store.audit.entries())
    report = migrations.migrate(ctx)
    assert (report["from"], report["to"]) == (0, migrations.CURRENT_VERSION)
    assert [s["name"] for s in report["steps"]] == [s.name for s in migrations.STEPS]
    assert report["steps"][0]["report"]["converted"] == 3
    [backup] = ctx.store.backups.list()
    assert backup.name == report["backup"] and backup.reason.startswith("升级前自动备份")
    kept = ctx.store.data_dir / "backups" / backup.name
    assert (kept / "draws.json").read_bytes() == original["draws.json"]  # the backup is the folder before
    assert_fully_migrated(ctx)
    new_lines = ctx.store.audit.entries()[lines_before:]
    assert {e["actor"] for e in new_lines} == {migrations.MIGRATION_USER.username}
    collections = {e["collection"] for e in new_lines}
    assert {"draws", pool_snapshots.SNAPSHOTS, pool_snapshots.PIECES, "settings"} <= collections
    assert any(e["action"] == migrations.BACKUP_ACTION and e["after"]["backup"] == backup.name for e in new_lines)
    assert max(len(json.dumps(e, ensure_ascii=False).encode()) for e in new_lines) <= 64 * 1024


def test_x_d2_migrate_is_idempotent_a_second_run_writes_nothing(old):
    ctx = open_ctx(old)
    migrations.migrate(ctx)
    before = files(old)
    again = migrations.migrate(ctx)
    assert again["steps"] == [] and again["backup"] is None
    assert files(old) == before and len(ctx.store.backups.list()) == 1
    # and every step run again by itself changes nothing either
    for step in migrations.STEPS:
        step.run(ctx, migrations.MIGRATION_USER)
    assert files(old) == before


def test_x_d2_migrate_converts_the_whole_snapshots_of_the_first_compact_records(whole):
    ctx = open_ctx(whole)
    sizes = live_bytes(ctx)
    kept_whole = len(ctx.store.collection(pool_snapshots.SNAPSHOTS).all())
    report = migrations.migrate(ctx)
    by_name = {s["name"]: s["report"] for s in report["steps"]}
    assert by_name["draws_compact"] == {}  # nothing left to convert: not run
    assert by_name["pool_snapshot_pieces"]["converted"] == kept_whole >= 2
    assert_fully_migrated(ctx)
    assert live_bytes(ctx) < sizes  # the three pools share most of their pieces


def test_x_d2_a_new_folder_is_marked_current_without_a_backup(tmp_path):
    ctx = open_ctx(tmp_path / "data")
    report = migrations.migrate(ctx)
    assert report["backup"] is None and ctx.store.backups.list() == []
    assert migrations.schema_version(ctx) == migrations.CURRENT_VERSION


def test_x_d2_start_up_migrates_the_apps_folder_and_leaves_explicit_folders_alone(old, monkeypatch):
    open_ctx(old)  # (the first opening starts the audit key)
    before = files(old)
    open_ctx(old)  # a tool or test opening a folder by name: no migration
    assert files(old) == before
    monkeypatch.setenv("EXPERT_DATA_DIR", str(old))
    ctx = build_context(clock=lambda: FIXED_NOW)  # the app's own folder (pages._ui.get_context)
    assert_fully_migrated(ctx)


def test_x_d2_a_failing_migration_stops_start_up_and_the_next_start_carries_on(old, monkeypatch):
    real = migrations.migrate_draws
    calls = []

    def fails_after_one(ctx, actor=migrations.MIGRATION_USER):
        real_update = type(ctx.store.collection("draws")).update

        def update(self, *args, **kwargs):
            if calls:
                raise StoreError("保存失败：服务器磁盘空间不足，数据未改变。")
            calls.append(1)
            return real_update(self, *args, **kwargs)

        monkeypatch.setattr(type(ctx.store.collection("draws")), "update", update)
        try:
            return real(ctx, actor)
        finally:
            monkeypatch.setattr(type(ctx.store.collection("draws")), "update", real_update)

    monkeypatch.setattr(migrations, "STEPS", (migrations.Step(1, "draws_compact", "抽取记录转为精简格式",
                                                              fails_after_one, migrations.STEPS[0].pending),
                                              *migrations.STEPS[1:]))
    with pytest.raises(migrations.MigrationError) as raised:
        open_ctx(old, migrate=True)
    message = raised.value.message
    assert "抽取记录转为精简格式" in message and "磁盘空间不足" in message and "重新启动" in message
    ctx = open_ctx(old)
    [backup] = ctx.store.backups.list()
    assert backup.name in message
    assert migrations.schema_version(ctx) == 0  # not marked done
    formats = [d["result"].get("format") for d in ctx.store.collection("draws").all()]
    assert formats == [RECORD_FORMAT, None, None]  # each record old or converted, never half
    assert all(dispatch.verify(ctx, d["id"])[0] for d in ctx.store.collection("draws").all())
    monkeypatch.undo()
    ctx = open_ctx(old, migrate=True)  # the next start
    assert_fully_migrated(ctx)


def test_x_d2_nothing_to_migrate_on_a_full_disk_does_not_stop_the_app(tmp_path):
    data = tmp_path / "data"
    open_ctx(data)
    before = snapshot(data)
    with full_disk(data):
        ctx = open_ctx(data, migrate=True)  # the version cannot be saved: the app starts anyway
    assert snapshot(data) == before
    assert migrations.schema_version(ctx) == 0
    assert migrations.schema_version(open_ctx(data, migrate=True)) == migrations.CURRENT_VERSION


# --- SIGKILL at seeded moments ------------------------------------------------------------------------------------
KILLER = """
import os, signal, sys
sys.path.insert(0, {root!r})
from datetime import datetime
from store.audit import AuditLog
kill_at, when = int(sys.argv[2]), sys.argv[3]
real = AuditLog._append_locked
count = [0]
def hooked(self, *args, **kwargs):
    count[0] += 1
    if count[0] == kill_at and when == "before":
        os.kill(os.getpid(), signal.SIGKILL)
    out = real(self, *args, **kwargs)
    if count[0] == kill_at and when == "after":
        os.kill(os.getpid(), signal.SIGKILL)
    return out
AuditLog._append_locked = hooked
from services.context import build_context
from services import migrations
ctx = build_context(sys.argv[1], clock=lambda: datetime(2026, 11, 25, 10), migrate=False)
migrations.migrate(ctx)
print(count[0])
"""


def run_killer(data: Path, kill_at: int, when: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-c", KILLER.format(root=str(ROOT)), str(data), str(kill_at), when],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def audited_writes(tmp_path_factory):
    """How many audited writes a whole migration of the old folder makes (a run that is never killed)."""
    done = run_killer(copy_old_folder(tmp_path_factory.mktemp("count")), 10 ** 6, "before")
    assert done.returncode == 0, done.stderr
    return int(done.stdout.split()[-1])


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_x_d2_migration_resumes_after_a_sigkill_at_a_seeded_write(tmp_path, audited_writes, seed):
    rng = random.Random(seed)
    kill_at, when = rng.randint(1, audited_writes), rng.choice(("before", "after"))
    data = copy_old_folder(tmp_path)
    killed = run_killer(data, kill_at, when)
    assert killed.returncode == -9, (kill_at, when, killed.stdout, killed.stderr)
    ctx = open_ctx(data)  # the store repairs what the kill left (temp files, a torn audit line)
    assert all(dispatch.verify(ctx, d["id"])[0] for d in ctx.store.collection("draws").all())  # usable half-way
    migrations.migrate(ctx)
    assert_fully_migrated(ctx)
    assert any(b.reason.startswith("升级前自动备份") for b in ctx.store.backups.list())
