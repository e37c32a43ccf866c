"""The saved output directory: the versioned contract between build, load, add and exporters.

Layout (``FORMAT_VERSION`` 2)::

    OUT/manifest.json      format name and version, build info, options, counts
    OUT/papers.jsonl       one Paper per line
    OUT/mentions.jsonl     one Mention per line, as a JSON array (compact)
    OUT/entities.jsonl     one Entity per line
    OUT/links.jsonl        one paper-paper Link per line
    OUT/raw_mentions.npz   the mentions before corpus-level resolution (for kg add/remove),
                           as columns (:mod:`kg.mention_columns`; format version 1 kept them
                           in raw_mentions.jsonl, which is still read)
    OUT/link_state.npz     each paper's entities and which end keeps each link (a cache for
                           kg add/remove: see :mod:`kg.relink`)
    OUT/communities.json   node id -> community number
    OUT/graph.ttl, OUT/graph.html and any other exports
    OUT/.graph.ttl.chunks.json  where each run (a paper, an entity, a paper's links) is in
                                graph.ttl, with a digest (a cache: see :mod:`exports.chunks`;
                                likewise for graph.nt and each .jsonl record file)

The whole directory is written beside the target and swapped in at the end, under a
lock, so a failed or concurrent run never leaves a mix of old and new files.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict
from functools import partial
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.atomic import atomic_directory, remove_stale
from kg.bulk import gc_paused
from kg.errors import LockError, OutputError
from kg.records import BuildInfo, Entity, GraphData, Link, Mention, Paper

if TYPE_CHECKING:
    from exports.chunks import RunDigests

FORMAT = "paper-kg"
FORMAT_VERSION = 2  # 2: raw mentions as columns (raw_mentions.npz); 1 is read, and upgraded when saved
RAW_MENTIONS = "raw_mentions.npz"
_RAW_MENTIONS_V1 = "raw_mentions.jsonl"


_HELD: dict[str, int] = {}  # locks this process holds: path -> nesting depth


@contextlib.contextmanager
def locked(out: str | Path) -> Iterator[None]:
    """Hold an exclusive lock for writing ``out``; :class:`LockError` if another run has it.

    Re-entrant within a process, so an update can hold the lock from reading the old
    graph to writing the new one (nobody else can write in between). Taking it clears what
    a killed run left beside ``out`` (see :func:`kg.atomic.remove_stale`): an update reads
    ``out`` first, so a graph moved aside by a run killed mid-swap is back before that.
    """
    import fcntl

    key = os.path.abspath(out)
    if key in _HELD:
        _HELD[key] += 1
        try:
            yield
        finally:
            _HELD[key] -= 1
        return
    target = Path(key)
    target.parent.mkdir(parents=True, exist_ok=True)
    lock_path = target.parent / f".{target.name}.lock"
    fd = os.open(lock_path, os.O_CREAT | os.O_RDWR, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LockError(f"{out}: another paper-kg run is writing this directory") from None
        _HELD[key] = 1
        try:
            remove_stale(target)
            yield
        finally:
            del _HELD[key]
    finally:
        os.close(fd)


_ENCODE = json.JSONEncoder(ensure_ascii=False).encode  # json.dumps(row, ensure_ascii=False)


def json_spelling(value: Any) -> str:
    """How the record files spell ``value`` (:mod:`kg.saved` searches them for it)."""
    return _ENCODE(value)
_ENCODE_SORTED = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode
_BATCH = 10_000  # lines per write


def _encode_lines(batch: list[Any]) -> str:
    """``batch`` (rows of one kind: all lists or all dicts) as JSON Lines, exactly as
    encoding each row on its own would give, but in one encoder call instead of one per
    row: the rows are encoded as one JSON array and split
    where one row ends and the next begins. When a string could be mistaken for such a
    boundary (the separator occurs more often than between rows), each row is encoded on
    its own."""
    kind = dict if isinstance(batch[0], dict) else list
    encode = _ENCODE_SORTED if kind is dict else _ENCODE
    if all(type(row) is kind for row in batch):
        sep = "}, {" if kind is dict else "], ["
        text = encode(batch)
        if text.count(sep) == len(batch) - 1:
            return text[1:-1].replace(sep, sep[0] + "\n" + sep[-1])
    return "\n".join(map(encode, batch))


def _write_jsonl(path: Path, rows: Iterator[Any]) -> None:
    with path.open("w", encoding="utf-8") as f, gc_paused():
        batch: list[Any] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= _BATCH:
                f.write(_encode_lines(batch) + "\n")
                batch.clear()
        if batch:
            f.write(_encode_lines(batch) + "\n")


def records_fingerprint() -> str:
    """How record rows are spelled: the code that writes them."""
    from exports.chunks import code_digest

    return "rows:" + code_digest("kg.records", "kg.store", "exports.chunks")




def _write_runs(path: Path, runs: Iterable[tuple[str, str, Callable[[], list[Any]]]], *,
                reuse: Path | None) -> None:
    """Write JSON Lines as runs of rows, one run per key (``(key, digest, rows)``, the rows
    made only when needed), and index where each run is (see :mod:`exports.chunks`). A run
    whose digest is the same in the index of ``reuse`` (the previous version of the file)
    is copied from it instead of encoded: the file is the same either way."""
    from exports import chunks

    with gc_paused():  # a run per paper: no collection passes over the graph while listed
        runs = list(runs)
    contiguous = len({key for key, _, _ in runs}) == len(runs)
    if not contiguous:
        reuse = None  # a key in two runs (rows not grouped by key): no index, nothing copied
    earlier: dict[str, list[Any]] = {}
    if reuse is not None and reuse.is_file():
        found = chunks.read_index(reuse, fingerprint=records_fingerprint(), base="",
                                  sections=("rows",))
        earlier = found["rows"] if found else {}
    entries: dict[str, list[Any]] = {}
    with path.open("wb") as out, (reuse.open("rb") if earlier and reuse else
                                  contextlib.nullcontext()) as source, gc_paused():
        sink = chunks.ByteSink(out, source)
        for key, digest, make in runs:
            was = earlier.get(key)
            if was is not None and digest and was[0] == digest:
                entries[key] = [digest, sink.pos, was[2], 0, 0]
                sink.copy(was[1], was[2])
                continue
            rows = make()
            text = (_encode_lines(rows) + "\n").encode() if rows else b""
            entries[key] = [digest, sink.pos, len(text), 0, 0]
            sink.add(text)
        sink.flush()
    if contiguous:
        chunks.write_index(path, chunks.index_path(path), fingerprint=records_fingerprint(),
                           base="", sections={"rows": entries})


def write_records(data: GraphData, directory: Path, *, options: dict[str, Any],
                  reuse: Path | None = None, digests: RunDigests | None = None) -> None:
    """Write the records and manifest of ``data`` into ``directory`` (no exports); with
    ``reuse`` (the previous output directory), unchanged runs of rows (a paper's record,
    its mentions, its links; an entity) are copied from its files (see :func:`_write_runs`)."""
    from exports.chunks import RunDigests, groups

    dg = digests if digests is not None else RunDigests(data)
    old = (lambda name: reuse / name) if reuse is not None else (lambda name: None)
    _write_runs(directory / "papers.jsonl",
                ((p.id, dg.papers.get(p.id, ""), partial(_one_row, p.to_dict)) for p in data.papers),
                reuse=old("papers.jsonl"))
    _write_runs(directory / "mentions.jsonl",
                ((pid, dg.papers.get(pid, ""), partial(_rows, run, Mention.to_row))
                 for pid, run in groups(data.mentions, attrgetter("paper_id"))),
                reuse=old("mentions.jsonl"))
    _write_runs(directory / "entities.jsonl",
                ((e.id, dg.entities.get(e.id, ""), partial(_one_row, e.to_dict))
                 for e in data.entities),
                reuse=old("entities.jsonl"))
    _write_runs(directory / "links.jsonl",
                ((src, dg.links.get(src, ""), partial(_rows, run, _link_row))
                 for src, run in groups(data.links, attrgetter("source"))),
                reuse=old("links.jsonl"))
    (directory / "communities.json").write_text(
        json.dumps(data.communities, sort_keys=True), encoding="utf-8")
    counts: dict[str, Any] = {
        "papers": len(data.papers), "mentions": len(data.mentions),
        "entities": len(data.entities), "links": len(data.links),
        "entities_by_type": {t: sum(1 for e in data.entities if e.type == t)
                             for t in ("benchmark", "dataset", "model", "method")},
    }
    manifest = {
        "format": FORMAT, "format_version": FORMAT_VERSION, "info": asdict(data.info),
        "options": options, "counts": counts,
    }
    (directory / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n",
                                             encoding="utf-8")


@contextlib.contextmanager
def output_directory(out: str | Path) -> Iterator[Path]:
    """Lock ``out`` and yield a temporary directory that replaces it on success.

    Under the lock, what a killed earlier run left beside ``out`` is cleared first (see
    :func:`kg.atomic.remove_stale`). ``out`` must be missing, an empty directory or a
    paper-kg output directory: anything else is refused rather than replaced. An
    ``OSError`` (disk full, permission denied...) becomes an :class:`OutputError`; either
    way the previous ``out`` is left exactly as it was.
    """
    target = Path(os.path.abspath(out))
    try:
        with locked(target):
            remove_stale(target)
            _check_replaceable(target, out)
            with atomic_directory(target) as tmp:
                yield tmp
    except OSError as exc:
        raise OutputError(f"{out}: cannot write the output: {exc.strerror or exc}") from None


def check_target(out: str | Path) -> None:
    """Raise :class:`OutputError` at once if ``out`` can certainly not be written (called
    before a long build; :func:`output_directory` checks again under the lock)."""
    target = Path(os.path.abspath(out))
    _check_replaceable(target, out)
    parent = target.parent
    while not os.path.lexists(parent) and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise OutputError(f"{out}: cannot write the output: {parent} is not a directory")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputError(f"{out}: cannot write the output: permission denied in {parent}")
    if os.path.isdir(target.parent):
        try:
            with locked(target):  # another run is writing it now: say so before building
                pass
        except OSError as exc:
            raise OutputError(f"{out}: cannot write the output: {exc.strerror or exc}") from None


def _check_replaceable(target: Path, shown: str | Path) -> None:
    """Refuse to replace anything but an empty directory or a paper-kg output directory."""
    if not os.path.lexists(target):
        return
    if target.is_symlink():
        raise OutputError(f"{shown}: is a symbolic link; refusing to replace it "
                          "(give the directory it points to)")
    if not target.is_dir():
        raise OutputError(f"{shown}: exists and is not a directory; refusing to replace it")
    manifest = target / "manifest.json"
    if manifest.is_file():
        try:
            if json.loads(manifest.read_bytes()).get("format") == FORMAT:
                return
        except (OSError, ValueError, AttributeError):
            pass
    elif not any(target.iterdir()):
        return
    raise OutputError(
        f"{shown}: exists and is not a paper-kg output directory (no paper-kg manifest.json); "
        "refusing to replace it: choose a new or empty directory"
    )


def read_manifest(out: str | Path) -> dict[str, Any]:
    """The manifest of an output directory; :class:`OutputError` if it is not one we can read."""
    path = Path(out) / "manifest.json"
    if not path.is_file():
        raise OutputError(f"{out}: not a paper-kg output directory (no manifest.json)")
    try:
        manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise OutputError(f"{path}: unreadable manifest: {exc}") from None
    if manifest.get("format") != FORMAT:
        raise OutputError(f"{path}: not a paper-kg manifest")
    version = manifest.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise OutputError(
            f"{out}: output format version {version!r} is newer than this paper-kg supports "
            f"({FORMAT_VERSION}); upgrade paper-kg or rebuild")
    return manifest


def read_records(out: str | Path, *, papers_only: bool = False) -> tuple[GraphData, dict[str, Any]]:
    """Load the records saved by :func:`write_records`.

    ``papers_only`` leaves out the resolved mentions, entities, links and communities (an
    update recomputes them from the raw mentions; at 100k papers they are most of the time
    and memory a load takes).
    """
    out = Path(out)
    manifest = read_manifest(out)

    def rows(name: str) -> Iterator[Any]:
        return (row for _, row in jsonl_rows(out / name))

    with gc_paused():
        try:
            papers = tuple(Paper.from_dict(d) for d in rows("papers.jsonl"))
            info_d = dict(manifest["info"])
            info_d["inputs"] = tuple(info_d.get("inputs", ()))
            info = BuildInfo(**info_d)
            if papers_only:
                return GraphData(papers, (), (), (), info, {}), manifest
            mentions = tuple(Mention.from_row(r) for r in rows("mentions.jsonl"))
            entities = tuple(Entity.from_dict(d) for d in rows("entities.jsonl"))
            links = tuple(Link(d["source"], d["target"], d["weight"], tuple(d["shared"]))
                          for d in rows("links.jsonl"))
            comm_path = out / "communities.json"
            communities = json.loads(comm_path.read_text(encoding="utf-8")) if comm_path.exists() else {}
        except (TypeError, KeyError) as exc:
            raise OutputError(f"{out}: records do not match format version {FORMAT_VERSION}: {exc}") from None
        return GraphData(papers, entities, mentions, links, info, communities), manifest


def write_raw_mentions(directory: Path, mentions: Sequence[Mention]) -> None:
    """Write the pre-resolution mentions that incremental updates start from, as columns
    (:mod:`kg.mention_columns`): they are read whole by every update, and columns load
    several times faster than JSON Lines."""
    from kg.mention_columns import write_columns

    with (directory / RAW_MENTIONS).open("wb") as f:
        write_columns(f, mentions)


def _one_row(make: Callable[[], Any]) -> list[Any]:
    return [make()]


def _rows(items: list[Any], to_row: Callable[[Any], Any]) -> list[Any]:
    return [to_row(x) for x in items]


def _link_row(lk: Link) -> dict[str, Any]:
    return {"source": lk.source, "target": lk.target, "weight": lk.weight, "shared": lk.shared}


def read_raw_mentions(out: str | Path) -> list[Mention] | None:
    """The pre-resolution mentions of a saved graph, or None if it has none."""
    from kg.mention_columns import read_columns

    path = Path(out) / RAW_MENTIONS
    if path.exists():
        return read_columns(str(path), name=str(path))
    path = Path(out) / _RAW_MENTIONS_V1  # written by format version 1
    if not path.exists():
        return None
    mentions = []
    with gc_paused():
        for lineno, row in jsonl_rows(path):
            try:
                mentions.append(Mention.from_row(row))
            except TypeError:
                raise OutputError(f"{path}:{lineno}: corrupt record") from None
    return mentions


def jsonl_rows(path: Path) -> Iterator[tuple[int, Any]]:
    """(line number, parsed row) for each non-blank line of the record file ``path``;
    :class:`OutputError` naming the file (and line) when it is missing, unreadable or
    holds a line that is not JSON."""
    try:
        with path.open(encoding="utf-8") as f:
            for lineno, line in enumerate(f, 1):
                if line.strip():
                    try:
                        yield lineno, json.loads(line)
                    except ValueError:
                        raise OutputError(f"{path}:{lineno}: corrupt record") from None
    except FileNotFoundError:
        raise OutputError(f"{path}: missing from the output directory") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise OutputError(f"{path}: cannot read: {exc}") from None
