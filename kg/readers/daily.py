"""Reader of the daily-papers page text (``daily``): a title paragraph, then an abstract
paragraph, blank lines between, after a few short header lines.

No header line is hard-coded. The text is cut into paragraphs (runs of non-blank lines);
a paper is a title-like paragraph directly followed by an abstract-like one. An abstract
is long prose (several sentences, or simply long); a title is at most a few hundred
characters and at most one sentence. Paragraphs that belong to no pair before the first
paper or after the last (page header, date, footer) are skipped silently; inside the list
they are reported as bad records ("title without an abstract", ...) unless they are
shorter than three words (a date such as "Mar 16" between two days' lists).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from kg.errors import InputError
from kg.readers.ids import make_paper
from kg.readers.source import read_text_lenient
from kg.records import Paper
from kg.text import normalize_whitespace

__all__ = ["find_pairs", "is_abstract", "is_title", "paragraphs", "read_daily"]

MAX_TITLE = 300
_MIN_WORDS = 3  # shorter stray paragraphs (dates such as "Mar 16", counters) are noise
_SENTENCE_END = re.compile(r"[a-z0-9)\]%][.!?](?=\s+[A-Z(\"']|\s*$)")


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A run of non-blank lines (stripped, joined by newlines) and its first line number."""

    line: int
    text: str


def paragraphs(text: str) -> list[Paragraph]:
    """The paragraphs of ``text`` (separated by blank lines)."""
    out: list[Paragraph] = []
    current: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), 1):
        stripped = raw.strip()
        if stripped:
            if not current:
                start = number
            current.append(stripped)
        elif current:
            out.append(Paragraph(start, "\n".join(current)))
            current = []
    if current:
        out.append(Paragraph(start, "\n".join(current)))
    return out


def _sentences(text: str) -> int:
    return len(_SENTENCE_END.findall(text))


def is_abstract(text: str) -> bool:
    """Whether a paragraph reads like an abstract: long prose."""
    if len(text) >= 400:
        return True
    return len(text) >= 150 and (_sentences(text) >= 2 or (len(text) >= 200 and text[-1] in ".!?"))


def is_title(text: str) -> bool:
    """Whether a paragraph could be a title: short, at most two sentences."""
    return 0 < len(text) <= MAX_TITLE and _sentences(text) <= 2


def find_pairs(paras: list[Paragraph]) -> list[tuple[int, int]]:
    """Indexes ``(title, abstract)`` of the paragraphs that form papers, in order."""
    pairs: list[tuple[int, int]] = []
    i = 0
    while i + 1 < len(paras):
        title, abstract = paras[i].text, paras[i + 1].text
        if is_title(title) and is_abstract(abstract) and len(title) < len(abstract):
            pairs.append((i, i + 1))
            i += 2
        else:
            i += 1
    return pairs


def read_daily(path: Path) -> Iterator[Paper | InputError]:
    """Papers (and stray paragraphs inside the list as InputError) of a daily-papers page."""
    source = str(path)
    text, note = read_text_lenient(path)
    if note is not None:
        yield note
    paras = paragraphs(text)
    pairs = find_pairs(paras)
    if not pairs:
        return
    first, last = pairs[0][0], pairs[-1][1]
    used = {i for pair in pairs for i in pair}
    by_title = dict(pairs)
    for i in range(first, last + 1):
        para = paras[i]
        if i in by_title:
            abstract = paras[by_title[i]].text
            yield make_paper(source=source, line=para.line, title=para.text, abstract=abstract)
        elif i not in used and len(para.text.split()) >= _MIN_WORDS:
            problem = (
                "abstract without a title" if is_abstract(para.text)
                else "title without an abstract"
            )
            excerpt = normalize_whitespace(para.text)[:60]
            yield InputError(source, para.line, f"{problem}: {excerpt!r}")
