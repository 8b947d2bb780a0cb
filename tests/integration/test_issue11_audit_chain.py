"""Issue 11 §6 — the audit chain cannot be forged: keyed (HMAC-SHA256, key outside the data folder), anchored in
every backup and on the 抽取记录单, old plain chains kept; restores, manual backups and password resets audited (X-L1).

Each attack of the issue is reproduced and must now be detected; `FORGERIES` counts them for the report.
"""
from __future__ import annotations

import io
import json
import os
import stat
from datetime import datetime

import pytest

from core.errors import StoreError
from services import admin, dispatch, fees, users
from store import open_store
from store.audit import GENESIS, KEY_START_ACTION, line_hash, line_mac
from tests.conftest import ADMIN, OFFICE

NOW = datetime(2026, 12, 7, 18, 0, 0)


def make_doc(n: int = 1, **overrides) -> dict:
    return {"name": f"专家{n}", "id_number": f"1403021980010{n:05d}", **overrides}


@pytest.fixture
def store(tmp_path):
    st = open_store(tmp_path / "data", clock=lambda: NOW)
    repo = st.collection("experts")
    ids = repo.insert_many([make_doc(n) for n in range(1, 4)], actor="office", action="导入")
    repo.update(ids[0], {"name": "改名"}, actor="admin", action="修改专家信息")
    st.collection("users").insert({"username": "clerk", "password_hash": "$argon2$old"}, actor="admin",
                                  action="创建用户", unique=())
    return st


def log_path(store):
    return store.data_dir / "audit.jsonl"


def lines_of(store) -> list[dict]:
    return [json.loads(line) for line in log_path(store).read_text("utf-8").splitlines()]


def write_lines(store, entries: list[dict]) -> None:
    log_path(store).write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in entries), "utf-8")


def forged_reset_line(prev: str) -> dict:
    return {"ts": "2026-12-07T18:05:00", "actor": "admin", "action": "重置密码", "collection": "users",
            "record_id": 1, "before": {"password_hash": "〔已隐藏〕"}, "after": {"password_hash": "〔已隐藏〕"},
            "prev_hash": prev}


# --- forgeries (each must be detected) ----------------------------------------------------------------------
def _append_plain(store):
    entries = lines_of(store)
    forged = forged_reset_line(entries[-1]["hash"])
    forged["hash"] = line_hash(forged)
    write_lines(store, entries + [forged])
    return len(entries) + 1


def _append_wrong_key(store):
    entries = lines_of(store)
    forged = forged_reset_line(entries[-1]["hash"])
    forged["hash"] = line_mac(forged, os.urandom(32))
    write_lines(store, entries + [forged])
    return len(entries) + 1


def _edit_last_plain(store):
    entries = lines_of(store)
    entries[-1]["actor"] = "someone"
    entries[-1]["hash"] = line_hash(entries[-1])
    write_lines(store, entries)
    return len(entries)


def _edit_last_wrong_key(store):
    entries = lines_of(store)
    entries[-1]["after"]["username"] = "intruder"
    entries[-1]["hash"] = line_mac(entries[-1], os.urandom(32))
    write_lines(store, entries)
    return len(entries)


def _rebuild_whole_chain_plain(store):
    entries = lines_of(store)
    prev = GENESIS
    for e in entries:
        e["prev_hash"] = prev
        e["actor"] = "someone" if e["record_id"] == 2 else e["actor"]
        e["hash"] = prev = line_hash(e)
    write_lines(store, entries)
    return 1


def _truncate_after_newest_backup(store):
    store.backups.create("手动备份", "admin")
    store.collection("experts").insert(make_doc(9), actor="office", action="新建专家")
    entries = lines_of(store)
    write_lines(store, entries[:3])  # also the lines the backup holds
    return 4


