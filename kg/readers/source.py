"""Decoding input files: UTF-8 (with or without BOM), UTF-16 and UTF-32 with a BOM.

Undecodable bytes raise :class:`~kg.errors.InputError` naming the file, the line and the
byte offset. :func:`iter_lines` streams a file line by line (JSON lines and CSV never hold
the whole file in memory); :func:`read_text` decodes a whole file (JSON, XML, BibTeX and
the daily-papers text are parsed whole).

Limits that keep memory bounded on hostile input:

* a line longer than :data:`MAX_LINE_BYTES` (50 MiB) is never held in memory: the
  streaming readers skip it with a warning;
* a file parsed whole may be at most :data:`MAX_WHOLE_FILE_BYTES` (256 MiB); a larger one
  is an error that suggests JSON lines, which are streamed.

Legacy encodings: BibTeX, CSV/TSV and the daily-papers text are often saved as Latin-1 /
Windows-1252. For these formats (``legacy=True``) a file without a BOM that is not valid
UTF-8 is decoded as Windows-1252 (bytes it leaves undefined as Latin-1), and the readers
report one warning naming the first offending line and byte. JSON must be UTF-8 (RFC 8259)
and has no fallback; Atom XML honours the encoding named in its XML declaration.
"""

from __future__ import annotations

import codecs
import os
import stat
from collections.abc import Iterator
from pathlib import Path

from kg.errors import InputError

__all__ = [
    "LEGACY_ENCODING",
    "MAX_LINE_BYTES",
    "MAX_WHOLE_FILE_BYTES",
    "EncodingFallback",
    "LongLineError",
    "bom_encoding",
    "check_regular_file",
    "decode_legacy",
    "iter_lines",
    "legacy_note",
    "read_bytes",
    "read_head",
    "read_text",
    "read_text_lenient",
]

MAX_LINE_BYTES = 50 * 1024 * 1024
MAX_WHOLE_FILE_BYTES = 256 * 1024 * 1024
LEGACY_ENCODING = "Windows-1252 (Latin-1)"

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with the same bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def _latin1_rest(exc: UnicodeError) -> tuple[str, int]:
    """Codec error handler: the bytes Windows-1252 leaves undefined, read as Latin-1."""
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    return exc.object[exc.start : exc.end].decode("latin-1"), exc.end


codecs.register_error("kg-latin-1", _latin1_rest)


def decode_legacy(data: bytes) -> str:
    """``data`` decoded as Windows-1252, with its five undefined bytes taken as Latin-1
    (never fails)."""
    return data.decode("cp1252", errors="kg-latin-1")


def bom_encoding(head: bytes) -> tuple[str, int]:
    """The codec named by the byte-order mark at the start of ``head`` and the BOM's length
    (``("utf-8", 0)`` without a BOM)."""
    for bom, codec in _BOMS:
        if head.startswith(bom):
            return codec, len(bom)
    return "utf-8", 0


def check_regular_file(path: Path) -> None:
    """Raise InputError unless ``path`` is a regular file (or a link to one).

    Reading a FIFO would block forever and a device (``/dev/zero``) never ends, so only
    regular files are read.
    """
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise InputError(str(path), None, "no such file or directory") from None
    except OSError as exc:
        raise InputError(str(path), None, f"cannot read file: {exc.strerror or exc}") from None
    if stat.S_ISREG(mode):
        return
    if stat.S_ISDIR(mode):
        problem = "is a directory, not a file"
    elif stat.S_ISFIFO(mode):
        problem = "is a named pipe (FIFO), not a regular file; save the data to a file first"
    elif stat.S_ISSOCK(mode):
        problem = "is a socket, not a regular file"
    elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        problem = "is a device, not a regular file"
    else:
        problem = "is not a regular file"
    raise InputError(str(path), None, problem)


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


class EncodingFallback(InputError):
    """Not a bad record but a warning: a file that is not UTF-8 was read as Windows-1252.

    With ``strict`` reading (``kg build --strict``) there is no fallback: the error of
    :meth:`strict_error` is raised instead.
    """

    skipped = False  # nothing was left out

    def __init__(self, path: str, line: int, offset: int) -> None:
        self.offset = offset
        super().__init__(
            path, line,
            f"not valid UTF-8 (first bad byte at offset {offset}); read as {LEGACY_ENCODING}",
        )

    def strict_error(self) -> InputError:
        return InputError(
            self.path, self.line,
            f"cannot decode bytes as utf-8 at byte offset {self.offset} "
            f"(without --strict it would be read as {LEGACY_ENCODING})",
        )


def legacy_note(path: Path, line: int, offset: int) -> EncodingFallback:
    """The warning given when a file is read as Windows-1252 instead of UTF-8."""
    return EncodingFallback(str(path), line, offset)


