"""数据文件 — the store on real files: atomic writes, start-up checks, copies, ids, failed writes (store layer)."""
from __future__ import annotations

import errno
import json
import os

import pytest

from core.errors import DuplicateError, NotFoundError, StoreCorruptError, StoreError
from store import SCHEMA_VERSION, open_store
from store.audit import AuditLog


def make_expert(n: int = 1, **overrides) -> dict:
    doc = {"name": f"专家{n}", "id_number": f"1403021980010{n:05d}", "unit": "阳泉市应急管理局",
           "specialties": ["1.1", "2.3"], "remarks": "从事煤矿安全工作二十年"}
    doc.update(overrides)
    return doc


def write(repo, doc, **kw):
    return repo.insert(doc, actor="office", action="新建专家", **kw)


def file_docs(path) -> dict:
    return json.loads(path.read_text("utf-8"))["_default"]


@pytest.fixture
def store(tmp_path):
    return open_store(tmp_path / "data")


@pytest.fixture
def experts(store):
    return store.collection("experts")


# --- layout and format -----------------------------------------------------------------------------------
def test_each_collection_is_its_own_json_file_with_schema_version_in_every_document(store, experts):
    write(experts, make_expert(1))
    store.collection("users").insert({"username": "admin"}, actor="system", action="创建用户", unique=())
    data_dir = store.data_dir
    assert sorted(p.name for p in data_dir.glob("*.json")) == ["experts.json", "users.json"]
    docs = file_docs(data_dir / "experts.json")
    assert docs["1"]["schema_version"] == SCHEMA_VERSION == 1
    assert "id" not in docs["1"]


def test_id_is_returned_but_never_stored_in_the_document_body(store, experts):
    doc_id = write(experts, make_expert(1, id=999))
    assert doc_id == 1 and experts.get(1)["id"] == 1
    experts.update(1, {"id": 555, "unit": "晋城市应急管理局"}, actor="office", action="修改")
    assert "id" not in file_docs(store.data_dir / "experts.json")["1"]
    assert experts.get(1)["id"] == 1 and experts.get(555) is None


def test_user_text_with_markup_braces_line_breaks_and_emoji_is_stored_literally_x_w1(store, experts):
    text = "张三 & 李四 <b>加粗</b> {{ name }} {% if %}\n第二行\r\n第三行 🚒🔥 ‘引号’"
    doc_id = write(experts, make_expert(1, remarks=text))
    assert experts.get(doc_id)["remarks"] == text
    raw = (store.data_dir / "experts.json").read_text("utf-8")
    assert "张三 & 李四 <b>加粗</b> {{ name }}" in raw and "🚒🔥" in raw  # ensure_ascii=False
    assert open_store(store.data_dir).collection("experts").get(doc_id)["remarks"] == text


def test_the_data_file_holds_one_document_per_line_and_stays_valid_json(store, experts):
    for n in range(1, 4):
        write(experts, make_expert(n))
    lines = (store.data_dir / "experts.json").read_text("utf-8").splitlines()
    assert sum(1 for line in lines if line.startswith('"') and '"name"' in line) == 3
    json.loads("\n".join(lines))


def test_ids_of_deleted_records_are_never_given_out_again(experts):
    write(experts, make_expert(1))
    second = write(experts, make_expert(2))
    experts.delete(second, actor="office", action="删除")
    assert write(experts, make_expert(3)) == 3


# --- copies, not live documents --------------------------------------------------------------------------
def test_mutating_a_returned_record_changes_nothing_in_the_store(experts):
    doc_id = write(experts, make_expert(1))
    got = experts.get(doc_id)
    got["name"] = "改了"
    got["specialties"].append("9.9")
    experts.all()[0]["specialties"].clear()
    experts.search(lambda d: True)[0]["unit"] = "别处"
    assert experts.get(doc_id)["name"] == "专家1"
    assert experts.get(doc_id)["specialties"] == ["1.1", "2.3"]
    assert experts.get(doc_id)["unit"] == "阳泉市应急管理局"


def test_the_caller_keeps_no_handle_on_what_was_stored_or_returned_by_update(experts):
    doc = make_expert(1)
    doc_id = write(experts, doc)
    doc["specialties"].append("9.9")
    new = experts.update(doc_id, {"unit": "晋城"}, actor="office", action="修改")
    new["specialties"].append("8.8")
    assert experts.get(doc_id)["specialties"] == ["1.1", "2.3"]


