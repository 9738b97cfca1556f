"""``neuroattn classify train|evaluate|predict``: the classification application's commands."""

from __future__ import annotations

import functools
import sys
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

classify_app = typer.Typer(
    name="classify",
    help="Cluttered-digit classification with attention: train CNNs, evaluate them, predict.",
    no_args_is_help=True,
)


_classify_cli = functools.partial(app_cli, "classify", "torch,classify")


@classify_app.command("train")
def classify_train(
    out: OutOption = None,
    attention: Annotated[
        str | None,
        typer.Option("--attention", help="none | spatial | cbam | competitive"),
    ] = None,
    config: ConfigOption = None,
    example: ExampleOption = False,
    quiet: QuietOption = False,
) -> None:
    """Train a classifier into RUN_DIR; the same command on the same RUN_DIR resumes a run."""
    ccli = _classify_cli()
    train_command(
        "classify",
        ccli,
        out,
        lambda run_dir: ccli.train_config(run_dir, config=config, attention=attention),
        example=example,
        quiet=quiet,
    )


@classify_app.command("evaluate")
def classify_evaluate(
    run_dir: RunDirArgument,
    split: SplitOption = "test",
    plot: Annotated[
        Path | None,
        typer.Option("--plot", help="Write attention overlays and the confusion matrix (PNG)."),
    ] = None,
    clutter: Annotated[
        int | None,
        typer.Option("--clutter", help="Held-out condition: test canvases with N fragments."),
    ] = None,
    scale: Annotated[
        int | None,
        typer.Option("--scale", help="Held-out condition: test digits upscaled S times."),
    ] = None,
) -> None:
    """Accuracy, error and confusion matrix of the run's best model on held-out canvases."""
    ccli = _classify_cli()
    info = guarded(
        lambda: ccli.run_evaluate(run_dir, split=split, plot=plot, clutter=clutter, scale=scale)
    )
    console.print(
        f"{escape(info['attention'])} ({info['parameters']} parameters) on {info['count']} "
        f"{info['split']} canvases: accuracy {100 * info['accuracy']:.2f} %, error "
        f"{100 * info['error']:.2f} %",
        highlight=False,
        soft_wrap=True,
    )
    console.print("confusion (true down, predicted across):", highlight=False)
    for row in info["confusion"]:
        console.print("  " + " ".join(f"{c:4d}" for c in row), highlight=False)
    if plot is not None:
        err_console.print(f"[green]wrote[/] {escape(str(plot))}", highlight=False)


@classify_app.command("predict")
def classify_predict(
    run_dir: RunDirArgument,
    image: Annotated[Path, typer.Argument(help="A grey canvas of the run's size (PNG, .npy).")],
    plot: Annotated[
        Path | None, typer.Option("--plot", help="Write the attention map over the image (PNG).")
    ] = None,
) -> None:
    """The digit in IMAGE by the run's best model, with its probability."""
    ccli = _classify_cli()
    info = guarded(lambda: ccli.run_predict(run_dir, image, plot=plot))
    sys.stdout.write(f"{info['label']} (p = {info['probability']:.3f})\n")
    if plot is not None:
        err_console.print(f"[green]wrote[/] {escape(str(plot))}", highlight=False)
