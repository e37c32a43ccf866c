"""Atomic file and directory replacement: a failed or interrupted run never leaves half-written output.

The new content is written to a temporary sibling (``.NAME.XXXXXXXX.tmp``) and renamed over
the target only when complete. On any exception, ``KeyboardInterrupt`` included, the
temporary sibling is removed and the target is left exactly as it was. SIGINT and SIGTERM
that arrive while the swap or the clean-up runs are held back until it is done (see
:func:`deferred_signals`), so an interrupt never leaves the target missing or a
temporary directory behind. Only ``SIGKILL`` or a crash can; :func:`remove_stale` clears
what such a run left.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import stat
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

__all__ = [
    "atomic_directory", "atomic_path", "atomic_write_text", "deferred_signals", "remove_stale",
]

_DEFERRED = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)


def _default_mode(base: int) -> int:
    umask = os.umask(0)
    os.umask(umask)
    return base & ~umask & (stat.S_IRWXU | stat.S_IRWXG | stat.S_IRWXO)


@contextlib.contextmanager
def deferred_signals() -> Iterator[None]:
    """Hold back SIGINT, SIGTERM and SIGHUP during the block, then deliver them.

    Signals received meanwhile are re-raised (to the handlers in force before) when the
    block ends, so a short critical section such as a rename pair or a clean-up is never
    cut in the middle. Outside the main thread (where handlers cannot be set) this does
    nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    previous: dict[int, Any] = {}

    def hold(signum: int, frame: object) -> None:
        received.append(signum)

    for signum in _DEFERRED:
        handler = signal.getsignal(signum)
        if handler is None or handler == signal.SIG_IGN:  # set outside Python, or ignored
            continue
        previous[signum] = handler
        signal.signal(signum, hold)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        for signum in dict.fromkeys(received):
            signal.raise_signal(signum)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success rename it over ``path``.

    On any exception (including KeyboardInterrupt) the temporary file is removed and
    ``path`` is left exactly as it was.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp: Path | None = None
    try:
        with deferred_signals():
            fd, tmp_name = tempfile.mkstemp(
                prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
            os.close(fd)
            tmp = Path(tmp_name)
        os.chmod(tmp, _default_mode(0o666))  # mkstemp makes 0600 files; outputs are ordinary
        yield tmp
        with deferred_signals():
            os.replace(tmp, target)
    except BaseException:
        with deferred_signals():
            if tmp is not None:
                with contextlib.suppress(FileNotFoundError):
                    tmp.unlink()
        raise


def atomic_write_text(path: str | Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


@contextlib.contextmanager
def atomic_directory(path: str | Path) -> Iterator[Path]:
    """Yield a fresh temporary directory beside ``path``; on success it replaces ``path``.

    The previous directory is moved aside (``.NAME.XXXXXXXX.old``) and deleted only after
    the new one is in place; if the swap fails, it is moved back. An interrupted or failed
    run leaves either the old or the new directory, never a mix, and no temporary entry.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp: Path | None = None
    try:
        with deferred_signals():
            tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp",
                                        dir=target.parent))
        os.chmod(tmp, _default_mode(0o777))
        yield tmp
    except BaseException:
        with deferred_signals():
            if tmp is not None:
                shutil.rmtree(tmp, ignore_errors=True)
        raise
    with deferred_signals():
        old: Path | None = None
        try:
            if os.path.lexists(target):
                old = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old",
                                            dir=target.parent))
                old.rmdir()
                os.replace(target, old)
            os.replace(tmp, target)
        except BaseException:
            if old is not None and not os.path.lexists(target):
                os.replace(old, target)  # put the previous directory back
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        if old is not None:
            _remove(old)


_STALE = re.compile(r"\.(?P<name>.+)\.[A-Za-z0-9_]{8}\.(?P<kind>tmp|old)")


def remove_stale(path: str | Path) -> list[Path]:
    """Clear what a killed run (SIGKILL, power loss) left beside ``path``.

    Temporary ``.NAME.XXXXXXXX.tmp`` entries are deleted; if ``path`` itself is missing
    but a moved-aside ``.NAME.XXXXXXXX.old`` directory exists (the run died between the two
    renames), the latest one is renamed back to ``path``, and other ones deleted. Call it
    only while holding the lock on ``path``. Returns the entries removed or restored.
    """
    target = Path(path)
    try:
        entries = list(target.parent.iterdir())
    except OSError:
        return []
    stale: dict[str, list[Path]] = {"tmp": [], "old": []}
    for entry in entries:
        match = _STALE.fullmatch(entry.name)
        if match and match["name"] == target.name:
            stale[match["kind"]].append(entry)
    done: list[Path] = []
    with deferred_signals():
        olds = sorted(stale["old"], key=lambda p: p.lstat().st_mtime_ns)
        if olds and not os.path.lexists(target):
            os.replace(olds.pop(), target)
            done.append(target)
        for entry in stale["tmp"] + olds:
            _remove(entry)
            done.append(entry)
    return done