def test_an_update_function_that_fails_halfway_leaves_the_record_as_it_was(experts):
    doc_id = write(experts, make_expert(1))

    def bad(doc):
        doc["specialties"].append("9.9")
        raise ValueError("中途出错")

    with pytest.raises(ValueError):
        experts.update(doc_id, bad, actor="office", action="修改")
    assert experts.get(doc_id)["specialties"] == ["1.1", "2.3"]


def test_update_accepts_a_function_returning_the_whole_new_record(experts):
    doc_id = write(experts, make_expert(1, position="科长"))
    new = experts.update(doc_id, lambda d: {k: v for k, v in d.items() if k != "position"},
                         actor="office", action="修改")
    assert "position" not in new and "position" not in experts.get(doc_id)


def test_an_update_that_changes_nothing_writes_and_audits_nothing(store, experts):
    doc_id = write(experts, make_expert(1))
    before = (store.data_dir / "experts.json").read_bytes()
    experts.update(doc_id, {"name": "专家1"}, actor="office", action="修改")
    assert (store.data_dir / "experts.json").read_bytes() == before
    assert len(store.audit.entries()) == 1


def test_updating_or_deleting_a_missing_record_says_so_in_chinese(experts):
    with pytest.raises(NotFoundError, match="记录 7 不存在"):
        experts.update(7, {"name": "x"}, actor="office", action="修改")
    with pytest.raises(NotFoundError, match="记录 7 不存在"):
        experts.delete(7, actor="office", action="删除")
    assert experts.get(7) is None and experts.get("abc") is None


def test_documents_that_are_not_json_values_are_refused_before_anything_is_written(store, experts):
    from datetime import date
    with pytest.raises(TypeError, match="JSON"):
        write(experts, make_expert(1, birth_date=date(1980, 1, 1)))
    assert experts.all() == [] and not (store.data_dir / "experts.json").exists()


# --- uniqueness ------------------------------------------------------------------------------------------
def test_a_second_expert_with_the_same_id_number_is_refused_naming_the_field_and_record_x_i1(experts):
    first = write(experts, make_expert(1, id_number="14030219800101123X"))
    with pytest.raises(DuplicateError) as caught:
        write(experts, make_expert(2, id_number=" 14030219800101123x "))
    assert caught.value.existing_id == first
    assert str(caught.value) == "身份证号 14030219800101123x 已存在（记录 1）"
    assert len(experts.all()) == 1


def test_empty_values_are_not_checked_for_uniqueness(experts):
    write(experts, make_expert(1, id_number=""))
    write(experts, make_expert(2, id_number=None))
    write(experts, make_expert(3, id_number="  "))
    assert len(experts.all()) == 3


def test_a_unique_key_not_in_the_expert_fields_is_named_by_its_key(store):
    settings = store.collection("settings")
    settings.insert({"key": "active_policy", "value": "jincheng-2026"}, actor="admin", action="设置", unique=("key",))
    with pytest.raises(DuplicateError, match="key active_policy 已存在（记录 1）"):
        settings.insert({"key": "active_policy", "value": "x"}, actor="admin", action="设置", unique=("key",))


def test_insert_many_refuses_duplicates_within_the_batch_and_writes_nothing(store, experts):
    docs = [make_expert(1), make_expert(2), make_expert(1, name="重复")]
    with pytest.raises(DuplicateError, match="本批数据中重复（第 1 条与第 3 条）"):
        experts.insert_many(docs, actor="office", action="导入", unique=("id_number",))
    assert experts.all() == [] and store.audit.entries() == []


def test_insert_many_is_all_or_nothing_when_one_clashes_with_a_stored_record(store, experts):
    write(experts, make_expert(5))
    with pytest.raises(DuplicateError) as caught:
        experts.insert_many([make_expert(4), make_expert(5)], actor="office", action="导入", unique=("id_number",))
    assert caught.value.existing_id == 1
    assert [d["name"] for d in experts.all()] == ["专家5"]
    assert len(store.audit.entries()) == 1


def test_insert_many_gives_consecutive_ids_in_one_write(experts):
    assert experts.insert_many([make_expert(n) for n in range(1, 4)], actor="office", action="导入") == [1, 2, 3]
    assert experts.insert_many([], actor="office", action="导入") == []


