"""数据文件 — how one collection is kept: a JSON file written atomically, parsed again only when it changed.

TinyDB talks to its data through one narrow seam, `Storage.read/write`; this module provides two storages behind
it. `AtomicJSONStorage` writes the whole database to a temporary file in the same folder, flushes and fsyncs it,
renames it over the old file with `os.replace` and fsyncs the folder, so a crash or a full disk leaves either the
old or the new file, never half of one (TinyDB's own `JSONStorage` rewrites in place: a SIGKILL or ENOSPC there
left corrupt files). `MemoryJSONStorage` keeps the same JSON text in memory for fast unit tests. Nothing written
is held back in memory (no `CachingMiddleware`: it holds up to 1000 writes in memory that a crash loses); what
is kept is the parsed content of the file as it is on disk, keyed by the file's version (issue 17, see
`store.logstore`: device, inode, size, mtime and ctime by fstat — every write renames a new inode into place, so
another process's write is always seen): a read when nothing changed costs one fstat, not a read and a parse.
The history collections (`store.logstore.HISTORY_COLLECTIONS`) use the append-only `LogStorage` instead; `parse`
reads both layouts, so backups, restore and the start-up check take either.

Writes run in a "transaction" (`begin` … `end`, under the collection's lock, see `_Transactional`): it works on a
shallow copy of the cached tables, re-uses the line of every document it does not change, and publishes what it
wrote as the new cached version. Before its first write a transaction keeps the current file as a hard link
(`.x.json.prev-….tmp`); `rollback` renames it back when something after the rename fails (e.g. the audit line
could not be appended) — a rename needs no free space — and drops the cached version.

The file holds one document per line, so a human can read it and a parse error names a useful line:
`{"_default": {"1": {...},\\n"2": {...}}, "_meta": {"1": {"last_id": 2, "schema_version": 1}}}`.
`_meta.last_id` is the highest id ever given out, so the id of a deleted record is never reused.
"""
from __future__ import annotations

import json
import os
import re
import secrets
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from tinydb.storages import Storage

from core.errors import StoreCorruptError, StoreError

SCHEMA_VERSION = 1
DATA_TABLE = "_default"
META_TABLE = "_meta"
BACKUP_DIR = "backups"
BACKUP_NAME = re.compile(r"^(\d{8})-(\d{6})(?:-[0-9A-Za-z]+)?$")
TEMP_SUFFIX = ".tmp"

_encode = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(", ", ": ")).encode

_ERRNO_REASONS = {
    28: "服务器磁盘空间不足",  # ENOSPC
    122: "超出磁盘配额",  # EDQUOT
    13: "没有写入数据文件夹的权限",  # EACCES
    1: "没有写入数据文件夹的权限",  # EPERM
    30: "磁盘处于只读状态",  # EROFS
    5: "磁盘读写出错",  # EIO
}


def write_error_message(error: OSError) -> str:
    """The Chinese message for a failed save; the reason is named when it is a known one (ENOSPC …)."""
    reason = _ERRNO_REASONS.get(error.errno or 0)
    if reason:
        return f"保存失败：{reason}，数据未改变。请联系系统管理员处理后重试。"
    return f"保存失败：写入数据文件时出错（错误码 {error.errno}），数据未改变。请联系系统管理员。"


# --- serialisation ---------------------------------------------------------------------------------------
def render(data: dict[str, dict[str, Any]], reuse: Mapping[str, bytes] | None = None
           ) -> tuple[bytes, dict[str, bytes]]:
    """The whole database as UTF-8 JSON, one document per line, non-ASCII kept literally (ensure_ascii=False),
    and the line of each document of the data table.

    `reuse` maps ids of unchanged documents of the data table to their line as last written or read: at 3,000
    experts, re-encoding every document cost ~20 ms of a write.
    """
    parts = []
    lines: dict[str, bytes] = {}
    for name, table in data.items():
        if not table:
            parts.append(_encode(name).encode("utf-8") + b": {}")
            continue
        known = reuse if (reuse and name == DATA_TABLE) else {}
        rows = []
        for doc_id, doc in table.items():
            line = known.get(doc_id)
            if line is None:
                line = f"{_encode(str(doc_id))}: {_encode(doc)}".encode("utf-8")
            rows.append(line)
        if name == DATA_TABLE:
            lines = dict(zip(map(str, table), rows))
        parts.append(_encode(name).encode("utf-8") + b": {\n" + b",\n".join(rows) + b"\n}")
    return b"{" + b",\n".join(parts) + b"}\n", lines


