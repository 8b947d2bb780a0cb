"""历史集合 — the append-only storage of the history collections, and the parsed-file cache of every collection.

The history collections (`HISTORY_COLLECTIONS`: requests, assignments, draws, evaluations, sessions, …) grow with
every task for years, so rewriting their whole file on each write (as `AtomicJSONStorage` does) made each write
cost O(history). Their file keeps its name (`draws.json`, so backups, restore and the start-up check see it like
any other collection) but holds JSON lines, each a JSON object a human or `jq` can read:

    {"_format": "zjk-log", "version": 1}                          the header, always the first line
    {"_meta": {"last_id": 12, "schema_version": 1}}              written by a compaction: ids never reused
    {"id": 7, "doc": {...}}                                      document 7 as it now is (added or changed)
    {"id": 5, "deleted": true}                                   document 5 removed
    {"_commit": 2}                                               the end of one write: the 2 lines above it

One repository write appends its lines and a `_commit` line (one `write`, then `fdatasync` of the file only) —
its cost is that of the documents it changes (the `will_change` ids hint), not of the history. A write is
confirmed only with its commit line: lines after the last commit (a write cut short by a crash or a kill, or one
still being appended by another process) are ignored by readers and cut off by the next writer, under the lock,
before it appends. A failed write is undone by truncating the file to its size before the write (`rollback`,
e.g. when the audit line could not be appended). The highest id ever given out is the largest id named by any
line (a tombstone keeps the id of the removed document) or by a `_meta` line.

Compaction rewrites the file to its current state (header, `_meta`, one line per live document, a commit) with
the same temp file + fsync + rename + folder fsync as a whole-file write, so a crash or kill during it leaves the
old or the new file, each holding every confirmed write. It runs after a write, still under the lock, when the
file has grown beyond `COMPACT_RATIO` × its live lines (and `COMPACT_MIN` bytes), and on demand (`compact_file`,
e.g. before a backup). A history collection still in the whole-file layout (a folder made before this format, or
restored from an older backup) is read as it is and rewritten in this format by its first write, or by
`convert_history_files` (a backup first; idempotent; resumable after a kill — each file is converted atomically).

The cache: every storage keeps the parsed content of its file (a `Snapshot`) keyed by the file's version
`(st_dev, st_ino, st_size, st_mtime_ns, st_ctime_ns)`, taken by `fstat` on the descriptor the bytes are read from.
A read outside a transaction `fstat`s the file and, when the version is unchanged, uses the snapshot without
reading a byte. Another process's write is always seen: a whole-file write renames a new inode into place, an
append changes the size, a rollback's truncate changes the size and ctime. This process's own writes publish the
new snapshot directly and bump a write counter (`_gen`), so a snapshot read before a write can never be stored
over it, and a rollback drops the snapshot. The storages are process-wide (one per file, see
`store.repository.file_collection`), so all sessions and threads of the app share the cache. Snapshots are never
changed once published: a transaction works on its own shallow copy of the table and replaces (never mutates)
the documents it changes; the repository hands out copies only of the documents a caller asked for.
"""
from __future__ import annotations

import json
import logging
import os
import secrets
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from tinydb.storages import Storage

from core.errors import StoreCorruptError, StoreError
from store.storage import (DATA_TABLE, META_TABLE, SCHEMA_VERSION, TEMP_SUFFIX, VersionCache, atomic_write,
                           corrupt_message, fsync_dir)

log = logging.getLogger(__name__)

# The collections kept as append-only logs: everything that grows with the tasks handled, year after year.
# experts / users / settings / applications / rounds / budgets / policy_variants … stay whole-file (small, or
# bounded by the number of experts).
HISTORY_COLLECTIONS = frozenset({
    "requests", "assignments", "draws", "pool_snapshots", "evaluations", "work_records", "assistance", "proposals",
    "events", "sessions", "trainings", "assessments", "dismissals"})