def test_an_update_may_keep_its_own_unique_value_but_not_take_another_records(experts):
    a = write(experts, make_expert(1))
    b = write(experts, make_expert(2))
    experts.update(a, {"name": "新名", "id_number": make_expert(1)["id_number"]}, actor="o", action="改",
                   unique=("id_number",))
    with pytest.raises(DuplicateError) as caught:
        experts.update(b, {"id_number": make_expert(1)["id_number"]}, actor="o", action="改", unique=("id_number",))
    assert caught.value.existing_id == a
    assert experts.get(b)["id_number"] == make_expert(2)["id_number"]


def test_delete_where_removes_every_match_in_one_write_and_sees_only_copies(store, experts):
    experts.insert_many([make_expert(n, is_demo=n % 2 == 0) for n in range(1, 7)], actor="o", action="导入")

    def demo(doc):
        doc["name"] = "被改"  # a predicate that mutates must not change the records that stay
        return doc["is_demo"]

    assert experts.delete_where(demo, actor="o", action="删除演示数据") == 3
    assert [d["name"] for d in experts.all()] == ["专家1", "专家3", "专家5"]
    assert experts.delete_where(lambda d: False, actor="o", action="删除") == 0
    assert len(store.audit.entries()) == 6 + 3


# --- start-up check --------------------------------------------------------------------------------------
def test_stale_temp_files_are_removed_when_the_store_opens(tmp_path):
    data = tmp_path / "data"
    write(open_store(data).collection("experts"), make_expert(1))
    (data / ".experts.json.abc123.tmp").write_text('{"_default": {"1": {"na', "utf-8")
    (data / ".users.json.def456.tmp").write_text("", "utf-8")
    open_store(data)
    assert not list(data.glob("*.tmp")) and not list(data.glob(".*.tmp"))
    assert open_store(data).collection("experts").get(1)["name"] == "专家1"


def test_a_corrupt_file_stops_the_start_naming_the_file_and_saying_there_is_no_backup(tmp_path):
    data = tmp_path / "data"
    write(open_store(data).collection("experts"), make_expert(1))
    text = (data / "experts.json").read_text("utf-8").splitlines()
    text[1] = text[1][:40]  # a torn second line, as a non-atomic write would leave
    (data / "experts.json").write_text("\n".join(text), "utf-8")
    with pytest.raises(StoreCorruptError) as caught:
        open_store(data)
    message = str(caught.value)
    assert "数据文件 experts.json 无法读取" in message and "行附近 JSON 格式错误" in message
    assert "系统已停止以防数据丢失" in message and "没有找到任何备份" in message


def test_a_corrupt_file_message_names_the_newest_backup_and_how_to_restore_it(tmp_path):
    from datetime import datetime
    data = tmp_path / "data"
    st = open_store(data)
    write(st.collection("experts"), make_expert(1))
    st.backups.create("手动备份", "admin", now=datetime(2026, 11, 24, 9, 0, 0))
    st.backups.create("手动备份", "admin", now=datetime(2026, 11, 25, 9, 30, 0))
    (data / "experts.json").write_text('{"_default": {\n"1": {"name": "专家1",\n"2": oops\n}}', "utf-8")
    with pytest.raises(StoreCorruptError) as caught:
        open_store(data)
    message = str(caught.value)
    assert "第 3 行附近 JSON 格式错误" in message
    assert "最近的备份：20261125-093000" in message
    assert f"python -m store restore {data.resolve()} 20261125-093000" in message


@pytest.mark.parametrize("content", [b"", b"[1, 2]", b'{"_default": {"1": "text"}}', b"\xff\xfe{}"])
def test_an_empty_or_misshapen_file_is_corrupt_too_never_an_empty_store(tmp_path, content):
    data = tmp_path / "data"
    data.mkdir()
    (data / "experts.json").write_bytes(content)
    with pytest.raises(StoreCorruptError, match="experts.json"):
        open_store(data)


def test_the_backups_folder_is_not_part_of_the_start_up_scan(tmp_path):
    data = tmp_path / "data"
    (data / "backups" / "20261125-093000").mkdir(parents=True)
    (data / "backups" / "20261125-093000" / "experts.json").write_text("not json", "utf-8")
    assert open_store(data).collection("experts").all() == []


