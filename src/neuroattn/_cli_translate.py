"""``neuroattn translate train|evaluate|predict``: the translation application's commands."""

from __future__ import annotations

import functools
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from ._cli_base import (
    BeamOption,
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
    print_plain,
    train_command,
)

translate_app = typer.Typer(
    name="translate",
    help="Translation with attention: train seq2seq models, evaluate them, translate.",
    no_args_is_help=True,
)


_translate_cli = functools.partial(app_cli, "translate", "torch,translate")


@translate_app.command("train")
def translate_train(
    out: OutOption = None,
    task: Annotated[
        str | None,
        typer.Option(
            "--task", help="numbers-en-de | numbers-en-fr | numbers-en-es | dates | FILE.tsv"
        ),
    ] = None,
    model: Annotated[
        str | None,
        typer.Option("--model", help="rnn-bahdanau | rnn-luong | rnn-none | transformer"),
    ] = None,
    config: ConfigOption = None,
    example: ExampleOption = False,
    quiet: QuietOption = False,
) -> None:
    """Train a model into RUN_DIR; the same command on the same RUN_DIR resumes a run."""
    tcli = _translate_cli()
    train_command(
        "translate",
        tcli,
        out,
        lambda run_dir: tcli.train_config(run_dir, config=config, task=task, model=model),
        example=example,
        quiet=quiet,
    )


@translate_app.command("evaluate")
def translate_evaluate(
    run_dir: RunDirArgument,
    split: SplitOption = "test",
    beam: BeamOption = None,
    show: Annotated[int, typer.Option("--show", help="Wrong translations shown.")] = 5,
) -> None:
    """Exact match, chrF and BLEU of the run's best model on its held-out test split."""
    tcli = _translate_cli()
    info = guarded(lambda: tcli.run_evaluate(run_dir, split=split, beam=beam, show=show))
    console.print(
        f"{escape(info['model'])} on {escape(info['task'])} {info['split']} (beam "
        f"{info['beam']}): {info['scores']}",
        highlight=False,
        soft_wrap=True,
    )
    for source, hyp, ref in info["examples"]:
        print_plain(
            f"  {tcli.shorten(source)} → {tcli.shorten(hyp)} (expected {tcli.shorten(ref)})"
        )
    if info["wrong"] > len(info["examples"]):
        console.print(f"  … {info['wrong']} wrong in all", highlight=False)


@translate_app.command("predict")
def translate_predict(
    run_dir: RunDirArgument,
    texts: Annotated[list[str], typer.Argument(help="Text(s) to translate.")],
    plot: Annotated[
        Path | None, typer.Option("--plot", help="Write the attention alignments as a PNG.")
    ] = None,
    beam: BeamOption = None,
) -> None:
    """Translate TEXT(s) with the run's best model, one line each."""
    tcli = _translate_cli()
    info = guarded(lambda: tcli.run_predict(run_dir, texts, beam=beam, plot=plot))
    for line in info["translations"]:
        sys.stdout.write(line + "\n")
    if plot is not None:
        err_console.print(f"[green]wrote[/] {escape(str(plot))}", highlight=False)
