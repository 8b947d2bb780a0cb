"""Issue 11 §8 — a restore is all or nothing across files, even when killed, and takes only known collection names.

The kill test runs `python -m store restore` in a subprocess and SIGKILLs it at seeded random moments (20 in
`make test`; `RESTORE_KILLS=100` for the long run), then opens the store and checks that every collection is
either wholly the current state or wholly the backup's — never a mix — and that the audit log verifies, with the
restore's lines present exactly once or not at all.
"""
from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from core.errors import StoreError
from store import open_store
from store.audit import AuditLog
from store.backups import JOURNAL, STAGING_PREFIX, Backups
from store.storage import DATA_TABLE, parse

ROOT = Path(__file__).resolve().parents[2]
KILLS = int(os.environ.get("RESTORE_KILLS", "20"))
SEED = 20261207


def make_doc(n: int, **overrides) -> dict:
    return {"name": f"专家{n}", "id_number": f"1403021980{n:08d}", "unit": "某单位" * 5, "note": "说明" * 40,
            **overrides}


def fingerprint(data_dir: Path) -> dict[str, str]:
    """Collection → SHA-256 of its records (ids and bodies; the id high-water mark is left out)."""
    out = {}
    for path in sorted(data_dir.glob("*.json")):
        table = parse(path.read_bytes(), path).get(DATA_TABLE, {})
        out[path.stem] = hashlib.sha256(json.dumps(table, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    return out


def build_store(data_dir: Path, experts: int = 300) -> tuple[str, dict, dict]:
    """A store, a backup of it, then many changes in every collection; returns (backup, fp of backup, fp now)."""
    st = open_store(data_dir)
    repo = st.collection("experts")
    ids = repo.insert_many([make_doc(n) for n in range(experts)], actor="office", action="导入")
    st.collection("users").insert_many([{"username": f"u{i}", "password_hash": f"$argon2${i}"} for i in range(3)],
                                       actor="admin", action="创建用户")
    st.collection("settings").insert({"key": "active_policy", "value": "jincheng-2026"}, actor="admin", action="设置",
                                     unique=())
    st.collection("draws").insert_many([{"seed": i} for i in range(40)], actor="office", action="随机抽取")
    backed_up = fingerprint(data_dir)
    name = st.backups.create("手动备份", "admin").name
    for i in ids[:80]:
        repo.update(i, {"name": f"改{i}"}, actor="office", action="修改专家信息")
    for i in ids[80:95]:
        repo.delete(i, actor="office", action="删除专家")
    repo.insert_many([make_doc(n) for n in range(1000, 1030)], actor="office", action="导入")
    st.collection("users").update(1, {"password_hash": "$argon2$changed"}, actor="admin", action="重置密码")
    st.collection("settings").update(1, {"value": "yangquan-2024"}, actor="admin", action="切换政策")
    st.collection("draws").delete_where(lambda d: d["seed"] % 2 == 0, actor="office", action="清理")
    st.collection("budgets").insert({"department": "某科", "year": 2026}, actor="office", action="设置预算", unique=())
    return name, backed_up, fingerprint(data_dir)


RUNNER = """
import sys
sys.path.insert(0, sys.argv[1])
from store.__main__ import main
print("ready", flush=True)
sys.stdin.readline()
sys.exit(main(["restore", sys.argv[2], sys.argv[3]]))
"""


def start_restore(data_dir: Path, name: str) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", RUNNER, str(ROOT), str(data_dir), name], cwd=ROOT,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"
    return proc


def restore_lines(data_dir: Path) -> tuple[list[dict], list[dict]]:
    entries = AuditLog(data_dir).entries()
    ours = [e for e in entries if e["action"] == "恢复备份"]
    return [e for e in ours if e["record_id"] is not None], [e for e in ours if e["record_id"] is None]


def test_x_l1_restore_killed_at_random_moments_leaves_the_old_or_the_backups_state_never_a_mix(tmp_path):
    template = tmp_path / "template"
    name, backed_up, current = build_store(template / "data")
    assert backed_up != current and set(backed_up) < set(current)

    # one uninterrupted run: how long a restore takes once started, and the state it gives
    full = tmp_path / "full"
    shutil.copytree(template, full)
    proc = start_restore(full / "data", name)
    started = time.monotonic()
    proc.stdin.write("\n")
    proc.stdin.flush()
    assert proc.wait(60) == 0, proc.stderr.read()
    duration = time.monotonic() - started
    assert fingerprint(full / "data") == backed_up
    changed_lines = len(restore_lines(full / "data")[0])
    assert changed_lines > 100

    rng = random.Random(SEED)
    outcomes = {"old": 0, "backup": 0, "killed_while_running": 0}
    for run in range(KILLS):
        folder = tmp_path / f"run{run}"
        shutil.copytree(template, folder)
        data = folder / "data"
        proc = start_restore(data, name)
        delay = rng.uniform(0, duration * 1.1)
        proc.stdin.write("\n")
        proc.stdin.flush()
        time.sleep(delay)
        running = proc.poll() is None
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
        outcomes["killed_while_running"] += running

        store = open_store(data)  # finishes or drops the interrupted restore before anything reads
        state = fingerprint(data)
        assert state in (current, backed_up), f"run {run} (kill after {delay:.3f}s) left a mixed store"
        assert not (data / JOURNAL).exists() and not list(data.glob(f"{STAGING_PREFIX}*"))
        check = store.audit.verify()
        assert check.ok, f"run {run}: {check.message}"
        records, summaries = restore_lines(data)
        if state == backed_up:
            outcomes["backup"] += 1
            assert len(summaries) == 1 and len(records) == changed_lines, f"run {run}: restore lines not exactly once"
        else:
            outcomes["old"] += 1
            assert summaries == [] and records == []
        shutil.rmtree(folder)
    print(f"\nrestore kills: {KILLS} runs, {outcomes['killed_while_running']} killed mid-restore, survived all; "
          f"{outcomes['old']} old state, {outcomes['backup']} backup state (restore {duration * 1000:.0f} ms)")
    assert outcomes["old"] + outcomes["backup"] == KILLS


# --- deterministic interruptions -------------------------------------------------------------------------------
@pytest.fixture
def small(tmp_path):
    name, backed_up, current = build_store(tmp_path / "data", experts=20)
    return tmp_path / "data", name, backed_up, current


def test_x_l1_a_restore_cut_after_its_journal_is_completed_with_its_audit_lines_at_the_next_open(small, monkeypatch):
    data, name, backed_up, current = small
    store = open_store(data)

    def crash(self, journal, staging):
        raise SystemExit("killed")

    monkeypatch.setattr(Backups, "_write_restore_audit", crash)
    with pytest.raises(SystemExit):
        store.backups.restore(name, actor="admin")
    assert (data / JOURNAL).exists()
    monkeypatch.undo()
    reopened = open_store(data)
    assert fingerprint(data) == backed_up and not (data / JOURNAL).exists()
    records, summaries = restore_lines(data)
    assert len(summaries) == 1 and records and reopened.audit.verify().ok


def test_x_l1_a_store_already_open_finishes_a_restore_killed_elsewhere_before_its_next_read(small, monkeypatch):
    data, name, backed_up, current = small
    running = open_store(data)  # e.g. the app, while an admin's shell restore is killed
    assert len(running.collection("experts").all()) == 50

    def crash(self, journal, staging):
        raise SystemExit("killed")

    monkeypatch.setattr(Backups, "_write_restore_audit", crash)
    with pytest.raises(SystemExit):
        Backups(data, AuditLog(data)).restore(name, actor="服务器命令行")
    monkeypatch.undo()
    assert (data / JOURNAL).exists()
    assert len(running.collection("experts").all()) == 20  # the read finished the restore first
    assert not (data / JOURNAL).exists() and fingerprint(data) == backed_up
    assert len(restore_lines(data)[1]) == 1 and running.audit.verify().ok


def test_x_l1_restore_audit_lines_cut_short_by_a_crash_are_written_exactly_once(small, monkeypatch):
    data, name, backed_up, current = small
    store = open_store(data)
    real_write = AuditLog._write

    def torn_write(self, payload):
        if "恢复备份".encode() in payload:
            real_write(self, payload[: len(payload) // 2])  # half the lines, the last one torn
            raise SystemExit("killed")
        return real_write(self, payload)

    monkeypatch.setattr(AuditLog, "_write", torn_write)
    with pytest.raises(SystemExit):
        store.backups.restore(name, actor="admin")
    monkeypatch.undo()
    reopened = open_store(data)
    assert fingerprint(data) == backed_up
    records, summaries = restore_lines(data)
    keys = [(e["collection"], e["record_id"]) for e in records]
    assert len(summaries) == 1 and len(keys) == len(set(keys))
    assert reopened.audit.verify().ok


def test_x_l1_a_restore_cut_before_its_journal_changes_nothing_and_its_staging_is_dropped(small, monkeypatch):
    data, name, backed_up, current = small
    store = open_store(data)
    import store.backups as backups_module

    def crash(path, payload):
        raise SystemExit("killed")

    monkeypatch.setattr(backups_module, "atomic_write", crash)
    with pytest.raises(SystemExit):
        store.backups.restore(name, actor="admin")
    monkeypatch.undo()
    assert list(data.glob(f"{STAGING_PREFIX}*"))  # left behind by the "kill"
    reopened = open_store(data)
    assert fingerprint(data) == current and not list(data.glob(f"{STAGING_PREFIX}*"))
    assert restore_lines(data) == ([], []) and reopened.audit.verify().ok


# --- manifest names --------------------------------------------------------------------------------------------
def _tamper_manifest(data: Path, name: str, fname: str, content: bytes = b'{"_default": {}}') -> None:
    folder = data / "backups" / name
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    target = (folder / fname)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)
    manifest["files"].append({"name": fname, "size": len(content), "sha256": hashlib.sha256(content).hexdigest()})
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), "utf-8")


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
            and not p.name.endswith(".lock")}


