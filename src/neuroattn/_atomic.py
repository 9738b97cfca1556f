"""Write outputs completely or not at all: temporary names, renamed when complete."""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any


@contextmanager
def staged_dir(out: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary folder beside ``out``; on success move its files into ``out``.

    If the block raises, nothing is written to ``out`` and the temporary folder is removed.
    The same holds when the process is interrupted: Ctrl-C raises ``KeyboardInterrupt``,
    and SIGTERM, which by default kills the process on the spot and would leave the hidden
    ``.<name>.*.tmp`` folder behind, is turned into ``SystemExit(143)`` while staging (a
    handler installed only in the main thread, only over the default action, and restored
    after). A SIGTERM that arrives while the finished files are being moved into ``out``
    waits until they all are.
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ValueError(f"{out}: exists and is not a folder")
    parent = out.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=parent))
    try:
        with _sigterm_unwinds() as guard:
            yield tmp
            guard.committing = True
            out.mkdir(parents=True, exist_ok=True)
            for item in sorted(tmp.rglob("*")):
                target = out / item.relative_to(tmp)
                if item.is_dir():
                    target.mkdir(parents=True, exist_ok=True)
                else:
                    os.replace(item, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


class _Terminate:
    """SIGTERM handler: unwind with ``SystemExit(128 + signum)``, or once the commit ends."""

    def __init__(self) -> None:
        self.committing = False
        self.deferred: int | None = None

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        if self.committing:
            self.deferred = signum
            return
        raise SystemExit(128 + signum)


@contextmanager
def _sigterm_unwinds() -> Iterator[_Terminate]:
    """While the block runs, SIGTERM raises SystemExit so that ``finally`` blocks clean up.

    Installed only where Python allows it (the main thread) and only over the default
    action: a handler someone else installed, or an ignored SIGTERM, is left alone.
    """
    guard = _Terminate()
    installable = threading.current_thread() is threading.main_thread()
    if not installable or signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        yield guard
        return
    signal.signal(signal.SIGTERM, guard)
    try:
        yield guard
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if guard.deferred is not None:
        raise SystemExit(128 + guard.deferred)


def save_png(
    figure: Any, path: str | os.PathLike[str], *, dpi: int = 110, make_folder: bool = True
) -> Path:
    """Write a matplotlib ``figure`` as a PNG at ``path`` under a temporary name in the same
    folder, renamed when complete: a reader never sees half a file.

    ``make_folder=False`` refuses a missing folder (ValueError) instead of creating it; a
    ``path`` that is a folder is always refused.
    """
    path = Path(path)
    if path.is_dir():
        raise ValueError(f"{path}: is a folder; give a .png file name")
    if make_folder:
        path.parent.mkdir(parents=True, exist_ok=True)
    elif not path.parent.is_dir():
        raise ValueError(f"{path.parent}: no such folder")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            figure.savefig(fh, format="png", dpi=dpi)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path
