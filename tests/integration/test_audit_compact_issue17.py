"""Issue 17 — audit lines that carry what changed, and an index for one record's lines (X-L1).

An update line carries only the fields that changed (old → new), big values as their SHA-256 and length, and the
SHA-256 of the whole record before and after, so each step is still provable against the data file; no line is
over 64 KB whatever the record; redaction stays; lines in the old format (whole records) still verify and still
show in the 履历; `entries(collection, record_id)` is served by an index that follows appends made by another
process.
"""
from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from core import vocab
from services import experts, settings
from services.context import build_context
from store import open_store
from store.audit_index import index_for
from store.audit_lines import (DELETE, DIGEST_OVER, EVENT, INSERT, LINE_LIMIT, MISSING, UPDATE, canonical, is_digest,
                               record_change, record_sha256)
from store.repository import Repository, audit_pair
from store.storage import DATA_TABLE, parse
from tests.conftest import DEPARTMENT, LEADER, OFFICE
from tests.factories import make_expert

ROOT = Path(__file__).resolve().parents[2]


def make_doc(n: int = 1, **overrides) -> dict:
    return {"name": f"专家{n}", "id_number": f"1403021980010{n:05d}", "mobile": f"139{n:08d}", **overrides}


@pytest.fixture
def store(tmp_path):
    return open_store(tmp_path / "data", clock=lambda: datetime(2026, 12, 7, 19, 0, 0))


def raw_lines(store) -> list[bytes]:
    return (store.data_dir / "audit.jsonl").read_bytes().splitlines()


def stored_bodies(store, collection: str) -> dict[int, dict]:
    """The records as the data file holds them (no "id")."""
    table = parse((store.data_dir / f"{collection}.json").read_bytes(), collection).get(DATA_TABLE, {})
    return {int(k): v for k, v in table.items()}


def legacy_records(self, rows):
    """How the audit log wrote a repository write until 2026-12: the whole record before and after."""
    return [(self.name, doc_id, *audit_pair(self.name, before, after, self._redact)) for doc_id, before, after in rows]


# --- what a line carries -----------------------------------------------------------------------------------
def test_x_l1_an_update_line_carries_only_the_changed_fields_old_and_new(store):
    repo = store.collection("experts")
    rid = repo.insert(make_doc(1, unit="甲单位", remarks="旧"), actor="office", action="新建专家")
    repo.update(rid, {"name": "改名", "unit": "乙单位"}, actor="office", action="修改专家信息")
    repo.update(rid, lambda d: {k: v for k, v in d.items() if k != "remarks"} | {"email": "a@b.cn"},
                actor="office", action="修改专家信息")
    insert, rename, reshape = store.audit.entries("experts", rid)
    assert insert["before"] is None and insert["after"]["name"] == "专家1" and insert["after"]["unit"] == "甲单位"
    assert rename["before"] == {"name": "专家1", "unit": "甲单位"}
    assert rename["after"] == {"name": "改名", "unit": "乙单位"}
    assert reshape["before"] == {"remarks": "旧"} and reshape["after"] == {"email": "a@b.cn"}  # removed / added
    change = record_change(reshape)
    assert change.kind == UPDATE
    assert [(f.key, f.before, f.after) for f in change.fields] == [("remarks", "旧", MISSING),
                                                                   ("email", MISSING, "a@b.cn")]
    assert store.audit.verify().ok


def test_x_l1_a_delete_line_keeps_a_copy_and_the_hash_of_the_record(store):
    repo = store.collection("experts")
    rid = repo.insert(make_doc(1), actor="office", action="新建专家")
    body = stored_bodies(store, "experts")[rid]
    repo.delete(rid, actor="admin", action="删除专家")
    line = store.audit.entries("experts", rid)[-1]
    assert line["before"]["name"] == "专家1" and line["after"] is None
    assert line["before_sha256"] == record_sha256(body) and line["after_sha256"] is None
    assert record_change(line).kind == DELETE and record_change(line).before()["name"] == "专家1"


