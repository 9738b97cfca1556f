"""``neuroattn speech train|evaluate|transcribe``: the speech application's commands."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from ._cli_base import console, err_console, error_line, guarded, needs_extra

speech_app = typer.Typer(
    name="speech",
    help="Speech recognition with attention on synthesised speech: train, evaluate, transcribe.",
    no_args_is_help=True,
)


def _speech_cli() -> Any:
    """The speech command's module; one line and exit 2 without the extras it needs."""

    def load() -> Any:
        from .apps.speech import _cli as scli

        return scli

    return needs_extra(load, "speech", "torch,speech")


@speech_app.command("train")
def speech_train(
    out: Annotated[Path | None, typer.Option("-o", "--out", help="Run directory.")] = None,
    task: Annotated[
        str | None, typer.Option("--task", help="digits | commands | DIR (WAVs + transcripts.tsv)")
    ] = None,
    config: Annotated[
        Path | None, typer.Option("-c", "--config", help="TOML settings (see --example).")
    ] = None,
    example: Annotated[
        bool, typer.Option("--example", help="Print the commented default config and exit.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Train a recogniser into RUN_DIR; the same command on the same RUN_DIR resumes."""
    scli = _speech_cli()
    if example:
        sys.stdout.write(scli.example())
        return
    if out is None:
        error_line("give a run directory with -o RUN_DIR")
        raise typer.Exit(code=2)

    def report(line: str) -> None:
        err_console.print(escape(line), highlight=False, soft_wrap=True)

    def run() -> dict[str, Any]:
        cfg = scli.train_config(out, config=config, task=task)
        return scli.run_train(out, cfg, progress=not quiet, report=report)

    info = guarded(run)
    console.print(
        f"[green]wrote[/] {', '.join(info['files'])} [green]to[/] {escape(str(out))}/; "
        f"evaluate with: neuroattn speech evaluate {escape(str(out))}",
        soft_wrap=True,
    )


@speech_app.command("evaluate")
def speech_evaluate(
    run_dir: Annotated[Path, typer.Argument(help="Run directory (or a .pt checkpoint).")],
    split: Annotated[str, typer.Option("--split", help="test | dev")] = "test",
    beam: Annotated[
        int | None, typer.Option("--beam", help="Beam width [the run's].", show_default=False)
    ] = None,
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
        console.print(
            f"  [{voice}] {scli.shorten(hyp)} (expected {scli.shorten(ref)})",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )


@speech_app.command("transcribe")
def speech_transcribe(
    run_dir: Annotated[Path, typer.Argument(help="Run directory (or a .pt checkpoint).")],
    wav: Annotated[Path, typer.Argument(help="A WAV file (resampled to 16 kHz if needed).")],
    plot: Annotated[
        Path | None,
        typer.Option("--plot", help="Write the attention alignment over the spectrogram (PNG)."),
    ] = None,
    beam: Annotated[
        int | None, typer.Option("--beam", help="Beam width [the run's].", show_default=False)
    ] = None,
) -> None:
    """Print the text of FILE.wav."""
    scli = _speech_cli()
    info = guarded(lambda: scli.run_transcribe(run_dir, wav, beam=beam, plot=plot))
    for note in info["notes"]:
        error_line(note, kind="note")
    sys.stdout.write(info["text"] + "\n")
    if plot is not None:
        err_console.print(f"[green]wrote[/] {escape(str(plot))}", highlight=False)