def test_a_file_corrupted_while_running_gives_a_chinese_error_not_empty_data(store, experts):
    write(experts, make_expert(1))
    (store.data_dir / "experts.json").write_text("{broken", "utf-8")
    with pytest.raises(StoreCorruptError, match="experts.json"):
        experts.all()
    with pytest.raises(StoreCorruptError):
        write(experts, make_expert(2))


def test_two_store_objects_on_one_folder_share_one_tinydb_instance_per_file(tmp_path):
    a, b = open_store(tmp_path / "d"), open_store(tmp_path / "d")
    assert a.collection("experts")._h is b.collection("experts")._h
    assert a.collection("experts")._h is not a.collection("users")._h
    write(a.collection("experts"), make_expert(1))
    write(b.collection("experts"), make_expert(2))
    write(a.collection("experts"), make_expert(3))
    assert [d["id"] for d in b.collection("experts").all()] == [1, 2, 3]


def test_bad_collection_names_are_refused(store):
    for name in ("../x", "a/b", "", "名单"):
        with pytest.raises(ValueError):
            store.collection(name)


def test_fields_named_in_redact_never_reach_the_audit_log(store):
    users = store.collection("users", redact=("password_hash",))
    uid = users.insert({"username": "admin", "password_hash": "scrypt$secret"}, actor="admin", action="创建用户",
                       unique=("username",))
    users.update(uid, {"password_hash": "scrypt$other"}, actor="admin", action="修改密码")
    raw = (store.data_dir / "audit.jsonl").read_text("utf-8")
    assert "secret" not in raw and "other" not in raw
    assert users.get(uid)["password_hash"] == "scrypt$other"
    assert store.audit.verify().ok