FORMAT = "zjk-log"
FORMAT_VERSION = 1
LOG_HEAD = b'{"_format": "zjk-log"'
HEADER_LINE = json.dumps({"_format": FORMAT, "version": FORMAT_VERSION}).encode("ascii") + b"\n"
_COMMIT_HEAD = b'{"_commit": '
COMPACT_RATIO = 2.0
COMPACT_MIN = 1 << 20  # 1 MiB: a small log is not worth rewriting

_encode = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(", ", ": ")).encode


def is_log(raw: bytes | None) -> bool:
    return bool(raw) and raw.startswith(LOG_HEAD)


def file_is_log(path: Path) -> bool:
    try:
        with open(path, "rb") as f:
            return is_log(f.read(len(LOG_HEAD)))
    except FileNotFoundError:
        return False


def put_line(doc_id: str | int, doc: dict) -> bytes:
    return f'{{"id": {int(doc_id)}, "doc": {_encode(doc)}}}\n'.encode("utf-8")


def tombstone_line(doc_id: str | int) -> bytes:
    return f'{{"id": {int(doc_id)}, "deleted": true}}\n'.encode("ascii")


def meta_line(last_id: int) -> bytes:
    return _encode({"_meta": {"last_id": int(last_id), "schema_version": SCHEMA_VERSION}}).encode("ascii") + b"\n"


def commit_line(count: int) -> bytes:
    return b'{"_commit": %d}\n' % count


def version_key(st: os.stat_result) -> tuple:
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


class Snapshot:
    """The parsed content of one version of a collection file. Never changed once published.

    `data` is TinyDB's shape ({"_default": {id: doc}, "_meta": {...}}) or None when there is no file; `lines`
    (whole-file layout) each document's line as written, for re-use by the next write; `spans` (log layout) the
    (offset, length) of each live document's latest line, `end` the offset after the last commit line and `live`
    the bytes of the live lines — what compaction and the next append need.
    """
    __slots__ = ("key", "data", "last_id", "log", "size", "end", "spans", "live", "lines", "_ordered", "_indexes",
                 "_text_keys", "_memo")

    def __init__(self, key, data, last_id=0, *, log=False, size=0, end=0, spans=None, live=0, lines=None,
                 indexes=None):
        self.key, self.data, self.last_id, self.log = key, data, last_id, log
        self.size, self.end, self.spans, self.live, self.lines = size, end, spans, live, lines
        self._ordered = None
        self._indexes: dict[str, dict] = indexes or {}
        self._text_keys: dict[str, list] = {}
        self._memo: dict = {}

    def table(self) -> dict[str, dict]:
        return self.data.get(DATA_TABLE, {}) if self.data else {}

    def ordered(self) -> list[tuple[int, dict]]:
        """(id, document) by id; computed once per version (several threads may race to compute it: harmless)."""
        found = self._ordered
        if found is None:
            found = self._ordered = sorted((int(k), v) for k, v in self.table().items())
        return found

    # --- field indexes (issue 17): value → ids, built once per version, carried over by this process's writes ---
    def index(self, field: str) -> dict[Any, tuple[int, ...]]:
        """{value: ids in ascending order} of the records whose `field` equals value (a missing field counts as
        None; a list or dict value as one key that no scalar equals). Built on first use, shared by every reader of
        this version; a write of this process derives the next version's index from it (`derive_indexes`)."""
        found = self._indexes.get(field)
        if found is None:
            found = build_index(self.table(), field)
            self._indexes = {**self._indexes, field: found}  # replaced, never changed: other threads may iterate it
        return found

    def text_keys(self, field: str) -> list[str]:
        """The distinct text values of `field`, sorted (for range look-ups such as dates from a day on)."""
        found = self._text_keys.get(field)
        if found is None:
            found = sorted(k for k in self.index(field) if type(k) is str)
            self._text_keys = {**self._text_keys, field: found}
        return found

    def memo(self, key: Any, build) -> Any:
        """`build()` computed once for this version and shared by every caller (who must never change it); not
        kept for the empty version (shared by all stores)."""
        found = self._memo.get(key, _ABSENT)
        if found is _ABSENT:
            found = build()
            if self.key is not None:
                self._memo = {**self._memo, key: found}
        return found

    def tx_copy(self) -> dict:
        """A private, shallow copy for a transaction: its tables may be changed; documents must be replaced."""
        if self.data is None:
            return {}
        return {name: dict(table) for name, table in self.data.items()}


