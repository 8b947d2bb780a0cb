"""issue 17 — history collections as append-only logs, and reads served from a cache keyed by the file's version.

Every test is on real files: another process's write is always seen, nothing stale after a restore, a torn or
unconfirmed tail is ignored then cut, a failed write is truncated away, ids are never reused (X-L1) across
compaction, compaction keeps the content and survives SIGKILL, backups round-trip, old folders convert.
"""
from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from core.errors import StoreError
from store import open_store
from store.logstore import HISTORY_COLLECTIONS, LOG_HEAD, is_log, parse_log

ROOT = Path(__file__).resolve().parents[2]


def draw(n: int, **extra) -> dict:
    return {"request_id": n, "seq": 1, "result": {"selected": [n, n + 1], "seed": f"种子{n}"}, **extra}


def add(repo, n: int, **extra) -> int:
    return repo.insert(draw(n, **extra), actor="office", action="随机抽取", unique=())


def lines_of(path: Path) -> list[dict]:
    """Every line of a log file parsed by plain json: the file stays readable JSON, one object a line."""
    return [json.loads(line) for line in path.read_bytes().splitlines()]


def contents(repo) -> dict[int, dict]:
    return {d["id"]: d for d in repo.all()}


@pytest.fixture
def store(tmp_path):
    return open_store(tmp_path / "data")


@pytest.fixture
def draws(store):
    return store.collection("draws")


def test_issue17_a_history_collection_is_an_append_only_log_of_json_lines(store, draws):
    assert "draws" in HISTORY_COLLECTIONS and "experts" not in HISTORY_COLLECTIONS
    first = add(draws, 1)
    add(draws, 2)
    size = (store.data_dir / "draws.json").stat().st_size
    draws.update(first, {"seq": 2}, actor="office", action="改")
    grown = (store.data_dir / "draws.json").read_bytes()
    assert grown.startswith(LOG_HEAD) and len(grown) > size
    rows = lines_of(store.data_dir / "draws.json")
    assert rows[-2] == {"id": 1, "doc": {**draw(1, seq=2), "schema_version": 1}} and rows[-1] == {"_commit": 1}
    assert [d["seq"] for d in draws.all()] == [2, 1]
    # the other collections keep their whole-file layout
    store.collection("experts").insert({"name": "专家"}, actor="o", action="新建", unique=())
    assert json.loads((store.data_dir / "experts.json").read_text("utf-8"))["_default"]["1"]["name"] == "专家"


def test_issue17_a_write_appends_only_the_changed_document_not_the_history(store, draws):
    draws.insert_many([draw(n) for n in range(200)], actor="o", action="导入")
    path = store.data_dir / "draws.json"
    before = path.read_bytes()
    draws.update(7, {"seq": 9}, actor="o", action="改")
    after = path.read_bytes()
    assert after.startswith(before)
    assert [json.loads(x) for x in after[len(before):].splitlines()] == [
        {"id": 7, "doc": {**draw(6, seq=9), "schema_version": 1}}, {"_commit": 1}]
    draws.delete(8, actor="o", action="删除")
    assert lines_of(path)[-2:] == [{"id": 8, "deleted": True}, {"_commit": 1}]


def test_issue17_reads_of_an_unchanged_file_do_not_parse_it_again(store, draws, monkeypatch):
    import store.logstore as logstore
    add(draws, 1)
    draws.all()
    parsed = []
    real = logstore.build_snapshot
    monkeypatch.setattr(logstore, "build_snapshot", lambda *a: parsed.append(1) or real(*a))
    for _ in range(5):
        assert draws.get(1)["request_id"] == 1 and len(draws.all()) == 1
    assert parsed == []
    add(draws, 2)  # our own write publishes the new version: still nothing to parse
    assert len(draws.all()) == 2 and parsed == []


