"""抽取快照的保存与读取 (issue 17, X-D2) — the pool a draw read, kept in proportion to what changed.

`pool_snapshots` holds one small manifest per distinct snapshot (its SHA-256, its size, its chunks: see
core.pool_pieces) — and, until the migration converts them, the whole snapshots the first compact records kept.
`pool_pieces` holds the pieces (one per distinct expert entry, in packs: one document per write) and the chunks.
Saving a draw's snapshot reads both files once, reuses every piece and chunk already kept (a piece only after its
stored content is compared with the one to keep) and writes, in this order, the new pieces, the new chunks and the
manifest — so a kill at any point leaves at most unreferenced pieces, reused by the next save — before the draw
record that names it. Reading one rebuilds it from pieces fetched by id from one read of `pool_pieces`, checking
each piece and the whole (core.pool_pieces.assemble); a whole snapshot of the old kind is returned as stored. Every
write is audited; the audit line of a pack shows its size and the digest of its hashes, never the entries.
"""
from __future__ import annotations

import json

from core.drawing import pool_snapshot_hash
from core.errors import DomainError, DuplicateError
from core.pool_pieces import (Piece, assemble, canonical_piece, chunk_document, chunk_groups, chunk_index,
                              is_manifest, is_whole_snapshot, manifest_document, pack_document, piece_hash,
                              reference_key)
from services.context import AppContext, User

SNAPSHOTS = "pool_snapshots"
PIECES = "pool_pieces"
KEEP_ACTION = "保存抽取快照"
PIECES_ACTION = "保存抽取快照片段"
CONVERT_ACTION = "抽取快照转为分片保存"


def manifests(ctx: AppContext):
    # the whole snapshots of the old kind carry the pool under "experts": never in an audit line
    return ctx.store.collection(SNAPSHOTS, redact=("experts",))


def pieces(ctx: AppContext):
    return ctx.store.collection(PIECES, redact=("experts", "hashes"))


def find(ctx: AppContext, digest: str) -> dict | None:
    """The stored document (manifest or whole snapshot) with this hash, or None."""
    found = manifests(ctx).search(lambda d: d.get("hash") == digest)
    return found[0] if found else None


def _store_pieces(ctx: AppContext, actor: User, entries: list) -> list[int]:
    """Keep the pieces and chunks of a snapshot's entries that are not kept yet; returns its chunk ids in order.

    A stored piece is reused when its stored content equals the entry (compared as values, so a piece altered in
    the store is never reused: the entry is kept anew); only new entries are encoded and hashed."""
    repo = pieces(ctx)
    docs = repo.all()
    stored = stored_entries(docs)
    refs: list[tuple[int, int] | None] = []
    new: list = []
    for entry in entries:
        versions = stored.get(_expert_key(entry), ())
        ref = next((r for r, kept in versions if kept == entry), None)
        if ref is None and versions:  # compared again as stored (a tuple reads back as a list)
            as_stored = json.loads(json.dumps(entry, ensure_ascii=False))
            ref = next((r for r, kept in versions if kept == as_stored), None)
        refs.append(ref)
        if ref is None:
            new.append(entry)
    if new:
        parts = [Piece(piece_hash(data), data, entry, ()) for entry in new for data in (canonical_piece(entry),)]
        pack_id = repo.insert(pack_document(parts), actor=actor.username, action=PIECES_ACTION, unique=())
        fresh = iter(range(len(new)))
        refs = [ref if ref is not None else (pack_id, next(fresh)) for ref in refs]
    chunks = chunk_index(docs)
    wanted = [reference_key(refs[n] for n in group) for group in chunk_groups(entries)]
    missing = [key for key in dict.fromkeys(wanted) if key not in chunks]
    if missing:
        ids = repo.insert_many([chunk_document(key) for key in missing], actor=actor.username, action=PIECES_ACTION)
        chunks.update(zip(missing, ids))
    return [chunks[key] for key in wanted]


def _expert_key(entry):
    eid = entry.get("id") if type(entry) is dict else None
    return eid if type(eid) in (int, str) else repr(eid)


def stored_entries(docs: list[dict]) -> dict:
    """expert → [((pack id, index), stored entry), …] over the stored packs."""
    found: dict[str, list] = {}
    for doc in docs:
        if doc.get("kind") == "pieces" and isinstance(doc.get("experts"), list):
            for n, entry in enumerate(doc["experts"]):
                found.setdefault(_expert_key(entry), []).append(((int(doc["id"]), n), entry))
    return found


