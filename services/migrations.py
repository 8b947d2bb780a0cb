"""数据迁移 — conversions of records written by earlier versions of the app, and the framework that runs them at
start-up: the data folder's schema version (in `settings`, key "data_schema"), an ordered list of steps (`STEPS`), a
backup before any of them converts anything, the version recorded after each step, every write audited under the
migration's own user. Each step is idempotent and resumable after a kill at any point (tested with SIGKILL), so a
run that stops part-way leaves every record either in its old form, which the app still reads, or fully converted;
the next start carries on. A step that fails stops the start-up with MigrationError (see `migrate`).

Steps: 1 `migrate_draws` (full-format draw records → compact), 2 `services.pool_snapshots.convert_whole_snapshots`
(the whole pool snapshots the first compact records kept → pieces, chunks and a manifest under the same hash).

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
import logging
from dataclasses import dataclass
from typing import Any, Callable

from core import vocab
from core.drawing import RECORD_FORMAT, DrawParams, DrawResult, draw, full_exclusions, replay
from core.errors import DomainError, StoreError
from services import pool_snapshots
from services.context import AppContext, User
from services.dispatch import DRAWS, keep_pool_snapshot
from services.settings import SETTINGS

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


# --- the migration framework (issue 17) -----------------------------------------------------------------------------
# The data folder's schema version is kept in `settings` (key SCHEMA_KEY, value {"version", "step", "on", "report"}),
# so a backup and a restore carry it with the data they describe: a folder restored from an older backup is migrated
# again at the next start. Version 0: a folder made before the framework (or a new, empty one).
SCHEMA_KEY = "data_schema"
BACKUP_ACTION = "升级前自动备份"
VERSION_ACTION = "记录数据版本"
_SKIPPED_SHOWN = 20  # the version record lists this many records a step left as they were, then counts the rest
_LOG = logging.getLogger("zhuanjiaku.migrations")


@dataclass(frozen=True)
class Step:
    """One migration step: `run(ctx, actor)` converts what is left and returns a report (idempotent, resumable:
    each record is replaced in one atomic write after its checks); `pending(ctx)` counts what it has to do."""
    version: int
    name: str
    label: str
    run: Callable[[AppContext, User], dict]
    pending: Callable[[AppContext], int]


def _draws_pending(ctx: AppContext) -> int:
    return ctx.store.collection(DRAWS).count(
        lambda d: not (isinstance(d.get("result"), dict) and d["result"].get("format") == RECORD_FORMAT))


HISTORY_LOG_ACTION = "历史集合转为追加写入格式"


def _history_logs_pending(ctx: AppContext) -> int:
    return len(ctx.store.history_files_to_convert())


def _convert_history_logs(ctx: AppContext, actor: User) -> dict:
    """History collections (requests, assignments, draws, …) from whole files to append-only logs (issue 17): same
    documents, same ids; the migration's own backup was taken before. Each file is converted atomically."""
    converted = ctx.store.convert_history_collections(actor=actor.username, backup=False)
    if converted:  # run again with nothing left, it writes nothing
        ctx.store.audit.record(actor.username, HISTORY_LOG_ACTION, after={"collections": converted})
    return {"converted": len(converted), "collections": converted}


STEPS: tuple[Step, ...] = (
    Step(1, "draws_compact", MIGRATE_ACTION, lambda ctx, actor: migrate_draws(ctx, actor), _draws_pending),
    Step(2, "pool_snapshot_pieces", pool_snapshots.CONVERT_ACTION,
         lambda ctx, actor: pool_snapshots.convert_whole_snapshots(ctx, actor), pool_snapshots.whole_snapshots_left),
    Step(3, "history_logs", HISTORY_LOG_ACTION, _convert_history_logs, _history_logs_pending),
)
CURRENT_VERSION = STEPS[-1].version


class MigrationError(DomainError):
    """A migration step failed: the app must not start on this folder until it is resolved (message in Chinese)."""


def _version_doc(ctx: AppContext) -> dict | None:
    found = ctx.store.collection(SETTINGS).search(lambda d: d.get("key") == SCHEMA_KEY)
    return found[0] if found else None


def schema_version(ctx: AppContext) -> int:
    """The data folder's schema version (0: never migrated)."""
    doc = _version_doc(ctx)
    value = doc.get("value") if doc else None
    version = value.get("version") if isinstance(value, dict) else None
    return version if isinstance(version, int) and not isinstance(version, bool) else 0