def serialize(data: dict[str, dict[str, Any]]) -> bytes:
    return render(data)[0]


_DATA_HEAD = b'{"_default": {\n'
_META_AFTER_DATA = b'\n},\n"_meta": {'


def document_lines(raw: bytes, ids: Iterable[str]) -> dict[str, bytes] | None:
    """The line of each document of the data table, if `raw` is in the one-document-per-line layout written by
    `serialize` and holds exactly `ids` (from the full parse); else None (then every document is re-encoded).

    A document's JSON never holds a raw newline (strings escape it), so ",\\n" only separates documents and
    "\\n}" only ends the table.
    """
    if not raw.startswith(_DATA_HEAD):
        return None
    end = raw.rfind(_META_AFTER_DATA)  # from the end: `_meta` is short and comes last
    if end < 0:
        end = raw.find(b"\n}", len(_DATA_HEAD) - 1)
        if end < 0:
            return None
    lines: dict[str, bytes] = {}
    for entry in raw[len(_DATA_HEAD):end].split(b",\n"):
        cut = entry.find(b'": {')
        key = entry[1:cut]
        if cut < 2 or entry[:1] != b'"' or not entry.endswith(b"}") or not key.isdigit():
            return None
        lines[key.decode("ascii")] = entry
    ids = set(ids)
    return lines if len(lines) == len(ids) and lines.keys() == ids else None


def parse(raw: bytes, path: Path | str) -> dict[str, dict[str, Any]]:
    """Parse a data file of either layout (whole-file, or a history log: see store.logstore) to TinyDB's shape;
    anything else raises StoreCorruptError in Chinese."""
    from store.logstore import is_log, parse_log
    if is_log(raw):
        return parse_log(raw, path).data
    return parse_whole(raw, path)


def parse_whole(raw: bytes, path: Path | str) -> dict[str, dict[str, Any]]:
    """Parse a whole-file data file; anything that is not a TinyDB database raises StoreCorruptError in Chinese."""
    if not raw or (raw[:1].isspace() and not raw.strip()):  # strip() copies: only when it may matter
        raise StoreCorruptError(corrupt_message(path, "文件为空"))
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise StoreCorruptError(corrupt_message(path, "不是 UTF-8 编码的文本")) from None
    except json.JSONDecodeError as e:
        raise StoreCorruptError(corrupt_message(path, f"第 {e.lineno} 行附近 JSON 格式错误")) from None
    if not isinstance(data, dict) or not all(isinstance(t, dict) for t in data.values()):
        raise StoreCorruptError(corrupt_message(path, "内容不是数据表的结构"))
    for table in data.values():
        for doc_id, doc in table.items():
            if not isinstance(doc, dict) or not doc_id.isdigit():
                raise StoreCorruptError(corrupt_message(path, f"记录 {doc_id} 的结构不正确"))
    return data


def newest_backup(data_dir: Path) -> str | None:
    folder = Path(data_dir) / BACKUP_DIR
    try:
        names = [p.name for p in folder.iterdir() if p.is_dir() and BACKUP_NAME.match(p.name)]
    except OSError:
        return None
    return max(names, key=backup_sort_key) if names else None


def backup_sort_key(name: str) -> tuple[str, int]:
    """Newest last: by date-time, then by the numeric suffix that separates two backups in one second."""
    m = BACKUP_NAME.match(name)
    stamp = f"{m.group(1)}-{m.group(2)}" if m else name
    rest = name[len(stamp) + 1:]
    return stamp, int(rest) if rest.isdigit() else 0


def corrupt_message(path: Path | str, detail: str) -> str:
    path = Path(path)
    data_dir = path.parent.resolve()
    newest = newest_backup(data_dir)
    if newest:
        hint = (f"最近的备份：{newest}（可在服务器的程序目录下运行 "
                f"`.venv/bin/python -m store restore {data_dir} {newest}` 恢复）")
    else:
        hint = "没有找到任何备份，请联系系统管理员检查该文件。"
    return f"数据文件 {path.name} 无法读取（{detail}）。系统已停止以防数据丢失。{hint}"


