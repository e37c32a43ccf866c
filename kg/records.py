"""Value records shared by every stage: read -> extract -> resolve -> link -> export.

All records are frozen dataclasses holding plain data (str, int, float, tuples), so they
are hashable, cheap to pickle between worker processes and trivial to write as JSON.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

EntityType = Literal["benchmark", "model", "method", "dataset"]
ENTITY_TYPES: tuple[EntityType, ...] = ("benchmark", "dataset", "model", "method")

Field = Literal["title", "abstract"]


@dataclass(frozen=True, slots=True)
class Paper:
    """One paper as read from an input file.

    ``id`` is stable across runs: ``arxiv:<id>`` when the arXiv id is known (version suffix
    dropped), else ``doi:<doi>``, else ``title:<slug of the normalised title>``.
    """

    id: str
    title: str
    abstract: str
    arxiv_id: str | None = None
    doi: str | None = None
    url: str | None = None
    date: str | None = None
    authors: tuple[str, ...] = ()
    links: tuple[str, ...] = ()  # URLs found in the abstract (project pages, code)
    source: str = ""  # file the record came from
    line: int = 0  # 1-based line (or record number) in that file

    def text(self, field: Field) -> str:
        """The text of ``field`` ("title" or "abstract")."""
        return self.title if field == "title" else self.abstract

    def to_dict(self) -> dict[str, Any]:
        # flat records: a field-by-field dict is much faster than asdict's deep copy
        return {name: getattr(self, name) for name in self.__slots__}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Paper:
        d = dict(d)
        d["authors"] = tuple(d.get("authors") or ())
        d["links"] = tuple(d.get("links") or ())
        return cls(**d)


@dataclass(frozen=True, slots=True)
class Mention:
    """One span of a paper's title or abstract that names an entity.

    Offsets are character offsets into ``paper.text(field)``; ``sent_start``/``sent_end``
    delimit the sentence that is the mention's evidence. ``key`` is the normalised form
    used to group surface variants; ``entity`` is the resolved entity id (empty until the
    corpus-level resolver has run).
    """

    paper_id: str
    field: Field
    start: int
    end: int
    text: str
    type: EntityType
    key: str
    rule: str  # what produced it, e.g. "lexicon", "abbreviation", "shape:versioned"
    confidence: float
    sent_start: int
    sent_end: int
    entity: str = ""

    def to_row(self) -> list[Any]:
        return [
            self.paper_id, self.field, self.start, self.end, self.text, self.type,
            self.key, self.rule, self.confidence, self.sent_start, self.sent_end, self.entity,
        ]

    @classmethod
    def from_row(cls, row: list[Any]) -> Mention:
        mention: Mention = new_mention(*row)
        return mention

    def resolved(self, type: EntityType, entity: str) -> Mention:
        """This mention with its corpus-level type and entity id (``dataclasses.replace``
        is several times slower, and resolution calls this once per mention)."""
        mention: Mention = new_mention(
            self.paper_id, self.field, self.start, self.end, self.text, type, self.key,
            self.rule, self.confidence, self.sent_start, self.sent_end, entity)
        return mention


@dataclass(frozen=True, slots=True)
class Entity:
    """A resolved entity: one canonical label, one type, all the surface forms seen."""

    id: str  # "<type>/<slug>", stable for the same canonical label and type
    label: str
    type: EntityType
    aliases: tuple[str, ...] = ()
    paper_count: int = 0
    mention_count: int = 0

    def to_dict(self) -> dict[str, Any]:
        # flat records: a field-by-field dict is much faster than asdict's deep copy
        return {name: getattr(self, name) for name in self.__slots__}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Entity:
        d = dict(d)
        d["aliases"] = tuple(d.get("aliases") or ())
        return cls(**d)


@dataclass(frozen=True, slots=True)
class Link:
    """A paper-paper link: the two papers (``source`` < ``target``), weight, shared entity ids."""

    source: str
    target: str
    weight: float
    shared: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class BuildInfo:
    """Provenance of one build: software version, times (ISO 8601 UTC), inputs, base IRI."""

    version: str
    started: str
    finished: str
    inputs: tuple[str, ...]
    base_iri: str


@dataclass(frozen=True)
class GraphData:
    """Everything an exporter needs, in a stable order (papers by id, entities by id)."""

    papers: tuple[Paper, ...]
    entities: tuple[Entity, ...]
    mentions: tuple[Mention, ...]
    links: tuple[Link, ...]
    info: BuildInfo
    communities: dict[str, int] = field(default_factory=dict)  # node id -> community index


def fast_constructor(cls: type) -> Callable[..., Any]:
    """``cls(...)`` for a frozen slots dataclass without ``__init__``'s ``object.__setattr__`` per
    field: the slots are set through their descriptors (about twice as fast; same object).
    For the records made by the million (mentions, links)."""
    import dataclasses

    fields = dataclasses.fields(cls)
    params = [f.name if f.default is dataclasses.MISSING else f"{f.name}=_d{i}" for i, f in enumerate(fields)]
    body = "".join(f"    _s{i}(obj, {f.name})\n" for i, f in enumerate(fields))
    ns: dict[str, Any] = {"_new": object.__new__, "_cls": cls}
    ns.update({f"_s{i}": cls.__dict__[f.name].__set__ for i, f in enumerate(fields)})
    ns.update({f"_d{i}": f.default for i, f in enumerate(fields)})
    exec(f"def make({', '.join(params)}):\n    obj = _new(_cls)\n{body}    return obj\n", ns)  # noqa: S102
    return ns["make"]  # type: ignore[no-any-return]


new_mention = fast_constructor(Mention)  # Mention(...), faster
new_link = fast_constructor(Link)  # Link(...), faster
