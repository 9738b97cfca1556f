"""``neuroattn recommend train|evaluate``: the recommendation application's commands."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from ._cli_base import (
    ConfigOption,
    ExampleOption,
    OutOption,
    QuietOption,
    RunDirArgument,
    SplitOption,
    app_cli,
    console,
    err_console,
    guarded,
    train_command,
)

recommend_app = typer.Typer(
    name="recommend",
    help="Click prediction with target attention (DIN): train and evaluate models.",
    no_args_is_help=True,
)


_recommend_cli = functools.partial(app_cli, "recommend", "torch")


@recommend_app.command("train")
def recommend_train(
    out: OutOption = None,
    model: Annotated[
        str | None, typer.Option("--model", help="mean | din | competitive [the config's]")
    ] = None,
    config: ConfigOption = None,
    example: ExampleOption = False,
    quiet: QuietOption = False,
) -> None:
    """Train a click model into RUN_DIR; the same command on the same RUN_DIR resumes a run."""
    rcli = _recommend_cli()
    train_command(
        "recommend",
        rcli,
        out,
        lambda run_dir: rcli.train_config(run_dir, config=config, model=model),
        example=example,
        quiet=quiet,
        detail=lambda info: (
            f" ({info['examples_per_second']:.0f} examples/s on {info['threads']} torch thread(s))"
        ),
    )


@recommend_app.command("evaluate")
def recommend_evaluate(
    run_dir: RunDirArgument,
    split: SplitOption = "test",
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
