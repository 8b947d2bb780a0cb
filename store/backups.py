"""数据备份 — consistent snapshots of the whole store, listed, restored, taken daily and kept 30 days.

A backup is a folder `<data_dir>/backups/<YYYYMMDD-HHMMSS>[-n]/` holding a copy of every `*.json` collection and
`audit.jsonl`, plus `manifest.json` (created, reason, actor, files with size and SHA-256). It is taken while
holding the locks of every collection and of the audit log, so it is one consistent moment, and it is built in a
hidden staging folder that is renamed into place, so a half-made backup is never listed.

Restore first snapshots the current state ("恢复前自动备份"), checks the chosen backup against its manifest,
replaces each data file atomically, makes every open TinyDB instance re-read, and appends a "恢复备份" line to
the audit log. The audit log itself is NOT rolled back: it is the history of what happened, the restore
included (X-L1: a change is undone only by a new recorded change); the backup's copy is there for disaster
recovery by hand. For the same reason a restored file keeps the highest id given out so far: an id named in the
log is never given to another record. Collections that did not exist in the backup are removed.

From a shell (for a store that no longer opens, see StoreCorruptError), in the program folder:
    .venv/bin/python -m store list <data_dir>
    .venv/bin/python -m store restore <data_dir> <backup name>
"""
from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Callable

from core.errors import NotFoundError, StoreCorruptError, StoreError
from store.audit import AUDIT_FILE, AuditLog
from store.locks import MultiLock, shared_lock
from store.storage import (BACKUP_DIR, BACKUP_NAME, DATA_TABLE, atomic_write, backup_sort_key, fsync_dir, keep_id_high_water,
                           parse, write_error_message)

MANIFEST = "manifest.json"
DAILY_REASON = "每日自动备份"
PRE_RESTORE_REASON = "恢复前自动备份"
RESTORE_ACTION = "恢复备份"
MEMORY_MESSAGE = "当前为内存存储（测试用），没有数据文件，不能备份或恢复。"