def test_x_l1_the_record_hashes_on_the_lines_match_the_data_file_at_every_step(store):
    repo = store.collection("experts")
    rid = repo.insert(make_doc(1), actor="office", action="新建专家")
    states = [stored_bodies(store, "experts")[rid]]
    for n in range(4):
        repo.update(rid, {"unit": f"单位{n}", "resume": "经历" * (n * 900)}, actor="office", action="修改专家信息")
        states.append(stored_bodies(store, "experts")[rid])
    lines = store.audit.entries("experts", rid)
    assert [line["after_sha256"] for line in lines] == [hashlib.sha256(canonical(s)).hexdigest() for s in states]
    assert [line["before_sha256"] for line in lines] == [None] + [line["after_sha256"] for line in lines[:-1]]
    assert all(line["v"] == 2 for line in lines)


def test_x_l1_big_values_are_logged_as_their_sha256_and_length(store):
    repo = store.collection("experts")
    big = "长" * 6000
    rid = repo.insert(make_doc(1, resume=big), actor="office", action="新建专家")
    repo.update(rid, {"resume": big + "又一段"}, actor="office", action="修改专家信息")
    insert, update = store.audit.entries("experts", rid)
    for value, logged in ((big, insert["after"]["resume"]), (big + "又一段", update["after"]["resume"])):
        assert is_digest(logged) and len(canonical(value)) > DIGEST_OVER
        assert logged["sha256"] == hashlib.sha256(canonical(value)).hexdigest()
        assert logged["bytes"] == len(canonical(value))
    assert is_digest(update["before"]["resume"]) and update["before"]["resume"]["sha256"] == insert["after"]["resume"][
        "sha256"]
    assert big not in (store.data_dir / "audit.jsonl").read_text("utf-8")
    assert insert["after"]["name"] == "专家1"  # small values stay readable


@pytest.mark.parametrize("shape", ["one 1 MB field", "300 fields of 3.5 KB", "a 1 MB list of small items"])
def test_x_l1_no_audit_line_is_over_64_kb_whatever_the_record(store, shape):
    if shape == "one 1 MB field":
        doc = make_doc(1, blob="x" * (1 << 20))
    elif shape == "300 fields of 3.5 KB":
        doc = make_doc(1, **{f"f{i:03d}": chr(0x4e00 + i) * 1200 for i in range(300)})
    else:
        doc = make_doc(1, items=[{"n": i, "t": "项"} for i in range(60_000)])
    assert len(canonical(doc)) > 1_000_000
    repo = store.collection("experts")
    rid = repo.insert(doc, actor="office", action="新建专家", unique=())
    changed = {k: (v + "改" if isinstance(v, str) else v) for k, v in doc.items()}
    changed["items"] = list(range(200_000))
    repo.update(rid, changed, actor="office", action="修改专家信息")
    repo.delete(rid, actor="office", action="删除专家")
    store.audit.record("admin", "大事件", after={"blob": "y" * (1 << 20)})
    sizes = [len(line) + 1 for line in raw_lines(store)]
    assert max(sizes) <= LINE_LIMIT, sizes
    assert store.audit.verify().ok
    kinds = [record_change(e).kind for e in store.audit.entries("experts", rid)]
    assert kinds == [INSERT, UPDATE, DELETE]
    assert [e["after_sha256"] for e in store.audit.entries("experts", rid)][0] == record_sha256(
        json.loads(json.dumps(dict(doc, schema_version=1), ensure_ascii=False)))


