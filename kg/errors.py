"""The one exception family of paper-kg: every expected failure is a :class:`KGError`."""

from __future__ import annotations


class KGError(Exception):
    """Base class of every error paper-kg raises on purpose; the CLI prints it as one line."""


class InputError(KGError):
    """An input file or record cannot be used; names the file, the line and the problem."""

    def __init__(self, path: str, line: int | None, problem: str) -> None:
        self.path = str(path)
        self.line = line
        self.problem = problem
        where = f"{self.path}:{line}" if line else self.path
        super().__init__(f"{where}: {problem}")


class UnknownFormatError(KGError):
    """A format name (input reader or exporter) that paper-kg does not know."""


class EmptyCorpusError(KGError):
    """The inputs held no usable paper."""


class OutputError(KGError):
    """An output directory cannot be written, read or upgraded."""


class LockError(OutputError):
    """Another build holds the lock on the output directory."""


class QueryError(KGError):
    """A SPARQL query is malformed or cannot be run."""


class NotFoundError(KGError):
    """A paper or entity named by the user is not in the graph."""
