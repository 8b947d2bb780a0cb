"""数据维护命令 — set up a store, check its audit log, list and restore backups from a shell (also for a store
that no longer opens, StoreCorruptError).

Run in the program folder:
    .venv/bin/python -m store init <data_dir>       create the folder and the audit key (prints where the key is)
    .venv/bin/python -m store verify <data_dir>     check the audit log's keyed chain and the backups' anchors
    .venv/bin/python -m store list <data_dir>
    .venv/bin/python -m store restore <data_dir> <backup name>
Restore works without opening the store (no start-up scan of the data files): it finishes or drops a restore that
was interrupted, takes every lock, snapshots the current files first ("恢复前自动备份"), stages and switches the
files under a journal and writes one "恢复备份" audit line per changed record and a summary line, exactly as the
admin page does. The audit key is found as the app finds it (EXPERT_AUDIT_KEY_FILE, else <data_dir>.audit.key).
"""
from __future__ import annotations

import sys
from pathlib import Path

from core.errors import DomainError
from store.audit import AuditLog
from store.backups import Backups

USAGE = ("用法：python -m store init <数据目录> | python -m store verify <数据目录> | "
         "python -m store list <数据目录> | python -m store restore <数据目录> <备份名>")
COMMANDS = ("init", "verify", "list", "restore")


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[0] not in COMMANDS or (argv[0] == "restore" and len(argv) < 3):
        print(USAGE)
        return 2
    data_dir = Path(argv[1])
    try:
        if argv[0] == "init":
            from store.database import open_store
            store = open_store(data_dir)
            if store.audit.key_problem:
                print(store.audit.key_problem)
                return 1
            print(f"数据目录：{store.data_dir}\n操作日志密钥：{store.audit.key_path}（权限 600；请另行妥善保管一份副本，"
                  f"不要与数据目录放在一起）")
            return 0
        data_dir = data_dir.resolve()
        audit = AuditLog(data_dir)
        backups = Backups(data_dir, audit)
        if argv[0] == "list":
            for b in backups.list():
                print(f"{b.name}\t{b.created:%Y-%m-%d %H:%M:%S}\t{b.size_bytes} 字节\t{b.reason}\t{b.actor}")
            return 0
        if argv[0] == "verify":
            check = audit.verify()
            print(check.message)
            return 0 if check.ok else 1
        audit.repair_torn_tail()  # as open_store would, before the restore's lines are added
        audit.setup_key()
        backups.recover()
        snapshot = backups.restore(argv[2], actor="服务器命令行")
        print(f"已恢复备份 {argv[2]}；恢复前的数据已自动备份为 {snapshot.name}。")
        return 0
    except DomainError as e:
        print(e.message)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
