"""``neuroattn detect train|evaluate|predict``: the detection application's commands."""

from __future__ import annotations

import functools
import json
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
    err_console,
    guarded,
    print_plain,
    train_command,
)

detect_app = typer.Typer(
    name="detect",
    help="Detection by looking: train the glimpse classifier, evaluate, predict boxes.",
    no_args_is_help=True,
)

_detect_cli = functools.partial(app_cli, "detect", "torch,classify")


@detect_app.command("train")
def detect_train(
    out: OutOption = None,
    config: ConfigOption = None,
    example: ExampleOption = False,
    quiet: QuietOption = False,
) -> None:
    """Train the glimpse classifier into RUN_DIR; the same command on the same RUN_DIR resumes."""
    dcli = _detect_cli()
    train_command(
        "detect",
        dcli,
        out,
        lambda run_dir: dcli.train_config(run_dir, config=config),
        example=example,
        quiet=quiet,
    )


@detect_app.command("evaluate")
def detect_evaluate(
    run_dir: RunDirArgument,
    split: SplitOption = "test",
    canvases: Annotated[
        int | None, typer.Option("--canvases", help="Canvases to use [the run's test_size].")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """mAP@0.5, recall and classifier calls per canvas: looking and the sliding window."""
    dcli = _detect_cli()
    info = guarded(lambda: dcli.run_evaluate(run_dir, split=split, canvases=canvases))
    if as_json:
        print_plain(json.dumps(info, indent=1, default=str))
        return
    print_plain(f"{info['canvases']} {info['split']} canvases, {info['digits']} digits")
    print_plain(f"{'detector':<10}{'mAP@0.5':>9}{'recall':>8}{'calls/canvas':>14}")
    for name, row in info["methods"].items():
        print_plain(
            f"{name:<10}{row['map']:>9.3f}{row['recall']:>8.3f}{row['calls_per_image']:>14.1f}"
        )
    print_plain(f"look / slide: mAP {info['map_ratio']:.3f}, calls {info['calls_ratio']:.4f}")


@detect_app.command("predict")
def detect_predict(
    run_dir: RunDirArgument,
    image: Annotated[Path, typer.Argument(help="A grey canvas (PNG, .npy).")],
    plot: Annotated[
        Path | None,
        typer.Option("--plot", help="Write the boxes and the fixation order over the image."),
    ] = None,
    method: Annotated[str, typer.Option("--method", help="look | slide")] = "look",
) -> None:
    """The digits in IMAGE: one line per box (fixation, digit, probability, box)."""
    dcli = _detect_cli()
    info = guarded(lambda: dcli.run_predict(run_dir, image, plot=plot, method=method))
    for d in info["detections"]:
        t, lf, b, r = d["box"]
        head = f"#{d['fixation']} " if d["fixation"] else ""
        print_plain(f"{head}{d['label']} p={d['score']:.3f} box=({t:g}, {lf:g}, {b:g}, {r:g})")
    print_plain(f"{len(info['detections'])} digits, {info['calls']} classifier calls")
    if plot is not None:
        err_console.print(f"[green]wrote[/] {escape(str(plot))}", highlight=False)
