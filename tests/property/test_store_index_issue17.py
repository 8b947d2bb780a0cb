"""Issue 17: indexed look-ups (`Repository.find`, `find_any`, `find_from`) always give what a scan gives.

The index of a field is built once per file version and carried over by this process's writes (only the changed
ids move), so a look-up costs what it returns. The invariant, whatever sequence of inserts, updates, deletes,
another process's write or a rolled-back write came before: a look-up equals the scan
`search(lambda d: d.get(field) == value)` — same records, same order, fresh copies — in the three storages (the
append-only log of a history collection, the whole file, memory).
"""
from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.errors import StoreError
from store import open_store
from store.repository import file_collection

VALUES = st.one_of(st.none(), st.sampled_from(["2026-01-05", "2026-03-01", "2027-01-01", "甲", "乙"]),
                   st.integers(min_value=0, max_value=3), st.booleans(),
                   st.lists(st.integers(min_value=0, max_value=2), max_size=2))
FIELD_VALUE = st.one_of(st.just("__missing__"), VALUES)
QUERIES = [None, "2026-01-05", "2026-03-01", "2027-01-01", "甲", "乙", 0, 1, 2, 3, True, False]
OPS = st.lists(st.one_of(
    st.tuples(st.just("insert"), st.lists(FIELD_VALUE, min_size=1, max_size=3)),
    st.tuples(st.just("update"), st.integers(min_value=0, max_value=30), FIELD_VALUE),
    st.tuples(st.just("delete"), st.integers(min_value=0, max_value=30)),
    st.tuples(st.just("delete_where"), VALUES),
    st.tuples(st.just("failed_update"), st.integers(min_value=0, max_value=30), FIELD_VALUE),
    st.tuples(st.just("reopen")),
    st.tuples(st.just("look"), st.sampled_from(QUERIES)),
), max_size=25)


def _doc(value) -> dict:
    return {"note": "x"} if value == "__missing__" else {"k": value, "note": "x"}


def _check(repo) -> None:
    for q in QUERIES:
        expected = repo.search(lambda d, q=q: d.get("k") == q)
        assert repo.find("k", q) == expected, q
    assert repo.find_any("k", ["甲", 2, None]) == repo.search(lambda d: d.get("k") in ("甲", 2, None) and
                                                          not isinstance(d.get("k"), list))
    for low in ("2026-02-01", "2026-03-01", "乙"):
        expected = repo.search(lambda d, low=low: not isinstance(d.get("k"), str) or d["k"] >= low)
        assert repo.find_from("k", low) == expected, low
        assert repo.ids_from("k", low) == {d["id"] for d in expected}
    keyed = repo.keyed_ids("k")
    for q in QUERIES:
        assert list(keyed.get(q, ())) == [d["id"] for d in repo.search(lambda d, q=q: d.get("k") == q)]
    assert sum(len(ids) for ids in keyed.values()) == repo.count()


def _run(repo, ops, *, reopen=None) -> None:
    for op in ops:
        ids = [d["id"] for d in repo.all()]
        kind = op[0]
        if kind == "insert":
            repo.insert_many([_doc(v) for v in op[1]], actor="t", action="新增")
        elif kind == "update" and ids:
            target = ids[op[1] % len(ids)]

            def change(d, v=op[2]):
                d.pop("k", None)
                return {**d, **_doc(v)}
            repo.update(target, change, actor="t", action="修改")
        elif kind == "delete" and ids:
            repo.delete(ids[op[1] % len(ids)], actor="t", action="删除")
        elif kind == "delete_where":
            repo.delete_where(lambda d, v=op[1]: d.get("k") == v, actor="t", action="批量删除")
        elif kind == "failed_update" and ids:
            def boom(d):
                d.update(_doc(op[2]))
                raise RuntimeError("写入中途失败")
            with pytest.raises(RuntimeError):
                repo.update(ids[op[1] % len(ids)], boom, actor="t", action="修改")
        elif kind == "reopen" and reopen is not None:
            repo = reopen()
        _check(repo)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=OPS, collection=st.sampled_from(["assignments", "experts"]))
def test_issue17_index_lookups_equal_the_scan_in_files_after_any_writes(ops, collection):
    """`assignments` is an append-only log, `experts` a whole file: both carry their indexes across writes."""
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp))
        repo = store.collection(collection)
        _check(repo)

        def reopen():  # as another process would see it: the cached version and its indexes are dropped
            file_collection(Path(tmp).resolve() / f"{collection}.json").storage.drop_cache()
            return open_store(Path(tmp)).collection(collection)
        _run(repo, ops, reopen=reopen)


