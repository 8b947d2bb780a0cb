"""操作日志 — the append-only audit log: who changed what, when, before and after, chained and keyed (X-L1).

`<data_dir>/audit.jsonl` holds one JSON object per line: ts (local time, seconds), actor, action, collection,
record_id, before, after, prev_hash and hash. Since 2026-12 (issue 17) a repository write's line says what changed,
not the whole record: `"v": 2`, the changed fields old → new, big values as their digest, and before_sha256 /
after_sha256, the hashes of the whole record before and after (store.audit_lines; older lines stay as written and
keep verifying; `changes()` reads both in one shape). No line is longer than 64 KB.

`hash` is the HMAC-SHA256, under the store's audit key, of the
line's canonical JSON without `hash` (sorted keys, no spaces, UTF-8), which includes `prev_hash`, the previous
line's hash ("0" × 64 on the first line). Editing, inserting or deleting a line breaks the chain at that point,
and without the key nobody can compute a valid hash for a forged or edited line; `verify()` names the first bad
line.

The key (32 random bytes, hex, one line) lives OUTSIDE the data folder, so no copy of the folder and no backup
carries it: `EXPERT_AUDIT_KEY_FILE` names the file, by default `<data folder>.audit.key` beside the data folder
(`./data` → `./data.audit.key`). It is created with mode 0600 when a store without keyed lines is opened (first
start, `python -m store init`); a key readable by others is tightened to 0600 on open. When the log already has
keyed lines and the key file is missing, no new key is made (it would make every old line fail): reads work,
every write is refused with a Chinese message naming the expected path, until the file is put back.

A log written before the key (plain SHA-256 lines, as this module wrote until 2026-12) is kept as it is: when the
key is created for it, a "密钥链起点" line is appended at once (keyed, naming the key's id and how many plain lines
precede it), and `verify()` checks the plain prefix with SHA-256 and everything from the marker on with the key.
Once a key exists no marker is ever added again, so plain lines appended later (a forgery) are never adopted: a
plain line after the marker, or plain lines in a log that has no marker, fail.

Anchors: each backup's manifest records the chain head (number of lines and last hash, with a keyed mac), and the
抽取记录单 prints the line that recorded its draw. `verify()` checks the current log against every backup's anchor,
so lines deleted at the end after a backup are found.

Look-ups of one record's lines (`entries(collection, record_id)`, `changes`, `locate`) are served by an index
(store.audit_index) built once per file version and extended by reading only what was appended since, shared by
the whole process; `entries()` without a filter and `verify()` read the whole file.

Ordering: a repository write holds its collection lock, writes the data file, then appends here (taking this
log's own lock, `audit.jsonl.lock`); if the append fails the data file is put back, so a reported failure never
leaves a change without its audit line. A crash between the two steps can leave one change unaudited, never an
audit line for a change that did not happen. Appends are one `write` of whole lines + fsync; a failed append is
truncated back to the previous size, and a line torn by a crash is removed when the store is next opened.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import secrets
import stat
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Iterable

from core.errors import StoreError
from store.audit_index import index_for
from store.audit_lines import RecordChange, bound_entry, record_change
from store.locks import FileLock, shared_lock
from store.storage import BACKUP_DIR, BACKUP_NAME, backup_sort_key, fsync_dir

AUDIT_FILE = "audit.jsonl"
GENESIS = "0" * 64
FIELDS = ("ts", "actor", "action", "collection", "record_id", "before", "after", "prev_hash")
KEY_ENV = "EXPERT_AUDIT_KEY_FILE"
KEY_SUFFIX = ".audit.key"
KEY_START_ACTION = "密钥链起点"
_MARKER_BYTES = json.dumps(KEY_START_ACTION, ensure_ascii=False).encode("utf-8")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AuditCheck:
    """Result of `AuditLog.verify()`: ok, the 1-based first bad line (None when ok) and a Chinese message."""
    ok: bool
    first_bad_line: int | None
    message: str


def _canonical(entry: dict[str, Any]) -> bytes:
    body = {k: v for k, v in entry.items() if k != "hash"}
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False).encode("utf-8")


def line_hash(entry: dict[str, Any]) -> str:
    """The plain SHA-256 of a line (the chain before the key: kept only to verify old logs)."""
    return hashlib.sha256(_canonical(entry)).hexdigest()


def line_mac(entry: dict[str, Any], key: bytes) -> str:
    """The keyed hash of a line: HMAC-SHA256 of its canonical JSON without `hash`."""
    return hmac.new(key, _canonical(entry), hashlib.sha256).hexdigest()


def key_id(key: bytes) -> str:
    """A short public name of a key (not the key): lets verify() tell a wrong key file from an edited line."""
    return hashlib.sha256(b"zhuanjiaku-audit-key-id\0" + key).hexdigest()[:16]


def anchor_mac(key: bytes, backup: str, lines: int, head: str) -> str:
    """The mac of a backup's chain-head anchor, so an anchor edited to match a truncated log is found."""
    return hmac.new(key, f"anchor\0{backup}\0{lines}\0{head}".encode("utf-8"), hashlib.sha256).hexdigest()