def read_bytes(path: Path) -> bytes:
    """The bytes of ``path``, refused when larger than :data:`MAX_WHOLE_FILE_BYTES`."""
    size = path.stat().st_size
    if size > MAX_WHOLE_FILE_BYTES:
        raise InputError(
            str(path), None,
            f"file is {size / 2**20:.0f} MiB; JSON, XML, BibTeX and daily-papers text files "
            f"are parsed whole and limited to {MAX_WHOLE_FILE_BYTES // 2**20} MiB "
            "(split the file, or use JSON lines, which are streamed)",
        )
    with path.open("rb") as fh:
        return fh.read(MAX_WHOLE_FILE_BYTES + 1)


def read_text(path: Path) -> str:
    """The whole text of ``path``, decoded according to its BOM (UTF-8 by default)."""
    data = read_bytes(path)
    codec, skip = bom_encoding(data[:4])
    try:
        return data[skip:].decode(codec)
    except UnicodeDecodeError as exc:
        raise _whole_error(path, data, skip, exc) from None


def read_text_lenient(path: Path) -> tuple[str, InputError | None]:
    """Like :func:`read_text`, but a file without a BOM that is not UTF-8 is decoded as
    Windows-1252; the second value is then the warning to report (else None)."""
    data = read_bytes(path)
    codec, skip = bom_encoding(data[:4])
    try:
        return data[skip:].decode(codec), None
    except UnicodeDecodeError as exc:
        if skip:
            raise _whole_error(path, data, skip, exc) from None
        line = data.count(b"\n", 0, exc.start) + 1
        return decode_legacy(data), legacy_note(path, line, exc.start)


def read_head(path: Path, size: int = 65536, *, legacy: bool = False) -> tuple[str, bool]:
    """The decoded first ``size`` bytes of ``path`` and whether that is the whole file.

    A multi-byte character cut at the end of the head is dropped, not an error. With
    ``legacy``, a head without a BOM that is not UTF-8 is decoded as Windows-1252.
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
        if legacy and not skip:
            return decode_legacy(data), complete
        raise _whole_error(path, data, skip, exc) from None


class LongLineError(InputError):
    """A line too long to be read (see :data:`MAX_LINE_BYTES`)."""


def _too_long(path: Path, number: int, limit: int) -> InputError:
    return LongLineError(
        str(path), number, f"line longer than {limit // 2**20} MiB; skipped without reading it"
    )


def iter_lines(
    path: Path,
    chunk_size: int = 1 << 16,
    *,
    max_line: int = MAX_LINE_BYTES,
    legacy: bool = False,
) -> Iterator[tuple[int, str | InputError]]:
    """Stream ``(line number, line)`` pairs of ``path``; lines keep their ``\\n`` ending.

    UTF-8 files are split on ``\\n`` bytes and decoded line by line; UTF-16/32 files are
    decoded in chunks. Either way a decoding error names the line and the byte offset.

    A line longer than ``max_line`` bytes (characters for UTF-16/32) is not kept: its
    pair holds an :class:`InputError` instead of the text. With ``legacy``, a UTF-8 line
    (of a file without a BOM) that does not decode is read as Windows-1252; the first time
    this happens a pair holding the warning comes just before the line.
    """
    with path.open("rb") as fh:
        codec, skip = bom_encoding(fh.read(4))
        fh.seek(skip)
        offset = skip
        if codec == "utf-8":
            yield from _utf8_lines(path, fh, skip, max_line, legacy and not skip)
            return
        decoder = codecs.getincrementaldecoder(codec)()
        number, pending, skipping = 1, "", False
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
            if skipping:  # inside an over-long line: drop text up to its end
                end = pending.find("\n")
                if end < 0 and chunk:
                    pending = ""
                    continue
                yield number, _too_long(path, number, max_line)
                number += 1
                pending = "" if end < 0 else pending[end + 1 :]
                skipping = False
            *complete, pending = pending.split("\n")
            for text in complete:
                if len(text) >= max_line:
                    yield number, _too_long(path, number, max_line)
                else:
                    yield number, text + "\n"
                number += 1
            if len(pending) > max_line:
                pending, skipping = "", True
            if not chunk:
                if pending:
                    yield number, pending
                return


def _utf8_lines(
    path: Path, fh: object, offset: int, max_line: int, legacy: bool
) -> Iterator[tuple[int, str | InputError]]:
    readline = fh.readline  # type: ignore[attr-defined]
    number, warned = 0, False
    while True:
        raw: bytes = readline(max_line + 1)
        if not raw:
            return
        number += 1
        if len(raw) > max_line and not raw.endswith(b"\n"):
            offset += len(raw)
            while raw and not raw.endswith(b"\n"):  # skip the rest of the line
                raw = readline(1 << 20)
                offset += len(raw)
            yield number, _too_long(path, number, max_line)
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            if not legacy:
                raise _decode_error(path, raw, exc, offset, number) from None
            if not warned:
                warned = True
                yield number, legacy_note(path, number, offset + exc.start)
            text = decode_legacy(raw)
        offset += len(raw)
        yield number, text
