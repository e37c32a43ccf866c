"""paper-kg: knowledge graphs of machine-learning papers.

>>> import kg
>>> kg.__version__
'0.1.0'
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from kg.api import KnowledgeGraph, build, load

__all__ = ["KnowledgeGraph", "build", "load", "__version__"]


def __getattr__(name: str) -> Any:
    # The API pulls in NetworkX and (when building) spaCy; keep ``import kg`` cheap.
    if name in {"KnowledgeGraph", "build", "load"}:
        from kg import api

        return getattr(api, name)
    raise AttributeError(f"module 'kg' has no attribute {name!r}")
