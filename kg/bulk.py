"""Bulk record work with the cyclic garbage collector paused.

The corpus-level stages make millions of small acyclic objects (mentions, links, rows).
CPython's collector runs a generation-0 pass every 700 allocations and full passes as the
heap grows, each walking every tracked object, which is pure overhead here. Reference counting still
frees everything these stages drop; the collector is re-enabled (if it was on) on exit.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause automatic garbage collection inside the block (re-entrant).

    >>> import gc
    >>> with gc_paused():
    ...     gc.isenabled()
    False
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
