"""操作日志 — the append-only audit log: who changed what, when, before and after, chained by SHA-256 (X-L1).

`<data_dir>/audit.jsonl` holds one JSON object per line: ts (local time, seconds), actor, action, collection,
record_id, before, after, prev_hash and hash. `hash` is the SHA-256 of the line's canonical JSON without `hash`
(sorted keys, no spaces, UTF-8), which includes `prev_hash`, the previous line's hash ("0" × 64 on the first
line). Editing, inserting or deleting a line therefore breaks the chain at that point, and `verify()` names the
first bad line. Deleting lines at the very end leaves a valid chain; `verify()` catches that too as long as a
backup holds the lost lines (each backup's audit.jsonl must be a prefix of the current one).

Ordering: a repository write holds its collection lock, writes the data file, then appends here (taking this
log's own lock, `audit.jsonl.lock`); if the append fails the data file is put back, so a reported failure never
leaves a change without its audit line. A crash between the two steps can leave one change unaudited, never an
audit line for a change that did not happen. Appends are one `write` of whole lines + fsync; a failed append is
truncated back to the previous size, and a line torn by a crash is removed when the store is next opened.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Iterable

from store.locks import FileLock, shared_lock
from store.storage import BACKUP_DIR, BACKUP_NAME, backup_sort_key, fsync_dir

AUDIT_FILE = "audit.jsonl"
GENESIS = "0" * 64
FIELDS = ("ts", "actor", "action", "collection", "record_id", "before", "after", "prev_hash")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AuditCheck:
    """Result of `AuditLog.verify()`: ok, the 1-based first bad line (None when ok) and a Chinese message."""
    ok: bool
    first_bad_line: int | None
    message: str


def line_hash(entry: dict[str, Any]) -> str:
    body = {k: v for k, v in entry.items() if k != "hash"}
    canonical = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _hash_of_raw(raw: bytes) -> str:
    """prev_hash after a line that does not parse: the chain goes on, and verify() still stops at the bad line."""
    try:
        entry = json.loads(raw)
        if isinstance(entry, dict) and isinstance(entry.get("hash"), str):
            return entry["hash"]
    except ValueError:
        pass
    return hashlib.sha256(raw).hexdigest()


class AuditLog:
    """The audit log of one store: on disk (`data_dir` given) or in memory (`data_dir=None`)."""

    def __init__(self, data_dir: Path | None, *, clock: Callable[[], datetime] | None = None):
        self.data_dir = Path(data_dir) if data_dir is not None else None
        self._clock = clock or datetime.now
        if self.data_dir is None:
            self.path: Path | None = None
            self._memory_lock = FileLock(None)
            self._memory: list[bytes] = []
        else:
            self.path = self.data_dir / AUDIT_FILE

    @property
    def lock(self) -> FileLock:
        """Thread lock + flock on `audit.jsonl.lock`, shared by every AuditLog of this folder in this process."""
        return self._memory_lock if self.path is None else shared_lock(self.path)

    # --- writing -----------------------------------------------------------------------------------------
    def append(self, actor: str, action: str,
               records: Iterable[tuple[str | None, int | None, dict | None, dict | None]]) -> list[dict]:
        """Append one line per (collection, record_id, before, after), all in one write; returns the lines."""
        records = list(records)
        if not records:
            return []
        ts = self._clock().isoformat(timespec="seconds")
        with self.lock:
            prev = self._last_hash()
            entries, chunks = [], []
            for collection, record_id, before, after in records:
                entry = {"ts": ts, "actor": actor, "action": action, "collection": collection,
                         "record_id": record_id, "before": before, "after": after, "prev_hash": prev}
                entry["hash"] = prev = line_hash(entry)
                entries.append(entry)
                chunks.append(json.dumps(entry, ensure_ascii=False, allow_nan=False).encode("utf-8") + b"\n")
            self._write(b"".join(chunks))
        return entries

    def record(self, actor: str, action: str, *, collection: str | None = None, record_id: int | None = None,
               before: dict | None = None, after: dict | None = None) -> dict:
        """Log an event that is not a repository write (a restore, an export, a draw replay …)."""
        return self.append(actor, action, [(collection, record_id, before, after)])[0]

    def _write(self, data: bytes) -> None:
        if self.path is None:
            self._memory.extend(line + b"\n" for line in data.rstrip(b"\n").split(b"\n"))
            return
        created = not self.path.exists()
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            size = os.fstat(fd).st_size
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view):]
                os.fsync(fd)
            except BaseException:
                try:  # no half line may stay behind a failed append
                    os.ftruncate(fd, size)
                    os.fsync(fd)
                except OSError:
                    pass
                raise
        finally:
            os.close(fd)
        if created:
            fsync_dir(self.path.parent)

    def _last_hash(self) -> str:
        if self.path is None:
            return _hash_of_raw(self._memory[-1].rstrip(b"\n")) if self._memory else GENESIS
        try:
            f = open(self.path, "rb")
        except FileNotFoundError:
            return GENESIS
        with f:
            end = f.seek(0, os.SEEK_END)
            if end == 0:
                return GENESIS
            pos, buf = end, b""
            while pos > 0:  # read backwards until the last line is whole
                step = min(65536, pos)
                pos -= step
                f.seek(pos)
                buf = f.read(step) + buf
                body = buf.rstrip(b"\n")
                cut = body.rfind(b"\n")
                if cut >= 0 or pos == 0:
                    return _hash_of_raw(body[cut + 1:])
        return GENESIS

    def repair_torn_tail(self) -> bool:
        """At open: a last line without its newline was cut by a crash mid-append; finish or drop it."""
        if self.path is None:
            return False
        with self.lock:
            try:
                raw = self.path.read_bytes()
            except FileNotFoundError:
                return False
            if not raw or raw.endswith(b"\n"):
                return False
            cut = raw.rfind(b"\n") + 1
            tail = raw[cut:]
            try:
                entry = json.loads(tail)
                whole = isinstance(entry, dict) and entry.get("hash") == line_hash(entry)
            except ValueError:
                whole = False
            with open(self.path, "r+b") as f:
                if whole:
                    f.seek(0, os.SEEK_END)
                    f.write(b"\n")
                else:
                    f.truncate(cut)
                f.flush()
                os.fsync(f.fileno())
            log.warning("操作日志最后一行不完整（上次异常退出时写入中断），已%s", "补全" if whole else "删除该残行")
            return True

    # --- reading -----------------------------------------------------------------------------------------
    def _raw_lines(self) -> tuple[list[bytes], bool]:
        """(lines without newline, whether the last one is torn: no newline after it)."""
        if self.path is None:
            with self.lock:
                return [line.rstrip(b"\n") for line in self._memory], False
        with self.lock:
            try:
                raw = self.path.read_bytes()
            except FileNotFoundError:
                return [], False
        if not raw:
            return [], False
        torn = not raw.endswith(b"\n")
        return raw.rstrip(b"\n").split(b"\n") if not torn else raw.split(b"\n"), torn

    def entries(self, collection: str | None = None, record_id: int | None = None) -> list[dict]:
        """Every line (oldest first), optionally only those of one collection and/or one record."""
        # Cheap byte tests first (the log grows for years; most lines are about other records). Lines are
        # written with json.dumps' default separators, so the top-level keys appear exactly like this.
        needles = []
        if collection is not None:
            needles.append(b'"collection": ' + json.dumps(collection, ensure_ascii=False).encode("utf-8") + b",")
        if record_id is not None:
            needles.append(b'"record_id": ' + json.dumps(record_id).encode("utf-8") + b",")
        out = []
        for raw in self._raw_lines()[0]:
            if not all(n in raw for n in needles):
                continue
            try:
                entry = json.loads(raw)
            except ValueError:
                continue  # verify() reports it
            if not isinstance(entry, dict):
                continue
            if collection is not None and entry.get("collection") != collection:
                continue
            if record_id is not None and entry.get("record_id") != record_id:
                continue
            out.append(entry)
        return out

    def verify(self) -> AuditCheck:
        """Walk the hash chain; then check that the newest backup's log is a prefix of this one."""
        lines, torn = self._raw_lines()
        prev = GENESIS
        hashes = []
        for number, raw in enumerate(lines, 1):
            try:
                entry = json.loads(raw)
                if not isinstance(entry, dict) or not all(k in entry for k in (*FIELDS, "hash")):
                    raise ValueError
            except ValueError:
                what = "被截断（写入中断）" if torn and number == len(lines) else "不是完整的日志记录，可能被截断或改动"
                return AuditCheck(False, number, f"操作日志第 {number} 行{what}。")
            if entry["prev_hash"] != prev:
                return AuditCheck(False, number, f"操作日志第 {number} 行与上一行的哈希链接不上："
                                                 f"在它之前有记录被删除、插入或改动。")
            if entry["hash"] != line_hash(entry):
                return AuditCheck(False, number, f"操作日志第 {number} 行的内容与其哈希不符：该行被改动。")
            prev = entry["hash"]
            hashes.append(prev)
        problem = self._compare_with_newest_backup(hashes)
        if problem:
            return problem
        return AuditCheck(True, None, f"操作日志完整：共 {len(hashes)} 条记录，哈希链校验通过。")

    def _compare_with_newest_backup(self, hashes: list[str]) -> AuditCheck | None:
        if self.data_dir is None:
            return None
        folder = self.data_dir / BACKUP_DIR
        try:
            names = sorted((p.name for p in folder.iterdir() if BACKUP_NAME.match(p.name)), key=backup_sort_key)
        except OSError:
            return None
        for name in reversed(names):
            try:
                raw = (folder / name / AUDIT_FILE).read_bytes()
            except OSError:
                continue
            complete = raw[: raw.rfind(b"\n") + 1].split(b"\n")[:-1]
            for number, line in enumerate(complete, 1):
                if number > len(hashes):
                    return AuditCheck(False, number, f"操作日志比备份 {name} 中的少 {len(complete) - len(hashes)} 条："
                                                     f"从第 {number} 行起的记录被删除。")
                if _hash_of_raw(line) != hashes[number - 1]:
                    return AuditCheck(False, number, f"操作日志第 {number} 行与备份 {name} 中的同一行不同：日志被改写。")
            return None
        return None
