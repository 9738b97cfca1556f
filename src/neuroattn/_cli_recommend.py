"""``neuroattn recommend train|evaluate``: the recommendation application's commands."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from ._cli_base import console, err_console, error_line, guarded, needs_extra

recommend_app = typer.Typer(
    name="recommend",
    help="Click prediction with target attention (DIN): train and evaluate models.",
    no_args_is_help=True,
)


def _recommend_cli() -> Any:
    """The recommend command's module; one line and exit 2 without torch."""

    def load() -> Any:
        from .apps.recommend import _cli as rcli

        return rcli

    return needs_extra(load, "recommend", "torch")


@recommend_app.command("train")
def recommend_train(
    out: Annotated[Path | None, typer.Option("-o", "--out", help="Run directory.")] = None,
    model: Annotated[
        str | None, typer.Option("--model", help="mean | din | competitive [the config's]")
    ] = None,
    config: Annotated[
        Path | None, typer.Option("-c", "--config", help="TOML settings (see --example).")
    ] = None,
    example: Annotated[
        bool, typer.Option("--example", help="Print the commented default config and exit.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Train a click model into RUN_DIR; the same command on the same RUN_DIR resumes a run."""
    rcli = _recommend_cli()
    if example:
        sys.stdout.write(rcli.example())
        return
    if out is None:
        error_line("give a run directory with -o RUN_DIR")
        raise typer.Exit(code=2)

    def report(line: str) -> None:
        err_console.print(escape(line), highlight=False, soft_wrap=True)

    def run() -> dict[str, Any]:
        cfg = rcli.train_config(out, config=config, model=model)
        return rcli.run_train(out, cfg, progress=not quiet, report=report)

    info = guarded(run)
    console.print(
        f"[green]wrote[/] {', '.join(info['files'])} [green]to[/] {escape(str(out))}/ "
        f"({info['examples_per_second']:.0f} examples/s on {info['threads']} torch thread(s)); "
        f"evaluate with: neuroattn recommend evaluate {escape(str(out))}",
        soft_wrap=True,
    )


@recommend_app.command("evaluate")
def recommend_evaluate(
    run_dir: Annotated[Path, typer.Argument(help="Run directory (or a .pt checkpoint).")],
    split: Annotated[str, typer.Option("--split", help="test | dev")] = "test",
    plot: Annotated[
        Path | None,
        typer.Option("--plot", help="Write the attention over one history as a PNG."),
    ] = None,
    example: Annotated[
        int, typer.Option("--example", help="The plotted example's index (-1: a click).")
    ] = -1,
) -> None:
    """AUC and per-user GAUC of the run's best model on its held-out users."""
    rcli = _recommend_cli()
    info = guarded(lambda: rcli.run_evaluate(run_dir, split=split, plot=plot, example=example))
    s = info["scores"]
    console.print(
        f"{escape(info['model'])} on {info['split']} ({info['examples']} examples): "
        f"AUC {s['auc']:.4f}  GAUC {s['gauc']:.4f}",
        highlight=False,
        soft_wrap=True,
    )
    if plot is not None:
        err_console.print(
            f"[green]wrote[/] {escape(str(plot))} (example {info['example']})", highlight=False
        )
