"""文件锁 — one lock per data file per process: a re-entrant thread lock, then `fcntl.flock` on a side file.

Streamlit serves every browser session as a thread of one process, and a backup job or a script may run as a
second process. A write therefore takes the thread lock first (threads of this process queue there) and then an
exclusive `flock` on `<file>.lock` (other processes queue there). The side file is never replaced, so the lock
survives the `os.replace` of the data file it guards. Locks are shared through a module-level registry keyed by
the resolved path, so several `Store` objects on one folder use the same locks. The lock is re-entrant within a
thread (a restore takes every lock, then makes a backup that takes them again); only the outermost acquisition
touches `flock`, because a second `flock` from the same process on a new descriptor would wait for itself.
"""
from __future__ import annotations

import fcntl
import os
import threading
from pathlib import Path

_registry: dict[str, "FileLock"] = {}
_registry_lock = threading.Lock()
_registry_pid = os.getpid()


class FileLock:
    """Thread lock + optional inter-process `flock` on `lock_path` (None: threads only, for the in-memory store)."""

    def __init__(self, lock_path: Path | None):
        self.lock_path = lock_path
        self._rlock = threading.RLock()
        self._depth = 0
        self._fd: int | None = None

    def acquire(self) -> None:
        self._rlock.acquire()
        if self._depth == 0 and self.lock_path is not None:
            try:
                # Opened per outermost acquisition, not kept: a forked child must never share our descriptor
                # (flock locks belong to the open file description, which fork shares).
                fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX)
                except BaseException:
                    os.close(fd)
                    raise
            except BaseException:
                self._rlock.release()
                raise
            self._fd = fd
        self._depth += 1

    def release(self) -> None:
        self._depth -= 1
        try:
            if self._depth == 0 and self._fd is not None:
                fd, self._fd = self._fd, None
                try:
                    fcntl.flock(fd, fcntl.LOCK_UN)
                finally:
                    os.close(fd)
        finally:
            self._rlock.release()

    def __enter__(self) -> "FileLock":
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()


def _check_pid() -> None:
    """After a fork the child must not inherit locks that a parent thread may be holding."""
    global _registry_pid
    if os.getpid() != _registry_pid:
        _registry.clear()
        _registry_pid = os.getpid()


def shared_lock(data_file: Path) -> FileLock:
    """The process-wide lock guarding `data_file` (flock on `<data_file>.lock`)."""
    key = str(Path(data_file).resolve())
    with _registry_lock:
        _check_pid()
        lock = _registry.get(key)
        if lock is None:
            lock = _registry[key] = FileLock(Path(key + ".lock"))
        return lock


class MultiLock:
    """Several locks taken in a fixed order (sorted by path), released in reverse: no two takers can deadlock."""

    def __init__(self, locks: list[FileLock]):
        self._locks = sorted(set(locks), key=lambda lk: str(lk.lock_path))

    def __enter__(self) -> "MultiLock":
        taken: list[FileLock] = []
        try:
            for lock in self._locks:
                lock.acquire()
                taken.append(lock)
        except BaseException:
            for lock in reversed(taken):
                lock.release()
            raise
        return self

    def __exit__(self, *exc) -> None:
        for lock in reversed(self._locks):
            lock.release()