EMPTY = Snapshot(None, None)


class _Unindexable:
    """The one index key of every list or dict value: no scalar query value equals it."""
    __slots__ = ()

    def __repr__(self) -> str:
        return "<list/dict>"


UNINDEXABLE = _Unindexable()
_ABSENT = object()


def index_key(value: Any) -> Any:
    """The key a value is indexed under: the value itself when hashable (so equal values share one key, as `==`
    says: 1, 1.0 and True alike), else UNINDEXABLE."""
    try:
        hash(value)
    except TypeError:
        return UNINDEXABLE
    return value


def unique_key(value: Any) -> Any:
    """The form two values are compared in for uniqueness (None: empty, never checked). Text ignores case and outer
    spaces; a list or dict is its canonical JSON."""
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        return ("s", text.casefold()) if text else None
    if isinstance(value, (list, dict)):
        return ("j", json.dumps(value, sort_keys=True, ensure_ascii=False)) if value else None
    return ("v", value)


UNIQUE = "unique:"  # the prefix of a uniqueness index's name: UNIQUE + field, keyed by `unique_key`


def _key_function(name: str):
    return unique_key if name.startswith(UNIQUE) else index_key


def _field_of(name: str) -> str:
    return name[len(UNIQUE):] if name.startswith(UNIQUE) else name


def build_index(table: dict[str, dict], name: str) -> dict[Any, tuple[int, ...]]:
    key_of, field = _key_function(name), _field_of(name)
    buckets: dict[Any, list[int]] = {}
    ordered = True
    for k, doc in table.items():
        i = int(k)
        bucket = buckets.setdefault(key_of(doc.get(field)), [])
        if bucket and bucket[-1] > i:
            ordered = False
        bucket.append(i)
    if ordered:
        return {key: tuple(ids) for key, ids in buckets.items()}
    return {key: tuple(sorted(ids)) for key, ids in buckets.items()}


def derive_indexes(base: "Snapshot | None", table: dict[str, dict], changing: Iterable[str] | None) -> dict:
    """The indexes of the version a write makes from `base` (its indexes, with the `changing` ids moved), so a
    write costs what it changes, not a rebuild; {} when the changed ids are unknown (rebuilt on next use)."""
    if base is None or changing is None or not base._indexes:
        return {}
    old_table = base.table()
    out = {}
    for name, index in list(base._indexes.items()):
        key_of, field = _key_function(name), _field_of(name)
        new = None
        for k in changing:
            old_doc, new_doc = old_table.get(k), table.get(k)
            old_key = key_of(old_doc.get(field)) if old_doc is not None else _ABSENT
            new_key = key_of(new_doc.get(field)) if new_doc is not None else _ABSENT
            if old_key is not _ABSENT and new_key is not _ABSENT and old_key == new_key:
                continue
            if new is None:
                new = dict(index)
            i = int(k)
            if old_key is not _ABSENT:
                ids = new.get(old_key, ())
                if i in ids:
                    kept = tuple(x for x in ids if x != i)
                    if kept:
                        new[old_key] = kept
                    else:
                        del new[old_key]
            if new_key is not _ABSENT:
                ids = new.get(new_key, ())
                if not ids or ids[-1] < i:
                    new[new_key] = ids + (i,)
                elif i not in ids:
                    new[new_key] = tuple(sorted((*ids, i)))
        out[name] = index if new is None else new
    return out


def _corrupt(path, detail: str) -> StoreCorruptError:
    return StoreCorruptError(corrupt_message(path, detail))