def _truncate_the_lines_written_after_the_backup_and_restamp_its_anchor(store):
    info = store.backups.create("手动备份", "admin")
    manifest_path = store.data_dir / "backups" / info.name / "manifest.json"
    manifest = json.loads(manifest_path.read_text("utf-8"))
    entries = lines_of(store)
    write_lines(store, entries[:-2])  # drop the last two lines and move the anchor back to match
    manifest["audit_head"].update(lines=len(entries) - 2, hash=entries[-3]["hash"])
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False), "utf-8")
    return None


def _swap_the_key_file(store):
    store.audit.key_path.write_text(os.urandom(32).hex() + "\n", "ascii")
    return 1


FORGERIES = {
    "appended 重置密码 line with a recomputed plain SHA-256": _append_plain,
    "appended line keyed with a wrong key": _append_wrong_key,
    "last line edited and rehashed with plain SHA-256": _edit_last_plain,
    "last line edited and rehashed with a wrong key": _edit_last_wrong_key,
    "whole chain rebuilt with plain SHA-256": _rebuild_whole_chain_plain,
    "lines deleted after the newest backup": _truncate_after_newest_backup,
    "lines deleted and the backup anchor moved to match": _truncate_the_lines_written_after_the_backup_and_restamp_its_anchor,
    "log checked with another key file": _swap_the_key_file,
}


@pytest.mark.parametrize("attack", list(FORGERIES), ids=list(FORGERIES))
def test_x_l1_every_forgery_of_the_audit_log_is_detected(store, attack):
    assert store.audit.verify().ok
    bad_line = FORGERIES[attack](store)
    check = open_store(store.data_dir).audit.verify()
    assert not check.ok, attack
    if bad_line is not None:
        assert check.first_bad_line == bad_line, check.message
    assert "操作日志" in check.message or "备份" in check.message


def test_x_l1_forged_plain_line_message_says_it_has_no_key_signature(store):
    line = _append_plain(store)
    check = store.audit.verify()
    assert check.first_bad_line == line and "没有密钥签名" in check.message


def test_x_l1_truncation_after_a_backup_is_reported_with_the_backup_name(store):
    info = store.backups.create("手动备份", "admin")
    write_lines(store, lines_of(store)[:2])
    check = store.audit.verify()
    assert not check.ok and info.name in check.message and "被删除" in check.message


# --- the key ------------------------------------------------------------------------------------------------
def test_x_l1_the_key_is_made_at_set_up_outside_the_data_folder_with_mode_0600(tmp_path):
    st = open_store(tmp_path / "data")
    key = st.audit.key_path
    assert key == tmp_path / "data.audit.key" and key.exists()
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert len(bytes.fromhex(key.read_text("ascii").strip())) == 32
    st.collection("experts").insert(make_doc(1), actor="o", action="新建")
    info = st.backups.create("手动备份", "admin")
    copied = {p.name for p in (st.data_dir / "backups" / info.name).iterdir()}
    assert not any("key" in name for name in copied)  # no backup carries the key
    assert not any("key" in p.name for p in st.data_dir.iterdir())


def test_x_l1_the_key_location_is_set_by_expert_audit_key_file(tmp_path, monkeypatch):
    wanted = tmp_path / "secrets" / "zhuanjiaku" / "audit.key"
    monkeypatch.setenv("EXPERT_AUDIT_KEY_FILE", str(wanted))
    st = open_store(tmp_path / "data")
    assert st.audit.key_path == wanted and wanted.exists()
    assert stat.S_IMODE(wanted.stat().st_mode) == 0o600
    assert not (tmp_path / "data.audit.key").exists()


def test_x_l1_a_key_readable_by_others_is_tightened_to_0600_on_open(store):
    os.chmod(store.audit.key_path, 0o644)
    reopened = open_store(store.data_dir)
    assert stat.S_IMODE(reopened.audit.key_path.stat().st_mode) == 0o600
    assert reopened.audit.verify().ok