@pytest.mark.parametrize("fname", ["../escape.json", "../../escape.json", "sub/experts.json", "EXPERTS.json",
                                   ".hidden.json", "experts2.json", "unknown_things.json", "experts.json.bak"])
def test_x_l1_a_backup_naming_a_file_that_is_not_a_known_collection_is_refused_whole_nothing_written(small, fname):
    data, name, backed_up, current = small
    _tamper_manifest(data, name, fname)
    before, state = _tree(data.parent), fingerprint(data)  # ("../../escape.json": the payload itself is in data/)
    store = open_store(data)
    with pytest.raises(StoreError) as caught:
        store.backups.restore(name, actor="admin")
    assert "不认识的文件名" in caught.value.message and "未做任何恢复" in caught.value.message
    assert not (data.parent / "escape.json").exists() and not (data.parent.parent / "escape.json").exists()
    after = _tree(data.parent)
    assert after == before  # nothing anywhere: no snapshot, no staging, no audit line
    assert fingerprint(data) == state


def test_x_l1_the_shell_restore_refuses_an_escaping_manifest_too(small):
    data, name, backed_up, current = small
    _tamper_manifest(data, name, "../escape.json")
    run = subprocess.run([sys.executable, "-m", "store", "restore", str(data), name], cwd=ROOT,
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 1 and "不认识的文件名" in run.stdout
    assert not (data.parent / "escape.json").exists() and fingerprint(data) == current


def test_x_l1_store_init_creates_the_key_and_verify_reports_from_the_shell(tmp_path):
    data = tmp_path / "office" / "data"
    run = subprocess.run([sys.executable, "-m", "store", "init", str(data)], cwd=ROOT, capture_output=True,
                         text=True, timeout=60)
    assert run.returncode == 0 and str(tmp_path / "office" / "data.audit.key") in run.stdout
    open_store(data).collection("experts").insert(make_doc(1), actor="o", action="新建")
    check = subprocess.run([sys.executable, "-m", "store", "verify", str(data)], cwd=ROOT, capture_output=True,
                           text=True, timeout=60)
    assert check.returncode == 0 and "校验通过" in check.stdout