def test_issue17_callers_get_copies_and_cannot_change_the_cache(draws):
    doc_id = add(draws, 1)
    got = draws.get(doc_id)
    got["result"]["selected"].append(99)
    everything = draws.all()
    everything[0]["result"]["seed"] = "改"
    found = draws.search(lambda d: d["request_id"] == 1)
    found[0]["result"]["selected"].clear()
    assert draws.get(doc_id)["result"] == {"selected": [1, 2], "seed": "种子1"}
    assert draws.count() == 1 and draws.count(lambda d: d["seq"] == 1) == 1


WRITER = """
import sys
sys.path.insert(0, sys.argv[1])
from store import open_store
st = open_store(sys.argv[2])
repo = st.collection(sys.argv[3])
repo.update(1, {"seq": 42}, actor="other", action="别的进程修改")
repo.insert({"request_id": 77, "seq": 1}, actor="other", action="别的进程新建", unique=())
"""


@pytest.mark.parametrize("name", ["draws", "experts"])
def test_issue17_the_cache_sees_a_write_made_by_another_process(store, name):
    repo = store.collection(name)
    add(repo, 1)
    assert repo.get(1)["seq"] == 1 and repo.count() == 1  # now cached
    subprocess.run([sys.executable, "-c", WRITER, str(ROOT), str(store.data_dir), name], check=True, timeout=60)
    assert repo.get(1)["seq"] == 42
    assert [d["request_id"] for d in repo.all()] == [1, 77]
    assert add(repo, 3) == 3  # and this process's next write starts from the other process's state
    assert store.audit.verify().ok


def test_issue17_no_stale_read_after_a_restore(store, draws):
    add(draws, 1)
    add(draws, 2)
    taken = store.backups.create("手动备份", actor="admin")
    draws.update(1, {"seq": 5}, actor="o", action="改")
    draws.delete(2, actor="o", action="删")
    add(draws, 3)
    assert [d["id"] for d in draws.all()] == [1, 3]  # cached
    store.backups.restore(taken.name, actor="admin")
    assert [(d["id"], d["seq"]) for d in draws.all()] == [(1, 1), (2, 1)]
    assert draws.get(3) is None
    assert add(draws, 4) == 4  # X-L1: id 3 was given out before the restore and is never given again
    assert store.audit.verify().ok


def test_issue17_a_torn_or_unconfirmed_tail_is_ignored_then_cut_by_the_next_write(tmp_path):
    store = open_store(tmp_path / "data")
    draws = store.collection("draws")
    add(draws, 1)
    path = store.data_dir / "draws.json"
    good = path.read_bytes()
    # a write cut short by a kill: one whole line without its commit, then half a line
    with open(path, "ab") as f:
        f.write(b'{"id": 2, "doc": {"request_id": 2, "schema_version": 1}}\n{"id": 3, "doc": {"requ')
    again = open_store(tmp_path / "data")
    repo = again.collection("draws")
    assert [d["id"] for d in repo.all()] == [1]
    assert repo.get(2) is None
    assert add(repo, 5) == 2  # the unconfirmed id 2 was never given out
    raw = path.read_bytes()
    assert raw.startswith(good) and b'{"id": 3' not in raw and b'"request_id": 2,' not in raw
    assert [d["request_id"] for d in repo.all()] == [1, 5]
    assert all(isinstance(x, dict) for x in lines_of(path))


def test_issue17_a_failed_audit_append_truncates_the_log_back(store, draws, monkeypatch):
    add(draws, 1)
    path = store.data_dir / "draws.json"
    before = path.read_bytes()

    def no_audit(*a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store.audit, "append", no_audit)
    with pytest.raises(StoreError, match="磁盘空间不足"):
        add(draws, 2)
    with pytest.raises(StoreError):
        draws.update(1, {"seq": 3}, actor="o", action="改")
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert [d["seq"] for d in draws.all()] == [1]
    assert add(draws, 4) == 2


