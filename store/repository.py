"""数据集合 — a Repository over one collection: read copies, write atomically under lock, audit every write.

This is the seam services use; no TinyDB type crosses it (documents are plain dicts with an integer "id"), so a
second backend could stand behind the same methods. Each collection file has exactly one TinyDB instance per
process, kept in a registry keyed by the resolved path: several TinyDB instances on one file each cache their
next id and lose inserts ("Document with ID N already exists"), which is why they are shared.

A write holds the collection's lock (thread lock, then flock) across the whole read-modify-write: read the file
once (or take its cached version), check uniqueness, change, write (atomically: a whole file renamed into place,
or a history log's appended lines and commit), append the audit line(s). The change is made on the transaction's
copy of the table and handed to the TinyDB storage's `write` directly: TinyDB's Table re-keys the whole table on
every operation (two passes over 40,000 ids cost ~180 ms of a ~220 ms write, issue 17). If any step fails the data
file is put back, TinyDB's query cache and cached next id are cleared, and the caller gets StoreError in Chinese
(or DuplicateError / NotFoundError before anything was written). Ids are TinyDB doc_ids, never reused (see
storage `_meta.last_id`); "id" is added to every returned dict and stripped from every stored one, and every
stored document carries `schema_version`.

Reads (issue 17) come from the storage's cached version of the file (`snapshot()`, parsed again only when the
file's version changed, shared by every session and thread of the process) and copy only what they return: `get`
copies one document, `search` hands the predicate a shallow view of each record (the predicate must not change
the values inside it) and copies only the matches, `all` copies everything in one `marshal` round trip (~5× faster
than `copy.deepcopy`). So callers can never change the cache. History collections (`HISTORY_COLLECTIONS`) are
append-only logs (`store.logstore.LogStorage`); the others are whole files (`AtomicJSONStorage`).
"""
from __future__ import annotations

import bisect
import copy
import gc
import hashlib
import json
import logging
import marshal
import os
import threading
from collections.abc import Callable, Iterable, Mapping
from contextlib import contextmanager
from pathlib import Path
from types import MappingProxyType
from typing import Any

from tinydb import TinyDB

from core.errors import DuplicateError, NotFoundError, StoreError
from core.expert_fields import FIELDS_BY_KEY
from store.audit import AuditLog
from store.audit_lines import compact_row
from store.locks import FileLock, PathRegistry, shared_lock
from store.logstore import HISTORY_COLLECTIONS, UNIQUE, LogStorage, unique_key
from store.storage import (DATA_TABLE, SCHEMA_VERSION, AtomicJSONStorage, MemoryJSONStorage, _Transactional,
                           write_error_message)

log = logging.getLogger(__name__)
REDACTED = "〔已隐藏〕"
REDACTED_CHANGED = "〔已隐藏，本次已更改〕"  # e.g. 重置密码: says the hash changed without showing either value
DIGEST_OVER = 2000  # audit_pair(digest=True): longer values as their length and SHA-256
Predicate = Callable[[dict], bool]
# Fields never audited, per collection: those the app names when it opens a collection (`redact=`) are added to
# these, so a restore run from the shell (no service loaded) hides them too.
_REDACT: dict[str, set[str]] = {"users": {"password_hash"}, "photos": {"data"},
                                "sessions": {"token_hash", "handoff_hash"}, "pool_snapshots": {"experts"}}
_REDACT_LOCK = threading.Lock()


def register_redaction(collection: str, fields: Iterable[str]) -> None:
    with _REDACT_LOCK:
        _REDACT.setdefault(collection, set()).update(fields)


def registered_collections() -> set[str]:
    """Collections opened in this process with a redaction list (part of what a restore accepts)."""
    with _REDACT_LOCK:
        return set(_REDACT)


def _digest(value: Any) -> Any:
    """A long value (text, or a list/dict whose JSON is long, e.g. a draw's pool) as its length and SHA-256."""
    if isinstance(value, (str, list, dict)):
        encoded = value if isinstance(value, str) else _encode(value)
        if len(encoded) > DIGEST_OVER:
            return f"〔{len(encoded)} 字，SHA-256 {hashlib.sha256(encoded.encode('utf-8')).hexdigest()[:16]}〕"
    return value