@dataclass(frozen=True)
class BackupInfo:
    """One backup: its folder name, when it was taken, total size of its files, why and by whom."""
    name: str
    created: datetime
    size_bytes: int
    reason: str = ""
    actor: str = ""


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _write_synced(path: Path, data: bytes) -> None:
    with open(path, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


class Backups:
    """Backups of the store in `data_dir` (None: in-memory store, where backups are unavailable)."""

    def __init__(self, data_dir: Path | None, audit: AuditLog | None = None, *,
                 on_restore: Callable[[], None] | None = None):
        self.data_dir = Path(data_dir) if data_dir is not None else None
        self._audit = audit
        self._on_restore = on_restore or (lambda: None)
        self._held = threading.local()  # the collection files this thread has locked (restore → create)

    # --- helpers -----------------------------------------------------------------------------------------
    def _folder(self) -> Path:
        if self.data_dir is None:
            raise StoreError(MEMORY_MESSAGE)
        return self.data_dir / BACKUP_DIR

    def _audit_log(self) -> AuditLog:
        if self._audit is None:
            self._audit = AuditLog(self.data_dir)
        return self._audit

    def _collection_files(self) -> list[Path]:
        return sorted(self.data_dir.glob("*.json"))

    @contextmanager
    def _locked(self, extra_names: tuple[str, ...] = ()):
        """Every collection lock (sorted), then the audit lock — the same order as a repository write — and
        yields the names of the collection files locked. Only those are copied, replaced or removed: a
        collection whose very first write is under way meanwhile is left to that write (its lock is not ours),
        so a snapshot never holds a record without its audit line. Re-entrant in one thread (restore → create)."""
        held = getattr(self._held, "names", None)
        if held is not None:
            yield held
            return
        names = {p.name for p in self._collection_files()} | set(extra_names)
        while True:
            locks = MultiLock([shared_lock(self.data_dir / n) for n in names])
            locks.__enter__()
            now_names = {p.name for p in self._collection_files()}
            if now_names <= names:  # no collection appeared while we waited for the locks
                break
            locks.__exit__(None, None, None)
            names |= now_names
        try:
            with self._audit_log().lock:
                self._held.names = frozenset(names)
                try:
                    yield self._held.names
                finally:
                    self._held.names = None
        finally:
            locks.__exit__(None, None, None)

    # --- create / list -----------------------------------------------------------------------------------
    def create(self, reason: str, actor: str = "system", *, now: datetime | None = None) -> BackupInfo:
        """Snapshot every collection and the audit log, under all locks; returns the new backup."""
        folder = self._folder()
        now = (now or datetime.now()).replace(microsecond=0)
        with self._locked() as locked:
            folder.mkdir(exist_ok=True)
            base = now.strftime("%Y%m%d-%H%M%S")
            name, n = base, 1
            while (folder / name).exists():
                n += 1
                name = f"{base}-{n}"
            staging = folder / f".tmp-{name}-{secrets.token_hex(4)}"
            try:
                staging.mkdir()
                files = []
                sources = [p for p in self._collection_files() if p.name in locked]
                if (self.data_dir / AUDIT_FILE).exists():
                    sources.append(self.data_dir / AUDIT_FILE)
                for src in sources:
                    data = src.read_bytes()
                    _write_synced(staging / src.name, data)
                    files.append({"name": src.name, "size": len(data), "sha256": _sha256(data)})
                manifest = {"created": now.isoformat(timespec="seconds"), "reason": reason, "actor": actor,
                            "files": files}
                _write_synced(staging / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1).encode())
                fsync_dir(staging)
                os.rename(staging, folder / name)
                fsync_dir(folder)
            except OSError as e:
                shutil.rmtree(staging, ignore_errors=True)
                raise StoreError(write_error_message(e).replace("保存失败", "备份失败").replace(
                    "数据未改变", "当前数据未受影响")) from e
        return BackupInfo(name, now, sum(f["size"] for f in files), reason, actor)

    def _info(self, path: Path) -> BackupInfo:
        try:
            manifest = json.loads((path / MANIFEST).read_text("utf-8"))
            return BackupInfo(path.name, datetime.fromisoformat(manifest["created"]),
                              sum(int(f["size"]) for f in manifest["files"]),
                              manifest.get("reason", ""), manifest.get("actor", ""))
        except (OSError, ValueError, KeyError, TypeError):
            m = BACKUP_NAME.match(path.name)
            created = datetime.strptime(f"{m.group(1)}{m.group(2)}", "%Y%m%d%H%M%S")
            size = sum(p.stat().st_size for p in path.iterdir() if p.is_file())
            return BackupInfo(path.name, created, size, "（备份清单缺失或损坏）", "")

    def list(self) -> list[BackupInfo]:
        """Every backup, newest first (an in-memory store has none)."""
        if self.data_dir is None:
            return []
        folder = self.data_dir / BACKUP_DIR
        if not folder.is_dir():
            return []
        names = [p.name for p in folder.iterdir() if p.is_dir() and BACKUP_NAME.match(p.name)]
        return [self._info(folder / n) for n in sorted(names, key=backup_sort_key, reverse=True)]

    def record_counts(self, name: str) -> dict[str, int]:
        """Collection name → number of records in backup `name` (checked against its manifest first), so an admin
        sees what a restore would bring back before confirming it."""
        files = self._checked_backup(name)
        return {fname.removesuffix(".json"): len(parse(data, fname).get(DATA_TABLE, {})) for fname, data in files.items()}

    # --- restore -----------------------------------------------------------------------------------------
    def _checked_backup(self, name: str) -> dict[str, bytes]:
        """The backup's collection files, after checking them against the manifest and parsing each."""
        folder = self._folder()
        path = folder / name
        if not BACKUP_NAME.match(name or "") or not path.is_dir():
            raise NotFoundError(f"备份 {name} 不存在")
        try:
            manifest = json.loads((path / MANIFEST).read_text("utf-8"))
            listed = {f["name"]: f for f in manifest["files"]}
        except (OSError, ValueError, KeyError, TypeError):
            raise StoreError(f"备份 {name} 的清单（manifest.json）缺失或损坏，未做任何恢复。") from None
        files = {}
        for fname, meta in listed.items():
            try:
                data = (path / fname).read_bytes()
            except OSError:
                raise StoreError(f"备份 {name} 缺少文件 {fname}，未做任何恢复。") from None
            if _sha256(data) != meta.get("sha256"):
                raise StoreError(f"备份 {name} 中的文件 {fname} 与清单校验不符（已损坏），未做任何恢复。")
            if fname.endswith(".json"):
                try:
                    parse(data, path / fname)
                except StoreCorruptError:
                    raise StoreError(f"备份 {name} 中的文件 {fname} 无法读取，未做任何恢复。") from None
                files[fname] = data
        return files

    def _current_bytes(self, fname: str) -> bytes | None:
        try:
            return (self.data_dir / fname).read_bytes()
        except FileNotFoundError:
            return None

    def _replace_all(self, files: dict[str, bytes], locked: frozenset[str]) -> None:
        for fname, data in files.items():
            atomic_write(self.data_dir / fname, data)
        for current in self._collection_files():
            if current.name not in files and current.name in locked:
                current.unlink()
        fsync_dir(self.data_dir)

    def restore(self, name: str, actor: str) -> BackupInfo:
        """Replace the data with backup `name`; returns the automatic backup of the state before it."""
        files = self._checked_backup(name)
        with self._locked(tuple(files)) as locked:
            snapshot = self.create(PRE_RESTORE_REASON, actor)
            try:
                self._replace_all({fname: keep_id_high_water(data, self._current_bytes(fname), fname)
                                   for fname, data in files.items()}, locked)
            except OSError as e:
                try:
                    self._replace_all(self._checked_backup(snapshot.name), locked)
                except (OSError, StoreError):
                    raise StoreError(f"恢复失败，且未能回到恢复前的状态。请在服务器上用恢复前自动备份 {snapshot.name} "
                                     f"手动恢复（python -m store restore）。") from e
                raise StoreError(write_error_message(e).replace("保存失败", "恢复失败")) from e
            finally:
                self._on_restore()
            self._audit_log().record(actor, RESTORE_ACTION, after={"backup": name, "pre_restore_backup": snapshot.name})
        return snapshot

    # --- daily / prune -----------------------------------------------------------------------------------
    def daily(self, today: date | None = None, *, keep_days: int = 30) -> BackupInfo | None:
        """At most one automatic backup a day, then drop backups older than `keep_days`; None if none made."""
        folder = self._folder()
        today = today or date.today()
        made = None
        with self._locked():
            stamp = today.strftime("%Y%m%d")
            exists = folder.is_dir() and any(p.name.startswith(stamp) and BACKUP_NAME.match(p.name)
                                             for p in folder.iterdir())
            if not exists:
                made = self.create(DAILY_REASON, "system",
                                   now=datetime.combine(today, datetime.now().time()))
        self.prune(today, keep_days=keep_days)
        return made

    def prune(self, today: date, *, keep_days: int = 30) -> list[str]:
        """Remove backups whose date is more than `keep_days` before `today`, and abandoned staging folders."""
        folder = self._folder()
        if not folder.is_dir():
            return []
        removed = []
        limit = today - timedelta(days=keep_days)
        for path in folder.iterdir():
            m = BACKUP_NAME.match(path.name)
            if m and path.is_dir():
                if datetime.strptime(m.group(1), "%Y%m%d").date() < limit:
                    shutil.rmtree(path)
                    removed.append(path.name)
            elif path.name.startswith(".tmp-") and time.time() - path.stat().st_mtime > 86400:
                shutil.rmtree(path, ignore_errors=True)
        return sorted(removed, key=backup_sort_key)