def test_x_l1_redacted_fields_stay_hidden_and_an_unchanged_secret_is_not_mentioned(store):
    users = store.collection("users", redact=("password_hash",))
    uid = users.insert({"username": "a", "password_hash": "scrypt$secret1"}, actor="admin", action="创建用户",
                       unique=())
    users.update(uid, {"display_name": "甲"}, actor="admin", action="修改用户")
    users.update(uid, {"password_hash": "scrypt$secret2"}, actor="admin", action="重置密码")
    created, renamed, reset = store.audit.entries("users", uid)
    assert created["after"]["password_hash"] == "〔已隐藏〕"
    assert renamed["before"] == {} and renamed["after"] == {"display_name": "甲"}
    assert reset["before"] == {"password_hash": "〔已隐藏〕"}
    assert reset["after"] == {"password_hash": "〔已隐藏，本次已更改〕"}
    assert "scrypt$" not in (store.data_dir / "audit.jsonl").read_text("utf-8")


# --- old lines -----------------------------------------------------------------------------------------------
def test_x_l1_old_format_lines_still_verify_and_read_the_same_as_new_ones(store, monkeypatch):
    repo = store.collection("experts")
    with monkeypatch.context() as m:
        m.setattr(Repository, "_audit_records", legacy_records)
        rid = repo.insert(make_doc(1), actor="office", action="新建专家")
        repo.update(rid, {"name": "旧格式改名"}, actor="office", action="修改专家信息")
    repo.update(rid, {"name": "新格式改名", "unit": "丙"}, actor="office", action="修改专家信息")
    repo.delete(rid, actor="office", action="删除专家")
    lines = store.audit.entries("experts", rid)
    assert "v" not in lines[1] and lines[1]["before"]["id_number"] == lines[1]["after"]["id_number"]  # whole records
    assert store.audit.verify().ok
    changes = [record_change(line) for line in lines]
    assert [c.kind for c in changes] == [INSERT, UPDATE, UPDATE, DELETE]
    assert [(f.key, f.before, f.after) for f in changes[1].fields] == [("name", "专家1", "旧格式改名")]
    assert [(f.key, f.before, f.after) for f in changes[2].fields] == [("name", "旧格式改名", "新格式改名"),
                                                                       ("unit", MISSING, "丙")]
    assert changes[1].before_sha256 is None and changes[2].before_sha256 is not None
    assert record_change({"action": "手动备份", "before": None, "after": None}).kind == EVENT


# --- the 履历 views --------------------------------------------------------------------------------------------
def _edit_an_expert_several_times(ctx, clock, first: dict, other_id_number: str) -> int:
    eid = experts.create_expert(ctx, OFFICE, dict(first))
    for n, changes in enumerate([{"unit": "晋城市应急管理局"}, {"mobile": "13912345678", "name": "王建民"},
                                 {"resume": "长期从事危险化学品安全管理工作。" * 120}, {"resume": "长" * 4000},
                                 {"resume": "改短了。"}, {"id_number": other_id_number}]):
        clock.now += timedelta(minutes=5)
        experts.update_expert(ctx, OFFICE, eid, changes)
    return eid


def _old_history(ctx, actor, expert_id):
    """The 履历 as services.experts.history computed it before issue 17 (on whole-record lines)."""
    from core.masking import secrets_of, sees_full_personal_data
    entries = list(reversed(ctx.store.audit.entries(collection="experts", record_id=expert_id)))
    versions = [ctx.store.collection("experts").get(expert_id)] + [b for e in entries for b in (e["before"], e["after"])]
    secrets = [secrets_of(*versions)] if not sees_full_personal_data(actor.role) else []
    rows = []
    for entry in entries:
        raw_before, raw_after = entry["before"] or {}, entry["after"] or {}
        before = experts._shown(actor, raw_before, also=secrets)
        after = experts._shown(actor, raw_after, also=secrets)
        parts = set()
        for key in set(raw_before) | set(raw_after):
            if key in ("schema_version", "updated_at", "created_at") or raw_before.get(key) == raw_after.get(key):
                continue
            label = experts.FIELDS_BY_KEY[key].label if key in experts.FIELDS_BY_KEY else key
            parts.add(f"{label}：已修改（内容已隐藏）" if before.get(key) == after.get(key)
                      else f"{label}：{experts._fmt(before.get(key))} → {experts._fmt(after.get(key))}")
        rows.append((entry["ts"], entry["actor"], entry["action"], frozenset(parts) if entry["before"] else "新建记录"))
    return rows