def audit_pair(collection: str, before: dict | None, after: dict | None, fields: Iterable[str] = (), *,
               digest: bool = False) -> tuple[dict | None, dict | None]:
    """(before, after) as whole records with redacted fields read 〔已隐藏〕, and on the side that changed
    〔已隐藏，本次已更改〕, never the value; with `digest`, long text values as their length and hash. This is the
    form the audit log wrote until 2026-12; writes are now logged by `hidden_fields` + store.audit_lines.compact_row
    (the changed fields only, with the record's hashes)."""
    with _REDACT_LOCK:
        hidden = set(fields) | _REDACT.get(collection, set())

    def show(body: dict | None, other: dict | None, changed_mark: bool) -> dict | None:
        if body is None:
            return None
        out = {}
        for k, v in body.items():
            if k in hidden:
                changed = changed_mark and other is not None and k in other and other[k] != v
                out[k] = REDACTED_CHANGED if changed else REDACTED
            else:
                out[k] = _digest(v) if digest else v
        return out

    return show(before, after, False), show(after, before, True)


def hidden_fields(collection: str, fields: Iterable[str] = ()) -> set[str]:
    """The fields of `collection` never shown in the audit log (those registered for it, plus `fields`)."""
    with _REDACT_LOCK:
        return set(fields) | _REDACT.get(collection, set())


class CollectionFile:
    """One collection's single TinyDB instance, its table and its lock."""

    def __init__(self, storage: _Transactional | LogStorage, lock: FileLock, folder: Path | None = None):
        self.storage = storage
        self.lock = lock
        self.folder = folder  # the data folder (None in memory): where an interrupted restore's journal would be
        self.db = TinyDB(storage=lambda: storage)
        self.table = self.db.table(DATA_TABLE)

    def reset_caches(self) -> None:
        """Forget anything TinyDB keeps between operations, so the next one reads the storage afresh."""
        self.table.clear_cache()
        self.table._next_id = None


def _open_collection(path: Path) -> CollectionFile:
    kind = LogStorage if path.stem in HISTORY_COLLECTIONS else AtomicJSONStorage
    return CollectionFile(kind(path), shared_lock(path), path.parent)


_files: PathRegistry[CollectionFile] = PathRegistry(_open_collection)


def file_collection(path: Path) -> CollectionFile:
    """The process-wide CollectionFile of `path` (created on first use; a forked child builds its own)."""
    return _files.get(path)


# An interrupted restore (its journal still in the folder) is finished before any read or write of this process:
# open_store does it at start, and this hook (set by store.database) does it for a store that was already open
# when a restore run from the shell was killed. Waits for a restore in progress (it holds every lock) to end.
RESTORE_JOURNAL = "restore.journal"
_finish_restore: Callable[[Path], None] | None = None


def set_restore_recovery(hook: Callable[[Path], None]) -> None:
    global _finish_restore
    _finish_restore = hook


def _settle(handle: "CollectionFile") -> None:
    if handle.folder is not None and _finish_restore is not None and (handle.folder / RESTORE_JOURNAL).exists():
        _finish_restore(handle.folder)


def reset_open_collections(data_dir: Path) -> None:
    """After a restore: every open TinyDB instance on `data_dir` must re-read (caches cleared, cached versions
    dropped — a restored file is a new inode anyway, so this is belt and braces)."""
    folder = str(Path(data_dir).resolve())
    handles = [h for k, h in _files.items() if str(Path(k).parent) == folder]
    for handle in handles:
        handle.reset_caches()
        handle.storage.drop_cache()


def memory_collection(name: str) -> CollectionFile:
    return CollectionFile(MemoryJSONStorage(f"{name}.json"), FileLock(None))


# --- helpers ---------------------------------------------------------------------------------------------
def _encode(doc: Any) -> str:
    return json.dumps(doc, ensure_ascii=False, allow_nan=False)


def _copy(value: Any) -> Any:
    """A deep copy of JSON values (dict, list, str, int, float, bool, None) in one C round trip."""
    return marshal.loads(marshal.dumps(value))


