"""并发与崩溃 — threads, a second process and SIGKILL mid-write never lose a confirmed write (store layer).

These are the store-safety tests the stack notes call for: without one TinyDB instance per file, a lock across
each read-modify-write, flock between processes and atomic renames, each of them lost data or left invalid JSON.
"""
from __future__ import annotations

import json
import multiprocessing
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from store import open_store

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def load_files(data_dir: Path) -> dict[str, dict]:
    """Every collection file parsed by plain json (what a restart would read)."""
    return {p.name: json.loads(p.read_text("utf-8")) for p in data_dir.glob("*.json")}


def test_eight_threads_writing_two_hundred_times_each_lose_nothing(tmp_path):
    store = open_store(tmp_path / "data")
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def worker(t: int) -> None:
        # each thread uses its own Store object on the same folder, as Streamlit sessions may
        repo = open_store(tmp_path / "data").collection("experts")
        try:
            start.wait()
            mine = None
            for k in range(200):
                if k % 2 == 0:
                    mine = repo.insert({"thread": t, "k": k, "n": 0, "name": f"线程{t}"}, actor=f"t{t}",
                                       action="新建", unique=())
                else:
                    repo.update(mine, {"n": k}, actor=f"t{t}", action="修改")
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []
    docs = store.collection("experts").all()
    assert len(docs) == 8 * 100 and len({d["id"] for d in docs}) == 800
    assert all(d["n"] == d["k"] + 1 for d in docs)  # every update landed on its own record
    assert len(load_files(store.data_dir)["experts.json"]["_default"]) == 800
    entries = store.audit.entries()
    assert len(entries) == 1600
    assert sum(e["action"] == "新建" for e in entries) == 800
    assert store.audit.verify().ok


def test_backups_taken_during_concurrent_writes_are_consistent_snapshots(tmp_path):
    store = open_store(tmp_path / "data")
    stop = threading.Event()

    def writer(t: int) -> None:
        repo = store.collection("experts")
        for k in range(60):
            repo.insert({"t": t, "k": k}, actor="w", action="新建", unique=())

    threads = [threading.Thread(target=writer, args=(t,)) for t in range(4)]
    for th in threads:
        th.start()
    taken = []
    while any(th.is_alive() for th in threads) and not stop.is_set():
        taken.append(store.backups.create("手动备份"))
    for th in threads:
        th.join()
    assert taken
    for info in taken:
        folder = store.data_dir / "backups" / info.name
        docs = json.loads((folder / "experts.json").read_text("utf-8"))["_default"] if (
            folder / "experts.json").exists() else {}
        lines = (folder / "audit.jsonl").read_text("utf-8").splitlines() if (folder / "audit.jsonl").exists() else []
        assert len(docs) == len(lines)  # data and audit copied at the same moment


def test_restores_during_concurrent_writes_to_new_and_old_collections_never_deadlock(tmp_path):
    store = open_store(tmp_path / "data")
    store.collection("experts").insert({"name": "初始"}, actor="w", action="新建", unique=())
    taken = store.backups.create("手动备份")
    errors: list[BaseException] = []

    def writer(t: int) -> None:
        try:
            for k in range(30):
                name = "experts" if k % 2 else f"fresh{t}_{k}"  # many first writes of a brand-new collection
                store.collection(name).insert({"t": t, "k": k}, actor="w", action="新建", unique=())
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=writer, args=(t,)) for t in range(4)]
    for th in threads:
        th.start()
    for _ in range(5):
        store.backups.restore(taken.name, actor="admin")
    for th in threads:
        th.join(60)
        assert not th.is_alive(), "deadlock"
    assert errors == []
    load_files(store.data_dir)
    assert store.audit.verify().ok
    summaries = [e for e in store.audit.entries() if e["action"] == "恢复备份" and e["record_id"] is None]
    assert len(summaries) == 5  # and one line per record each restore changed (they carry a record_id)


def _process_writer(data_dir: str, tag: str, count: int, ready, go) -> None:
    repo = open_store(Path(data_dir)).collection("experts")
    ready.set()
    go.wait()
    for k in range(count):
        doc_id = repo.insert({"proc": tag, "k": k}, actor=tag, action="新建", unique=())
        if k % 3 == 0:
            repo.update(doc_id, {"touched": True}, actor=tag, action="修改")


def test_two_processes_writing_one_collection_lose_nothing(tmp_path):
    data_dir = tmp_path / "data"
    open_store(data_dir)
    ctx = multiprocessing.get_context("spawn")
    go = ctx.Event()
    readies = [ctx.Event() for _ in range(2)]
    procs = [ctx.Process(target=_process_writer, args=(str(data_dir), tag, 120, ready, go))
             for tag, ready in zip(("甲", "乙"), readies)]
    for p in procs:
        p.start()
    for ready in readies:
        assert ready.wait(60)
    go.set()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    store = open_store(data_dir)
    docs = store.collection("experts").all()
    assert len(docs) == 240 and len({d["id"] for d in docs}) == 240
    for tag in ("甲", "乙"):
        assert sorted(d["k"] for d in docs if d["proc"] == tag) == list(range(120))
    assert sum(1 for d in docs if d.get("touched")) == 2 * 40
    assert len(store.audit.entries()) == 240 + 80
    assert store.audit.verify().ok


CHILD = r"""
import sys
sys.path.insert(0, sys.argv[1])
from store import open_store
store = open_store(sys.argv[2])
repo = store.collection("experts")
log = open(sys.argv[3], "a", encoding="utf-8")
print("ready", flush=True)
n = 0
while True:
    n += 1
    doc_id = repo.insert({"name": "专家" + str(n), "round": int(sys.argv[4]), "resume": "应急管理与安全生产" * 40},
                         actor="child", action="新建", unique=())
    log.write(f"i {doc_id}\n"); log.flush()
    if n % 3 == 0:
        repo.update(doc_id, {"resume": "已更新"}, actor="child", action="修改")
        log.write(f"u {doc_id}\n"); log.flush()
"""


def test_a_child_killed_mid_write_fifty_times_always_leaves_every_confirmed_write(tmp_path):
    data_dir = tmp_path / "data"
    confirmed_log = tmp_path / "confirmed.txt"
    rng = random.Random(2026)
    open_store(data_dir).collection("experts").insert_many(
        [{"name": f"预置{k}", "resume": "煤矿安全" * 200} for k in range(150)], actor="t", action="预置")
    for round_no in range(50):
        child = subprocess.Popen([sys.executable, "-c", CHILD, str(ROOT), str(data_dir), str(confirmed_log),
                                  str(round_no)], stdout=subprocess.PIPE, text=True)
        assert child.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.020, 0.080))
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        child.stdout.close()

        store = open_store(data_dir)  # must never raise StoreCorruptError
        docs = {d["id"]: d for d in store.collection("experts").all()}
        # only whole lines count: the kill may cut the child's own note of a write in half
        lines = [line.split() for line in confirmed_log.read_text("utf-8").split("\n")[:-1]]
        for kind, doc_id in lines:
            assert int(doc_id) in docs, f"round {round_no}: confirmed record {doc_id} lost"
            if kind == "u":
                assert docs[int(doc_id)]["resume"] == "已更新"
        assert not list(data_dir.glob(".*.tmp"))
    files = load_files(data_dir)
    assert len(files["experts.json"]["_default"]) >= 150 + len({x[1] for x in lines if x[0] == "i"})
    assert open_store(data_dir).audit.verify().ok