# --- atomic file writes ----------------------------------------------------------------------------------
def fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def temp_path_for(path: Path) -> Path:
    """`.experts.json.<random>.tmp` beside the target: same folder, so `os.replace` is an atomic rename."""
    return path.with_name(f".{path.name}.{secrets.token_hex(6)}{TEMP_SUFFIX}")


def atomic_write(path: Path, data: bytes) -> None:
    """Temp file, write all, fsync, os.replace, fsync the folder; on failure the old file is left untouched."""
    path = Path(path)
    tmp = temp_path_for(path)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o644)
    try:
        try:
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    fsync_dir(path.parent)


def stale_temp_files(folder: Path) -> dict[str, list[Path]]:
    """Temp files left by a crash, grouped by the data file they belong to (`.x.json.<hex>.tmp`,
    `.x.json.prev-<hex>.tmp` → x.json)."""
    found: dict[str, list[Path]] = {}
    for p in Path(folder).glob(f".*{TEMP_SUFFIX}"):
        base = p.name[1:-len(TEMP_SUFFIX)].rsplit(".", 1)[0]
        found.setdefault(base, []).append(p)
    return found


# --- storages --------------------------------------------------------------------------------------------
class VersionCache:
    """The parsed-file cache of both storages (this module's whole files, store.logstore's logs): the file's
    content as a `store.logstore.Snapshot`, kept while the file's version — (device, inode, size, mtime, ctime) by
    fstat on the descriptor the bytes came from, or in memory a write counter — is unchanged, so a read outside a
    transaction costs one fstat. `_gen` counts this process's writes, rollbacks and drops: a version read before
    one of them is never stored over what it published. Subclasses give `_load_keyed` and `label`."""

    label: str

    def _init_cache(self) -> None:
        self._snap = None
        self._gen = 0
        self._snap_lock = threading.Lock()

    def _load_keyed(self, known: tuple | None) -> tuple[tuple | None, bytes | None]:
        """(version, bytes); bytes None when the version is `known`; (None, None) when there is no file."""
        raise NotImplementedError

    def snapshot(self):
        """The current content of the file (cached while its version is unchanged). Never change what it holds."""
        from store.logstore import EMPTY, build_snapshot
        cached, gen = self._snap, self._gen
        key, raw = self._load_keyed(cached.key if cached is not None else None)
        if key is None:
            return EMPTY
        if raw is None:
            return cached
        snap = build_snapshot(raw, key, self.label)
        with self._snap_lock:
            if self._gen == gen:  # no write of ours meanwhile: never store an older version over a newer one
                self._snap = snap
        return snap

    def drop_cache(self) -> None:
        with self._snap_lock:
            self._gen += 1
            self._snap = None

    def tx_base(self):
        """Inside a transaction: the version it read (whose indexes describe its documents until it writes)."""
        self.read()
        return self._tx_base

    def _publish(self, snap) -> None:
        with self._snap_lock:
            self._gen += 1
            self._snap = snap