def test_issue17_a_failed_append_leaves_no_half_write(store, draws, monkeypatch):
    add(draws, 1)
    path = store.data_dir / "draws.json"
    before = path.read_bytes()
    real = os.pwrite

    def half(fd, data, offset):
        real(fd, bytes(data[: len(data) // 2]), offset)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "pwrite", half)
    with pytest.raises(StoreError, match="磁盘空间不足"):
        draws.insert_many([draw(2), draw(3)], actor="o", action="导入")
    monkeypatch.undo()
    assert path.read_bytes() == before and draws.count() == 1


def test_issue17_x_l1_ids_are_never_reused_after_compaction(store, draws):
    from store.logstore import compact_file
    from store.locks import shared_lock
    for n in range(1, 4):
        add(draws, n)
    draws.delete(3, actor="o", action="删")
    draws.delete(2, actor="o", action="删")
    path = store.data_dir / "draws.json"
    assert compact_file(path, shared_lock(path))
    rows = lines_of(path)
    assert rows[1] == {"_meta": {"last_id": 3, "schema_version": 1}} and len(rows) == 4  # header, meta, 1 doc, commit
    assert add(draws, 9) == 4
    assert open_store(store.data_dir).collection("draws").insert(draw(10), actor="o", action="x", unique=()) == 5


def test_issue17_compaction_keeps_the_content_and_runs_when_the_log_has_doubled(store, draws, monkeypatch):
    handle = draws._h
    monkeypatch.setattr(handle.storage, "compact_min", 2000)
    draws.insert_many([draw(n) for n in range(20)], actor="o", action="导入")
    path = store.data_dir / "draws.json"
    rng = random.Random(17)
    expected = contents(draws)
    largest = 0
    for k in range(120):
        doc_id = rng.randint(1, 20)
        if doc_id in expected and rng.random() < 0.1:
            draws.delete(doc_id, actor="o", action="删")
            del expected[doc_id]
        elif doc_id in expected:
            expected[doc_id] = draws.update(doc_id, {"seq": k}, actor="o", action="改")
        largest = max(largest, path.stat().st_size)
        assert contents(draws) == expected
    live = parse_log(path.read_bytes(), path)
    assert live.size <= 2 * live.live + 2000 + 400  # compacted whenever it had doubled
    assert largest < 3 * (live.live + 2000)
    fresh = open_store(store.data_dir).collection("draws")
    assert contents(fresh) == expected


KILLED_WRITER = """
import sys, random
sys.path.insert(0, sys.argv[1])
from store import open_store
import store.logstore as logstore
logstore.LogStorage.compact_min = 0       # compact after nearly every write
logstore.LogStorage.compact_ratio = 1.2
st = open_store(sys.argv[2])
repo = st.collection("draws")
rng = random.Random(int(sys.argv[3]))
k = int(sys.argv[3]) * 1000000
print("ready", flush=True)
while True:
    k += 1
    ids = [d["id"] for d in repo.search(lambda d: True)]
    if ids and rng.random() < 0.5:
        doc_id = rng.choice(ids)
        print("U", doc_id, k, flush=True)
        repo.update(doc_id, {"seq": k}, actor="w", action="改")
        print("u", doc_id, k, flush=True)
    elif ids and rng.random() < 0.1:
        doc_id = rng.choice(ids)
        print("D", doc_id, flush=True)
        repo.delete(doc_id, actor="w", action="删")
        print("d", doc_id, flush=True)
    else:
        print("I", flush=True)
        doc_id = repo.insert({"request_id": k, "seq": k, "pad": "备注" * rng.randint(1, 60)}, actor="w",
                             action="新建", unique=())
        print("i", doc_id, k, flush=True)
"""


@pytest.mark.slow
def test_issue17_a_kill_during_writes_and_compactions_keeps_every_confirmed_write(tmp_path):
    data = tmp_path / "data"
    open_store(data).collection("draws").insert({"request_id": 0, "seq": 0}, actor="w", action="新建", unique=())
    expected = {1: 0}
    rng = random.Random(20261207)
    given = {1}
    writes = 0
    for kill in range(1, 21):
        proc = subprocess.Popen([sys.executable, "-c", KILLED_WRITER, str(ROOT), str(data), str(kill)],
                                stdout=subprocess.PIPE, text=True)
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(0.05 + rng.random() * 0.5)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        out = proc.stdout.read()  # (not communicate(timeout=…): it reads the pipe past readline's buffer)
        proc.stdout.close()
        pending = None  # the operation under way when the kill came: it may or may not have happened
        for line in out.splitlines():
            parts = line.split()
            if not parts or not all(p.isdigit() for p in parts[1:]):
                continue
            op = parts[0]
            if op in ("U", "D", "I"):
                pending = parts
            elif op in ("i", "u") and len(parts) == 3:  # printed after the write returned: confirmed
                expected[int(parts[1])] = int(parts[2])
                given.add(int(parts[1]))
                pending, writes = None, writes + 1
            elif op == "d" and len(parts) == 2:
                expected.pop(int(parts[1]), None)
                pending, writes = None, writes + 1
        store = open_store(data)  # readable after every kill
        seen = {d["id"]: d["seq"] for d in store.collection("draws").all()}
        for doc_id, seq in expected.items():
            if pending and pending[0] == "D" and int(pending[1]) == doc_id:
                assert seen.get(doc_id, seq) == seq, (kill, doc_id)
            elif pending and pending[0] == "U" and int(pending[1]) == doc_id:
                assert seen.get(doc_id) in (seq, int(pending[2])), (kill, doc_id)
            else:
                assert seen.get(doc_id) == seq, (kill, doc_id, pending)
        extra = set(seen) - set(expected)
        assert len(extra) <= (1 if pending and pending[0] == "I" else 0), (kill, extra)
        assert not list(data.glob(".draws.json.*"))  # stale temp files removed at open
        expected = dict(seen)
        given |= set(seen)
    assert writes > 20 and is_log((data / "draws.json").read_bytes())
    new_id = open_store(data).collection("draws").insert({"request_id": -1}, actor="w", action="新建", unique=())
    assert new_id > max(given)


def test_issue17_backup_and_restore_round_trip_the_log_format(store, draws):
    for n in range(1, 6):
        add(draws, n)
    draws.update(2, {"seq": 7}, actor="o", action="改")
    draws.delete(4, actor="o", action="删")
    kept = contents(draws)
    taken = store.backups.create("手动备份", actor="admin")
    copied = store.data_dir / "backups" / taken.name / "draws.json"
    assert copied.read_bytes() == (store.data_dir / "draws.json").read_bytes() and is_log(copied.read_bytes())
    assert store.backups.record_counts(taken.name)["draws"] == 4
    draws.delete_where(lambda d: True, actor="o", action="全删")
    add(draws, 9)
    store.backups.restore(taken.name, actor="admin")
    assert contents(draws) == kept
    assert contents(open_store(store.data_dir).collection("draws")) == kept
    assert add(draws, 10) == 7  # X-L1: ids 1..6 were given out before; the restored log keeps the mark
    assert store.audit.verify().ok


def _old_folder(data: Path) -> dict[str, list[dict]]:
    """A data folder as today's whole-file code wrote it (every collection one JSON document)."""
    from store.storage import AtomicJSONStorage, serialize
    data.mkdir(parents=True)
    made = {}
    for name, n in (("draws", 30), ("assignments", 50), ("experts", 10)):
        table = {str(i): {"name": f"{name}{i}", "schema_version": 1} for i in range(1, n + 1) if i != 3}
        (data / f"{name}.json").write_bytes(serialize(
            {"_default": table, "_meta": {"1": {"last_id": n + 2, "schema_version": 1}}}))
        made[name] = [{"id": int(k), **v} for k, v in table.items()]
    assert AtomicJSONStorage  # the layout written by the whole-file storage
    return made


def test_issue17_the_migration_converts_an_old_folder_with_a_backup_first_and_is_idempotent(tmp_path):
    from store.database import convert_history_collections
    made = _old_folder(tmp_path / "data")
    store = open_store(tmp_path / "data")
    assert store.collection("draws").all() == made["draws"]  # an old file reads as it is
    converted = convert_history_collections(store)
    assert converted == ["assignments", "draws"]
    backups = store.backups.list()
    assert len(backups) == 1 and not is_log((store.data_dir / "backups" / backups[0].name / "draws.json").read_bytes())
    for name in ("draws", "assignments"):
        assert is_log((store.data_dir / f"{name}.json").read_bytes())
        assert store.collection(name).all() == made[name]
    assert not is_log((store.data_dir / "experts.json").read_bytes())
    assert store.collection("draws").insert({"x": 1}, actor="o", action="新建", unique=()) == 33  # last_id kept
    assert convert_history_collections(store) == [] and len(store.backups.list()) == 1  # idempotent: no backup


def test_issue17_the_migration_resumes_after_a_kill_between_files(tmp_path, monkeypatch):
    import store.logstore as logstore
    from store.database import convert_history_collections
    made = _old_folder(tmp_path / "data")
    store = open_store(tmp_path / "data")
    real = logstore.convert_file
    calls = []

    def killed_after_first(path, lock):
        if calls:
            raise KeyboardInterrupt  # as a kill: the first file converted, the second not touched
        calls.append(path)
        return real(path, lock)

    monkeypatch.setattr(logstore, "convert_file", killed_after_first)
    with pytest.raises(KeyboardInterrupt):
        convert_history_collections(store)
    monkeypatch.undo()
    again = open_store(tmp_path / "data")
    assert [is_log((again.data_dir / f"{n}.json").read_bytes()) for n in ("assignments", "draws")] == [True, False]
    assert convert_history_collections(again) == ["draws"]
    for name in ("draws", "assignments"):
        assert again.collection(name).all() == made[name]


def test_issue17_an_old_whole_file_history_collection_is_rewritten_as_a_log_by_its_first_write(tmp_path):
    made = _old_folder(tmp_path / "data")
    repo = open_store(tmp_path / "data").collection("assignments")
    assert repo.insert({"name": "新"}, actor="o", action="新建", unique=()) == 53
    assert is_log((tmp_path / "data" / "assignments.json").read_bytes())
    assert repo.all() == [*made["assignments"], {"id": 53, "name": "新", "schema_version": 1}]


def test_issue17_threads_writing_and_reading_a_log_lose_nothing_and_never_see_a_half_write(store):
    import threading
    errors: list[BaseException] = []
    start = threading.Barrier(5)
    stop = threading.Event()

    def writer(t: int) -> None:
        repo = open_store(store.data_dir).collection("draws")  # its own Store, as a Streamlit session
        try:
            start.wait()
            for k in range(40):
                doc_id = repo.insert({"thread": t, "k": k, "n": 0}, actor=f"t{t}", action="新建", unique=())
                repo.update(doc_id, {"n": k + 1}, actor=f"t{t}", action="改")
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    def reader() -> None:
        repo = store.collection("draws")
        try:
            start.wait()
            while not stop.is_set():
                docs = repo.all()
                assert len({d["id"] for d in docs}) == len(docs)
                assert all(d["n"] in (0, d["k"] + 1) for d in docs)
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=writer, args=(t,)) for t in range(4)]
    watcher = threading.Thread(target=reader)
    for th in [*threads, watcher]:
        th.start()
    for th in threads:
        th.join()
    stop.set()
    watcher.join()
    assert errors == []
    docs = open_store(store.data_dir).collection("draws").all()
    assert len(docs) == 160 and all(d["n"] == d["k"] + 1 for d in docs)
    assert [d["id"] for d in docs] == list(range(1, 161))
    assert store.audit.verify().ok
