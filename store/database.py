"""数据存储 — `open_store(data_dir)`: the embedded store of the app, one JSON file per collection.

Opening checks before anything runs: temp files left by a crash are removed (under each file's lock, so a write
in progress in another process is never disturbed), an audit line torn by a crash is finished or dropped, the
audit key is loaded (or created for a log that has no keyed line yet, see store.audit), a restore interrupted by
a crash is completed from its journal (or, if it stopped before the journal, its staging folder is dropped, see
store.backups), and every `*.json` in the folder must parse — a file that does not raises StoreCorruptError
naming the file and the newest backup, and the app stops rather than start on an empty store. `backups/` is not
scanned.
`open_store(None)` gives an in-memory store with the same behaviour (no files, backups unavailable) for fast
unit tests of services. Open the store once per process (Streamlit: `st.cache_resource`) — opening parses every
file (and keeps each parsed file as the first cached version its collection reads, see store.logstore); several
`Store` objects on one folder are nevertheless safe, as they share TinyDB instances, cached versions and locks.

`convert_history_collections(store)` is the issue-17 migration: every history collection still in the whole-file
layout is rewritten as an append-only log (a backup first, only if there is something to convert; each file
converted atomically under its lock, so it is idempotent and resumable after a kill). Call it at start-up.
"""
from __future__ import annotations

import logging
import os
import re
import threading
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterable

from store import logstore
from store.audit import AuditLog
from store.backups import Backups
from store.locks import shared_lock
from store.repository import (CollectionFile, Repository, file_collection, memory_collection,
                              reset_open_collections, set_restore_recovery)
from store.storage import stale_temp_files

log = logging.getLogger(__name__)
NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_-]{0,63}$")


class Store:
    """The store: `collection(name)` repositories, the `audit` log and the `backups`."""

    def __init__(self, data_dir: Path | None, *, clock: Callable[[], datetime] | None = None):
        self.data_dir = Path(data_dir).resolve() if data_dir is not None else None
        self.audit = AuditLog(self.data_dir, clock=clock)
        on_restore = (lambda: reset_open_collections(self.data_dir)) if self.data_dir is not None else None
        self.backups = Backups(self.data_dir, self.audit, on_restore=on_restore)
        self._memory: dict[str, CollectionFile] = {}
        self._files: dict[tuple[str, int], CollectionFile] = {}
        self._memory_lock = threading.Lock()

    @property
    def in_memory(self) -> bool:
        return self.data_dir is None

    def __repr__(self) -> str:
        return f"Store({str(self.data_dir) if self.data_dir else '内存'})"

    def collection(self, name: str, *, redact: Iterable[str] = ()) -> Repository:
        """The repository of collection `name` (file `<data_dir>/<name>.json`); `redact`: fields never audited."""
        if not isinstance(name, str) or not NAME.match(name):
            raise ValueError(f"集合名只能包含字母、数字、下划线和连字符：{name!r}")
        if self.data_dir is None:
            with self._memory_lock:
                handle = self._memory.get(name)
                if handle is None:
                    handle = self._memory[name] = memory_collection(name)
        else:
            key = (name, os.getpid())  # a forked child finds its own handles (file_collection)
            handle = self._files.get(key)
            if handle is None:  # resolving the path costs more than the read itself: once per name
                handle = self._files[key] = file_collection(self.data_dir / f"{name}.json")
        return Repository(name, handle, self.audit, redact=redact)

    def history_files_to_convert(self) -> list[Path]:
        """The history collections still in the whole-file layout (see `history_files_to_convert`)."""
        return history_files_to_convert(self)

    def convert_history_collections(self, *, actor: str = "system", backup: bool = True) -> list[str]:
        """The issue-17 conversion of this folder's history collections (see `convert_history_collections`)."""
        return convert_history_collections(self, actor=actor, backup=backup)

    def collections(self) -> list[str]:
        """Names of the collections that hold data (have a file, or in memory have been written)."""
        if self.data_dir is None:
            with self._memory_lock:
                return sorted(n for n, h in self._memory.items() if h.storage.read() is not None)
        return sorted(p.stem for p in self.data_dir.glob("*.json"))


def _remove_stale_temp_files(data_dir: Path) -> None:
    for base, paths in stale_temp_files(data_dir).items():
        with shared_lock(data_dir / base):  # no write of that file can be in progress while we hold it
            for path in paths:
                try:
                    path.unlink()
                    log.warning("已删除上次异常退出留下的临时文件 %s", path.name)
                except FileNotFoundError:
                    pass


def _check_files(data_dir: Path) -> None:
    """Every collection file must parse; the parse is kept as the collection's cached version (not done twice)."""
    for path in sorted(data_dir.glob("*.json")):
        if path.is_file():
            file_collection(path).storage.snapshot()


CONVERT_REASON = "历史集合转换格式前自动备份"


def history_files_to_convert(store: Store) -> list[Path]:
    """The history collections' files still in the whole-file layout (none for the in-memory store)."""
    if store.data_dir is None:
        return []
    todo = [store.data_dir / f"{name}.json" for name in sorted(logstore.HISTORY_COLLECTIONS)]
    return [p for p in todo if p.is_file() and not logstore.file_is_log(p)]


def convert_history_collections(store: Store, *, actor: str = "system", backup: bool = True) -> list[str]:
    """Rewrite every history collection still in the whole-file layout as an append-only log (issue 17); returns
    the names converted, by name. A backup is taken first (unless the caller took one: `backup=False`, as the
    start-up migrations do), and only when there is something to convert; each file is converted on its own,
    atomically, under its lock (same documents, same id high-water mark), so a second call converts nothing and a
    call after a kill finishes the rest. The in-memory store has nothing to do.
    """
    todo = history_files_to_convert(store)
    if not todo:
        return []
    if backup:
        store.backups.create(CONVERT_REASON, actor)
    done = []
    try:
        for path in todo:
            if logstore.convert_file(path, shared_lock(path)):
                done.append(path.stem)
                log.warning("历史集合 %s 已转换为追加写入格式", path.name)
    finally:
        reset_open_collections(store.data_dir)
    return done


def _finish_interrupted_restore(folder: Path) -> None:
    """For a store already open when a restore (e.g. from the shell) was killed: finish it before the next read."""
    audit = AuditLog(folder)
    Backups(folder, audit, on_restore=lambda: reset_open_collections(folder)).recover()


set_restore_recovery(_finish_interrupted_restore)


def open_store(data_dir: Path | str | None, *, clock: Callable[[], datetime] | None = None) -> Store:
    """Open (creating the folder if needed) the store in `data_dir`; None → a new in-memory store.

    Raises StoreCorruptError (Chinese, naming the file and the newest backup) if a data file does not parse.
    `clock` gives the audit log's timestamps (default: the local time now).
    """
    if data_dir is None:
        return Store(None, clock=clock)
    folder = Path(data_dir)
    os.makedirs(folder, exist_ok=True)
    folder = folder.resolve()
    _remove_stale_temp_files(folder)
    store = Store(folder, clock=clock)
    store.audit.repair_torn_tail()
    store.audit.setup_key()
    store.backups.recover()  # an interrupted restore is finished (or dropped) before anything reads
    _check_files(folder)
    return store
