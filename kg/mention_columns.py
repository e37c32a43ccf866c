"""Mentions as columns: the compact file an update loads its raw mentions from.

``kg add`` and ``kg remove`` start from every paper's pre-resolution mentions (1.5 million at
100k papers). As JSON Lines they took most of an update's load time (one ``json.loads`` and
one list per mention); as columns they are a few numpy arrays: each string column is a
table of its distinct values plus one integer code per mention, each number column an array.
The file is an ``.npz`` of numeric arrays only (no object arrays, so nothing is pickled) and
is read with ``allow_pickle`` off, so a crafted file cannot run code; on reading, every
column's kind, shape and length is checked, and every code against its table.

>>> import io
>>> from kg.records import new_mention
>>> ms = [new_mention("p1", "abstract", 0, 5, "BERT", "model", "bert", "lexicon", 1.0, 0, 20, "")]
>>> buf = io.BytesIO()
>>> write_columns(buf, ms)
>>> _ = buf.seek(0)
>>> read_columns(buf, name="example") == ms
True
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import accumulate
from operator import attrgetter
from typing import IO, Any

from kg.bulk import gc_paused
from kg.errors import OutputError
from kg.records import Mention, new_mention

COLUMNS_VERSION = 1
# columns in Mention's field order: strings are stored as (table, codes), numbers as arrays
_STRING = ("paper_id", "field", "text", "type", "key", "rule", "entity")
_INT = ("start", "end", "sent_start", "sent_end")
_FLOAT = ("confidence",)
_ORDER = ("paper_id", "field", "start", "end", "text", "type", "key", "rule", "confidence",
          "sent_start", "sent_end", "entity")
assert _ORDER == Mention.__slots__  # a new field must be given a column here


def write_columns(f: IO[bytes], mentions: Sequence[Mention]) -> None:
    """Write ``mentions`` (in order) to the binary file ``f`` as columns."""
    import numpy as np

    arrays: dict[str, Any] = {"version": np.array([COLUMNS_VERSION], dtype=np.int32)}
    with gc_paused():
        for name in _STRING:
            column = list(map(attrgetter(name), mentions))
            values = list(dict.fromkeys(column))  # distinct, in first-seen order
            code_of = {s: i for i, s in enumerate(values)}
            codes = np.fromiter(map(code_of.__getitem__, column), dtype=np.int32, count=len(column))
            # the strings joined, with their lengths in characters: any text survives (a
            # separator character could occur inside a mention)
            arrays[f"{name}.text"] = np.frombuffer("".join(values).encode("utf-8"), dtype=np.uint8)
            arrays[f"{name}.lengths"] = np.array([len(s) for s in values], dtype=np.int64)
            arrays[name] = codes
        for name in _INT:
            arrays[name] = np.array(list(map(attrgetter(name), mentions)), dtype=np.int64)
        for name in _FLOAT:
            arrays[name] = np.array(list(map(attrgetter(name), mentions)), dtype=np.float64)
    np.savez(f, **arrays)


def read_columns(f: IO[bytes] | str, *, name: str) -> list[Mention]:
    """The mentions written by :func:`write_columns`; :class:`OutputError` naming ``name``
    (the file shown to the user) when the file is not such a file or is damaged."""
    import zipfile

    import numpy as np

    try:
        try:
            z = np.load(f, allow_pickle=False)
        except ValueError:  # numpy took it for a pickle: its advice to allow pickles is wrong here
            raise OutputError(f"{name}: not a file of mention columns (damaged, or not written "
                              "by paper-kg); rebuild the graph") from None
        if not isinstance(z, np.lib.npyio.NpzFile):
            raise OutputError(f"{name}: not a file of mention columns")
        with z:
            version = z["version"]
            if version.shape != (1,) or version.dtype.kind not in "iu":
                raise OutputError(f"{name}: not a file of mention columns")
            if int(version[0]) != COLUMNS_VERSION:
                raise OutputError(f"{name}: mention columns of version {int(version[0])}, "
                                  f"this paper-kg reads version {COLUMNS_VERSION}; rebuild")
            n = len(_column(z, "start", "iu", name))
            columns: dict[str, list[Any]] = {}
            with gc_paused():
                for col in _STRING:
                    table = _table(_column(z, f"{col}.text", "u", name),
                                   _column(z, f"{col}.lengths", "iu", name), name=name, column=col)
                    codes = _column(z, col, "iu", name, n)
                    if n and (codes.min() < 0 or codes.max() >= len(table)):
                        raise OutputError(f"{name}: damaged mention column {col!r}")
                    columns[col] = [table[i] for i in codes.tolist()]
                for col in _INT:
                    columns[col] = _column(z, col, "iu", name, n).tolist()
                for col in _FLOAT:
                    columns[col] = _column(z, col, "f", name, n).tolist()
                return list(map(new_mention, *(columns[c] for c in _ORDER)))
    except OutputError:
        raise
    except (OSError, ValueError, KeyError, EOFError, TypeError, NotImplementedError,
            zipfile.BadZipFile) as exc:
        raise OutputError(f"{name}: unreadable mention columns ({exc})") from None


def _column(z: Any, key: str, kinds: str, name: str, n: int | None = None) -> Any:
    """The 1-D array ``key`` of ``z``, of one of the dtype ``kinds`` (and length ``n``)."""
    array = z[key]
    if array.ndim != 1 or array.dtype.kind not in kinds or (n is not None and len(array) != n):
        raise OutputError(f"{name}: damaged mention column {key.split('.')[0]!r}")
    return array


def _table(blob: Any, lengths: Any, *, name: str, column: str) -> list[str]:
    try:
        text = blob.tobytes().decode("utf-8")
    except UnicodeDecodeError:
        raise OutputError(f"{name}: damaged mention column {column!r} (not UTF-8)") from None
    sizes = lengths.tolist()
    if any(s < 0 for s in sizes) or sum(sizes) != len(text):
        raise OutputError(f"{name}: damaged mention column {column!r}")
    ends = list(accumulate(sizes))
    return [text[a:b] for a, b in zip([0, *ends], ends, strict=False)]