def _rows(history):
    return [(r["时间"], r["操作人"], r["操作"], frozenset(r["变更"].split("；")) if r["变更"] != "新建记录"
             else "新建记录") for r in history]


@pytest.mark.parametrize("viewer", [OFFICE, LEADER, DEPARTMENT], ids=["办公室", "领导", "使用科室"])
def test_x_l1_history_views_are_unchanged_for_an_expert_edited_several_times(clock, viewer, monkeypatch):
    """The same edits logged in the old format (whole records) and in the new one (changed fields) give the same
    履历, masked alike for 领导/使用科室 — a resume at its longest (4,000 characters) included."""
    start = clock.now
    old_ctx = build_context(None, clock=clock)
    policy = settings.active_policy(old_ctx)
    first, other_id_number = make_expert(policy, name="王建国", resume="从事安全管理。"), make_expert(policy)["id_number"]
    with monkeypatch.context() as m:
        m.setattr(Repository, "_audit_records", legacy_records)
        old_id = _edit_an_expert_several_times(old_ctx, clock, first, other_id_number)
    clock.now = start
    new_ctx = build_context(None, clock=clock)
    new_id = _edit_an_expert_several_times(new_ctx, clock, first, other_id_number)
    assert old_id == new_id
    old_lines, new_lines = (c.store.audit.entries("experts", old_id) for c in (old_ctx, new_ctx))
    assert all(line.get("v") == 2 for line in new_lines) and not any("v" in line for line in old_lines)
    sizes = [(len(json.dumps(o, ensure_ascii=False)), len(json.dumps(n, ensure_ascii=False)))
             for o, n in zip(old_lines, new_lines)]
    assert all(new < old for old, new in sizes[1:]) and sizes[1][1] < sizes[1][0] / 2  # 单位 changed: a short line
    old_view, new_view = experts.history(old_ctx, viewer, old_id), experts.history(new_ctx, viewer, new_id)
    assert len(new_view) == 7 and new_view == old_view
    assert _rows(old_view) == _old_history(old_ctx, viewer, old_id)  # and as the code before issue 17 showed it
    if viewer.role != vocab.ROLE_OFFICE:
        every_number = {line[side].get("id_number") for line in old_lines for side in ("before", "after")
                        if line[side]} - {None}
        assert len(every_number) == 2 and not any(n in str(new_view) for n in every_number)
    else:
        assert "晋城市应急管理局" in str(new_view) and "长" * 4000 in str(new_view)


# --- the index of (collection, record_id) → lines ----------------------------------------------------------------
CHILD = """
import sys
sys.path.insert(0, sys.argv[1])
from store import open_store
repo = open_store(sys.argv[2]).collection("experts")
for n in range(int(sys.argv[3])):
    repo.update(1, {"unit": f"子进程{n}"}, actor="child", action="修改专家信息")
    repo.update(2, {"unit": f"子进程{n}"}, actor="child", action="修改专家信息")
"""


def scan(store, collection=None, record_id=None) -> list[dict]:
    """What entries() returned before the index: the whole file parsed and filtered."""
    out = []
    for raw in raw_lines(store):
        try:
            entry = json.loads(raw)
        except ValueError:
            continue
        if (collection is None or entry.get("collection") == collection) and \
                (record_id is None or entry.get("record_id") == record_id):
            out.append(entry)
    return out


def scan_locate(store, collection, record_id, action):
    for number, entry in enumerate((json.loads(raw) for raw in raw_lines(store)), 1):
        if (entry["collection"], entry["record_id"], entry["action"]) == (collection, record_id, action):
            return number, entry["hash"]
    return None


QUERIES = [("experts", 1), ("experts", 2), ("experts", 3), ("experts", None), (None, 1), ("users", None),
           ("users", 1), ("nothing", 1)]