def test_x_l1_a_missing_key_is_never_replaced_reads_work_and_writes_are_refused_naming_the_path(store):
    key_path = store.audit.key_path
    saved = key_path.read_bytes()
    key_path.unlink()
    before = log_path(store).read_bytes(), (store.data_dir / "experts.json").read_bytes()
    reopened = open_store(store.data_dir)
    assert not key_path.exists(), "a new key would make every old line fail"
    assert [d["name"] for d in reopened.collection("experts").all()] == ["改名", "专家2", "专家3"]
    with pytest.raises(StoreError) as caught:
        reopened.collection("experts").insert(make_doc(7), actor="o", action="新建")
    assert str(key_path) in caught.value.message and "密钥" in caught.value.message
    assert (log_path(store).read_bytes(), (store.data_dir / "experts.json").read_bytes()) == before
    check = reopened.audit.verify()
    assert not check.ok and str(key_path) in check.message
    key_path.write_bytes(saved)  # put back: writes work again, the chain goes on
    reopened.collection("experts").insert(make_doc(7), actor="o", action="新建")
    assert reopened.audit.verify().ok


def test_x_l1_an_admin_is_told_when_the_key_is_missing_other_roles_are_not(disk_ctx):
    from services.context import AppContext
    assert admin.audit_key_problem(disk_ctx, ADMIN) is None
    disk_ctx.store.collection("experts").insert(make_doc(1), actor="o", action="新建")
    key_path = disk_ctx.store.audit.key_path
    key_path.unlink()
    reopened = AppContext(store=open_store(disk_ctx.store.data_dir), policies=disk_ctx.policies, clock=disk_ctx.clock)
    assert str(key_path) in admin.audit_key_problem(reopened, ADMIN)
    assert admin.audit_key_problem(reopened, OFFICE) is None


# --- old (plain SHA-256) logs -------------------------------------------------------------------------------
def _plain_log(n: int) -> list[dict]:
    prev, out = GENESIS, []
    for i in range(1, n + 1):
        e = {"ts": "2026-11-01T09:00:00", "actor": "office", "action": "新建专家", "collection": "experts",
             "record_id": i, "before": None, "after": {"name": f"旧{i}"}, "prev_hash": prev}
        e["hash"] = prev = line_hash(e)
        out.append(e)
    return out


def test_x_l1_an_old_plain_chain_is_kept_and_the_keyed_chain_starts_at_a_marked_line(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    old = _plain_log(4)
    (data / "audit.jsonl").write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in old), "utf-8")
    st = open_store(data)
    entries = st.audit.entries()
    assert entries[:4] == old  # the old lines are not touched
    marker = entries[4]
    assert marker["action"] == KEY_START_ACTION and marker["after"]["plain_lines"] == 4
    st.collection("experts").insert(make_doc(5), actor="o", action="新建")
    check = st.audit.verify()
    assert check.ok, check.message
    # the old prefix is still checked: editing it (even re-chained up to the marker) is found
    lines = lines_of(st)
    lines[1]["after"]["name"] = "改"
    prev = lines[0]["hash"]
    for e in lines[1:4]:
        e["prev_hash"] = prev
        e["hash"] = prev = line_hash(e)
    write_lines(st, lines)
    check = st.audit.verify()
    assert not check.ok and check.first_bad_line == 5


def test_x_l1_the_marker_text_typed_into_a_record_does_not_change_how_the_log_is_checked(store):
    store.collection("experts").insert(make_doc(6, name=KEY_START_ACTION, action=KEY_START_ACTION), actor="o",
                                       action="新建")
    assert open_store(store.data_dir).audit.verify().ok


def test_x_l1_a_plain_line_after_the_marker_is_detected(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "audit.jsonl").write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in _plain_log(2)),
                                      "utf-8")
    st = open_store(data)
    line = _append_plain(st)
    check = st.audit.verify()
    assert not check.ok and check.first_bad_line == line


