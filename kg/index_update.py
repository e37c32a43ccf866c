"""Updating an output directory's SPARQL index after ``kg add``/``kg remove`` instead of
rebuilding it.

Every triple of ``graph.ttl`` (or ``graph.nt``) belongs to exactly one run of bytes: a
paper with its mention annotations, an entity, one paper's outgoing links, or the closing
provenance and counts (runs hold distinct subjects). The chunk index beside the file
(:mod:`exports.chunks`) gives each run's place and a digest of what it was rendered from.
So the triples of the new file are those of the old file, minus the old runs whose digest
changed or that are gone, plus the new runs that changed or are new. Those two sets are
parsed from the two files and applied to the old Oxigraph store, which then describes the
new file exactly; its stamp is written last, so a store interrupted half-way is never
trusted and the next query rebuilds it.

When the update starts, :func:`keep_index` hard-links the indexed file and its chunk index
into a temporary directory (the old directory is deleted when the new one is swapped in);
:func:`move_index` moves the index there just before the swap, so queries use it while the
update runs; :func:`update_index` applies the difference and moves the store into the new
directory. Whenever something does not line up (a stale index, another writer version, a
file without a chunk index), nothing is applied and the caller rebuilds the index.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

_BATCH_BYTES = 16 * 2**20  # parsed and applied per step: bounds the memory of an update
# Removing a triple from an on-disk store and adding one cost more than bulk-loading two
# (at 10k papers, an update in place of changed runs under half the file took as long as
# a rebuild: benchmarks/results-updates.md as committed in f393b1f): when the changed runs
# (old and new) exceed a quarter of the new file, the caller rebuilds the index instead.
_REBUILD_SHARE = 0.25


def keep_index(out: str | Path) -> Path | None:
    """A temporary directory beside ``out`` (``.NAME.sparql-XXXXXXXX``, see
    :func:`clear_kept`) with hard links to the file ``out``'s up-to-date SPARQL index
    describes and to that file's chunk index (the index itself follows with
    :func:`move_index`); None when there is no such index or the file cannot be linked.
    Call it holding the lock on ``out``."""
    from exports.chunks import index_path
    from kg.sparql import INDEX_DIR, index_stamp, resolve_source

    out = Path(os.path.abspath(out))
    index = out / INDEX_DIR
    try:
        source = resolve_source(out)
        stamp = json.loads((index / "source.json").read_text(encoding="utf-8"))
    except Exception:  # noqa: BLE001 - any doubt: no incremental update
        return None
    if stamp != index_stamp(source) or not index_path(source).is_file():
        return None
    # not named like kg.atomic's temporaries: the save of the new directory clears those
    kept = Path(tempfile.mkdtemp(prefix=f".{out.name}.sparql-", dir=out.parent))
    try:
        os.link(source, kept / source.name)
        os.link(index_path(source), kept / index_path(source).name)
    except OSError:
        shutil.rmtree(kept, ignore_errors=True)
        return None
    return kept


def move_index(out: str | Path, kept: Path) -> None:
    """Move ``out``'s index into ``kept`` (called just before the new directory replaces
    ``out``, so queries use the index until then); nothing when it is gone."""
    from kg.sparql import INDEX_DIR

    with contextlib.suppress(OSError):
        os.rename(Path(out) / INDEX_DIR, kept / INDEX_DIR)


def clear_kept(out: str | Path) -> bool:
    """Delete what a killed update left beside ``out`` (a moved-aside index); True if there
    was something, i.e. ``out`` had an index that the next update should rebuild. Call it
    holding the lock on ``out``."""
    target = Path(os.path.abspath(out))
    pattern = re.compile(rf"\.{re.escape(target.name)}\.sparql-[A-Za-z0-9_]{{8}}")
    found = False
    try:
        entries = list(target.parent.iterdir())
    except OSError:
        return False
    for entry in entries:
        if pattern.fullmatch(entry.name) and entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
            found = True
    return found


def restore_index(out: str | Path, kept: Path) -> None:
    """Put an index moved aside by :func:`keep_index` back (the update wrote nothing)."""
    from kg.sparql import INDEX_DIR

    target = Path(out) / INDEX_DIR
    if Path(out).is_dir() and not target.exists():
        try:
            os.rename(kept / INDEX_DIR, target)
        except OSError:
            pass
    shutil.rmtree(kept, ignore_errors=True)


def update_index(out: str | Path, kept: Path,
                 progress: Callable[[str], None] | None = None) -> bool:
    """Bring the index kept by :func:`keep_index` up to date with ``out``'s new graph file
    and move it into ``out``; False (and the kept index deleted) when it cannot be done
    incrementally, in which case the caller rebuilds it."""
    from kg.sparql import INDEX_DIR, index_stamp, resolve_source

    try:
        new = resolve_source(out)
        old = kept / new.name
        if not old.is_file():
            return False
        if os.path.samefile(old, new):  # nothing was written: the index still fits
            restore_index(out, kept)
            return True
        if not (kept / INDEX_DIR).is_dir():
            return False
        diff = _changed_runs(old, new)
        if diff is None:
            return False
        removed, added = diff
        changed = sum(length for _, length in removed) + sum(length for _, length in added)
        share = changed / max(new.stat().st_size, 1)
        if share > _REBUILD_SHARE:
            return False  # much of the graph changed: a bulk load is faster
        if progress is not None:
            progress(f"updating the SPARQL index of {new} ({len(added):,} changed runs, "
                     f"{share:.0%} of the file)")
        store_dir = kept / INDEX_DIR
        _apply(store_dir, old, removed, new, added)
        (store_dir / "source.json").write_text(json.dumps(index_stamp(new)), encoding="utf-8")
        os.rename(store_dir, Path(out) / INDEX_DIR)
        return True
    except Exception:  # noqa: BLE001 - the caller rebuilds the index: never fail the update
        return False
    finally:
        shutil.rmtree(kept, ignore_errors=True)


Ranges = list[tuple[int, int]]


def _changed_runs(old: Path, new: Path) -> tuple[Ranges, Ranges] | None:
    """Byte ranges of the runs to remove (in ``old``) and to add (in ``new``), or None when
    the two chunk indexes are not both trustworthy and from the same writer."""
    from exports import chunks

    try:
        meta = json.loads(chunks.index_path(new).read_text(encoding="utf-8"))
        fingerprint, base = meta["fingerprint"], meta["base"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    before = chunks.read_index(old, fingerprint=fingerprint, base=base)
    after = chunks.read_index(new, fingerprint=fingerprint, base=base)
    if before is None or after is None or not (_covered(old, before) and _covered(new, after)):
        return None
    removed: Ranges = []
    added: Ranges = []
    for section in chunks.SECTIONS:
        was, now = before[section], after[section]
        for key, entry in was.items():
            other = now.get(key)
            if other is None or other[0] != entry[0] or not entry[0]:
                removed.append((entry[1], entry[2]))
        for key, entry in now.items():
            other = was.get(key)
            if other is None or other[0] != entry[0] or not entry[0]:
                added.append((entry[1], entry[2]))
    return sorted(removed), sorted(added)


def _covered(path: Path, sections: dict[str, dict[str, list[Any]]]) -> bool:
    """True when the runs and the header before them are the whole file (a writer that
    could not use runs for a section leaves bytes no run describes: the patch would miss
    them)."""
    entries = [e for name in sections for e in sections[name].values()]
    first = min((e[1] for e in entries), default=0)
    return first + sum(e[2] for e in entries) == path.stat().st_size


def _apply(store_dir: Path, old: Path, removed: Ranges, new: Path, added: Ranges) -> None:
    import pyoxigraph as ox

    from kg.sparql import _OX_FORMATS

    fmt = _OX_FORMATS[new.suffix.lower()]
    store = ox.Store(str(store_dir))
    try:
        for text in _batches(old, removed):
            for quad in ox.parse(text, format=fmt):
                store.remove(quad)
        for text in _batches(new, added):
            store.extend(ox.parse(text, format=fmt))
        store.flush()
    finally:
        del store  # closes the database before it is moved


def _batches(path: Path, ranges: Ranges) -> Iterator[bytes]:
    """The runs at ``ranges`` of ``path`` in parseable batches: each starts with the file's
    header (its prefixes: the bytes before the first run)."""
    from exports import chunks

    with path.open("rb") as f:
        fd = f.fileno()
        header = _header(path, chunks)
        batch: list[bytes] = []
        size = 0
        for start, length in ranges:
            batch.append(os.pread(fd, length, start))
            size += length
            if size >= _BATCH_BYTES:
                yield header + b"".join(batch)
                batch, size = [], 0
        if batch:
            yield header + b"".join(batch)


def _header(path: Path, chunks: Any) -> bytes:
    meta = json.loads(chunks.index_path(path).read_text(encoding="utf-8"))
    first = min((e[1] for name in chunks.SECTIONS for e in meta[name].values()), default=0)
    with path.open("rb") as f:
        return f.read(first)