def key_path_for(data_dir: Path) -> Path:
    """Where the audit key of `data_dir` is kept: $EXPERT_AUDIT_KEY_FILE, else `<data_dir>.audit.key` beside it."""
    configured = os.environ.get(KEY_ENV, "").strip()
    if configured:
        return Path(configured).expanduser().resolve()
    data_dir = Path(data_dir).resolve()
    return data_dir.parent / f"{data_dir.name}{KEY_SUFFIX}"


def _hash_of_raw(raw: bytes) -> str:
    """prev_hash after a line that does not parse: the chain goes on, and verify() still stops at the bad line."""
    try:
        entry = json.loads(raw)
        if isinstance(entry, dict) and isinstance(entry.get("hash"), str):
            return entry["hash"]
    except ValueError:
        pass
    return hashlib.sha256(raw).hexdigest()


def _is_plain(raw: bytes) -> bool:
    """Whether a line is a whole line of the plain (pre-key) chain."""
    try:
        entry = json.loads(raw)
        return isinstance(entry, dict) and entry.get("hash") == line_hash(entry)
    except ValueError:
        return False


def _is_marker(raw: bytes) -> bool:
    """Whether a line is a "密钥链起点" line (by its top-level action; the text typed into a record does not count)."""
    if _MARKER_BYTES not in raw:
        return False
    try:
        entry = json.loads(raw)
    except ValueError:
        return False
    return isinstance(entry, dict) and entry.get("action") == KEY_START_ACTION and entry.get("collection") is None


def key_missing_message(path: Path) -> str:
    return (f"操作日志密钥文件不存在：{path}。这份数据的操作日志已用该密钥签名，系统不会另建新密钥（那会使以前的日志"
            f"全部无法校验）。可以查看数据，但在把密钥文件放回原处（或用环境变量 {KEY_ENV} 指向它）之前，任何修改都不能保存。"
            f"请联系系统管理员从保管处恢复该文件。")


def _read_key(path: Path) -> bytes:
    """The key in `path` (64 hex characters); a file readable by others is tightened to 0600 first."""
    mode = stat.S_IMODE(os.stat(path).st_mode)
    if mode & 0o077:
        try:
            os.chmod(path, 0o600)
            log.warning("操作日志密钥文件 %s 的权限为 %o，已改为 600（只有运行本系统的账号可读）", path, mode)
        except OSError as e:
            log.warning("操作日志密钥文件 %s 的权限为 %o，且无法改为 600：%s", path, mode, e)
    text = path.read_text("ascii").strip()
    try:
        key = bytes.fromhex(text)
    except ValueError:
        key = b""
    if len(key) < 32:
        raise StoreError(f"操作日志密钥文件 {path} 内容无效（应为 64 位十六进制数）。请从保管处恢复正确的密钥文件。")
    return key


