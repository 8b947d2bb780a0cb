"""数据维护命令 — list and restore backups from a shell, for a store that no longer opens (StoreCorruptError).

Run in the program folder:
    .venv/bin/python -m store list <data_dir>
    .venv/bin/python -m store restore <data_dir> <backup name>
Restore works without opening the store (no start-up scan), takes every lock, snapshots the current files first
("恢复前自动备份") and appends a "恢复备份" line to the audit log, exactly as the admin page does.
"""
from __future__ import annotations

import sys
from pathlib import Path

from core.errors import NotFoundError, StoreError
from store.audit import AuditLog
from store.backups import Backups

USAGE = "用法：python -m store list <数据目录> | python -m store restore <数据目录> <备份名>"


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[0] not in ("list", "restore") or (argv[0] == "restore" and len(argv) < 3):
        print(USAGE)
        return 2
    backups = Backups(Path(argv[1]).resolve())
    try:
        if argv[0] == "list":
            for b in backups.list():
                print(f"{b.name}\t{b.created:%Y-%m-%d %H:%M:%S}\t{b.size_bytes} 字节\t{b.reason}\t{b.actor}")
            return 0
        AuditLog(backups.data_dir).repair_torn_tail()  # as open_store would, before the restore line is added
        snapshot = backups.restore(argv[2], actor="服务器命令行")
        print(f"已恢复备份 {argv[2]}；恢复前的数据已自动备份为 {snapshot.name}。")
        return 0
    except (StoreError, NotFoundError) as e:
        print(e.message)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