class _Transactional(VersionCache, Storage):
    """Transactions for the repository: begin() … read() … will_change() … write() … end(ok) / rollback(), and
    `snapshot()`: the parsed content of the file, cached while the file's version is unchanged.

    The cached version (a `store.logstore.Snapshot`) is keyed by (device, inode, size, mtime, ctime) taken by
    fstat on the descriptor its bytes were read from, or in memory by a write counter; a read outside a
    transaction costs one fstat when nothing changed. A transaction works on a shallow copy of the cached tables
    (documents are replaced, never changed in place: the snapshot may be in use by readers of other threads),
    re-uses the line of each document it does not change (`will_change`), and publishes what it wrote as the new
    version, so the next transaction neither reads nor parses the file; `_gen` counts this process's writes, so
    a version read before a write is never stored over it. A rollback drops the cached version.
    """

    def __init__(self) -> None:
        self._tx_thread: int | None = None
        self._init_cache()
        self._reset_tx()

    def _reset_tx(self) -> None:
        self._tx_base = None  # the snapshot this transaction read
        self._tx_data: dict | None = None
        self._tx_lines: dict[str, bytes] | None = None  # each document's line, as read or last written
        self._tx_changing: set[str] | None = None  # ids the next write changes (None: unknown, re-encode all)
        self._tx_saved = False  # the previous state has been put aside (at the first write of the transaction)
        self._tx_written = False

    def begin(self) -> None:
        self._tx_thread = threading.get_ident()
        self._reset_tx()

    def end(self, ok: bool) -> None:
        try:
            if self._tx_saved:
                self._forget_previous()
        finally:
            self._tx_thread = None
            self._reset_tx()

    def _in_tx(self) -> bool:
        return self._tx_thread is not None and self._tx_thread == threading.get_ident()

    def read(self) -> dict[str, dict[str, Any]] | None:
        if self._in_tx():
            if self._tx_data is None:
                base = self._tx_base = self.snapshot()
                self._tx_data = base.tx_copy()
                self._tx_lines = base.lines
            return self._tx_data
        snap = self.snapshot()
        return None if snap.data is None else json.loads(_encode(snap.data))  # a private copy

    def known_last_id(self) -> int:
        """The highest id ever given out, as of this transaction's read (no scan of the ids)."""
        if self._in_tx():
            self.read()
            return self._tx_base.last_id
        return self.snapshot().last_id

    def will_change(self, doc_ids: Iterable[int]) -> None:
        """Say which documents the next write in this transaction adds, changes or removes: the others are
        written back as the very bytes that were read."""
        if self._in_tx():
            self._tx_changing = {str(i) for i in doc_ids}

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        from store.logstore import Snapshot, derive_indexes
        in_tx = self._in_tx()
        base = self._tx_base if in_tx else None
        changing = self._tx_changing if in_tx else None
        table = data.get(DATA_TABLE, {})
        if base is not None and changing is not None:  # the high-water mark without scanning every id
            meta = data.get(META_TABLE, {}).get("1", {})
            last = max([base.last_id, int(meta.get("last_id", 0)), *(int(i) for i in changing if i in table)])
        else:
            last = last_id(data)
        data[META_TABLE] = {"1": {"last_id": last, "schema_version": SCHEMA_VERSION}}
        reuse = None
        if in_tx and self._tx_lines is not None and changing is not None:
            reuse = {k: v for k, v in self._tx_lines.items() if k not in changing}
        payload, lines = render(data, reuse)
        if in_tx:
            self._tx_lines = self._tx_changing = None
            if not self._tx_saved:
                self._save_previous()
                self._tx_saved = True
            # set before storing: the folder's fsync may fail after the rename, and putting the previous
            # version back is harmless if the rename never happened
            self._tx_written = True
        self._store(payload)
        snap = Snapshot(self._stored_key(), dict(data), last, size=len(payload), end=len(payload), lines=lines,
                        indexes=derive_indexes(base, table, changing))
        self._publish(snap)
        if in_tx:  # the tables now belong to the published version: a further read copies them again
            self._tx_base, self._tx_data = snap, None

    def rollback(self) -> None:
        """Undo the write made in this transaction: the data file is its previous self again."""
        try:
            if self._in_tx():
                self._tx_base = self._tx_data = self._tx_lines = None
                if self._tx_written:
                    self._restore_previous()
                    self._tx_written = False
        finally:
            self.drop_cache()

    # subclasses
    label: str

    def _stored_key(self) -> tuple:
        """The version of what `_store` has just written."""
        raise NotImplementedError

    def _load(self) -> bytes | None:
        raise NotImplementedError

    def _store(self, payload: bytes) -> None:
        raise NotImplementedError

    def _save_previous(self) -> None:
        raise NotImplementedError

    def _restore_previous(self) -> None:
        raise NotImplementedError

    def _forget_previous(self) -> None:
        raise NotImplementedError


def last_id(data: dict | None) -> int:
    """The highest id ever given out in this file (kept in `_meta` so deleted ids are not reused)."""
    if not data:
        return 0
    meta = data.get(META_TABLE, {}).get("1", {})
    ids = [int(k) for k in data.get(DATA_TABLE, {})]
    return max([int(meta.get("last_id", 0)), *ids])


