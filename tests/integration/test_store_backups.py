"""数据备份 — consistent snapshots, list, restore (after an automatic snapshot), daily backups kept 30 days."""
from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest

from core.errors import NotFoundError, StoreCorruptError, StoreError
from store import BackupInfo, open_store

ROOT = Path(__file__).resolve().parents[2]


def make_doc(n: int = 1, **overrides) -> dict:
    return {"name": f"专家{n}", "id_number": f"1403021980010{n:05d}", **overrides}


@pytest.fixture
def store(tmp_path):
    st = open_store(tmp_path / "data")
    st.collection("experts").insert_many([make_doc(1), make_doc(2)], actor="office", action="导入")
    st.collection("users").insert({"username": "admin"}, actor="system", action="创建用户", unique=())
    return st


def backup_dir(store, name) -> Path:
    return store.data_dir / "backups" / name


def test_a_backup_copies_every_collection_and_the_audit_log_with_a_manifest(store):
    info = store.backups.create("手动备份", actor="admin", now=datetime(2026, 11, 25, 9, 30, 0))
    assert info.name == "20261125-093000" and info.reason == "手动备份" and info.actor == "admin"
    folder = backup_dir(store, info.name)
    assert sorted(p.name for p in folder.iterdir()) == ["audit.jsonl", "experts.json", "manifest.json", "users.json"]
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    assert manifest["created"] == "2026-11-25T09:30:00" and manifest["reason"] == "手动备份"
    for f in manifest["files"]:
        data = (folder / f["name"]).read_bytes()
        assert data == (store.data_dir / f["name"]).read_bytes()
        assert f["size"] == len(data) and f["sha256"] == hashlib.sha256(data).hexdigest()
    assert info.size_bytes == sum(f["size"] for f in manifest["files"])


def test_two_backups_in_one_second_get_distinct_names(store):
    now = datetime(2026, 11, 25, 9, 30, 0)
    names = [store.backups.create("手动备份", now=now).name for _ in range(3)]
    assert names == ["20261125-093000", "20261125-093000-2", "20261125-093000-3"]


def test_backups_are_listed_newest_first(store):
    for day in (3, 1, 2):
        store.backups.create("手动备份", now=datetime(2026, 11, day, 8, 0, 0))
    store.backups.create("手动备份", now=datetime(2026, 11, 3, 8, 0, 0))
    listed = store.backups.list()
    assert [b.name for b in listed] == ["20261103-080000-2", "20261103-080000", "20261102-080000",
                                        "20261101-080000"]
    assert all(isinstance(b, BackupInfo) and b.size_bytes > 0 for b in listed)
    assert listed[-1].created == datetime(2026, 11, 1, 8, 0, 0)


def test_restore_brings_back_the_data_and_snapshots_the_current_state_first(store):
    experts = store.collection("experts")
    taken = store.backups.create("手动备份", actor="admin", now=datetime(2026, 11, 24, 9, 0, 0))
    experts.update(1, {"name": "改名"}, actor="office", action="修改")
    experts.insert(make_doc(3), actor="office", action="新建")
    store.collection("draws").insert({"seed": 7}, actor="office", action="抽取", unique=())
    current = {p.name: p.read_bytes() for p in store.data_dir.glob("*.json")}

    snapshot = store.backups.restore(taken.name, actor="admin")

    assert snapshot.reason == "恢复前自动备份" and snapshot.actor == "admin"
    folder = backup_dir(store, snapshot.name)
    saved = {p.name: p.read_bytes() for p in folder.glob("*.json") if p.name != "manifest.json"}
    assert saved == current
    assert [d["name"] for d in experts.all()] == ["专家1", "专家2"]  # the open repository re-reads
    assert store.collection("draws").all() == [] and not (store.data_dir / "draws.json").exists()
    last = store.audit.entries()[-1]
    assert last["action"] == "恢复备份" and last["actor"] == "admin"
    assert last["after"]["backup"] == taken.name and last["after"]["pre_restore_backup"] == snapshot.name
    assert last["after"]["changed_records"] == 3 and last["after"]["removed"] == ["draws.json"]
    assert store.audit.verify().ok


def test_the_audit_log_is_not_rolled_back_by_a_restore_x_l1(store):
    taken = store.backups.create("手动备份", now=datetime(2026, 11, 24, 9, 0, 0))
    store.collection("experts").update(1, {"name": "改名"}, actor="office", action="修改")
    before = len(store.audit.entries())
    store.backups.restore(taken.name, actor="admin")
    actions = [e["action"] for e in store.audit.entries()]
    # one line for the record the restore changed back, one summary line
    assert len(actions) == before + 2 and actions[-3:] == ["修改", "恢复备份", "恢复备份"]


