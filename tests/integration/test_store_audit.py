"""操作日志 — every write leaves hash-chained audit lines; verify() finds the first edited/deleted line (X-L1)."""
from __future__ import annotations

import json
from datetime import datetime

import pytest

from store import AuditCheck, open_store
from store.audit import GENESIS, line_hash, line_mac


def make_doc(n: int = 1, **overrides) -> dict:
    return {"name": f"专家{n}", "id_number": f"1403021980010{n:05d}", **overrides}


@pytest.fixture
def store(tmp_path):
    return open_store(tmp_path / "data", clock=lambda: datetime(2026, 11, 25, 9, 30, 5))


@pytest.fixture
def filled(store):
    """A store with five audit lines: 3 inserts, 1 update, 1 delete."""
    repo = store.collection("experts")
    ids = repo.insert_many([make_doc(n) for n in range(1, 4)], actor="office", action="导入")
    repo.update(ids[0], {"name": "改名"}, actor="admin", action="修改专家信息")
    repo.delete(ids[2], actor="admin", action="删除")
    return store


def audit_lines(store) -> list[str]:
    return (store.data_dir / "audit.jsonl").read_text("utf-8").splitlines()


def rewrite(store, lines: list[str]) -> None:
    (store.data_dir / "audit.jsonl").write_text("".join(line + "\n" for line in lines), "utf-8")


def test_every_write_records_who_when_what_before_and_after_x_l1(filled):
    entries = filled.audit.entries()
    assert [(e["action"], e["record_id"]) for e in entries] == [
        ("导入", 1), ("导入", 2), ("导入", 3), ("修改专家信息", 1), ("删除", 3)]
    insert, update, delete = entries[0], entries[3], entries[4]
    assert insert["before"] is None and insert["after"]["name"] == "专家1"
    assert update["before"]["name"] == "专家1" and update["after"]["name"] == "改名"
    assert delete["before"]["name"] == "专家3" and delete["after"] is None
    assert update["actor"] == "admin" and update["collection"] == "experts"
    assert update["ts"] == "2026-11-25T09:30:05"
    assert "id" not in insert["after"] and insert["after"]["schema_version"] == 1
    assert update["before"] == {"name": "专家1"} and update["after"] == {"name": "改名"}  # what changed (issue 17)


def test_lines_are_chained_from_sixty_four_zeros_by_hmac_sha256_of_their_canonical_json_x_l1(filled):
    key = bytes.fromhex(filled.audit.key_path.read_text("ascii").strip())
    entries = filled.audit.entries()
    assert entries[0]["prev_hash"] == GENESIS == "0" * 64
    for prev, entry in zip(entries, entries[1:]):
        assert entry["prev_hash"] == prev["hash"]
    for entry in entries:
        assert entry["hash"] == line_mac(entry, key) != line_hash(entry) and len(entry["hash"]) == 64
    assert set(entries[0]) == {"ts", "actor", "action", "collection", "record_id", "before", "after",
                               "prev_hash", "v", "before_sha256", "after_sha256", "hash"}


def test_audit_lines_keep_chinese_literally(filled):
    assert "专家1" in (filled.data_dir / "audit.jsonl").read_text("utf-8")


def test_entries_filter_by_collection_and_record(filled):
    filled.collection("users").insert({"username": "a"}, actor="admin", action="创建用户", unique=())
    assert [e["action"] for e in filled.audit.entries(collection="experts", record_id=1)] == ["导入", "修改专家信息"]
    assert len(filled.audit.entries(collection="users")) == 1
    assert len(filled.audit.entries(record_id=1)) == 3
    assert len(filled.audit.entries()) == 6


def test_delete_where_and_insert_many_write_one_line_per_record(store):
    repo = store.collection("experts")
    repo.insert_many([make_doc(n) for n in range(1, 6)], actor="o", action="导入")
    repo.delete_where(lambda d: d["id"] > 2, actor="o", action="清理")
    assert [e["record_id"] for e in store.audit.entries() if e["action"] == "清理"] == [3, 4, 5]


def test_an_intact_log_verifies_with_a_chinese_message(filled):
    check = filled.audit.verify()
    assert check == AuditCheck(True, None, "操作日志完整：共 5 条记录，密钥签名校验通过。")


