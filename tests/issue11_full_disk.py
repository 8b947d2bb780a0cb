"""A full disk for tests (issue 11 §7): every write under the data folder fails with ENOSPC; reads work.

No tmpfs or loop device is available without root, so the writes are made to fail where they happen: os.write on a
file descriptor under the folder (atomic_write, the audit log's append) and open() for writing there (backups);
shutil.disk_usage reports 0 bytes free for the folder.
"""
from __future__ import annotations

import builtins
import errno
import io
import os
import shutil
from collections import namedtuple
from contextlib import contextmanager
from pathlib import Path

_Usage = namedtuple("_Usage", "total used free")


@contextmanager
def full_disk(data_dir):
    """Every write under `data_dir` fails with ENOSPC until the block ends (reads, renames and unlinks work)."""
    root = str(Path(data_dir).resolve())
    real_write, real_open, real_io_open = os.write, builtins.open, io.open

    def under_root(path) -> bool:
        try:
            return str(Path(path).resolve()).startswith(root)
        except (TypeError, OSError):
            return False

    def write(fd, data):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            target = ""
        if target.startswith(root) and len(data):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, data)

    def guarded(real):
        def _open(file, mode="r", *args, **kwargs):
            if isinstance(file, (str, os.PathLike)) and any(c in mode for c in "wax+") and under_root(file):
                raise OSError(errno.ENOSPC, "No space left on device", str(file))
            return real(file, mode, *args, **kwargs)
        return _open

    os.write, builtins.open, io.open = write, guarded(real_open), guarded(real_io_open)
    real_usage = shutil.disk_usage
    shutil.disk_usage = lambda path: _Usage(10 ** 9, 10 ** 9, 0) if under_root(path) else real_usage(path)
    try:
        yield
    finally:
        os.write, builtins.open, io.open = real_write, real_open, real_io_open
        shutil.disk_usage = real_usage


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.name.endswith(".lock")}