def keep(ctx: AppContext, actor: User, snapshot: dict | None, digest: str | None = None) -> str | None:
    """Keep a draw's pool snapshot ({"experts": […]}) unless one with its hash is kept already (draws that saw the
    same pool share it); returns the hash (None for no snapshot). `digest`: its pool_snapshot_hash when the caller
    has it (core.drawing.DrawResult.to_record computes it). Only what is new is written: the pieces of the experts
    whose entry changed, their chunks, and a manifest."""
    if snapshot is None:
        return None
    entries = list(snapshot.get("experts") or ())
    digest = digest or pool_snapshot_hash(snapshot)
    if find(ctx, digest) is not None:
        return digest
    chunk_ids = _store_pieces(ctx, actor, entries)
    try:
        manifests(ctx).insert(manifest_document(digest, len(entries), chunk_ids), actor=actor.username,
                              action=KEEP_ACTION, unique=("hash",))
    except DuplicateError:
        pass  # another session kept the same snapshot a moment ago
    return digest


def load(ctx: AppContext, digest: str) -> dict | None:
    """The snapshot with this hash as {"hash", "count", "experts": […]}, or None when none is kept. A manifest's
    snapshot is rebuilt from its pieces and checked (DomainError, Chinese, when a part is missing or altered)."""
    doc = find(ctx, digest)
    if doc is None or not is_manifest(doc):
        return doc
    return assemble(doc, {d["id"]: d for d in pieces(ctx).all()})


def size_of(doc: dict) -> int:
    return len(json.dumps(doc, ensure_ascii=False).encode("utf-8"))


def convert_whole_snapshots(ctx: AppContext, actor: User) -> dict:
    """Migration step: every whole snapshot (kept by the first compact records) becomes pieces, chunks and a
    manifest under the same hash, one snapshot at a time, each replaced in one audited write only after the
    snapshot rebuilt from the stored pieces is checked equal to it. One whose content does not match its own hash
    is left exactly as it is and reported. Idempotent (a manifest is skipped) and resumable (pieces written before
    a kill are reused). Returns {"converted", "already", "skipped": [{"snapshot_id", "reason"}], "bytes_before" (the
    whole snapshots converted), "bytes_manifests" (what replaced them; the new pieces come on top)}."""
    repo = manifests(ctx)
    report: dict = {"converted": 0, "already": 0, "skipped": [], "bytes_before": 0, "bytes_manifests": 0}
    for doc_id in [d["id"] for d in repo.all()]:
        current = repo.get(doc_id)
        if current is None:
            continue
        if not is_whole_snapshot(current):
            report["already"] += 1
            continue
        if pool_snapshot_hash(current) != current.get("hash"):
            report["skipped"].append({"snapshot_id": doc_id, "reason": "快照内容与其校验值不符，未转换（原样保留）"})
            continue
        chunk_ids = _store_pieces(ctx, actor, current["experts"])
        manifest = manifest_document(current["hash"], len(current["experts"]), chunk_ids)
        try:
            rebuilt = assemble(manifest, {d["id"]: d for d in pieces(ctx).all()})
        except DomainError as error:
            report["skipped"].append({"snapshot_id": doc_id, "reason": f"分片复原校验未通过，未转换（原样保留）：{error.message}"})
            continue
        if rebuilt["experts"] != current["experts"]:
            report["skipped"].append({"snapshot_id": doc_id, "reason": "分片复原的名单与原快照不同，未转换（原样保留）"})
            continue
        before = current

        def convert(doc: dict, before=before, manifest=manifest) -> dict:
            if doc.get("hash") != before["hash"] or doc.get("experts") != before["experts"]:
                return doc  # changed since it was checked: left for the next run
            return dict(manifest, migrated={"from_format": "whole", "on": ctx.now().isoformat(timespec="seconds")})

        saved = repo.update(doc_id, convert, actor=actor.username, action=CONVERT_ACTION)
        if not is_manifest(saved):
            report["skipped"].append({"snapshot_id": doc_id, "reason": "快照在转换时被修改，下次迁移时再转换"})
            continue
        report["converted"] += 1
        report["bytes_before"] += size_of(before)
        report["bytes_manifests"] += size_of(saved)
    return report


def whole_snapshots_left(ctx: AppContext) -> int:
    """How many snapshots are still kept whole (what `convert_whole_snapshots` has to do)."""
    return manifests(ctx).count(is_whole_snapshot)
