"""抽取快照分片 (issue 17) — the pool snapshot a draw's replay needs, kept in proportion to what changed (X-D2).

A pool snapshot is {"experts": [entry, …]} in canonical order (core.drawing: one entry per expert, what any draw
reads of them), named by `core.drawing.pool_snapshot_hash` — the SHA-256 of its canonical JSON. That JSON is
`{"experts":[` + the canonical JSON of each entry joined by "," + `]}`, so the same hash is computed from the
entries' own canonical bytes (`snapshot_digest`). The store therefore keeps:

- *pieces*: one entry each, stored once per distinct content (its SHA-256 beside it), in *packs* — one document
  per write holding the pieces that write added (the first snapshot: every expert; later: the experts that changed);
- *chunks*: the ordered references [pack id, index] of the pieces of CHUNK_SPAN consecutive expert ids, stored once
  per distinct list — so one expert's change makes one new chunk, whatever the pool's size;
- a *manifest* per distinct snapshot: its hash, its size and its chunks in order.

One expert changed → one piece, one chunk and one manifest (about 1.6 KB at 3,000 experts) instead of a whole new
snapshot (about 0.9 MB). `assemble` rebuilds the snapshot and checks everything: each piece against the hash kept
beside it (naming the expert whose piece was altered), and the whole against the manifest's hash; the caller then
checks it against the draw record's hash (core.drawing.snapshot_pool) — the record, audited, is the anchor, so the
references (store ids) need no trust: a wrong reference gives a wrong whole, which is refused.
Pure: the store's documents come in as mappings; services.pool_snapshots reads and writes them.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

from core.errors import DomainError

__all__ = ["CHUNK_SPAN", "PIECES_FORMAT", "Piece", "canonical_piece", "piece_hash", "split_snapshot",
           "snapshot_digest", "chunk_groups", "pack_document", "chunk_document", "manifest_document", "is_manifest",
           "is_whole_snapshot", "chunk_index", "assemble", "reference_key"]

PIECES_FORMAT = "pieces-v1"
CHUNK_SPAN = 64  # expert ids per chunk: a chunk of references is ~0.5 KB, a manifest at 3,000 experts ~0.3 KB
_HEAD, _SEP, _TAIL = b'{"experts":[', b",", b"]}"
# one encoder for every piece: json.dumps with these options would build a new one per call (3,000 per snapshot)
_ENCODE = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False).encode


def canonical_piece(entry: Any) -> bytes:
    """The canonical JSON of one snapshot entry, exactly as it appears inside the snapshot's canonical JSON."""
    return _ENCODE(entry).encode("utf-8")


def piece_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def snapshot_digest(pieces: Iterable[bytes]) -> str:
    """pool_snapshot_hash of the snapshot made of these canonical entries, in this order."""
    digest = hashlib.sha256(_HEAD)
    for n, data in enumerate(pieces):
        if n:
            digest.update(_SEP)
        digest.update(data)
    digest.update(_TAIL)
    return digest.hexdigest()


@dataclass(frozen=True)
class Piece:
    """One entry of a snapshot: its canonical bytes and hash, the entry, and the chunk it belongs to."""
    hash: str
    data: bytes
    entry: Any
    chunk: tuple


