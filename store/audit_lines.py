"""操作日志行的内容 — what an audit line says about a record: what changed, not the whole record (issue 17, X-L1).

A repository write is logged as a compact line (`"v": 2`):
- 新建 (insert): `before` null, `after` the record;
- 修改 (update): `before` and `after` hold ONLY the top-level fields that changed — a field in `before` but not in
  `after` was removed, one in `after` but not in `before` was added (a nested change shows as its top-level field,
  old value → new value);
- 删除 (delete): `before` a copy of the record, `after` null;
and always `before_sha256` / `after_sha256`: the SHA-256 of the whole stored record (its canonical JSON: sorted
keys, no spaces, UTF-8 — `record_sha256`) before and after the write (null on the side where there is none), so
each step's full content is provable against the data file although the line no longer carries it.

A value whose canonical JSON is longer than DIGEST_OVER bytes is written as its digest instead (16 KB: above the
longest text an expert field may hold, 4,000 characters, so an expert's 履历 reads exactly as before; a draw's
result, a pool, a long list are digested): `{"$digest": "sha256", "sha256": <SHA-256 of the value's canonical JSON>, "bytes": <its length>}`.
And whatever the record, no line is longer than LINE_LIMIT (64 KB): `bound_entry` replaces the largest values by
their digests until the line fits, then, if it must, a whole side.

Redacted fields (passwords, session tokens, photos …) read 〔已隐藏〕, and 〔已隐藏，本次已更改〕 on the side that
changed; an unchanged redacted field is not mentioned in an update line. Lines written before 2026-12 (no "v":
the whole record before and after) stay as they are and keep verifying; readers use `record_change(line)`, which
gives old and new lines in one shape (kind, changed fields old → new, record hashes when known).
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

FORMAT = 2
DIGEST_OVER = 16384  # bytes of a value's canonical JSON above which a line carries its digest, not the value
LINE_LIMIT = 65536  # no audit line (with its newline) is longer than this
REDACTED = "〔已隐藏〕"
REDACTED_CHANGED = "〔已隐藏，本次已更改〕"
DIGEST_MARK = "$digest"

INSERT, UPDATE, DELETE, EVENT = "新建", "修改", "删除", "事件"


def canonical(value: Any) -> bytes:
    """The canonical JSON of a value (sorted keys, no spaces, UTF-8): what the hashes are taken of."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False).encode("utf-8")


def record_sha256(body: dict | None) -> str | None:
    """The SHA-256 of a stored record (as in the data file: without "id"), None for no record."""
    return None if body is None else hashlib.sha256(canonical(body)).hexdigest()


def digest_of(value: Any) -> dict:
    raw = canonical(value)
    return {DIGEST_MARK: "sha256", "sha256": hashlib.sha256(raw).hexdigest(), "bytes": len(raw)}


def is_digest(value: Any) -> bool:
    return isinstance(value, dict) and value.get(DIGEST_MARK) == "sha256" and isinstance(value.get("sha256"), str)


def digest_text(value: dict) -> str:
    """How a digest reads on screen."""
    return f"〔内容较长（{value.get('bytes')} 字节），日志只记摘要 SHA-256 {str(value.get('sha256'))[:16]}…〕"


def _small(value: Any) -> Any:
    if isinstance(value, str) and len(value) * 6 + 2 <= DIGEST_OVER:
        return value  # short text: no need to measure
    if isinstance(value, (str, list, dict)) and len(canonical(value)) > DIGEST_OVER:
        return digest_of(value)
    return value


def compact_row(before: dict | None, after: dict | None, hidden: set[str] | frozenset[str] = frozenset()
                ) -> tuple[dict | None, dict | None, dict]:
    """(before, after, extra fields) of the compact line about one record write (see the module docstring)."""
    extra = {"v": FORMAT, "before_sha256": record_sha256(before), "after_sha256": record_sha256(after)}

    def shown(key: str, value: Any, changed: bool) -> Any:
        if key in hidden:
            return REDACTED_CHANGED if changed else REDACTED
        return _small(value)

    if before is None or after is None:
        side = before if after is None else after
        body = None if side is None else {k: shown(k, v, False) for k, v in side.items()}
        return (body, None, extra) if after is None else (None, body, extra)
    keys = list(before) + [k for k in after if k not in before]
    changed = [k for k in keys if (k in before) != (k in after) or before[k] != after[k]]
    old = {k: shown(k, before[k], False) for k in changed if k in before}
    new = {k: shown(k, after[k], k in before) for k in changed if k in after}
    return old, new, extra


