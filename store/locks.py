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
from typing import Callable, Generic, TypeVar

T = TypeVar("T")


class PathRegistry(Generic[T]):
    """One object per resolved file path in this process, made by `make(resolved path)` on first use and shared by
    every caller (several Store objects on one folder share their locks, storages and indexes). A forked child
    starts empty: it must not inherit locks a parent thread may hold, or caches of the parent's writes."""

    def __init__(self, make: Callable[[Path], T]):
        self._make = make
        self._items: dict[str, T] = {}
        self._lock = threading.Lock()
        self._pid = os.getpid()

    def get(self, path: Path | str) -> T:
        key = str(Path(path).resolve())
        with self._lock:
            if os.getpid() != self._pid:
                self._items.clear()
                self._pid = os.getpid()
            found = self._items.get(key)
            if found is None:
                found = self._items[key] = self._make(Path(key))
            return found

    def items(self) -> list[tuple[str, T]]:
        with self._lock:
            return list(self._items.items()) if os.getpid() == self._pid else []


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


_locks: PathRegistry["FileLock"] = PathRegistry(lambda path: FileLock(Path(str(path) + ".lock")))


def shared_lock(data_file: Path) -> FileLock:
    """The process-wide lock guarding `data_file` (flock on `<data_file>.lock`)."""
    return _locks.get(data_file)


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