def with_meta(data: dict) -> dict:
    data[META_TABLE] = {"1": {"last_id": last_id(data), "schema_version": SCHEMA_VERSION}}
    return data


class AtomicJSONStorage(_Transactional):
    """A collection's JSON file, replaced atomically on each write, parsed again only when its version changed."""

    def __init__(self, path: str | Path):
        super().__init__()
        self.path = Path(path)
        self.label = str(self.path)

    def _load_keyed(self, known: tuple | None) -> tuple[tuple | None, bytes | None]:
        from store.logstore import read_keyed
        return read_keyed(self.path, known)

    def _stored_key(self) -> tuple:
        from store.logstore import version_key
        return version_key(os.stat(self.path))

    def _load(self) -> bytes | None:
        try:
            with open(self.path, "rb") as f:
                return f.read()
        except FileNotFoundError:
            return None
        except OSError as e:
            raise StoreError(f"读取数据文件 {self.path.name} 失败（错误码 {e.errno}），请联系系统管理员。") from e

    def _store(self, payload: bytes) -> None:
        atomic_write(self.path, payload)

    def _save_previous(self) -> None:
        """Keep the current file as a hard link: putting it back is then a rename, which needs no free space."""
        self._prev_link: Path | None = None
        self._prev_bytes: Any = None  # None: there was no file
        link = self.path.with_name(f".{self.path.name}.prev-{secrets.token_hex(6)}{TEMP_SUFFIX}")
        try:
            os.link(self.path, link)
            self._prev_link = link
        except FileNotFoundError:
            pass
        except OSError:  # a file system without hard links: keep the bytes instead
            self._prev_bytes = self._load()

    def _restore_previous(self) -> None:
        if self._prev_link is not None:
            try:
                if os.path.samefile(self._prev_link, self.path):
                    return  # the rename never happened: the file is still the previous one
            except FileNotFoundError:
                pass
            os.replace(self._prev_link, self.path)
            self._prev_link = None
        elif self._prev_bytes is not None:
            atomic_write(self.path, self._prev_bytes)
            return
        else:
            try:
                os.unlink(self.path)
            except FileNotFoundError:
                return
        try:  # the old name is back either way; a failing folder fsync is no reason to report otherwise
            fsync_dir(self.path.parent)
        except OSError:
            pass

    def _forget_previous(self) -> None:
        if self._prev_link is not None:
            try:
                os.unlink(self._prev_link)
            except OSError:
                pass  # removed at the next open
        self._prev_link = self._prev_bytes = None


class MemoryJSONStorage(_Transactional):
    """The same JSON text kept in memory, its version a counter of writes: same semantics as the file."""

    def __init__(self, label: str = "memory.json"):
        super().__init__()
        self.label = label
        self._text: bytes | None = None
        self._version = 0

    def _load_keyed(self, known: tuple | None) -> tuple[tuple | None, bytes | None]:
        if self._text is None:
            return None, None
        key = ("memory", id(self), self._version)
        return (key, None) if key == known else (key, self._text)

    def _stored_key(self) -> tuple:
        return ("memory", id(self), self._version)

    def _load(self) -> bytes | None:
        return self._text

    def _store(self, payload: bytes) -> None:
        self._text = payload
        self._version += 1

    def _save_previous(self) -> None:
        self._previous = self._text

    def _restore_previous(self) -> None:
        self._text = self._previous
        self._version += 1

    def _forget_previous(self) -> None:
        self._previous = None


def keep_id_high_water(restored: bytes, current: bytes | None, path: Path | str) -> bytes:
    """A restored file keeps the current file's `last_id` if that is higher: ids given out are never reused,
    even after going back to an older backup (the audit log still names those ids)."""
    from store.logstore import is_log, log_bytes
    if current is None:
        return restored
    try:
        current_last = last_id(parse(current, path))
    except StoreCorruptError:
        return restored
    data = parse(restored, path)
    if last_id(data) >= current_last:
        return restored
    data[META_TABLE] = {"1": {"last_id": current_last, "schema_version": SCHEMA_VERSION}}
    return log_bytes(data) if is_log(restored) else serialize(data)  # in the layout the backup had