def parse_log(raw: bytes, path: Path | str, key: tuple | None = None) -> Snapshot:
    """Parse a log file (anything after its last commit line is ignored); StoreCorruptError if a confirmed line
    is not what this format writes."""
    first = raw.find(b"\n")
    try:
        header = json.loads(raw[:first]) if first > 0 else None
    except ValueError:
        header = None
    if not isinstance(header, dict) or header.get("_format") != FORMAT:
        raise _corrupt(path, "第 1 行不是历史集合文件的文件头")
    if header.get("version") != FORMAT_VERSION:
        raise _corrupt(path, f"历史集合文件格式版本 {header.get('version')!r} 不是本程序认识的版本")
    start = first + 1
    lines = raw[start:].split(b"\n")
    lines.pop()  # what follows the last newline: b"" or a line torn by a crash
    k = len(lines)
    while k and not lines[k - 1].startswith(_COMMIT_HEAD):
        k -= 1
    body = lines[:k]
    try:
        items = json.loads(b"[" + b",".join(body) + b"]") if body else []
        if len(items) != len(body):
            raise ValueError
    except (ValueError, UnicodeDecodeError):
        for number, line in enumerate(body, 2):
            try:
                json.loads(line)
            except (ValueError, UnicodeDecodeError):
                raise _corrupt(path, f"第 {number} 行不是完整的 JSON") from None
        raise _corrupt(path, "内容不是历史集合的结构") from None
    table: dict[str, dict] = {}
    spans: dict[str, tuple[int, int]] = {}
    live = 0
    last = 0
    pending = 0
    offset = start
    for number, (line, item) in enumerate(zip(body, items), 2):
        length = len(line) + 1
        if not isinstance(item, dict):
            raise _corrupt(path, f"第 {number} 行的结构不正确")
        if "id" in item:
            doc_id = item["id"]
            if type(doc_id) is not int or doc_id < 1:
                raise _corrupt(path, f"第 {number} 行的记录编号不正确")
            key_ = str(doc_id)
            doc = item.get("doc")
            old = spans.pop(key_, None)
            if old is not None:
                live -= old[1]
            if isinstance(doc, dict):
                table[key_] = doc
                spans[key_] = (offset, length)
                live += length
            elif item.get("deleted") is True:
                table.pop(key_, None)
            else:
                raise _corrupt(path, f"记录 {doc_id} 的结构不正确（第 {number} 行）")
            last = max(last, doc_id)
            pending += 1
        elif "_meta" in item:
            meta = item["_meta"]
            if not isinstance(meta, dict) or type(meta.get("last_id", 0)) is not int:
                raise _corrupt(path, f"第 {number} 行的 _meta 结构不正确")
            last = max(last, meta.get("last_id", 0))
            pending += 1
        elif "_commit" in item:
            if item["_commit"] != pending:
                raise _corrupt(path, f"第 {number} 行的提交记录与其前面的行数不符")
            pending = 0
        else:
            raise _corrupt(path, f"第 {number} 行的结构不正确")
        offset += length
    data = {DATA_TABLE: table, META_TABLE: {"1": {"last_id": last, "schema_version": SCHEMA_VERSION}}}
    return Snapshot(key, data, last, log=True, size=len(raw), end=offset, spans=spans, live=live)


def render_log(table: dict[str, dict], last_id: int, raw: bytes | None = None,
               spans: dict[str, tuple[int, int]] | None = None) -> tuple[bytes, dict[str, tuple[int, int]], int]:
    """The compacted log of `table`: header, `_meta`, one line per document by id, a commit. Lines are copied
    from `raw` where `spans` names them (no re-encoding), else encoded. Returns (bytes, spans, live bytes)."""
    parts = [HEADER_LINE, meta_line(last_id)]
    offset = len(HEADER_LINE) + len(parts[1])
    new_spans: dict[str, tuple[int, int]] = {}
    live = 0
    for key in sorted(table, key=int):
        span = spans.get(key) if (spans is not None and raw is not None) else None
        line = raw[span[0]:span[0] + span[1]] if span is not None else put_line(key, table[key])
        parts.append(line)
        new_spans[key] = (offset, len(line))
        offset += len(line)
        live += len(line)
    parts.append(commit_line(len(table) + 1))
    return b"".join(parts), new_spans, live


