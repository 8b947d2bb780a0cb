"""操作日志索引 — (collection, record_id) → the audit lines about that record, without reading the whole log.

An expert's 履历 and a draw's 抽取记录单 need the few lines about one record out of a log that grows for years. The
index keeps, for `audit.jsonl`, the byte offset where each line starts and, per (collection, record_id), the numbers
of its lines. It is built once per file version and shared by every session of the process (one per resolved path;
a forked child builds its own). On each look-up the file is stat'ed: when it only grew — same inode, and the
bytes at the end of what was indexed are still the same (the last line's hash) — only the new tail is read and
indexed; when it was replaced, cut, or rewritten in place (same size, other mtime), the index is rebuilt. Only whole
lines (ending in a newline) are indexed; a line being appended by another process at that moment is picked up by
the next look-up. Look-ups read only the indexed lines (seek + read) and re-check each one's collection and
record_id after parsing; a line that does not match means the file changed under the index, which is then rebuilt
once.

Keys are found without parsing the JSON: AuditLog writes each line as json.dumps of ts, actor, action, collection,
record_id, … in that order with the default separators, so a regular expression anchored at the start of the line
reads the two keys (a key inside a value can never match there). A line of another shape is parsed.
"""
from __future__ import annotations

import json
import os
import re
import threading
from array import array
from itertools import accumulate, count, islice
from operator import add
from pathlib import Path
from typing import Any

from store.locks import PathRegistry

_STR = rb'"[^"\\\n]*(?:\\.[^"\\\n]*)*"'
# The head of every line this module's AuditLog writes: ts, actor, action, then the two keys (json.dumps' default
# separators). Matched at the start of each line, so a key inside a value can never be taken for the line's own.
_HEAD = re.compile(rb'^\{"ts": ' + _STR + rb', "actor": ' + _STR + rb', "action": ' + _STR
                   + rb', "collection": (null|' + _STR + rb'), "record_id": (null|-?\d+)[,}]')
_CHUNK = 8 << 20
_TAIL_CHECK = 64  # bytes before the indexed end compared on each look-up (they hold the last line's hash)

Key = tuple[bytes, bytes]


def raw_key(collection: Any, record_id: Any) -> Key | None:
    """The key as the line spells it: (JSON of the collection, digits of the record id), e.g. (b'"experts"', b'17')."""
    if record_id is not None and (isinstance(record_id, bool) or not isinstance(record_id, int)):
        return None
    try:
        c = json.dumps(collection, ensure_ascii=False).encode("utf-8")
    except (TypeError, ValueError):
        return None
    return c, (b"null" if record_id is None else str(record_id).encode("ascii"))


def _key_of(raw: bytes) -> Key | None:
    """The key of a line of another shape than AuditLog writes (written by hand, by an older tool): parsed."""
    m = _HEAD.match(raw)
    if m is not None:
        return m.group(1), m.group(2)
    try:
        entry = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(entry, dict):
        return None
    return raw_key(entry.get("collection"), entry.get("record_id"))