def test_an_empty_log_verifies(store):
    assert store.audit.verify().ok


def test_an_edited_line_is_found_at_its_own_line(filled):
    lines = audit_lines(filled)
    lines[2] = lines[2].replace('"office"', '"someone"')
    rewrite(filled, lines)
    check = filled.audit.verify()
    assert not check.ok and check.first_bad_line == 3 and "第 3 行" in check.message and "被改动" in check.message


def test_an_edited_line_whose_plain_hash_was_recomputed_is_found_at_its_own_line_x_l1(filled):
    lines = audit_lines(filled)
    entry = json.loads(lines[1])
    entry["after"]["name"] = "伪造"
    entry["hash"] = line_hash(entry)
    lines[1] = json.dumps(entry, ensure_ascii=False)
    rewrite(filled, lines)
    check = filled.audit.verify()
    assert not check.ok and check.first_bad_line == 2 and "没有密钥签名" in check.message


def test_a_deleted_line_is_found_where_the_chain_breaks(filled):
    lines = audit_lines(filled)
    del lines[1]
    rewrite(filled, lines)
    check = filled.audit.verify()
    assert not check.ok and check.first_bad_line == 2 and "删除" in check.message


def test_a_line_that_is_not_json_is_found(filled):
    lines = audit_lines(filled)
    lines[3] = lines[3][:50]
    rewrite(filled, lines)
    check = filled.audit.verify()
    assert not check.ok and check.first_bad_line == 4 and "第 4 行" in check.message
    assert len(filled.audit.entries()) == 4  # entries skip the broken line; verify reports it


def test_lines_deleted_from_the_end_are_found_against_the_newest_backup(filled):
    filled.backups.create("手动备份", "admin")
    rewrite(filled, audit_lines(filled)[:3])
    check = filled.audit.verify()
    assert not check.ok and check.first_bad_line == 4 and "少 2 条" in check.message


def test_a_log_rewritten_from_scratch_differs_from_the_newest_backup(filled):
    filled.backups.create("手动备份", "admin")
    lines = [json.loads(line) for line in audit_lines(filled)]
    prev = GENESIS
    for entry in lines:  # a forger rebuilds the whole chain with another actor on line 2
        entry["prev_hash"] = prev
        if entry["record_id"] == 2:
            entry["actor"] = "someone"
        entry["hash"] = prev = line_hash(entry)
    rewrite(filled, [json.dumps(e, ensure_ascii=False) for e in lines])
    check = filled.audit.verify()  # without the key the very first rebuilt line fails
    assert not check.ok and check.first_bad_line == 1 and "没有密钥签名" in check.message


def test_writes_after_a_backup_keep_the_log_valid(filled):
    filled.backups.create("手动备份", "admin")
    filled.collection("experts").insert(make_doc(9), actor="o", action="新建")
    assert filled.audit.verify().ok


def test_a_line_torn_by_a_crash_is_removed_at_the_next_open(filled):
    path = filled.data_dir / "audit.jsonl"
    with open(path, "ab") as f:
        f.write(b'{"ts": "2026-11-25T09:31:00", "actor": "off')
    assert not filled.audit.verify().ok
    reopened = open_store(filled.data_dir)
    assert reopened.audit.verify().ok and len(reopened.audit.entries()) == 5
    reopened.collection("experts").insert(make_doc(8), actor="o", action="新建")
    assert reopened.audit.verify().ok


def test_a_whole_last_line_missing_only_its_newline_is_kept_at_open(filled):
    path = filled.data_dir / "audit.jsonl"
    path.write_bytes(path.read_bytes().rstrip(b"\n"))
    reopened = open_store(filled.data_dir)
    assert reopened.audit.verify().ok and len(reopened.audit.entries()) == 5


def test_a_service_can_record_an_event_that_is_not_a_write(store):
    entry = store.audit.record("office", "导出专家名单", collection="experts", after={"rows": 12})
    assert entry["record_id"] is None and store.audit.entries()[-1]["after"] == {"rows": 12}
    assert store.audit.verify().ok
