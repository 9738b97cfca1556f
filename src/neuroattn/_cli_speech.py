"""``neuroattn speech train|evaluate|transcribe``: the speech application's commands."""

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
    error_line,
    guarded,
    print_plain,
    train_command,
)

speech_app = typer.Typer(
    name="speech",
    help="Speech recognition with attention on synthesised speech: train, evaluate, transcribe.",
    no_args_is_help=True,
)


_speech_cli = functools.partial(app_cli, "speech", "torch,speech")


@speech_app.command("train")
def speech_train(
    out: OutOption = None,
    task: Annotated[
        str | None, typer.Option("--task", help="digits | commands | DIR (WAVs + transcripts.tsv)")
    ] = None,
    config: ConfigOption = None,
    example: ExampleOption = False,
    quiet: QuietOption = False,
) -> None:
    """Train a recogniser into RUN_DIR; the same command on the same RUN_DIR resumes."""
    scli = _speech_cli()
    train_command(
        "speech",
        scli,
        out,
        lambda run_dir: scli.train_config(run_dir, config=config, task=task),
        example=example,
        quiet=quiet,
    )


@speech_app.command("evaluate")
def speech_evaluate(
    run_dir: RunDirArgument,
    split: SplitOption = "test",
    beam: BeamOption = None,
    snr: Annotated[
        float | None,
        typer.Option("--snr", help="Noise of the split in dB [the run's].", show_default=False),
    ] = None,
    show: Annotated[int, typer.Option("--show", help="Wrong transcripts shown.")] = 5,
) -> None:
    """WER and CER of the run's best model on its held-out voices."""
    scli = _speech_cli()
    info = guarded(lambda: scli.run_evaluate(run_dir, split=split, beam=beam, snr=snr, show=show))
    console.print(
        f"{escape(info['model'])} on {escape(info['task'])} {info['split']} at {info['snr']} dB "
        f"(beam {info['beam']}): {info['rates']}",
        highlight=False,
        soft_wrap=True,
    )
    for voice, hyp, ref in info["examples"]:
        print_plain(f"  [{voice}] {scli.shorten(hyp)} (expected {scli.shorten(ref)})")


@speech_app.command("transcribe")
def speech_transcribe(
    run_dir: RunDirArgument,
    wav: Annotated[Path, typer.Argument(help="A WAV file (resampled to 16 kHz if needed).")],
    plot: Annotated[
        Path | None,
        typer.Option("--plot", help="Write the attention alignment over the spectrogram (PNG)."),
    ] = None,
    beam: BeamOption = None,
) -> None:
    """Print the text of FILE.wav."""
    scli = _speech_cli()
    info = guarded(lambda: scli.run_transcribe(run_dir, wav, beam=beam, plot=plot))
    for note in info["notes"]:
        error_line(note, kind="note")
    sys.stdout.write(info["text"] + "\n")
    if plot is not None:
        err_console.print(f"[green]wrote[/] {escape(str(plot))}", highlight=False)