@contextmanager
def gc_paused():
    """No cyclic garbage collection while many acyclic objects are made (copies, parses): with the cached files
    in memory, each collection it would trigger scans them all (all() of 40,000 documents: 6.7 s → 1.3 s under
    load). Process-wide but harmless: whoever found it enabled enables it again."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _prepare(doc: Mapping) -> dict:
    """A private deep copy of what will be stored: JSON values only, no "id", current schema_version."""
    if not isinstance(doc, Mapping):
        raise TypeError(f"要保存的记录必须是 dict，而不是 {type(doc).__name__}")
    try:
        body = json.loads(_encode(dict(doc)))
    except (TypeError, ValueError) as e:
        raise TypeError(f"记录中含有不能保存为 JSON 的值：{e}") from None
    body.pop("id", None)
    body["schema_version"] = SCHEMA_VERSION
    return body


def _scalar(value: Any) -> Any:
    if value is not None and not isinstance(value, (str, int, float)):
        raise TypeError(f"按字段查找只接受文本、数字、布尔值或 None，而不是 {type(value).__name__}")
    return value


def _ids_from(snap, field: str, lowest: str) -> set[int]:
    if not isinstance(lowest, str):
        raise TypeError("find_from 的下限必须是文本")
    index = snap.index(field)
    keys = snap.text_keys(field)
    ids: set[int] = set()
    for key in keys[bisect.bisect_left(keys, lowest):]:
        ids.update(index[key])
    for key, found in index.items():
        if type(key) is not str:
            ids.update(found)
    return ids


def _with_id(doc_id: int, body: Mapping) -> dict:
    return {"id": int(doc_id), **body}


_norm = unique_key  # the form compared for uniqueness (store.logstore.unique_key)


def _shown(value: Any) -> str:
    return value.strip() if isinstance(value, str) else _encode(value)


def _label(key: str) -> str:
    spec = FIELDS_BY_KEY.get(key)
    return spec.label if spec else key


def _check_unique(new: list[dict], base, keys: Iterable[str], exclude_id: int | None = None) -> None:
    """DuplicateError if a new document repeats a unique value of another record or of the same batch. `base` is
    the snapshot the transaction read (its documents unchanged so far): its uniqueness index answers, so the check
    costs what the batch holds, not the collection (issue 17)."""
    for key in keys:
        wanted = {}
        for position, body in enumerate(new, 1):
            value = _norm(body.get(key))
            if value is None:
                continue
            if value in wanted:
                raise DuplicateError(f"{_label(key)} {_shown(body.get(key))} 在本批数据中重复（第 {wanted[value]} 条与第 "
                                     f"{position} 条）")
            wanted[value] = position
        if not wanted:
            continue
        index = base.index(UNIQUE + key)
        for value, position in wanted.items():
            others = [i for i in index.get(value, ()) if i != exclude_id]
            if others:
                shown = _shown(new[position - 1].get(key))
                raise DuplicateError(f"{_label(key)} {shown} 已存在（记录 {others[0]}）", existing_id=others[0])


def _stored_copy(data: dict, doc_id: int) -> dict:
    """A copy of the stored body of record `doc_id`; NotFoundError if there is none."""
    current = data.get(DATA_TABLE, {}).get(str(doc_id))
    if current is None:
        raise NotFoundError(f"记录 {doc_id} 不存在或已被删除")
    return copy.deepcopy(current)


class Repository:
    """One collection of documents. Reads return fresh copies; writes are atomic, locked and audited."""

    def __init__(self, name: str, handle: CollectionFile, audit: AuditLog, *, redact: Iterable[str] = ()):
        self.name = name
        self._h = handle
        self._audit = audit
        self._redact = tuple(redact)
        if self._redact:
            register_redaction(name, self._redact)

    def __repr__(self) -> str:
        return f"Repository({self.name!r})"

    # --- reading (no lock needed: files change atomically, and a cached version is never changed) -----------
    def _snapshot(self):
        _settle(self._h)
        return self._h.storage.snapshot()

    def get(self, id: int) -> dict | None:
        """The record with this id (a fresh copy), or None."""
        try:
            doc_id = int(id)
        except (TypeError, ValueError):
            return None
        body = self._snapshot().table().get(str(doc_id))
        return _with_id(doc_id, _copy(body)) if body is not None else None

    def all(self) -> list[dict]:
        """Every record, by id (fresh copies)."""
        return self._all_of(self._snapshot())

    @staticmethod
    def _all_of(snap) -> list[dict]:
        with gc_paused():
            return _copy([{"id": i, **body} for i, body in snap.ordered()])

    def search(self, pred: Predicate) -> list[dict]:
        """The records for which `pred(record)` is true, by id (each a fresh copy). `pred` sees a shallow view of
        each record and must not change the lists or dicts inside it."""
        snap = self._snapshot()
        with gc_paused():
            return _copy([view for view in ({"id": i, **body} for i, body in snap.ordered()) if pred(view)])

    # --- indexed look-ups (issue 17): cost in proportion to what they return, not to the collection -------------
    def _rows(self, snap, ids) -> list[dict]:
        table = snap.table()
        with gc_paused():
            return _copy([{"id": i, **table[str(i)]} for i in ids])

    def find(self, field: str, value: Any) -> list[dict]:
        """The records whose `field` equals `value` (a scalar: text, number, bool or None — None also matches a
        missing field), by id, each a fresh copy: the same as `search(lambda d: d.get(field) == value)`, served by
        the collection's index on `field` (built once per file version, kept up to date by this process's writes)."""
        snap = self._snapshot()
        return self._rows(snap, snap.index(field).get(_scalar(value), ()))

    def find_any(self, field: str, values: Iterable[Any]) -> list[dict]:
        """The records whose `field` equals one of `values` (scalars), by id."""
        snap = self._snapshot()
        index = snap.index(field)
        ids: set[int] = set()
        for value in values:
            ids.update(index.get(_scalar(value), ()))
        return self._rows(snap, sorted(ids))

    def find_from(self, field: str, lowest: str) -> list[dict]:
        """The records whose `field` is text ≥ `lowest` (e.g. ISO dates from a day on), plus those whose `field` is
        not text at all (missing, None, a number: the caller's own test decides about them), by id."""
        snap = self._snapshot()
        return self._rows(snap, sorted(_ids_from(snap, field, lowest)))

    def keyed_ids(self, field: str) -> Mapping[Any, tuple[int, ...]]:
        """The index itself, read-only: {value: ids by id} (list and dict values under one key no scalar equals).
        For set arithmetic on ids — "finished and not yet evaluated" — without copying a record."""
        return MappingProxyType(self._snapshot().index(field))

    def ids_from(self, field: str, lowest: str) -> set[int]:
        """The ids `find_from` would return."""
        return _ids_from(self._snapshot(), field, lowest)

    def get_many(self, ids: Iterable[int]) -> list[dict]:
        """The records with these ids that exist, by id (fresh copies)."""
        snap = self._snapshot()
        table = snap.table()
        wanted = sorted({i for i in ids if type(i) is int and str(i) in table})
        return self._rows(snap, wanted)

    def shared(self, key: Any, build: Callable[[list[dict]], Any]) -> Any:
        """`build(records)` computed once per version of the collection and shared by every caller of the process
        (all sessions): for derived views read on every page or task, such as the pool a draw sees. `build` gets
        its own copies of the records; what it returns must never be changed by a caller."""
        snap = self._snapshot()
        return snap.memo(key, lambda: build(self._all_of(snap)))

    def count(self, pred: Predicate | None = None) -> int:
        snap = self._snapshot()
        if pred is None:
            return len(snap.table())
        return sum(1 for i, body in snap.ordered() if pred({"id": i, **body}))

    # --- writing -----------------------------------------------------------------------------------------
    @contextmanager
    def _transaction(self):
        h = self._h
        _settle(h)  # before taking our lock: finishing a restore takes every lock in order
        with h.lock:
            h.storage.begin()
            h.reset_caches()
            ok = False
            try:
                yield h.storage.read()  # never None inside a transaction
                ok = True
            except OSError as e:
                self._undo(e)
                raise StoreError(write_error_message(e)) from e
            except BaseException as e:
                self._undo(e)
                raise
            finally:
                h.storage.end(ok)
                h.reset_caches()

    def _undo(self, error: BaseException) -> None:
        try:
            self._h.storage.rollback()
        except OSError as e:
            log.critical("集合 %s 写入失败后未能恢复原文件：%s（原错误：%r）", self.name, e, error)
            raise StoreError("保存失败，且未能恢复原数据文件：数据文件可能已包含本次修改但操作日志没有记录。"
                             "请立即联系系统管理员核对。") from error

    def _audit_records(self, rows: list[tuple[int, dict | None, dict | None]]):
        """The audit rows of a write: the changed fields only, big values as digests, the record's hash before and
        after, redacted fields hidden (store.audit_lines.compact_row)."""
        hidden = hidden_fields(self.name, self._redact)
        return [(self.name, doc_id, *compact_row(before, after, hidden)) for doc_id, before, after in rows]

    def insert(self, doc: Mapping, *, actor: str, action: str, unique: Iterable[str] = ("id_number",)) -> int:
        """Add one record; DuplicateError if a `unique` field's value is already used. Returns its id."""
        return self.insert_many([doc], actor=actor, action=action, unique=unique)[0]

    def insert_many(self, docs: Iterable[Mapping], *, actor: str, action: str,
                    unique: Iterable[str] = ()) -> list[int]:
        """Add several records in one write: all or nothing (duplicates within the batch refused too)."""
        bodies = [_prepare(d) for d in docs]
        if not bodies:
            return []
        unique = tuple(unique)
        with self._transaction() as data:
            _check_unique(bodies, self._h.storage.tx_base(), unique)
            first = self._h.storage.known_last_id() + 1
            ids = list(range(first, first + len(bodies)))
            self._h.storage.will_change(ids)
            table = data.setdefault(DATA_TABLE, {})
            for i, body in zip(ids, bodies):
                table[str(i)] = body
            self._h.storage.write(data)
            self._audit.append(actor, action, self._audit_records([(i, None, b) for i, b in zip(ids, bodies)]))
        return ids

    def update(self, id: int, changes: Mapping | Callable[[dict], dict | None], *, actor: str, action: str,
               unique: Iterable[str] = ()) -> dict:
        """Change one record: a dict of fields to set, or a function from the record to the new record.

        Returns the new record. NotFoundError if there is no such record; nothing is written (or audited)
        when the result equals the stored record.
        """
        doc_id = int(id)
        with self._transaction() as data:
            before = _stored_copy(data, doc_id)
            if callable(changes):
                draft = _with_id(doc_id, copy.deepcopy(before))
                result = changes(draft)
                after = _prepare(draft if result is None else result)
            else:
                after = _prepare({**before, **changes})
            if after == before:
                return _with_id(doc_id, before)
            _check_unique([after], self._h.storage.tx_base(), tuple(unique), exclude_id=doc_id)
            self._h.storage.will_change([doc_id])
            data[DATA_TABLE][str(doc_id)] = after  # replaced, never changed in place: readers share the old one
            self._h.storage.write(data)
            self._audit.append(actor, action, self._audit_records([(doc_id, before, after)]))
        return _with_id(doc_id, copy.deepcopy(after))

    def update_many(self, changes: Mapping[int, Callable[[dict], dict | None]], *, actor: str,
                    action: str) -> list[dict]:
        """Change several records in one write (one lock, one file write, one audit append with a line per record):
        `changes` maps an id to a function from the record to the new record. All or nothing: NotFoundError (or any
        error a function raises) writes nothing. Records whose result equals what is stored are left out. Returns
        the new records that were written, by id."""
        with self._transaction() as data:
            rows = []
            for doc_id in sorted(int(i) for i in changes):
                before = _stored_copy(data, doc_id)
                draft = _with_id(doc_id, copy.deepcopy(before))
                result = changes[doc_id](draft)
                after = _prepare(draft if result is None else result)
                if after != before:
                    rows.append((doc_id, before, after))
            if not rows:
                return []
            self._h.storage.will_change([i for i, _, _ in rows])
            for doc_id, _, after in rows:
                data[DATA_TABLE][str(doc_id)] = after
            self._h.storage.write(data)
            self._audit.append(actor, action, self._audit_records(rows))
        return [_with_id(i, copy.deepcopy(after)) for i, _, after in rows]

    def delete(self, id: int, *, actor: str, action: str) -> None:
        """Remove one record; NotFoundError if there is none."""
        doc_id = int(id)
        with self._transaction() as data:
            before = _stored_copy(data, doc_id)
            self._h.storage.will_change([doc_id])
            del data[DATA_TABLE][str(doc_id)]
            self._h.storage.write(data)
            self._audit.append(actor, action, self._audit_records([(doc_id, before, None)]))

    def delete_where(self, pred: Predicate, *, actor: str, action: str) -> int:
        """Remove every record for which `pred(record)` is true, in one write; returns how many."""
        with self._transaction() as data:
            table = data.get(DATA_TABLE, {})
            # pred sees copies, so it cannot change what stays behind
            doomed = [(int(k), v) for k, v in table.items() if pred(_with_id(int(k), _copy(v)))]
            if not doomed:
                return 0
            before = [(i, _copy(v)) for i, v in doomed]
            self._h.storage.will_change([i for i, _ in doomed])
            table = data[DATA_TABLE]
            for i, _ in doomed:
                del table[str(i)]
            self._h.storage.write(data)
            self._audit.append(actor, action, self._audit_records([(i, b, None) for i, b in before]))
        return len(doomed)