class AuditIndex:
    """The index of one audit file (see the module docstring)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.lock = threading.Lock()
        self._reset()

    def _reset(self) -> None:
        self.ino: int | None = None
        self.end = 0  # bytes indexed: whole lines only
        self.mtime_ns: int | None = None
        self.check = b""
        self.starts = array("q")  # where line n (0-based) starts
        self.by_key: dict[Key, list[int]] = {}  # line numbers per (collection, record_id) as spelled in the line
        self.keys_of: dict[bytes, list[Key]] = {}  # the keys seen per collection
        self.builds = 0  # how many times the index was (re)built from the start (for tests and benchmarks)

    # --- keeping up with the file ------------------------------------------------------------------------
    def _refresh(self, f) -> None:
        st = os.fstat(f.fileno())
        stale = (st.st_ino != self.ino or st.st_size < self.end
                 or (st.st_size == self.end and st.st_mtime_ns != self.mtime_ns))
        if not stale and self.end:
            f.seek(self.end - len(self.check))
            stale = f.read(len(self.check)) != self.check
        if stale:
            builds = self.builds
            self._reset()
            self.builds = builds + 1
            self.ino = st.st_ino
        if st.st_size > self.end:
            self._index_tail(f, st.st_size)
        if self.end == st.st_size:
            self.mtime_ns = st.st_mtime_ns

    def _index_tail(self, f, size: int) -> None:
        f.seek(self.end)
        pos, carry = self.end, b""
        while pos < size:
            chunk = f.read(min(_CHUNK, size - pos))
            if not chunk:
                break
            pos += len(chunk)
            buf = carry + chunk
            cut = buf.rfind(b"\n")
            if cut < 0:
                carry = buf
                continue
            carry = buf[cut + 1:]
            self._index_lines(buf[:cut + 1], self.end)
            self.end += cut + 1
        if self.end:
            f.seek(max(0, self.end - _TAIL_CHECK))
            self.check = f.read(min(_TAIL_CHECK, self.end))

    def _index_lines(self, body: bytes, base: int) -> None:
        """Index the whole lines in `body` (it ends with a newline), which starts at byte `base` of the file."""
        lines = body[:-1].split(b"\n")
        first = len(self.starts)
        # line i starts at base + (lengths of the lines before it) + i newlines
        self.starts.extend(islice(map(add, accumulate(map(len, lines), initial=base), count()), len(lines)))
        by_key, keys_of = self.by_key, self.keys_of
        for number, raw, m in zip(count(first), lines, map(_HEAD.match, lines)):
            key = m.group(1, 2) if m is not None else (_key_of(raw) if raw.strip() else None)
            if key is None:
                continue
            found = by_key.get(key)
            if found is None:
                found = by_key[key] = []
                keys_of.setdefault(key[0], []).append(key)
            found.append(number)

    # --- look-ups ----------------------------------------------------------------------------------------
    def _numbers(self, collection: Any, record_id: Any, collection_given: bool) -> list[int]:
        if not collection_given:  # that record id in any collection
            key = raw_key(None, record_id)
            if key is None:
                return []
            found = [n for c in self.keys_of for n in self.by_key.get((c, key[1]), ())]
            return sorted(found)
        key = raw_key(collection, record_id)
        if key is None:
            return []
        if record_id is None:  # the whole collection
            return sorted(n for k in self.keys_of.get(key[0], ()) for n in self.by_key[k])
        return list(self.by_key.get(key, ()))

    def _read(self, f, numbers: list[int]) -> list[tuple[int, bytes]]:
        out = []
        for n in numbers:
            start = self.starts[n]
            end = self.starts[n + 1] if n + 1 < len(self.starts) else self.end
            f.seek(start)
            out.append((n, f.read(end - start).rstrip(b"\n")))
        return out

    def lines(self, collection: Any, record_id: Any, *, collection_given: bool = True) -> list[tuple[int, dict]]:
        """(0-based line number, parsed line) of every line about `collection` / `record_id` (record_id None with a
        collection: the whole collection; collection None and not `collection_given`: that record id in any
        collection), oldest first. Lines that do not parse are left out (verify() reports them)."""
        with self.lock:
            try:
                f = open(self.path, "rb")
            except FileNotFoundError:
                self._reset()
                return []
            with f:
                for attempt in (0, 1):
                    self._refresh(f)
                    numbers = self._numbers(collection, record_id, collection_given)
                    out, consistent = [], True
                    for n, raw in self._read(f, numbers):
                        try:
                            entry = json.loads(raw)
                        except ValueError:
                            consistent = raw.startswith(b"{") and raw.endswith(b"}")  # a broken line, not a shift
                            if consistent:
                                continue
                            break
                        if not isinstance(entry, dict):
                            continue
                        if (collection_given and entry.get("collection") != collection) or \
                                (record_id is not None and entry.get("record_id") != record_id):
                            consistent = False
                            break
                        out.append((n, entry))
                    if consistent:
                        return out
                    self.ino = None  # the file changed under the index: rebuild once
            return out

    def line_count(self) -> int:
        with self.lock:
            return len(self.starts)


_indexes: PathRegistry[AuditIndex] = PathRegistry(AuditIndex)


def index_for(path: Path) -> AuditIndex:
    """The process-wide index of the audit file at `path`."""
    return _indexes.get(path)