# --- failed writes (full disk) ---------------------------------------------------------------------------
def _enospc(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


def _snapshot(store, repo):
    return (store.data_dir / "experts.json").read_bytes(), repo.all(), (store.data_dir / "audit.jsonl").read_bytes()


def test_a_full_disk_at_rename_raises_a_chinese_error_and_keeps_the_previous_state(store, experts, monkeypatch):
    doc_id = write(experts, make_expert(1))
    before = _snapshot(store, experts)
    monkeypatch.setattr(os, "replace", _enospc)
    with pytest.raises(StoreError) as caught:
        write(experts, make_expert(2))
    assert "保存失败" in str(caught.value) and "磁盘空间不足" in str(caught.value)
    assert "数据未改变" in str(caught.value)
    with pytest.raises(StoreError, match="磁盘空间不足"):
        experts.update(doc_id, {"name": "改"}, actor="office", action="修改")
    monkeypatch.undo()
    assert _snapshot(store, experts) == before
    assert not list(store.data_dir.glob(".*.tmp"))
    assert write(experts, make_expert(2)) == 2
    assert experts.get(doc_id)["name"] == "专家1" and len(experts.all()) == 2
    assert store.audit.verify().ok and len(store.audit.entries()) == 2


def test_a_disk_that_fills_up_halfway_through_the_data_file_keeps_the_previous_state(store, experts, monkeypatch):
    write(experts, make_expert(1))
    before = _snapshot(store, experts)
    real_write = os.write

    def half_then_full(fd, data):
        real_write(fd, bytes(data[: len(data) // 2]))
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", half_then_full)
    with pytest.raises(StoreError, match="磁盘空间不足"):
        experts.insert_many([make_expert(n) for n in range(2, 5)], actor="office", action="导入")
    monkeypatch.undo()
    assert _snapshot(store, experts) == before
    assert experts.insert_many([make_expert(n) for n in range(2, 5)], actor="office", action="导入") == [2, 3, 4]


def test_when_the_audit_line_cannot_be_written_the_data_change_is_undone(store, experts, monkeypatch):
    doc_id = write(experts, make_expert(1))
    before = _snapshot(store, experts)
    monkeypatch.setattr(AuditLog, "_write", lambda self, data: _enospc())
    with pytest.raises(StoreError, match="磁盘空间不足"):
        experts.update(doc_id, {"name": "改"}, actor="office", action="修改")
    with pytest.raises(StoreError):
        write(experts, make_expert(2))
    monkeypatch.undo()
    assert _snapshot(store, experts) == before
    assert write(experts, make_expert(2)) == 2
    assert store.audit.verify().ok


def test_a_half_written_audit_line_is_cut_back_and_the_chain_stays_valid(store, experts, monkeypatch):
    write(experts, make_expert(1))
    before = _snapshot(store, experts)
    real_write = os.write
    calls = {"n": 0}

    def audit_fails(fd, data):
        calls["n"] += 1
        if calls["n"] != 2:  # the data file goes through; the audit line (2nd write) meets a full disk
            return real_write(fd, data)
        real_write(fd, bytes(data[:30]))
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", audit_fails)
    with pytest.raises(StoreError, match="磁盘空间不足"):
        write(experts, make_expert(2))
    monkeypatch.undo()
    assert _snapshot(store, experts) == before
    assert store.audit.verify().ok


def test_other_write_errors_get_a_generic_chinese_message(store, experts, monkeypatch):
    def eio(*a, **k):
        raise OSError(errno.ENAMETOOLONG, "x")
    monkeypatch.setattr(os, "replace", eio)
    with pytest.raises(StoreError, match="保存失败：写入数据文件时出错（错误码 36），数据未改变"):
        write(experts, make_expert(1))


def test_undoing_a_write_needs_no_free_disk_space(store, experts, monkeypatch):
    doc_id = write(experts, make_expert(1))
    before = _snapshot(store, experts)
    real_write = os.write
    calls = {"n": 0}

    def only_first_write_fits(fd, data):
        calls["n"] += 1
        if calls["n"] == 1:
            return real_write(fd, data)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", only_first_write_fits)
    with pytest.raises(StoreError, match="磁盘空间不足.*数据未改变"):
        experts.update(doc_id, {"name": "改"}, actor="office", action="修改")
    monkeypatch.undo()
    assert _snapshot(store, experts) == before
    assert not list(store.data_dir.glob(".*"))  # no temp file or kept previous version left behind


def test_lines_reused_from_the_file_give_exactly_what_a_full_rewrite_would(store, experts):
    from store.storage import parse, serialize
    experts.insert_many([make_expert(n, remarks=f"第{n}行\n换行 \"引号\" }},\n{{") for n in range(1, 6)],
                        actor="o", action="导入")
    experts.update(3, {"remarks": "改过 },\n"}, actor="o", action="修改")
    experts.delete(2, actor="o", action="删除")
    experts.insert(make_expert(9), actor="o", action="新建")
    raw = (store.data_dir / "experts.json").read_bytes()
    assert serialize(parse(raw, "experts.json")) == raw
    assert [d["id"] for d in experts.all()] == [1, 3, 4, 5, 6]
    assert experts.get(3)["remarks"] == "改过 },\n"


def test_a_file_in_tinydbs_own_layout_is_read_and_rewritten_in_ours(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "experts.json").write_text(json.dumps(
        {"_default": {"1": {"name": "旧数据", "schema_version": 1}, "2": {"name": "乙", "schema_version": 1}}},
        indent=2, ensure_ascii=False), "utf-8")
    experts = open_store(data).collection("experts")
    experts.update(2, {"name": "改"}, actor="o", action="修改")
    assert [d["name"] for d in experts.all()] == ["旧数据", "改"]
    assert experts.insert(make_expert(3), actor="o", action="新建") == 3


def test_a_change_made_by_another_process_between_two_writes_is_never_overwritten(store, experts):
    from store.storage import atomic_write, parse, serialize
    write(experts, make_expert(1))
    path = store.data_dir / "experts.json"
    data = parse(path.read_bytes(), path)  # another process adds record 2 behind this process's back
    data["_default"]["2"] = {"name": "别的进程写入", "schema_version": 1}
    data["_meta"]["1"]["last_id"] = 2
    atomic_write(path, serialize(data))
    assert write(experts, make_expert(3)) == 3
    assert [d["name"] for d in experts.all()] == ["专家1", "别的进程写入", "专家3"]


def test_a_failure_after_the_rename_puts_the_previous_file_back(store, experts, monkeypatch):
    import store.storage as storage
    write(experts, make_expert(1))
    before = _snapshot(store, experts)
    monkeypatch.setattr(storage, "fsync_dir", _enospc)
    with pytest.raises(StoreError, match="磁盘空间不足"):
        write(experts, make_expert(2))
    monkeypatch.undo()
    assert _snapshot(store, experts) == before
