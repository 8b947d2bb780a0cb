"""内存存储 — open_store(None) behaves like the file store (copies, ids, uniqueness, audit) without any file."""
from __future__ import annotations

import threading

import pytest

from core.errors import DuplicateError, NotFoundError, StoreError
from store import Repository, Store, open_store


def make_expert(n: int = 1, **overrides) -> dict:
    return {"name": f"专家{n}", "id_number": f"1403021980010{n:05d}", "specialties": ["1.1"], **overrides}


@pytest.fixture
def store() -> Store:
    return open_store(None)


@pytest.fixture
def experts(store) -> Repository:
    return store.collection("experts")


def test_an_in_memory_store_has_no_folder_and_starts_empty(store, experts):
    assert store.data_dir is None and store.in_memory
    assert experts.all() == [] and experts.get(1) is None and store.collections() == []


def test_records_get_ids_schema_version_and_come_back_as_copies(experts):
    doc_id = experts.insert(make_expert(1), actor="o", action="新建")
    got = experts.get(doc_id)
    assert got == {"id": 1, **make_expert(1), "schema_version": 1}
    got["specialties"].append("9.9")
    assert experts.get(doc_id)["specialties"] == ["1.1"]


def test_update_delete_and_delete_where_work_as_on_disk(experts):
    ids = experts.insert_many([make_expert(n, demo=n > 1) for n in range(1, 4)], actor="o", action="导入")
    assert experts.update(ids[0], {"name": "改"}, actor="o", action="修改")["name"] == "改"
    experts.delete(ids[1], actor="o", action="删除")
    assert experts.delete_where(lambda d: d["demo"], actor="o", action="清理") == 1
    assert [d["id"] for d in experts.all()] == [1]
    assert experts.insert(make_expert(9), actor="o", action="新建") == 4  # ids are not reused
    with pytest.raises(NotFoundError):
        experts.delete(2, actor="o", action="删除")


def test_duplicates_are_refused_in_memory_too_x_i1(experts):
    experts.insert(make_expert(1), actor="o", action="新建")
    with pytest.raises(DuplicateError, match="身份证号 .* 已存在（记录 1）") as caught:
        experts.insert(make_expert(1), actor="o", action="新建")
    assert caught.value.existing_id == 1
    with pytest.raises(DuplicateError, match="本批数据中重复"):
        experts.insert_many([make_expert(2), make_expert(2)], actor="o", action="导入", unique=("id_number",))
    assert len(experts.all()) == 1


def test_the_audit_log_is_kept_in_memory_and_verifies(store, experts):
    doc_id = experts.insert(make_expert(1), actor="o", action="新建")
    experts.update(doc_id, {"name": "改"}, actor="a", action="修改")
    entries = store.audit.entries(collection="experts", record_id=doc_id)
    assert [(e["actor"], e["action"]) for e in entries] == [("o", "新建"), ("a", "修改")]
    assert entries[1]["before"]["name"] == "专家1" and entries[1]["after"]["name"] == "改"
    assert store.audit.verify().ok


def test_two_in_memory_stores_are_independent_but_one_store_shares_its_collections():
    a, b = open_store(None), open_store(None)
    a.collection("experts").insert(make_expert(1), actor="o", action="新建")
    assert b.collection("experts").all() == [] and b.audit.entries() == []
    assert len(a.collection("experts").all()) == 1 and a.collections() == ["experts"]


def test_backups_are_unavailable_in_memory_with_a_chinese_message(store):
    assert store.backups.list() == []
    for call in (lambda: store.backups.create("手动备份"), lambda: store.backups.daily(),
                 lambda: store.backups.restore("20261125-093000", actor="a")):
        with pytest.raises(StoreError, match="内存"):
            call()


def test_threads_writing_to_an_in_memory_store_lose_nothing(store):
    repo = store.collection("experts")

    def worker(t):
        for k in range(50):
            repo.insert({"t": t, "k": k}, actor="o", action="新建", unique=())

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert len(repo.all()) == 200 and len(store.audit.entries()) == 200 and store.audit.verify().ok


def test_a_failed_write_in_memory_leaves_the_previous_state(store, experts, monkeypatch):
    experts.insert(make_expert(1), actor="o", action="新建")
    monkeypatch.setattr(type(store.audit), "_write", lambda self, data: (_ for _ in ()).throw(OSError(28, "full")))
    with pytest.raises(StoreError, match="磁盘空间不足"):
        experts.update(1, {"name": "改"}, actor="o", action="修改")
    monkeypatch.undo()
    assert experts.get(1)["name"] == "专家1" and len(store.audit.entries()) == 1
