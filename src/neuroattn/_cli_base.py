"""What every sub-command module of the ``neuroattn`` command shares: the consoles, the
one-line error and the guard that turns expected failures into exit code 2; and for the
applications' commands, the common options and the ``train`` command's flow.

Library modules never import this (checked by ``tests/test_architecture.py``).
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

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


# What the applications' commands (translate, recommend, speech, classify) share: the
# options of ``train`` and of reading a run, loading the application's ``_cli`` module, and
# the ``train`` command's flow (``--example``, the run directory, progress, the last line).

OutOption = Annotated[Path | None, typer.Option("-o", "--out", help="Run directory.")]
ConfigOption = Annotated[
    Path | None, typer.Option("-c", "--config", help="TOML settings (see --example).")
]
ExampleOption = Annotated[
    bool, typer.Option("--example", help="Print the commented default config and exit.")
]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")]
RunDirArgument = Annotated[Path, typer.Argument(help="Run directory (or a .pt checkpoint).")]
SplitOption = Annotated[str, typer.Option("--split", help="test | dev")]
BeamOption = Annotated[
    int | None, typer.Option("--beam", help="Beam width [the run's].", show_default=False)
]


def app_cli(app: str, extras: str) -> Any:
    """The module ``neuroattn.apps.<app>._cli`` (the work behind ``neuroattn <app> …``); one
    line and exit 2 when an optional dependency of ``extras`` is missing."""
    return needs_extra(
        lambda: importlib.import_module(f".apps.{app}._cli", __package__), app, extras
    )


def print_plain(text: str) -> None:
    """One line of user text on stdout, printed as is (no markup, no highlighting)."""
    console.print(text, highlight=False, markup=False, soft_wrap=True)


def train_command(
    app: str,
    cli: Any,
    out: Path | None,
    settings: Callable[[Path], Any],
    *,
    example: bool,
    quiet: bool,
    detail: Callable[[dict[str, Any]], str] | None = None,
) -> None:
    """What ``neuroattn <app> train`` does: with ``example``, print the commented defaults;
    else train ``settings(out)`` into ``out`` with ``cli.run_train`` (its log lines on
    stderr, a progress bar unless ``quiet``) and print the files written, ``detail(info)``
    after the directory, and how to evaluate."""
    if example:
        sys.stdout.write(cli.example())
        return
    if out is None:
        error_line("give a run directory with -o RUN_DIR")
        raise typer.Exit(code=2)
    run_dir = out

    def report(line: str) -> None:
        err_console.print(escape(line), highlight=False, soft_wrap=True)

    def run() -> dict[str, Any]:
        return cli.run_train(run_dir, settings(run_dir), progress=not quiet, report=report)

    info = guarded(run)
    where = escape(str(out))
    more = detail(info) if detail is not None else ""
    console.print(
        f"[green]wrote[/] {', '.join(info['files'])} [green]to[/] {where}/{more}; "
        f"evaluate with: neuroattn {app} evaluate {where}",
        soft_wrap=True,
    )