# --- coverage: restore, manual backup, password reset ---------------------------------------------------------
def test_x_l1_a_restore_writes_one_line_per_changed_record_with_before_and_after(store):
    taken = store.backups.create("手动备份", "admin")
    experts = store.collection("experts")
    experts.update(2, {"name": "恢复前改过"}, actor="office", action="修改专家信息")
    new_id = experts.insert(make_doc(8), actor="office", action="新建专家")
    experts.delete(3, actor="office", action="删除专家")
    store.collection("users").update(1, {"password_hash": "$argon2$new"}, actor="admin", action="重置密码")
    store.backups.restore(taken.name, actor="admin")

    history = {i: [e for e in store.audit.entries("experts", i)] for i in (2, 3, new_id)}
    changed, removed_by_restore, brought_back = history[2][-1], history[new_id][-1], history[3][-1]
    assert changed["action"] == "恢复备份" and changed["before"]["name"] == "恢复前改过"
    assert changed["after"]["name"] == "专家2" and changed["actor"] == "admin"
    assert removed_by_restore["action"] == "恢复备份" and removed_by_restore["after"] is None
    assert brought_back["action"] == "恢复备份" and brought_back["before"] is None
    assert brought_back["after"]["name"] == "专家3"
    user_line = store.audit.entries("users", 1)[-1]
    assert user_line["action"] == "恢复备份" and "$argon2" not in json.dumps(user_line, ensure_ascii=False)
    summary = store.audit.entries()[-1]
    assert summary["record_id"] is None and summary["after"]["backup"] == taken.name
    assert summary["after"]["changed_records"] == 4
    assert store.audit.verify().ok


def test_x_l1_a_manual_backup_is_audited_with_who_when_and_its_name(disk_ctx, clock):
    info = admin.backup_now(disk_ctx, ADMIN)
    line = disk_ctx.store.audit.entries()[-1]
    assert line["action"] == "手动备份" and line["actor"] == ADMIN.username
    assert line["after"]["backup"] == info.name and line["ts"] == clock.now.isoformat(timespec="seconds")
    assert disk_ctx.store.audit.verify().ok


def test_x_l1_a_password_reset_says_the_password_changed_without_showing_it(ctx):
    users.create_user(ctx, ADMIN, username="clerk", display_name="科员", role="专家管理办公室",
                      password="Old-Passw0rd!", confirm="Old-Passw0rd!")
    users.reset_password(ctx, ADMIN, "clerk", "New-Passw0rd!9", "New-Passw0rd!9")
    line = [e for e in ctx.store.audit.entries("users") if e["action"] == "重置密码"][-1]
    assert line["before"]["password_hash"] == "〔已隐藏〕"
    assert line["after"]["password_hash"] == "〔已隐藏，本次已更改〕"
    stored = ctx.store.collection("users").search(lambda u: u["username"] == "clerk")[0]["password_hash"]
    assert stored not in json.dumps(line, ensure_ascii=False)


# --- anchors on the 抽取记录单 -------------------------------------------------------------------------------------
def test_x_l1_the_draw_record_prints_the_audit_line_that_recorded_the_draw(ctx):
    from docx import Document

    from tests.unit.test_dispatch_service import approved, pool

    fees.set_budget(ctx, OFFICE, "煤矿安全监管综合科", 2026, 1_000_000)
    pool(ctx)
    request_id = approved(ctx)
    draw_id = dispatch.draw(ctx, OFFICE, request_id)
    head = dispatch.draw_audit_head(ctx, draw_id)
    entries = ctx.store.audit.entries()
    assert entries[head["line"] - 1]["hash"] == head["hash"]
    assert entries[head["line"] - 1]["collection"] == "draws" and entries[head["line"] - 1]["record_id"] == draw_id
    forms = {title: build() for title, _, build in dispatch.forms_for(ctx, request_id)}
    text = "\n".join(p.text for p in Document(io.BytesIO(forms["抽取记录单"])).paragraphs)
    assert f"操作日志第 {head['line']} 行" in text and head["hash"][:8] in text
