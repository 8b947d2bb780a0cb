"""数据备份 — consistent snapshots of the whole store, listed, restored (atomically), taken daily and kept 30 days.

A backup is a folder `<data_dir>/backups/<YYYYMMDD-HHMMSS>[-n]/` holding a copy of every `*.json` collection and
`audit.jsonl`, plus `manifest.json` (created, reason, actor, files with size and SHA-256, and `audit_head`: the
audit chain's head at that moment — number of lines, last hash and a keyed mac — which `AuditLog.verify()` checks
the current log against, so lines deleted after a backup are found). It is taken while holding the locks of every
collection and of the audit log, so it is one consistent moment, and it is built in a hidden staging folder that
is renamed into place, so a half-made backup is never listed.

Restore accepts only file names of known collections (`^[a-z_]+[.]json$` and a collection the app uses or the
store holds): any other name in the manifest (`../escape.json`, `a/b.json`) refuses the whole backup, writing
nothing. It checks every file against the manifest, snapshots the current state ("恢复前自动备份"), then:
1. stages the new files (each with the id high-water mark kept) and the audit lines it will write in a folder
   `<data_dir>/.restore-<id>/`, fsynced;
2. writes the journal `<data_dir>/restore.journal` (atomic, fsynced) — the commit point;
3. renames the staged files over the data files one by one, removes collections the backup does not have;
4. appends one "恢复备份" audit line per record that changes (before → after; redacted fields hidden, very long
   values as a digest), then a summary line naming the backup, the snapshot and the restore id;
5. removes the journal and the staging folder.
A crash or kill anywhere is resolved the next time the store is opened, before anything reads: with a journal
the switch and its audit lines are completed (each step can be repeated); without one the staging folder is
dropped and nothing had changed. So the store is always wholly the old state or wholly the backup's.

The audit log itself is NOT rolled back: it is the history of what happened, the restore included (X-L1: a change
is undone only by a new recorded change); the backup's copy is there for disaster recovery by hand. For the same
reason a restored file keeps the highest id given out so far: an id named in the log is never given to another
record. Collections that did not exist in the backup are removed.

From a shell (for a store that no longer opens, see StoreCorruptError), in the program folder:
    .venv/bin/python -m store list <data_dir>
    .venv/bin/python -m store restore <data_dir> <backup name>
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import re
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
from store.audit import AUDIT_FILE, KEY_START_ACTION, AuditLog
from store.locks import MultiLock, shared_lock
from store.audit_lines import compact_row
from store.repository import RESTORE_JOURNAL, hidden_fields, registered_collections
from store.storage import (BACKUP_DIR, BACKUP_NAME, DATA_TABLE, atomic_write, backup_sort_key, fsync_dir, keep_id_high_water,
                           parse, write_error_message)

log = logging.getLogger(__name__)
MANIFEST = "manifest.json"
DAILY_REASON = "每日自动备份"
PRE_RESTORE_REASON = "恢复前自动备份"
RESTORE_ACTION = "恢复备份"
MEMORY_MESSAGE = "当前为内存存储（测试用），没有数据文件，不能备份或恢复。"
JOURNAL = RESTORE_JOURNAL
STAGING_PREFIX = ".restore-"
STAGED_AUDIT = "audit-lines.json"
SAFE_FILE = re.compile(r"^[a-z_]+\.json$")
# the collections the app writes (services/*); a restore accepts these and any collection the store holds now
KNOWN_COLLECTIONS = frozenset({
    "experts", "users", "settings", "applications", "rounds", "photos", "requests", "assignments", "draws",
    "evaluations", "work_records", "assistance", "proposals", "events", "dismissals", "assessments", "trainings",
    "budgets", "policy_variants", "sessions", "pool_snapshots", "pool_pieces", "calendar_years"})


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
                audit_bytes = b""
                for src in sources:
                    data = src.read_bytes()
                    if src.name == AUDIT_FILE:
                        audit_bytes = data
                    _write_synced(staging / src.name, data)
                    files.append({"name": src.name, "size": len(data), "sha256": _sha256(data)})
                audit = self._audit_log()
                manifest = {"created": now.isoformat(timespec="seconds"), "reason": reason, "actor": actor,
                            "files": files, "audit_head": audit.anchor(name, *audit.head_of_bytes(audit_bytes))}
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
    def _allowed_names(self) -> set[str]:
        return ({f"{c}.json" for c in KNOWN_COLLECTIONS | registered_collections()}
                | {p.name for p in self._collection_files()})

    def _checked_backup(self, name: str) -> dict[str, bytes]:
        """The backup's collection files, after checking their names (known collections only), checking them
        against the manifest and parsing each. Any problem refuses the whole backup before anything is written."""
        folder = self._folder()
        path = folder / name
        if not BACKUP_NAME.match(name or "") or not path.is_dir():
            raise NotFoundError(f"备份 {name} 不存在")
        try:
            manifest = json.loads((path / MANIFEST).read_text("utf-8"))
            listed = {f["name"]: f for f in manifest["files"]}
        except (OSError, ValueError, KeyError, TypeError):
            raise StoreError(f"备份 {name} 的清单（manifest.json）缺失或损坏，未做任何恢复。") from None
        allowed = self._allowed_names()
        for fname in listed:
            if fname == AUDIT_FILE:
                continue
            if not isinstance(fname, str) or not SAFE_FILE.match(fname) or fname not in allowed:
                raise StoreError(f"备份 {name} 的清单中有不认识的文件名 {fname!r}：恢复只接受本系统的数据集合"
                                 f"（如 experts.json），整个备份被拒绝，未做任何恢复。")
        files = {}
        for fname, meta in listed.items():
            if fname == AUDIT_FILE:
                continue  # the log is never rolled back (see the module docstring)
            try:
                data = (path / fname).read_bytes()
            except OSError:
                raise StoreError(f"备份 {name} 缺少文件 {fname}，未做任何恢复。") from None
            if not isinstance(meta, dict) or _sha256(data) != meta.get("sha256"):
                raise StoreError(f"备份 {name} 中的文件 {fname} 与清单校验不符（已损坏），未做任何恢复。")
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

    def _restore_records(self, final: dict[str, bytes], removed: list[str]) -> tuple[list[list], list[str]]:
        """One (collection, id, before, after, extra) per record the restore changes, as the audit log shows them
        (the changed fields and the record's hashes: store.audit_lines.compact_row), and
        the current files that could not be read (their records are logged with no "before")."""
        records, unreadable = [], []
        for fname in sorted(set(final) | set(removed)):
            collection = fname[: -len(".json")]
            current = self._current_bytes(fname)
            try:
                now = parse(current, fname).get(DATA_TABLE, {}) if current is not None else {}
            except StoreCorruptError:
                now = {}
                unreadable.append(fname)
            new = parse(final[fname], fname).get(DATA_TABLE, {}) if fname in final else {}
            for key in sorted(set(now) | set(new), key=lambda k: (len(k), k)):
                before, after = now.get(key), new.get(key)
                if before != after:
                    records.append([collection, int(key), *compact_row(before, after, hidden_fields(collection))])
        return records, unreadable

    def restore(self, name: str, actor: str) -> BackupInfo:
        """Replace the data with backup `name`; returns the automatic backup of the state before it.

        Staged, then switched under a journal (see the module docstring): all or nothing, even across a crash."""
        files = self._checked_backup(name)
        audit = self._audit_log()
        audit._require_key()  # a restore that could not be audited is refused before anything happens
        with self._locked(tuple(files)) as locked:
            self._recover_locked()
            snapshot = self.create(PRE_RESTORE_REASON, actor)
            restore_id = f"{datetime.now():%Y%m%d%H%M%S}-{secrets.token_hex(4)}"
            staging = self.data_dir / f"{STAGING_PREFIX}{restore_id}"
            try:
                final = {fname: keep_id_high_water(data, self._current_bytes(fname), fname)
                         for fname, data in files.items()}
                removed = sorted(p.name for p in self._collection_files() if p.name not in files and p.name in locked)
                records, unreadable = self._restore_records(final, removed)
                summary = {"backup": name, "pre_restore_backup": snapshot.name, "restore_id": restore_id,
                           "changed_records": len(records), "files": sorted(final), "removed": removed}
                if unreadable:
                    summary["unreadable_before"] = unreadable
                staging.mkdir()
                for fname, data in final.items():
                    _write_synced(staging / fname, data)
                _write_synced(staging / STAGED_AUDIT, json.dumps(
                    {"actor": actor, "records": records, "summary": summary}, ensure_ascii=False).encode("utf-8"))
                fsync_dir(staging)
                journal = {"id": restore_id, "backup": name, "staging": staging.name, "actor": actor,
                           "put": {fname: _sha256(data) for fname, data in final.items()}, "remove": removed,
                           "audit_size": audit.size()}
                atomic_write(self.data_dir / JOURNAL, json.dumps(journal, ensure_ascii=False).encode("utf-8"))
            except OSError as e:
                shutil.rmtree(staging, ignore_errors=True)
                raise StoreError(write_error_message(e).replace("保存失败", "恢复失败")) from e
            try:
                self._finish(journal)
            except OSError as e:
                raise StoreError(f"恢复备份时写入中断（{write_error_message(e)}）。恢复已记入日志文件 {JOURNAL}，"
                                 f"下次启动时会自动完成；恢复前的数据已备份为 {snapshot.name}。") from e
            finally:
                self._on_restore()
        return snapshot

    def _finish(self, journal: dict) -> None:
        """Steps 3–5 of a restore whose journal is written; every step may be repeated after a crash."""
        staging = self.data_dir / journal["staging"]
        for fname, digest in journal["put"].items():
            src = staging / fname
            if src.exists():
                os.replace(src, self.data_dir / fname)
            elif _sha256(self._current_bytes(fname) or b"") != digest:
                raise StoreError(f"中断的恢复无法完成：暂存文件 {src} 不见了，且 {fname} 不是备份中的内容。"
                                 f"请用恢复前自动备份手动恢复。")
        for fname in journal["remove"]:
            try:
                (self.data_dir / fname).unlink()
            except FileNotFoundError:
                pass
        fsync_dir(self.data_dir)
        self._write_restore_audit(journal, staging)
        (self.data_dir / JOURNAL).unlink()
        fsync_dir(self.data_dir)
        shutil.rmtree(staging, ignore_errors=True)

    def _write_restore_audit(self, journal: dict, staging: Path) -> None:
        """The restore's audit lines, exactly once: lines of a write cut short by a crash are replaced."""
        audit = self._audit_log()
        planned = json.loads((staging / STAGED_AUDIT).read_text("utf-8"))
        with audit.lock:
            start = int(journal["audit_size"])
            if audit.size() > start:
                with open(audit.path, "rb") as f:
                    f.seek(start)
                    tail = f.read()
                ours = True
                for raw in tail.split(b"\n"):
                    if not raw.strip():
                        continue
                    try:
                        entry = json.loads(raw)
                    except ValueError:
                        continue  # a torn line of ours
                    if not isinstance(entry, dict):
                        ours = False
                        continue
                    if entry.get("action") == RESTORE_ACTION and isinstance(entry.get("after"), dict) \
                            and entry["after"].get("restore_id") == journal["id"] and entry.get("record_id") is None:
                        return  # the summary line, written last: every line is there
                    if entry.get("action") not in (RESTORE_ACTION, KEY_START_ACTION):
                        ours = False
                if ours:
                    audit.truncate_to(start)
            rows = [tuple(r) for r in planned["records"]] + [(None, None, None, planned["summary"])]
            audit._append_locked(planned["actor"], RESTORE_ACTION, rows)

    def recover(self) -> bool:
        """At open: finish a restore that was interrupted after its journal, or drop one interrupted before it.
        Returns whether a restore was finished."""
        if self.data_dir is None:
            return False
        journal_path = self.data_dir / JOURNAL
        stale = list(self.data_dir.glob(f"{STAGING_PREFIX}*"))
        if not journal_path.exists() and not stale:
            return False
        try:
            journal = json.loads(journal_path.read_text("utf-8"))
            names = tuple(journal["put"]) + tuple(journal["remove"])
        except FileNotFoundError:
            journal, names = None, ()
        except (OSError, ValueError, KeyError, TypeError):
            raise StoreError(f"恢复日志 {journal_path} 无法读取，系统已停止以防数据混杂。请联系系统管理员。") from None
        with self._locked(tuple(n for n in names if isinstance(n, str) and SAFE_FILE.match(n))):
            try:
                return self._recover_locked()
            finally:
                self._on_restore()

    def _recover_locked(self) -> bool:
        journal_path = self.data_dir / JOURNAL
        finished = False
        keep = None
        if journal_path.exists():
            journal = json.loads(journal_path.read_text("utf-8"))
            bad = [n for n in (*journal["put"], *journal["remove"]) if not SAFE_FILE.match(n)]
            if bad or not str(journal["staging"]).startswith(STAGING_PREFIX) or "/" in journal["staging"]:
                raise StoreError(f"恢复日志 {journal_path} 中有不认识的文件名，系统已停止。请联系系统管理员。")
            self._audit_log()._require_key()
            keep = journal["staging"]
            self._finish(journal)
            finished = True
            log.warning("上次恢复备份 %s 时被中断，已在启动时完成恢复", journal.get("backup"))
        for path in self.data_dir.glob(f"{STAGING_PREFIX}*"):
            if path.name != keep and path.is_dir():  # staged before a journal: nothing had changed
                shutil.rmtree(path, ignore_errors=True)
                log.warning("已删除上次被中断（尚未开始替换）的恢复暂存目录 %s", path.name)
        return finished

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
