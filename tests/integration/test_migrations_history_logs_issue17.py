"""Issue 17 — the start-up migration converts a folder's history collections (made by the code before append-only
logs: tests/fixtures/draws_full_format) to append-only logs, after the migration's backup, with the same documents
and ids; a second start converts nothing (X-L1: the audit chain still verifies)."""
from __future__ import annotations

import json

from services import migrations
from store import logstore
from tests.integration.test_migrations_issue17 import copy_old_folder, open_ctx


def _documents(ctx, names):
    return {name: ctx.store.collection(name).all() for name in names}


def test_issue17_x_l1_start_up_migration_turns_old_history_files_into_logs_with_the_same_documents(tmp_path):
    data = copy_old_folder(tmp_path)
    old = [p.stem for p in sorted(data.glob("*.json"))
           if p.stem in logstore.HISTORY_COLLECTIONS and not logstore.file_is_log(p)]
    assert old, "the fixture was made before the log layout: it must hold whole-file history collections"
    before = _documents(open_ctx(data), old)

    ctx = open_ctx(data, migrate=True)

    assert migrations.schema_version(ctx) == migrations.CURRENT_VERSION
    assert all(logstore.file_is_log(data / f"{name}.json") for name in old)
    after = _documents(ctx, old)
    for name in old:  # same ids and the same content, apart from what earlier steps converted (draws, snapshots)
        assert [d["id"] for d in after[name]] == [d["id"] for d in before[name]]
    untouched = [n for n in old if n not in ("draws", "pool_snapshots")]
    assert all(json.dumps(after[n], sort_keys=True) == json.dumps(before[n], sort_keys=True) for n in untouched)
    actions = [e["action"] for e in ctx.store.audit.entries()]
    assert migrations.HISTORY_LOG_ACTION in actions
    assert actions.index(migrations.HISTORY_LOG_ACTION) > actions.index(migrations.BACKUP_ACTION)
    assert ctx.store.audit.verify().ok

    again = migrations.migrate(open_ctx(data))
    assert again["steps"] == [] and again["backup"] is None