@settings(max_examples=40, deadline=None)
@given(ops=OPS)
def test_issue17_index_lookups_equal_the_scan_in_memory(ops):
    _run(open_store(None).collection("requests"), ops)


def test_issue17_index_sees_another_process_append(tmp_path):
    """A version written behind this process's back (bytes appended by another writer) is re-read, and its
    indexes are rebuilt: the look-up never serves the old version's ids."""
    store = open_store(tmp_path)
    repo = store.collection("draws")
    repo.insert_many([{"request_id": 1}, {"request_id": 2}], actor="t", action="新增")
    assert [d["id"] for d in repo.find("request_id", 1)] == [1]
    path = tmp_path.resolve() / "draws.json"
    with open(path, "ab") as f:  # what another process's write appends: a document line and its commit
        f.write(b'{"id": 3, "doc": {"request_id": 1, "schema_version": 1}}\n{"_commit": 1}\n')
    assert [d["id"] for d in repo.find("request_id", 1)] == [1, 3]
    assert repo.find("request_id", 1) == repo.search(lambda d: d.get("request_id") == 1)


def test_issue17_find_returns_copies_and_refuses_lists(tmp_path):
    repo = open_store(tmp_path).collection("assignments")
    repo.insert({"request_id": 5, "tags": ["a"]}, actor="t", action="新增")
    found = repo.find("request_id", 5)
    found[0]["tags"].append("changed")
    assert repo.find("request_id", 5)[0]["tags"] == ["a"]
    with pytest.raises(TypeError):
        repo.find("tags", ["a"])
    with pytest.raises(TypeError):
        repo.find_from("start", 5)


def test_issue17_a_failed_write_leaves_the_index_of_the_old_version(tmp_path, monkeypatch):
    """The audit append fails after the data line was written: the write is rolled back, and the look-up still
    gives the stored record under its old value."""
    store = open_store(tmp_path)
    repo = store.collection("requests")
    rid = repo.insert({"status": "待审批"}, actor="t", action="新增")
    assert [d["id"] for d in repo.find("status", "待审批")] == [rid]

    def fail(*a, **k):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(store.audit, "_write", fail)
    with pytest.raises(StoreError):
        repo.update(rid, {"status": "已审批"}, actor="t", action="审批")
    assert [d["id"] for d in repo.find("status", "待审批")] == [rid]
    assert repo.find("status", "已审批") == []


CODES = st.one_of(st.none(), st.sampled_from(["A", " a ", "b", "B ", "", "c"]), st.integers(min_value=0, max_value=2),
                  st.lists(st.sampled_from(["x", "y"]), max_size=2))
UNIQUE_OPS = st.lists(st.one_of(
    st.tuples(st.just("insert"), st.lists(CODES, min_size=1, max_size=3)),
    st.tuples(st.just("update"), st.integers(min_value=0, max_value=20), CODES),
    st.tuples(st.just("delete"), st.integers(min_value=0, max_value=20)),
), max_size=20)


def _same(a, b) -> bool:
    from store.logstore import unique_key
    return unique_key(a) is not None and unique_key(a) == unique_key(b)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=UNIQUE_OPS, collection=st.sampled_from(["work_records", "experts"]))
def test_issue17_uniqueness_by_index_refuses_exactly_what_a_scan_refuses(ops, collection):
    """A unique field (e.g. 附表六's assignment_id, an expert's ID number) is checked against the uniqueness index
    of the version the write read: a write is refused exactly when a scan of every record (same case- and
    space-insensitive comparison) finds the value on another record or twice in the batch, and a refused write
    changes nothing."""
    from core.errors import DuplicateError
    with tempfile.TemporaryDirectory() as tmp:
        repo = open_store(Path(tmp)).collection(collection)
        for op in ops:
            before = repo.all()
            if op[0] == "insert":
                values = op[1]
                clash = any(_same(v, d.get("code")) for v in values for d in before) or any(
                    _same(values[i], values[j]) for i in range(len(values)) for j in range(i))
                try:
                    repo.insert_many([{"code": v} for v in values], actor="t", action="新增", unique=("code",))
                    assert not clash
                except DuplicateError:
                    assert clash and repo.all() == before
            elif op[0] == "update" and before:
                target = before[op[1] % len(before)]
                clash = any(_same(op[2], d.get("code")) for d in before if d["id"] != target["id"])
                try:
                    repo.update(target["id"], {"code": op[2]}, actor="t", action="修改", unique=("code",))
                    assert not clash
                except DuplicateError as e:
                    assert clash and repo.all() == before
                    assert e.existing_id == min(d["id"] for d in before
                                                if d["id"] != target["id"] and _same(op[2], d.get("code")))
            elif op[0] == "delete" and before:
                repo.delete(before[op[1] % len(before)]["id"], actor="t", action="删除")