def _chunk_of(entry: Any) -> tuple:
    eid = entry.get("id") if isinstance(entry, Mapping) else None
    if isinstance(eid, int) and not isinstance(eid, bool):
        return (0, eid // CHUNK_SPAN)
    return (1, 0)  # any other id (a record made by hand): one last chunk, after the numbered ones


def split_snapshot(snapshot: Mapping[str, Any]) -> tuple[str, list[Piece]]:
    """(the snapshot's hash, its pieces in order). The order is the snapshot's own (canonical: by id)."""
    pieces = []
    for entry in snapshot.get("experts") or ():
        data = canonical_piece(entry)
        pieces.append(Piece(piece_hash(data), data, entry, _chunk_of(entry)))
    return snapshot_digest(p.data for p in pieces), pieces


def chunk_groups(entries: Sequence[Any]) -> list[list[int]]:
    """Positions of a snapshot's entries (or Pieces) grouped into chunks: consecutive entries whose ids fall in
    the same span of CHUNK_SPAN ids."""
    groups: list[list[int]] = []
    last = None
    for n, item in enumerate(entries):
        key = item.chunk if isinstance(item, Piece) else _chunk_of(item)
        if not groups or key != last:
            groups.append([])
            last = key
        groups[-1].append(n)
    return groups


def pack_document(pieces: Sequence[Piece]) -> dict:
    """The document that stores new pieces: their entries and hashes, and a digest of the hashes (what an audit
    line shows of it)."""
    hashes = [p.hash for p in pieces]
    return {"kind": "pieces", "count": len(pieces), "digest": piece_hash(",".join(hashes).encode("ascii")),
            "hashes": hashes, "experts": [p.entry for p in pieces]}


def chunk_document(refs: Iterable[Sequence[int]]) -> dict:
    return {"kind": "chunk", "pieces": [[int(a), int(b)] for a, b in refs]}


def manifest_document(digest: str, count: int, chunk_ids: Iterable[int]) -> dict:
    return {"hash": digest, "count": int(count), "format": PIECES_FORMAT, "chunks": [int(i) for i in chunk_ids]}


def is_manifest(doc: Mapping[str, Any]) -> bool:
    return doc.get("format") == PIECES_FORMAT and isinstance(doc.get("chunks"), list)


def is_whole_snapshot(doc: Mapping[str, Any]) -> bool:
    """A snapshot stored whole (the first compact records, before pieces): {"hash", "count", "experts": […]}."""
    return not is_manifest(doc) and isinstance(doc.get("experts"), list)


def reference_key(refs: Iterable[Sequence[int]]) -> tuple:
    return tuple((int(a), int(b)) for a, b in refs)


def chunk_index(docs: Iterable[Mapping[str, Any]]) -> dict[tuple, int]:
    """The references of each stored chunk → its id (first one wins)."""
    found: dict[tuple, int] = {}
    for doc in docs:
        if doc.get("kind") == "chunk" and isinstance(doc.get("pieces"), list):
            try:
                found.setdefault(reference_key(doc["pieces"]), int(doc["id"]))
            except (TypeError, ValueError):
                continue  # a damaged chunk is never reused
    return found


def _short(digest: Any) -> str:
    return f"{str(digest)[:12]}…"


def assemble(manifest: Mapping[str, Any], docs: Mapping[int, Mapping[str, Any]]) -> dict:
    """The snapshot {"experts": […]} a manifest names, rebuilt from the stored chunks and packs (`docs`: id →
    document) and checked: every piece against the hash kept beside it, the whole against the manifest's hash and
    size. DomainError (Chinese) naming the first problem: a missing part, an altered piece (which expert), or a
    whole that does not match."""
    want = manifest.get("hash")
    chunk_ids = manifest.get("chunks")
    if not isinstance(want, str) or not isinstance(chunk_ids, list):
        raise DomainError("抽取快照的目录不完整，无法复算")
    entries: list = []
    parts: list[bytes] = []
    for k, chunk_id in enumerate(chunk_ids, 1):
        chunk = docs.get(chunk_id) if isinstance(chunk_id, int) else None
        if chunk is None or chunk.get("kind") != "chunk" or not isinstance(chunk.get("pieces"), list):
            raise DomainError(f"抽取快照（校验值 {_short(want)}）缺少第{k}段（编号 {chunk_id}），无法复算")
        for ref in chunk["pieces"]:
            try:
                pack_id, n = int(ref[0]), int(ref[1])
                pack = docs[pack_id]
                entry, stated = pack["experts"][n], pack["hashes"][n]
                if pack.get("kind") != "pieces" or n < 0:
                    raise KeyError(pack_id)
            except (KeyError, IndexError, TypeError, ValueError):
                raise DomainError(f"抽取快照（校验值 {_short(want)}）第{k}段引用的专家片段 {ref!r} 不存在，无法复算") from None
            data = canonical_piece(entry)
            if piece_hash(data) != stated:
                who = entry.get("id") if isinstance(entry, Mapping) else "?"
                name = entry.get("name") if isinstance(entry, Mapping) else ""
                raise DomainError(f"抽取快照中专家 {who}号（{name or '未填姓名'}）的片段与其校验值不符：快照可能被改动，无法复算")
            entries.append(entry)
            parts.append(data)
    if manifest.get("count") != len(entries) or snapshot_digest(parts) != want:
        raise DomainError(f"由各片段拼成的专家名单与快照校验值（{_short(want)}）不符：快照目录可能被改动，无法复算")
    return {"hash": want, "count": len(entries), "experts": entries}
