"""数据迁移 — conversions of records written by earlier versions of the app, each callable on its own so a
schema-version framework can run them in order (a backup first is that framework's job).

`migrate_draws(ctx)` (issue 17): a draw record made before compact records keeps every exclusion by name and a copy
of the pool inside the record (~860 KB at 3,000 experts). Each such record is converted, one at a time, to the
compact form (core.drawing.DrawResult.to_record: counts per rule, names only where a person must see them, the
digest of the full list) with its pool kept once in `pool_snapshots` under its SHA-256 — and only after checking
that the old record replays, that the compact one rebuilt from the snapshot gives the same complete orders and the
same full exclusion list (who, which rule), and that it replays too. A record that fails any check is left exactly
as it is and reported. Idempotent (a compact record is skipped) and resumable: the snapshot is written before the
record that names it, and each record is replaced in one atomic write, so a run killed at any point leaves every
record either old and complete or converted, and the next run carries on.
"""
from __future__ import annotations

import hashlib
import json
from typing import Any

from core import vocab
from core.drawing import RECORD_FORMAT, DrawParams, DrawResult, draw, full_exclusions, replay
from core.errors import DomainError
from services.context import AppContext, User
from services.dispatch import DRAWS, keep_pool_snapshot

MIGRATION_USER = User("system:migration", "数据迁移", vocab.ROLE_ADMIN)
MIGRATE_ACTION = "抽取记录转为精简格式"


def _digest(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def compact_draw(stored: dict) -> tuple[dict, dict]:
    """(compact record, pool snapshot) for a full-format draw result, checked: DomainError (Chinese) naming the
    first check that fails — the old record does not replay, it kept no pool, or the compact record does not give
    back the same orders and full exclusion list."""
    inputs = stored.get("inputs")
    if not isinstance(inputs, dict) or not isinstance(inputs.get("pool"), list):
        raise DomainError("记录中没有保存抽取时的专家名单，不能转换（原记录保留）")
    ok, message = replay(stored)
    if not ok:
        raise DomainError(f"原记录复核不一致，不能转换（原记录保留）：{message}")
    old = DrawResult.from_dict(stored)
    # Recomputed from the record's own inputs (which replay just proved give this draw), so the compact record's
    # summary and listed names follow today's rules; who was excluded and why is checked against the record below.
    full = draw(inputs["request"], inputs["pool"], inputs["history"], DrawParams.from_dict(inputs["params"]),
                seed=old.seed, drawn_at=old.drawn_at, today=inputs.get("today"))  # an ISO day or None
    if [(x.expert_id, x.rule) for x in full.exclusions] != [(x.expert_id, x.rule) for x in old.exclusions]:
        raise DomainError("复算的排除名单与原记录不同，不能转换（原记录保留）")
    record, snapshot = full.to_record()
    record = json.loads(json.dumps(record, ensure_ascii=False))  # exactly what the store will hold
    ok, message = replay(record, snapshot)
    if not ok:
        raise DomainError(f"转换后的记录复核不一致，不能转换（原记录保留）：{message}")
    again = DrawResult.from_dict(record)
    if again.orders != old.orders or again.use_counts != old.use_counts or again.eligible_hash != old.eligible_hash:
        raise DomainError("转换后的排序与原记录不同，不能转换（原记录保留）")
    rebuilt = full_exclusions(record, snapshot)
    if [(x.expert_id, x.rule) for x in rebuilt] != [(x.expert_id, x.rule) for x in old.exclusions]:
        raise DomainError("由快照复算的排除名单与原记录不同，不能转换（原记录保留）")
    return record, snapshot


def migrate_draws(ctx: AppContext, actor: User = MIGRATION_USER) -> dict:
    """Convert every full-format draw record to the compact format (see the module text). Returns
    {"converted": n, "already_compact": n, "skipped": [{"draw_id", "reason"}], "bytes_before": n, "bytes_after": n}
    — the sizes of the converted records' results as JSON."""
    repo = ctx.store.collection(DRAWS)
    # The conversion's audit line carries the digests of the old and new result (below), not the results: the old
    # one is on the draw's own audit line already, and a line the size of the pool is what issue 17 removes.
    quiet = ctx.store.collection(DRAWS, redact=("result",))
    report: dict = {"converted": 0, "already_compact": 0, "skipped": [], "bytes_before": 0, "bytes_after": 0}
    for draw_id in [d["id"] for d in repo.all()]:
        current = repo.get(draw_id)
        if current is None:
            continue
        stored = current.get("result")
        if isinstance(stored, dict) and stored.get("format") == RECORD_FORMAT:
            report["already_compact"] += 1
            continue
        try:
            if not isinstance(stored, dict):
                raise DomainError("抽取记录不完整，不能转换（原记录保留）")
            record, snapshot = compact_draw(stored)
        except (DomainError, KeyError, TypeError, ValueError) as error:
            reason = error.message if isinstance(error, DomainError) else f"记录格式有误，不能转换（原记录保留）：{error}"
            report["skipped"].append({"draw_id": draw_id, "reason": reason})
            continue
        keep_pool_snapshot(ctx, actor, snapshot)  # before the record that names it (a kill in between is harmless)
        note = {"from_format": "full", "on": ctx.now().isoformat(timespec="seconds"),
                "old_result_sha256": _digest(stored), "result_sha256": _digest(record),
                "pool_snapshot": record["inputs"]["pool_snapshot"]}

        def convert(doc: dict, stored=stored, record=record, note=note) -> dict:
            if doc.get("result") == stored:  # unchanged since it was checked (else: left for the next run)
                doc.update(result=record, migrated=note)
            return doc

        saved = quiet.update(draw_id, convert, actor=actor.username, action=MIGRATE_ACTION)
        if saved.get("migrated") != note:
            report["skipped"].append({"draw_id": draw_id, "reason": "记录在转换时被修改，下次迁移时再转换"})
            continue
        report["converted"] += 1
        report["bytes_before"] += len(json.dumps(stored, ensure_ascii=False).encode("utf-8"))
        report["bytes_after"] += len(json.dumps(record, ensure_ascii=False).encode("utf-8"))
    return report
