"""Exporters behind one registry and one signature: ``export(data, format, path, **options)``.

Each exporter is a function ``write(data: GraphData, path: Path, **options) -> None`` that
writes one file. The registry names its module lazily so ``import exports`` stays cheap;
:func:`export` writes to a temporary file and renames it, so output is never half-written.

>>> sorted(formats())[:3]
['html', 'json-ld', 'n-triples']
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.atomic import atomic_path
from kg.errors import UnknownFormatError
from kg.records import GraphData

Writer = Callable[..., None]


@dataclass(frozen=True, slots=True)
class ExporterSpec:
    """A registered exporter: its name, default file suffix and ``module:function``;
    ``incremental`` writers take ``index``/``reuse`` options (see :mod:`exports.chunks`)."""

    name: str
    suffix: str
    target: str
    description: str
    incremental: bool = False

    def load(self) -> Writer:
        module, _, attr = self.target.partition(":")
        func: Writer = getattr(importlib.import_module(module), attr)
        return func


_REGISTRY: dict[str, ExporterSpec] = {}


def register(name: str, target: str, *, suffix: str, description: str = "",
             incremental: bool = False) -> None:
    """Register (or replace) the exporter ``name`` implemented by ``target`` ("module:function")."""
    _REGISTRY[name] = ExporterSpec(name, suffix, target, description, incremental)


def formats() -> dict[str, ExporterSpec]:
    """All registered exporters by name."""
    return dict(_REGISTRY)


def get(name: str) -> ExporterSpec:
    """The exporter called ``name``; :class:`UnknownFormatError` names the known ones."""
    try:
        return _REGISTRY[name]
    except KeyError:
        known = ", ".join(sorted(_REGISTRY))
        raise UnknownFormatError(f"unknown export format {name!r} (known: {known})") from None


def export(data: GraphData, format: str, path: str | Path, **options: Any) -> Path:
    """Write ``data`` as ``format`` to ``path`` atomically and return the path."""
    writer = get(format).load()
    with atomic_path(path) as tmp:
        writer(data, tmp, **options)
    return Path(path)


register("turtle", "exports.streaming:write_turtle", suffix=".ttl", description="RDF Turtle",
         incremental=True)
register("n-triples", "exports.streaming:write_ntriples", suffix=".nt",
         description="RDF N-Triples", incremental=True)
register("json-ld", "exports.rdf:write_jsonld", suffix=".jsonld", description="RDF JSON-LD")
register("rdf-xml", "exports.rdf:write_rdfxml", suffix=".rdf", description="RDF/XML")
register("html", "exports.html:write_html", suffix=".html", description="interactive HTML view")