def log_bytes(data: dict[str, dict[str, Any]]) -> bytes:
    """A TinyDB-shaped database as a compacted log (conversion, restore with the id high-water mark)."""
    table = data.get(DATA_TABLE, {})
    meta = data.get(META_TABLE, {}).get("1", {})
    last = max([int(meta.get("last_id", 0)), *map(int, table)])
    return render_log(table, last)[0]


def read_keyed(path: Path, known: tuple | None) -> tuple[tuple | None, bytes | None]:
    """(version, bytes) of `path`; bytes None when the version is `known` (nothing read); (None, None): no file.

    The version is taken by fstat on the descriptor the bytes come from, and exactly st_size bytes are read, so
    the bytes are never newer than their version (a later change only makes the next version differ)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        return None, None
    except OSError as e:
        raise StoreError(f"读取数据文件 {Path(path).name} 失败（错误码 {e.errno}），请联系系统管理员。") from e
    try:
        for _ in range(5):
            st = os.fstat(fd)
            key = version_key(st)
            if key == known:
                return key, None
            chunks, got = [], 0
            while got < st.st_size:
                chunk = os.pread(fd, st.st_size - got, got)
                if not chunk:
                    break
                chunks.append(chunk)
                got += len(chunk)
            if got == st.st_size:
                return key, b"".join(chunks)
            # truncated while we read (a rollback in another process): read the new version
        raise StoreError(f"读取数据文件 {Path(path).name} 时文件一直在变化，请稍后重试。")
    except OSError as e:
        raise StoreError(f"读取数据文件 {Path(path).name} 失败（错误码 {e.errno}），请联系系统管理员。") from e
    finally:
        os.close(fd)


def build_snapshot(raw: bytes, key: tuple | None, path: Path | str) -> Snapshot:
    """A snapshot of either layout (a history collection may still be whole-file, and the other way round)."""
    from store.repository import gc_paused
    from store.storage import document_lines, last_id, parse_whole
    with gc_paused():
        if is_log(raw):
            return parse_log(raw, path, key)
        data = parse_whole(raw, path)
    return Snapshot(key, data, last_id(data), size=len(raw), end=len(raw),
                    lines=document_lines(raw, data.get(DATA_TABLE, {}).keys()))


class LogStorage(VersionCache, Storage):
    """A history collection's file as an append-only log (see the module docstring), behind TinyDB's Storage.

    Same transaction protocol as `store.storage._Transactional`: begin() … read() … will_change() … write() …
    end(ok) / rollback(), called by the repository under the collection's lock.
    """

    compact_ratio = COMPACT_RATIO
    compact_min = COMPACT_MIN

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.label = str(self.path)
        self._init_cache()  # the parsed-file cache (store.storage.VersionCache)
        self._tx_thread: int | None = None
        self._reset_tx()

    def _load_keyed(self, known: tuple | None) -> tuple[tuple | None, bytes | None]:
        return read_keyed(self.path, known)

    # --- transactions ------------------------------------------------------------------------------------
    def _reset_tx(self) -> None:
        self._tx_base: Snapshot | None = None
        self._tx_data: dict | None = None
        self._tx_changing: set[str] | None = None
        self._tx_append_from: int | None = None  # the size to truncate back to on rollback
        self._tx_prev_link: Path | None = None
        self._tx_rewritten = False
        self._tx_created = False

    def begin(self) -> None:
        self._tx_thread = threading.get_ident()
        self._reset_tx()

    def _in_tx(self) -> bool:
        return self._tx_thread is not None and self._tx_thread == threading.get_ident()

    def end(self, ok: bool) -> None:
        try:
            if ok and (self._tx_append_from is not None or self._tx_rewritten):
                snap = self._snap
                if snap is not None and snap.log and snap.size > max(self.compact_min,
                                                                     self.compact_ratio * (snap.live + 200)):
                    try:
                        self._compact_locked()
                    except (OSError, StoreError) as e:  # the log stays as it is: correct, only longer
                        log.warning("压缩历史集合文件 %s 失败：%s", self.path.name, e)
        finally:
            if self._tx_prev_link is not None:
                try:
                    os.unlink(self._tx_prev_link)
                except OSError:
                    pass  # removed at the next open
            self._tx_thread = None
            self._reset_tx()

    def read(self) -> dict[str, dict[str, Any]] | None:
        if self._in_tx():
            if self._tx_data is None:
                self._tx_base = self.snapshot()
                self._tx_data = self._tx_base.tx_copy()
            return self._tx_data
        snap = self.snapshot()
        if snap.data is None:
            return None
        return json.loads(_encode(snap.data))  # a private copy, as a fresh parse would give

    def known_last_id(self) -> int:
        """The highest id ever given out, as of this transaction's read (no scan of the ids)."""
        if self._in_tx():
            self.read()
            return self._tx_base.last_id
        return self.snapshot().last_id

    def will_change(self, doc_ids: Iterable[int]) -> None:
        if self._in_tx():
            self._tx_changing = {str(int(i)) for i in doc_ids}

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        table = data.get(DATA_TABLE, {})
        in_tx = self._in_tx()
        base = self._tx_base if in_tx else None
        changing, self._tx_changing = (self._tx_changing if in_tx else None), None
        if base is not None and base.log:
            if changing is None:  # not told: compare with what was read (identity first, so this is cheap)
                known = base.table()
                changing = {k for k in table.keys() | known.keys()
                            if table.get(k) is not known.get(k) and table.get(k) != known.get(k)}
            self._append(base, table, changing)
        else:  # no file yet, the whole-file layout, or a write outside a transaction
            self._rewrite(data, base)
        if in_tx:  # the table now belongs to the published snapshot: the next read copies it again
            self._tx_data = None
            self._tx_base = self._snap

    def _append(self, base: Snapshot, table: dict, changing: set[str]) -> None:
        lines = []
        for key in sorted(changing, key=int):
            doc = table.get(key)
            lines.append((key, put_line(key, doc) if doc is not None else tombstone_line(key)))
        payload = b"".join(line for _, line in lines) + commit_line(len(lines))
        fd = os.open(self.path, os.O_WRONLY | os.O_CLOEXEC)
        try:
            st = os.fstat(fd)
            if (st.st_dev, st.st_ino) != base.key[:2]:
                raise StoreError(f"数据文件 {self.path.name} 在写入时被替换，本次保存已取消，请重试。")
            if self._tx_append_from is None and not self._tx_rewritten:
                self._tx_append_from = base.end  # set first: a rollback truncates even a half-written append
            if st.st_size != base.end:  # lines of a write cut short by a crash: never confirmed
                os.ftruncate(fd, base.end)
            view, offset = memoryview(payload), base.end
            while view:
                n = os.pwrite(fd, view, offset)
                view, offset = view[n:], offset + n
            os.fdatasync(fd)
            after = os.fstat(fd)
        finally:
            os.close(fd)
        spans = dict(base.spans or {})
        live, offset, last = base.live, base.end, base.last_id
        for key, line in lines:
            old = spans.pop(key, None)
            if old is not None:
                live -= old[1]
            if key in table:
                spans[key] = (offset, len(line))
                live += len(line)
            offset += len(line)
            last = max(last, int(key))
        data = {DATA_TABLE: table, META_TABLE: {"1": {"last_id": last, "schema_version": SCHEMA_VERSION}}}
        self._publish(Snapshot(version_key(after), data, last, log=True, size=after.st_size, end=after.st_size,
                               spans=spans, live=live, indexes=derive_indexes(base, table, [k for k, _ in lines])))

    def _rewrite(self, data: dict, base: Snapshot | None) -> None:
        """The whole file in the log layout (first write, conversion from the whole-file layout, or a write
        whose changed ids are unknown): atomic rename; a rollback renames the previous file back."""
        table = data.get(DATA_TABLE, {})
        meta = data.get(META_TABLE, {}).get("1", {})
        last = max([int(meta.get("last_id", 0)), base.last_id if base is not None else 0, *map(int, table)])
        payload, spans, live = render_log(table, last)
        if self._in_tx() and not self._tx_rewritten:  # only ever the first write of a transaction
            link = self.path.with_name(f".{self.path.name}.prev-{secrets.token_hex(6)}{TEMP_SUFFIX}")
            try:
                os.link(self.path, link)
                self._tx_prev_link = link
            except FileNotFoundError:
                self._tx_created = True
            self._tx_rewritten = True
        atomic_write(self.path, payload)
        st = os.stat(self.path)
        data = {DATA_TABLE: table, META_TABLE: {"1": {"last_id": last, "schema_version": SCHEMA_VERSION}}}
        self._publish(Snapshot(version_key(st), data, last, log=True, size=len(payload), end=len(payload),
                               spans=spans, live=live))

    def rollback(self) -> None:
        """Undo this transaction's write: truncate an append, or put the previous file back."""
        try:
            if not self._in_tx():
                return
            if self._tx_append_from is not None and not self._tx_rewritten:
                fd = os.open(self.path, os.O_WRONLY | os.O_CLOEXEC)
                try:
                    os.ftruncate(fd, self._tx_append_from)
                    os.fsync(fd)
                finally:
                    os.close(fd)
                self._tx_append_from = None
            elif self._tx_rewritten:  # appends after it are undone with it
                if self._tx_prev_link is not None:
                    os.replace(self._tx_prev_link, self.path)
                    self._tx_prev_link = None
                elif self._tx_created:
                    try:
                        os.unlink(self.path)
                    except FileNotFoundError:
                        pass
                self._tx_rewritten = False
                try:
                    fsync_dir(self.path.parent)
                except OSError:
                    pass
            self._tx_data = self._tx_base = None
        finally:
            self.drop_cache()

    # --- compaction --------------------------------------------------------------------------------------
    def _compact_locked(self) -> bool:
        """Rewrite the log to its current state (caller holds the collection's lock). False if not a log."""
        key, raw = read_keyed(self.path, None)
        if raw is None or not is_log(raw):
            return False
        snap = self._snap if (self._snap is not None and self._snap.key == key) else parse_log(raw, self.path, key)
        payload, spans, live = render_log(snap.table(), snap.last_id, raw, snap.spans)
        atomic_write(self.path, payload)
        st = os.stat(self.path)
        self._publish(Snapshot(version_key(st), snap.data, snap.last_id, log=True, size=len(payload),
                               end=len(payload), spans=spans, live=live, indexes=snap._indexes))  # same documents
        return True


# --- whole folders: conversion and compaction ----------------------------------------------------------------
def compact_file(path: Path, lock) -> bool:
    """Compact one log file now, under `lock` (the collection's FileLock); False if it is not a log file."""
    with lock:
        key, raw = read_keyed(Path(path), None)
        if raw is None or not is_log(raw):
            return False
        snap = parse_log(raw, path, key)
        payload = render_log(snap.table(), snap.last_id, raw, snap.spans)[0]
        if payload != raw:
            atomic_write(Path(path), payload)
        return True


def convert_file(path: Path, lock) -> bool:
    """Rewrite a whole-file collection in the log layout, same documents and id high-water mark; under `lock`.
    True if it was converted (False: no file, or already a log)."""
    from store.storage import parse_whole
    with lock:
        key, raw = read_keyed(Path(path), None)
        if raw is None or is_log(raw):
            return False
        atomic_write(Path(path), log_bytes(parse_whole(raw, path)))
        return True