def _create_key(path: Path) -> bytes:
    """A new random key in `path`, mode 0600, created exclusively (two processes starting at once share one)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = secrets.token_bytes(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
    except FileExistsError:
        return _read_key(path)
    try:
        os.write(fd, key.hex().encode("ascii") + b"\n")
        os.fsync(fd)
    finally:
        os.close(fd)
    fsync_dir(path.parent)
    log.warning("已创建操作日志密钥文件 %s（请与数据分开保管一份副本）", path)
    return key


class AuditLog:
    """The audit log of one store: on disk (`data_dir` given) or in memory (`data_dir=None`, with a key of its own)."""

    def __init__(self, data_dir: Path | None, *, clock: Callable[[], datetime] | None = None,
                 key_path: Path | None = None):
        self.data_dir = Path(data_dir) if data_dir is not None else None
        self._clock = clock or datetime.now
        self._key: bytes | None = None
        self._key_problem: str | None = None
        if self.data_dir is None:
            self.path: Path | None = None
            self.key_path: Path | None = None
            self._memory_lock = FileLock(None)
            self._memory: list[bytes] = []
            self._key = secrets.token_bytes(32)
        else:
            self.path = self.data_dir / AUDIT_FILE
            self.key_path = Path(key_path) if key_path is not None else key_path_for(self.data_dir)
            self._load_key()

    @property
    def lock(self) -> FileLock:
        """Thread lock + flock on `audit.jsonl.lock`, shared by every AuditLog of this folder in this process."""
        return self._memory_lock if self.path is None else shared_lock(self.path)

    # --- the key -----------------------------------------------------------------------------------------
    @property
    def keyed(self) -> bool:
        return self._key is not None

    @property
    def key_problem(self) -> str | None:
        """None when the key is at hand; otherwise the Chinese reason every write is refused."""
        return self._key_problem

    def _load_key(self) -> None:
        try:
            self._key, self._key_problem = _read_key(self.key_path), None
        except FileNotFoundError:
            self._key, self._key_problem = None, key_missing_message(self.key_path)
        except StoreError as e:
            self._key, self._key_problem = None, e.message
        except OSError as e:
            self._key, self._key_problem = None, f"无法读取操作日志密钥文件 {self.key_path}（{e.strerror}），修改暂不能保存。"

    def setup_key(self) -> None:
        """At open (and `python -m store init`): load the key; when there is none, create it only if the log has no
        keyed line yet — an empty log, or an old log of plain lines, which then gets its "密钥链起点" line at once
        (if that line cannot be written the new key is removed again, so the next start retries). A log that
        already has keyed lines never gets a new key: every write is refused until the file is put back."""
        if self.path is None:
            return
        with self.lock:
            self._load_key()
            if self._key is not None or self.key_path.exists():
                return
            lines = self._raw_lines()[0]
            if any(_is_marker(raw) for raw in lines) or not all(_is_plain(raw) for raw in lines):
                log.error("%s", self._key_problem)
                return
            try:
                self._key, self._key_problem = _create_key(self.key_path), None
            except OSError as e:
                self._key_problem = (f"无法创建操作日志密钥文件 {self.key_path}（{e.strerror}），修改暂不能保存。"
                                     f"请检查该目录的权限，或用环境变量 {KEY_ENV} 指定可写的位置。")
                log.error("%s", self._key_problem)
                return
            if not lines:
                return
            ts = self._clock().isoformat(timespec="seconds")
            marker = self._marker(ts, _hash_of_raw(lines[-1]), len(lines))
            marker["hash"] = line_mac(marker, self._key)
            try:
                self._write(json.dumps(marker, ensure_ascii=False, allow_nan=False).encode("utf-8") + b"\n")
            except OSError as e:
                self.key_path.unlink(missing_ok=True)
                self._key, self._key_problem = None, (f"未能写入操作日志密钥链起点（{e.strerror}），修改暂不能保存；"
                                                      f"下次启动时重试。")
                log.error("%s", self._key_problem)

    def _require_key(self) -> bytes:
        if self._key is None and self.path is not None:
            self._load_key()  # the file may have been put back
        if self._key is None:
            raise StoreError(self._key_problem or key_missing_message(self.key_path))
        return self._key

    def _marker(self, ts: str, prev: str, plain_lines: int) -> dict:
        return {"ts": ts, "actor": "system", "action": KEY_START_ACTION, "collection": None, "record_id": None,
                "before": None, "after": {"说明": "自本行起操作日志以密钥（HMAC-SHA256）签名", "key_id": key_id(self._key),
                                          "plain_lines": plain_lines}, "prev_hash": prev}

    # --- writing -----------------------------------------------------------------------------------------
    def append(self, actor: str, action: str, records: Iterable[tuple]) -> list[dict]:
        """Append one line per (collection, record_id, before, after[, extra fields]), all in one write; returns the
        lines. A line that would be over 64 KB has its largest values replaced by their digests first.

        StoreError (Chinese) when the key is missing — the caller's data change is then undone."""
        records = list(records)
        if not records:
            return []
        self._require_key()
        with self.lock:
            return self._append_locked(actor, action, records)

    def _append_locked(self, actor: str, action: str, records: list) -> list[dict]:
        key = self._require_key()
        ts = self._clock().isoformat(timespec="seconds")
        prev = self._last_hash()
        entries, chunks = [], []
        for row in records:
            collection, record_id, before, after = row[:4]
            extra = row[4] if len(row) > 4 and isinstance(row[4], dict) else {}
            entry = {"ts": ts, "actor": actor, "action": action, "collection": collection,
                     "record_id": record_id, "before": before, "after": after, "prev_hash": prev,
                     **{k: v for k, v in extra.items() if k not in FIELDS and k != "hash"}}
            entry = bound_entry(entry)
            entry["hash"] = prev = line_mac(entry, key)
            entries.append(entry)
            chunks.append(json.dumps(entry, ensure_ascii=False, allow_nan=False).encode("utf-8") + b"\n")
        if chunks:
            self._write(b"".join(chunks))
        return entries

    def record(self, actor: str, action: str, *, collection: str | None = None, record_id: int | None = None,
               before: dict | None = None, after: dict | None = None) -> dict:
        """Log an event that is not a repository write (a restore, an export, a backup …)."""
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

    def size(self) -> int:
        """Bytes in the log now (0 when there is none)."""
        if self.path is None:
            return sum(len(line) for line in self._memory)
        try:
            return self.path.stat().st_size
        except FileNotFoundError:
            return 0

    def truncate_to(self, size: int) -> None:
        """Cut the log back to `size` bytes (only for finishing an interrupted restore, under the lock)."""
        if self.path is None:
            return
        with open(self.path, "r+b") as f:
            f.truncate(size)
            f.flush()
            os.fsync(f.fileno())

    def _count_lines(self) -> int:
        if self.path is None:
            return len(self._memory)
        try:
            with open(self.path, "rb") as f:
                return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))
        except FileNotFoundError:
            return 0

    def _last_raw(self) -> bytes | None:
        """The last line (without its newline), None for an empty log."""
        if self.path is None:
            return self._memory[-1].rstrip(b"\n") if self._memory else None
        try:
            f = open(self.path, "rb")
        except FileNotFoundError:
            return None
        with f:
            end = f.seek(0, os.SEEK_END)
            if end == 0:
                return None
            pos, buf = end, b""
            while pos > 0:  # read backwards until the last line is whole
                step = min(65536, pos)
                pos -= step
                f.seek(pos)
                buf = f.read(step) + buf
                body = buf.rstrip(b"\n")
                cut = body.rfind(b"\n")
                if cut >= 0 or pos == 0:
                    return body[cut + 1:]
        return None

    def _last_hash(self) -> str:
        last = self._last_raw()
        return GENESIS if last is None else _hash_of_raw(last)

    def head(self) -> tuple[int, str]:
        """The chain head now: (number of lines, hash of the last line); (0, "0"×64) for an empty log."""
        with self.lock:
            return self._count_lines(), self._last_hash()

    def head_of_bytes(self, raw: bytes) -> tuple[int, str]:
        """The chain head of a copy of the log (whole lines only)."""
        complete = raw[: raw.rfind(b"\n") + 1]
        if not complete:
            return 0, GENESIS
        lines = complete.split(b"\n")[:-1]
        return len(lines), _hash_of_raw(lines[-1])

    def anchor(self, backup: str, lines: int, head: str) -> dict:
        """The anchor a backup's manifest keeps: lines, head, and its mac (None while the key is missing)."""
        mac = anchor_mac(self._key, backup, lines, head) if self._key is not None else None
        return {"lines": lines, "hash": head, "mac": mac}

    def locate(self, collection: str, record_id: int, action: str | None = None) -> tuple[int, str] | None:
        """(line number, hash) of the first line about this record (and action), None if there is none."""
        if self.path is not None:
            for number, entry in index_for(self.path).lines(collection, record_id):
                if action is None or entry.get("action") == action:
                    return number + 1, str(entry.get("hash"))
            return None
        needle_c = b'"collection": ' + json.dumps(collection, ensure_ascii=False).encode("utf-8") + b","
        needle_r = b'"record_id": ' + json.dumps(record_id).encode("utf-8") + b","
        for number, raw in enumerate(self._raw_lines()[0], 1):
            if needle_c not in raw or needle_r not in raw:
                continue
            try:
                entry = json.loads(raw)
            except ValueError:
                continue
            if (isinstance(entry, dict) and entry.get("collection") == collection and entry.get("record_id") == record_id
                    and (action is None or entry.get("action") == action)):
                return number, str(entry.get("hash"))
        return None

    def is_signed(self, entry: dict) -> bool:
        """Whether a line carries this log's keyed hash (False for plain lines and while the key is missing)."""
        return self._key is not None and entry.get("hash") == line_mac(entry, self._key)

    def _valid(self, entry: dict) -> bool:
        h = entry.get("hash")
        return h == line_hash(entry) or (self._key is not None and h == line_mac(entry, self._key))

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
                whole = isinstance(entry, dict) and self._valid(entry)
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
        """Every line (oldest first), optionally only those of one collection and/or one record (then read through
        the index: only those lines)."""
        if self.path is not None and (collection is not None or record_id is not None):
            found = index_for(self.path).lines(collection, record_id, collection_given=collection is not None)
            return [entry for _, entry in found]
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

    def changes(self, collection: str | None = None, record_id: int | None = None) -> list[RecordChange]:
        """The lines of `entries(...)` in one shape for old (whole-record) and new (changed-fields) lines."""
        return [record_change(entry) for entry in self.entries(collection, record_id)]

    def verify(self) -> AuditCheck:
        """Walk the chain (plain SHA-256 up to the "密钥链起点" line of an old log, keyed from there or from the
        first line), then check the log against the chain-head anchor of every backup."""
        if self.path is not None and self._key is None:
            self._load_key()
        anchors = self._backup_anchors()
        wanted = {lines for _, lines, _, _ in anchors if lines > 0}  # the line numbers whose hash a backup anchors
        keyed_from_start = not any(_is_marker(raw) for raw, _ in self._stream_lines())
        keyed = keyed_from_start
        prev = GENESIS
        hashes: dict[int, str] = {}
        count = 0
        for number, (raw, torn) in enumerate(self._stream_lines(), 1):  # one line at a time: no copy of the log
            try:
                entry = json.loads(raw)
                if not isinstance(entry, dict) or not all(k in entry for k in (*FIELDS, "hash")):
                    raise ValueError
            except ValueError:
                what = "被截断（写入中断）" if torn else "不是完整的日志记录，可能被截断或改动"
                return AuditCheck(False, number, f"操作日志第 {number} 行{what}。")
            if entry["prev_hash"] != prev:
                return AuditCheck(False, number, f"操作日志第 {number} 行与上一行的哈希链接不上："
                                                 f"在它之前有记录被删除、插入或改动。")
            is_marker = entry.get("action") == KEY_START_ACTION and entry.get("collection") is None
            if keyed or is_marker:
                if self._key is None:
                    return AuditCheck(False, number, f"操作日志从第 {number} 行起以密钥签名，无法校验："
                                                     f"{self._key_problem or key_missing_message(self.key_path)}")
                if entry["hash"] != line_mac(entry, self._key):
                    return AuditCheck(False, number, self._mac_failure(number, entry, keyed_from_start, count))
                keyed = True
            elif entry["hash"] != line_hash(entry):
                return AuditCheck(False, number, f"操作日志第 {number} 行的内容与其哈希不符：该行被改动。")
            prev = entry["hash"]
            count = number
            if number in wanted:
                hashes[number] = prev
        problem = self._compare_with_backups(anchors, count, hashes)
        if problem:
            return problem
        how = "密钥签名" if keyed or not count else "哈希链"
        return AuditCheck(True, None, f"操作日志完整：共 {count} 条记录，{how}校验通过。")

    def _stream_lines(self):
        """(line without its newline, whether it is a torn last line) of the log as it is now, one at a time: the
        size is taken under the lock (appends happen under it, so it ends after a whole line or a torn one), then
        read without holding the lock from the same descriptor (a restore's new file is not mixed in)."""
        if self.path is None:
            with self.lock:
                memory = list(self._memory)
            for line in memory:
                yield line.rstrip(b"\n"), False
            return
        try:
            f = open(self.path, "rb")
        except FileNotFoundError:
            return
        with f:
            with self.lock:
                size = os.fstat(f.fileno()).st_size
            left, blank = size, 0
            while left > 0:
                line = f.readline(left)
                if not line:
                    break
                left -= len(line)
                if line == b"\n":  # empty lines at the very end are no lines (as the log was always read)
                    blank += 1
                    continue
                for _ in range(blank):
                    yield b"", False
                blank = 0
                if line.endswith(b"\n"):
                    yield line[:-1], False
                else:
                    yield line, True

    def _mac_failure(self, number: int, entry: dict, keyed_from_start: bool, before: int) -> str:
        if entry.get("action") == KEY_START_ACTION and isinstance(entry.get("after"), dict) \
                and entry["after"].get("key_id") not in (None, key_id(self._key)):
            return (f"操作日志第 {number} 行（密钥链起点）记录的密钥编号 {entry['after'].get('key_id')} 与密钥文件 "
                    f"{self.key_path} 的编号 {key_id(self._key)} 不同：用的不是这份日志的密钥文件，或该行被伪造。")
        if entry["hash"] == line_hash(entry):
            return (f"操作日志第 {number} 行没有密钥签名（只有普通哈希）：该行是在系统之外写入或改写的。")
        return (f"操作日志第 {number} 行的签名与内容不符：该行被改动或伪造"
                f"{'（若全部行都不符，可能是密钥文件不对）' if not before else ''}。")

    def _backup_anchors(self) -> list[tuple[str, int, str, bool]]:
        """(backup name, lines, head, whether a mac vouches for it) of every backup, oldest first."""
        if self.data_dir is None:
            return []
        folder = self.data_dir / BACKUP_DIR
        try:
            names = sorted((p.name for p in folder.iterdir() if BACKUP_NAME.match(p.name)), key=backup_sort_key)
        except OSError:
            return []
        anchors = []
        for name in names:
            anchor = None
            try:
                manifest = json.loads((folder / name / "manifest.json").read_text("utf-8"))
                anchor = manifest.get("audit_head") if isinstance(manifest, dict) else None
            except (OSError, ValueError):
                pass
            if isinstance(anchor, dict) and isinstance(anchor.get("lines"), int) and isinstance(anchor.get("hash"), str):
                anchors.append((name, anchor["lines"], anchor["hash"], anchor.get("mac")))
                continue
            try:  # a backup made before anchors: its copy of the log is the anchor
                raw = (folder / name / AUDIT_FILE).read_bytes()
            except OSError:
                continue
            lines, head = self.head_of_bytes(raw)
            anchors.append((name, lines, head, None))
        return anchors

    def _compare_with_backups(self, anchors: list[tuple[str, int, str, Any]], count: int,
                              hashes: dict[int, str]) -> AuditCheck | None:
        """Each backup's anchor (lines, head) against the log: `count` lines verified, `hashes` the hash of each
        anchored line number."""
        for name, lines, head, mac in anchors:
            if mac is not None and self._key is not None and not hmac.compare_digest(
                    str(mac), anchor_mac(self._key, name, lines, head)):
                return AuditCheck(False, None, f"备份 {name} 记录的操作日志链头被改动（签名不符），无法作为核对依据。")
            if lines == 0:
                continue
            if lines > count:
                return AuditCheck(False, count + 1,
                                  f"操作日志比备份 {name} 中的少 {lines - count} 条：备份时日志有 {lines} 条，"
                                  f"从第 {count + 1} 行起的记录被删除。")
            if hashes.get(lines) != head:
                return AuditCheck(False, lines, f"操作日志第 {lines} 行与备份 {name} 记录的链头不同：日志被改写。")
        return None