def test_x_l1_the_audit_index_follows_lines_appended_by_another_process(store):
    repo = store.collection("experts")
    repo.insert_many([make_doc(n) for n in range(1, 4)], actor="office", action="导入")
    store.collection("users").insert({"username": "u"}, actor="admin", action="创建用户", unique=())
    assert len(store.audit.entries("experts", 1)) == 1
    index = index_for(store.audit.path)
    builds = index.builds
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(ROOT), str(store.data_dir), "25"], cwd=ROOT)
    seen, n = [], 0
    while child.poll() is None:  # the parent reads and writes while the child appends
        seen.append(len(store.audit.entries("experts", 1)))
        n += 1
        repo.update(3, {"unit": f"父进程{n}"}, actor="office", action="修改专家信息")
    assert child.wait() == 0
    assert seen == sorted(seen) and len(store.audit.entries("experts", 1)) == 26
    for collection, record_id in QUERIES:
        assert store.audit.entries(collection, record_id) == scan(store, collection, record_id)
    assert store.audit.locate("experts", 2, "修改专家信息") == scan_locate(store, "experts", 2, "修改专家信息")
    assert index.builds == builds  # only the new tails were read, never the whole file again
    assert store.audit.verify().ok


def test_x_l1_the_audit_index_is_rebuilt_when_the_log_is_cut_rewritten_or_replaced(store):
    import os
    repo = store.collection("experts")
    repo.insert_many([make_doc(n) for n in range(1, 4)], actor="office", action="导入")
    for n in range(6):
        repo.update(1 + n % 3, {"unit": f"单位{n}"}, actor="office", action="修改专家信息")
    path = store.data_dir / "audit.jsonl"
    assert store.audit.entries("experts", 1) == scan(store, "experts", 1)
    original = path.read_bytes()
    lines = original.splitlines(keepends=True)

    def same_everywhere():
        for collection, record_id in QUERIES:
            assert store.audit.entries(collection, record_id) == scan(store, collection, record_id)

    path.write_bytes(b"".join(lines[:-2]))  # cut
    same_everywhere()
    edited = json.loads(lines[1])
    edited["after"]["name"] = "改得更长的名字"  # rewritten in place (it no longer verifies, but still reads)
    stat = path.stat()
    path.write_bytes(b"".join(lines[:1] + [json.dumps(edited, ensure_ascii=False).encode() + b"\n"] + lines[2:]))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    same_everywhere()
    assert store.audit.entries("experts", 2)[0]["after"]["name"] == "改得更长的名字"
    replacement = path.with_name("audit.jsonl.new")
    replacement.write_bytes(original)
    os.replace(replacement, path)  # another inode
    same_everywhere()
    assert store.audit.verify().ok
    repo.update(1, {"unit": "最后"}, actor="office", action="修改专家信息")
    same_everywhere()
    assert store.audit.locate("experts", 3, "导入") == scan_locate(store, "experts", 3, "导入")


def test_x_l1_a_restore_line_carries_the_changed_fields_and_the_hash_of_the_restored_record(store):
    repo = store.collection("experts")
    rid = repo.insert(make_doc(1, unit="甲"), actor="office", action="新建专家")
    taken = store.backups.create("手动备份", "admin")
    repo.update(rid, {"unit": "乙", "name": "改过"}, actor="office", action="修改专家信息")
    store.backups.restore(taken.name, actor="admin")
    line = store.audit.entries("experts", rid)[-1]
    assert line["action"] == "恢复备份" and line["v"] == 2
    assert line["before"] == {"name": "改过", "unit": "乙"} and line["after"] == {"name": "专家1", "unit": "甲"}
    assert line["after_sha256"] == record_sha256(stored_bodies(store, "experts")[rid])
    assert line["before_sha256"] == store.audit.entries("experts", rid)[-2]["after_sha256"]
    assert store.audit.verify().ok
