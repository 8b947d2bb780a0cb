"""数据存储层 — the only package that imports TinyDB: files, locks, atomic writes, repositories, audit, backups.

Services use only what is exported here (`open_store`, then `Store.collection(...)`, `Store.audit`,
`Store.backups`); no TinyDB type crosses this seam, so another backend could stand behind the same methods.
Modules: storage (atomic JSON files, in-memory twin), logstore (append-only history collections, parsed-file
cache), locks (thread lock + flock), repository (read copies, locked audited writes), audit (log chained by
HMAC-SHA256 under a key kept outside the data folder, checked against the backups' anchors), backups (snapshots,
journalled all-or-nothing restore, daily), database (open_store).
"""
from store.audit import AuditCheck
from store.backups import BackupInfo
from store.database import Store, open_store
from store.repository import Repository
from store.storage import SCHEMA_VERSION

__all__ = ["open_store", "Store", "Repository", "AuditCheck", "BackupInfo", "SCHEMA_VERSION"]
