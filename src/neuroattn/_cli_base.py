"""What every sub-command module of the ``neuroattn`` command shares: the consoles, the
one-line error and the guard that turns expected failures into exit code 2.

Library modules never import this (checked by ``tests/test_architecture.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape

console = Console()
err_console = Console(stderr=True)


def error_line(message: object, kind: str = "error") -> None:
    """One line on stderr; the message is user text, so rich markup in it is escaped."""
    style = "bold red" if kind == "error" else "yellow"
    text = " ".join(str(message).split()) or type(message).__name__
    err_console.print(f"[{style}]{kind}:[/] {escape(text)}", highlight=False, soft_wrap=True)


def guarded(fn: Callable[[], Any]) -> Any:
    """Run ``fn``; turn expected failures into one line on stderr and exit code 2."""
    try:
        return fn()
    except (ValueError, TypeError, OSError, EOFError, MemoryError) as exc:  # SimulationError too
        what = "out of memory" if isinstance(exc, MemoryError) else exc
        error_line(what)
        raise typer.Exit(code=2) from None


def needs_extra(import_module: Callable[[], Any], command: str, extras: str) -> Any:
    """Import a command's module; one line and exit 2 when an optional dependency is missing."""
    try:
        return import_module()
    except ModuleNotFoundError as exc:
        error_line(f"neuroattn {command} needs {exc.name}: pip install 'neuroattn[{extras}]'")
        raise typer.Exit(code=2) from None