def _brief(report: dict) -> dict:
    """A step's report as the version record keeps it: counts, and the first records left as they were."""
    out = {k: v for k, v in report.items() if k != "skipped"}
    skipped = list(report.get("skipped") or ())
    if skipped:
        out["skipped"] = skipped[:_SKIPPED_SHOWN]
        out["skipped_total"] = len(skipped)
    return out


def _set_version(ctx: AppContext, actor: User, step: Step, report: dict) -> None:
    value = {"version": step.version, "step": step.name, "on": ctx.now().isoformat(timespec="seconds"),
             "report": _brief(report)}
    repo = ctx.store.collection(SETTINGS)
    doc = _version_doc(ctx)
    if doc is None:
        repo.insert({"key": SCHEMA_KEY, "value": value}, actor=actor.username, action=VERSION_ACTION, unique=("key",))
    else:
        repo.update(doc["id"], {"value": value}, actor=actor.username, action=VERSION_ACTION)


def migrate(ctx: AppContext, actor: User = MIGRATION_USER, *, start_up: bool = False) -> dict:
    """Bring the data folder to CURRENT_VERSION: the steps after its version, in order.

    When any of them has something to convert, a backup is made first (reason "升级前自动备份…", audited). After each
    step the version is recorded (audited, with the step's report: counts and the records it left as they were —
    a record that fails its checks stays in its old form, which the app still reads, and is named there). A step
    that raises stops the run with MigrationError (Chinese: which step, why, the backup): what was converted stays
    converted (each record is old or new, never half), the version stays at the last finished step, and the next run
    carries on. With nothing to convert, only the version is recorded (no backup); at `start_up`, a version that
    cannot be recorded then (a full disk) is logged and the app starts — nothing about its data is in question, and
    the next start records it. Returns {"from", "to", "backup", "steps": [{"name", "label", "report"}] (the steps
    run)}."""
    start = schema_version(ctx)
    todo = [step for step in STEPS if step.version > start]
    out: dict = {"from": start, "to": start, "backup": None, "steps": []}
    if not todo:
        return out
    current: Step | None = None
    try:
        work = {step.name: step.pending(ctx) for step in todo}
        if not any(work.values()):  # nothing to convert (a new folder, or one made by this version): the version only
            try:
                _set_version(ctx, actor, todo[-1], {})
            except StoreError as error:
                if not start_up:
                    raise
                _LOG.warning("data version not recorded (nothing to migrate): %s", error.message)
                return out
            out["to"] = todo[-1].version
            return out
        if ctx.store.data_dir is not None:
            reason = f"{BACKUP_ACTION}（数据版本 {start} → {CURRENT_VERSION}）"
            backup = ctx.store.backups.create(reason, actor.username, now=ctx.now())
            out["backup"] = backup.name
            ctx.store.audit.record(actor.username, BACKUP_ACTION, after={
                "backup": backup.name, "from_version": start, "to_version": CURRENT_VERSION, "pending": work})
        for step in todo:
            current = step
            report = step.run(ctx, actor) if work[step.name] else {}
            _set_version(ctx, actor, step, report)
            out["to"] = step.version
            out["steps"].append({"name": step.name, "label": step.label, "report": report})
            for skipped in report.get("skipped") or ():
                _LOG.warning("migration %s left a record as it was: %s", step.name, skipped)
    except Exception as error:
        reason = error.message if isinstance(error, DomainError) else f"{type(error).__name__}: {error}"
        where = f"第{current.version}步“{current.label}”" if current else "准备阶段"
        kept = f"升级前已自动备份为 {out['backup']}；" if out["backup"] else ""
        raise MigrationError(
            f"数据升级未完成（{where}）：{reason}。{kept}已转换的记录保留（每条记录要么仍是原格式，要么已完整转换，"
            f"均可读取），数据版本停在 {out['to']}。系统暂不启动：请排除原因（如磁盘空间不足）后重新启动，升级会从中断处"
            f"继续；如需回到升级前的数据，可由管理员从该备份恢复。") from error
    return out


def migrate_on_start(ctx: AppContext) -> dict | None:
    """At start-up (services.context.build_context, for the app's own folder): `migrate` with `start_up`. A step
    that fails raises MigrationError and no context is made, so the app shows the message and does not start on a
    half-migrated folder (app.py: a DomainError from get_context stops the script; the next run retries)."""
    if ctx.store.data_dir is None:
        return None
    return migrate(ctx, start_up=True)
