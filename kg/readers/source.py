"""Decoding input files: UTF-8 (with or without BOM), UTF-16 and UTF-32 with a BOM.

Undecodable bytes raise :class:`~kg.errors.InputError` naming the file, the line and the
byte offset. :func:`iter_lines` streams a file line by line (JSON lines and CSV never hold
the whole file in memory); :func:`read_text` decodes a whole file (JSON, XML, BibTeX and
the daily-papers text are parsed whole).
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from pathlib import Path

from kg.errors import InputError

__all__ = ["bom_encoding", "iter_lines", "read_head", "read_text"]

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with the same bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def bom_encoding(head: bytes) -> tuple[str, int]:
    """The codec named by the byte-order mark at the start of ``head`` and the BOM's length
    (``("utf-8", 0)`` without a BOM)."""
    for bom, codec in _BOMS:
        if head.startswith(bom):
            return codec, len(bom)
    return "utf-8", 0


def _decode_error(
    path: Path, data: bytes, exc: UnicodeDecodeError, base: int, line: int
) -> InputError:
    """An InputError for ``exc`` raised while decoding ``data`` (which starts at byte
    ``base`` of the file, on line ``line``)."""
    line += data.count(b"\n", 0, exc.start)
    offset = base + exc.start
    return InputError(
        str(path), line, f"cannot decode bytes as {exc.encoding} at byte offset {offset}"
    )


def _whole_error(path: Path, data: bytes, skip: int, exc: UnicodeDecodeError) -> InputError:
    """An InputError for ``exc`` raised while decoding ``data[skip:]`` in one go."""
    before = data[skip : skip + exc.start].decode(exc.encoding, "replace")
    return InputError(
        str(path), before.count("\n") + 1,
        f"cannot decode bytes as {exc.encoding} at byte offset {skip + exc.start}",
    )


def read_text(path: Path) -> str:
    """The whole text of ``path``, decoded according to its BOM (UTF-8 by default)."""
    data = path.read_bytes()
    codec, skip = bom_encoding(data[:4])
    try:
        return data[skip:].decode(codec)
    except UnicodeDecodeError as exc:
        raise _whole_error(path, data, skip, exc) from None


def read_head(path: Path, size: int = 65536) -> tuple[str, bool]:
    """The decoded first ``size`` bytes of ``path`` and whether that is the whole file.

    A multi-byte character cut at the end of the head is dropped, not an error.
    """
    with path.open("rb") as fh:
        data = fh.read(size + 1)
    complete = len(data) <= size
    data = data[:size]
    codec, skip = bom_encoding(data[:4])
    decoder = codecs.getincrementaldecoder(codec)()
    try:
        return decoder.decode(data[skip:], final=complete), complete
    except UnicodeDecodeError as exc:
        raise _whole_error(path, data, skip, exc) from None


def iter_lines(path: Path, chunk_size: int = 1 << 16) -> Iterator[tuple[int, str]]:
    """Stream ``(line number, line)`` pairs of ``path``; lines keep their ``\\n`` ending.

    UTF-8 files are split on ``\\n`` bytes and decoded line by line; UTF-16/32 files are
    decoded in chunks. Either way a decoding error names the line and the byte offset.
    """
    with path.open("rb") as fh:
        codec, skip = bom_encoding(fh.read(4))
        fh.seek(skip)
        offset = skip
        if codec == "utf-8":
            for number, raw in enumerate(fh, 1):
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError as exc:
                    raise _decode_error(path, raw, exc, offset, number) from None
                offset += len(raw)
                yield number, text
            return
        decoder = codecs.getincrementaldecoder(codec)()
        number, pending = 1, ""
        while True:
            chunk = fh.read(chunk_size)
            buffered = decoder.getstate()[0]
            try:
                pending += decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                good = (buffered + chunk)[: exc.start].decode(codec, "replace")
                raise InputError(
                    str(path), number + pending.count("\n") + good.count("\n"),
                    f"cannot decode bytes as {codec} at byte offset "
                    f"{offset - len(buffered) + exc.start}",
                ) from None
            offset += len(chunk)
            *complete, pending = pending.split("\n")
            for text in complete:
                yield number, text + "\n"
                number += 1
            if not chunk:
                if pending:
                    yield number, pending
                return