def test_ids_given_out_after_a_backup_are_not_reused_after_restoring_it(store):
    experts = store.collection("experts")
    taken = store.backups.create("手动备份", now=datetime(2026, 11, 24, 9, 0, 0))
    assert experts.insert(make_doc(3), actor="o", action="新建") == 3
    store.backups.restore(taken.name, actor="admin")
    assert experts.insert(make_doc(4), actor="o", action="新建") == 4


def test_restore_works_in_another_store_object_and_after_reopening(store):
    other = open_store(store.data_dir)
    taken = store.backups.create("手动备份", now=datetime(2026, 11, 24, 9, 0, 0))
    other.collection("experts").delete(2, actor="o", action="删除")
    other.backups.restore(taken.name, actor="admin")
    assert len(store.collection("experts").all()) == 2
    assert len(open_store(store.data_dir).collection("experts").all()) == 2


def test_a_damaged_backup_is_refused_and_nothing_changes(store):
    taken = store.backups.create("手动备份", now=datetime(2026, 11, 24, 9, 0, 0))
    (backup_dir(store, taken.name) / "experts.json").write_text('{"_default": {}}', "utf-8")
    store.collection("experts").insert(make_doc(3), actor="o", action="新建")
    count = len(store.backups.list())
    with pytest.raises(StoreError, match="校验不符"):
        store.backups.restore(taken.name, actor="admin")
    assert len(store.collection("experts").all()) == 3 and len(store.backups.list()) == count


def test_restoring_an_unknown_backup_says_so(store):
    with pytest.raises(NotFoundError, match="备份 20990101-000000 不存在"):
        store.backups.restore("20990101-000000", actor="admin")
    with pytest.raises(NotFoundError):
        store.backups.restore("../../etc", actor="admin")


def test_daily_makes_at_most_one_backup_a_day(store):
    first = store.backups.daily(today=date(2026, 11, 25))
    assert first is not None and first.name.startswith("20261125-") and first.reason == "每日自动备份"
    assert store.backups.daily(today=date(2026, 11, 25)) is None
    assert store.backups.daily(today=date(2026, 11, 26)).name.startswith("20261126-")
    assert len(store.backups.list()) == 2


def test_a_manual_backup_today_counts_as_todays_backup(store):
    store.backups.create("手动备份", now=datetime(2026, 11, 25, 8, 0, 0))
    assert store.backups.daily(today=date(2026, 11, 25)) is None


def test_daily_prunes_backups_older_than_thirty_days(store):
    for day in (date(2026, 10, 1), date(2026, 10, 25), date(2026, 10, 26), date(2026, 11, 20)):
        store.backups.create("手动备份", now=datetime.combine(day, datetime.min.time()))
    store.backups.daily(today=date(2026, 11, 25))
    assert sorted(b.name[:8] for b in store.backups.list()) == ["20261026", "20261120", "20261125"]


def test_prune_keeps_as_many_days_as_asked(store):
    for day in (1, 10, 20):
        store.backups.create("手动备份", now=datetime(2026, 11, day, 12, 0, 0))
    assert store.backups.prune(date(2026, 11, 25), keep_days=10) == ["20261101-120000", "20261110-120000"]
    assert [b.name for b in store.backups.list()] == ["20261120-120000"]


def test_half_made_backups_are_never_listed(store):
    (store.data_dir / "backups" / ".tmp-20261125-093000-ab12").mkdir(parents=True)
    assert store.backups.list() == []


def test_a_corrupt_store_can_be_restored_from_the_shell_as_the_error_message_says(store):
    taken = store.backups.create("手动备份", now=datetime(2026, 11, 24, 9, 0, 0))
    (store.data_dir / "experts.json").write_text("{oops", "utf-8")
    with pytest.raises(StoreCorruptError) as caught:
        open_store(store.data_dir)
    assert taken.name in str(caught.value)
    run = subprocess.run([sys.executable, "-m", "store", "restore", str(store.data_dir), taken.name],
                         cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"已恢复备份 {taken.name}" in run.stdout
    reopened = open_store(store.data_dir)
    assert [d["name"] for d in reopened.collection("experts").all()] == ["专家1", "专家2"]
    assert reopened.audit.entries()[-1]["action"] == "恢复备份"
    listing = subprocess.run([sys.executable, "-m", "store", "list", str(store.data_dir)],
                             cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert "恢复前自动备份" in listing.stdout and taken.name in listing.stdout