def _line_bytes(entry: dict) -> int:
    return len(json.dumps(entry, ensure_ascii=False, allow_nan=False).encode("utf-8")) + 1


def bound_entry(entry: dict, limit: int = LINE_LIMIT) -> dict:
    """`entry` (a line before its hash is added) made to fit `limit` bytes: its largest before/after values, then
    a whole side, replaced by their digests (with room kept for the hash)."""
    room = limit - 100  # `, "hash": "<64 hex>"`
    if _line_bytes(entry) <= room:
        return entry
    entry = dict(entry)
    for side in ("before", "after"):
        if isinstance(entry.get(side), dict):
            entry[side] = dict(entry[side])
    while True:
        excess = _line_bytes(entry) - room
        if excess <= 0:
            break
        candidates = sorted(((len(canonical(v)), side, k) for side in ("before", "after")
                             if isinstance(entry.get(side), dict) for k, v in entry[side].items()
                             if not is_digest(v) and len(canonical(v)) > 200), reverse=True)
        for size, side, k in candidates:  # the largest first, as many as the excess needs
            entry[side][k] = digest_of(entry[side][k])
            excess -= size - 120
            if excess <= 0:
                break
        if candidates:
            continue  # measure again
        sides = [s for s in ("before", "after") if entry.get(s) is not None and not is_digest(entry[s])]
        if not sides:
            break  # only the fixed fields are left (they are short: code-given action, a user name)
        side = max(sides, key=lambda s: len(canonical(entry[s])))
        entry[side] = digest_of(entry[side])
    entry["v"] = FORMAT
    return entry


class _Missing:
    """The side of a field change where the field did not exist."""
    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING: Any = _Missing()


@dataclass(frozen=True)
class FieldChange:
    key: str
    before: Any  # MISSING: the field was not there (added)
    after: Any  # MISSING: the field was removed


@dataclass(frozen=True)
class RecordChange:
    """One audit line in a uniform shape, whatever its format (old: whole records; v2: changed fields only)."""
    line: dict
    kind: str  # INSERT, UPDATE, DELETE or EVENT (a line that is not a record write: a backup, an export …)
    fields: tuple[FieldChange, ...]  # insert: every field; update: the changed ones; delete: every field
    before_sha256: str | None = None  # the whole record's hash, when the line carries it (v2)
    after_sha256: str | None = None

    @property
    def ts(self) -> str:
        return str(self.line.get("ts"))

    @property
    def actor(self) -> str:
        return str(self.line.get("actor"))

    @property
    def action(self) -> str:
        return str(self.line.get("action"))

    @property
    def is_insert(self) -> bool:
        return self.kind == INSERT

    @property
    def is_update(self) -> bool:
        return self.kind == UPDATE

    @property
    def is_delete(self) -> bool:
        return self.kind == DELETE

    def before(self, *, readable: bool = False) -> dict:
        """The changed fields' old values (every field for a delete), as logged; `readable`: a digest as its text."""
        return {f.key: _readable(f.before, readable) for f in self.fields if f.before is not MISSING}

    def after(self, *, readable: bool = False) -> dict:
        """The changed fields' new values (every field for an insert), as logged; `readable`: a digest as its text."""
        return {f.key: _readable(f.after, readable) for f in self.fields if f.after is not MISSING}


def _readable(value: Any, readable: bool) -> Any:
    return digest_text(value) if readable and is_digest(value) else value


def _opaque(side: Any) -> Any:
    """A side that `bound_entry` had to replace by its digest reads as one field."""
    return {"（整条记录）": side} if is_digest(side) else side


def record_change(line: dict) -> RecordChange:
    """The change an audit line records, in one shape for old (whole-record) and new (v2, changed-fields) lines."""
    before, after = (_opaque(line.get(side)) for side in ("before", "after"))
    hashes = (line.get("before_sha256"), line.get("after_sha256")) if line.get("v") == FORMAT else (None, None)
    if before is None and isinstance(after, dict):
        return RecordChange(line, INSERT, tuple(FieldChange(k, MISSING, v) for k, v in after.items()), *hashes)
    if isinstance(before, dict) and after is None:
        return RecordChange(line, DELETE, tuple(FieldChange(k, v, MISSING) for k, v in before.items()), *hashes)
    if isinstance(before, dict) and isinstance(after, dict):
        keys = list(before) + [k for k in after if k not in before]
        fields = tuple(FieldChange(k, before.get(k, MISSING), after.get(k, MISSING)) for k in keys
                       if (k in before) != (k in after) or before[k] != after[k])
        return RecordChange(line, UPDATE, fields, *hashes)
    return RecordChange(line, EVENT, (), *hashes)
