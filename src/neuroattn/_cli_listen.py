"""``neuroattn listen [WAV ...] [--attend SPEC] [-o DIR]``: the hearing stages on sounds.

The work is in :mod:`neuroattn.hearing._cli`; this module declares the command.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from ._cli_base import console, guarded

listen_app = typer.Typer(
    name="listen",
    help="Hearing: cochleagram, saliency over time, the scan of salient events, attention.",
    invoke_without_command=True,
    # one command, not a group: options may follow the WAV files
    context_settings={"allow_interspersed_args": True},
    subcommand_metavar="",
)


@listen_app.callback(invoke_without_command=True)
def listen(
    wavs: Annotated[
        list[Path] | None,
        typer.Argument(
            help="WAV files (8/16/24/32-bit PCM or float); none: generated sounds (an "
            "oddball sequence, ABA–, two voices).",
            show_default=False,
        ),
    ] = None,
    attend: Annotated[
        str | None,
        typer.Option(
            "--attend",
            "-a",
            help='Task: "high", "low", "1000 Hz" or "voice at 220 Hz"; writes the attended stream.',
            show_default=False,
        ),
    ] = None,
    out: Annotated[Path, typer.Option("-o", "--out", help="Output folder.")] = Path(
        "neuroattn-listen"
    ),
    config: Annotated[
        Path | None,
        typer.Option(
            "-c",
            "--config",
            help="TOML settings of the stages (see --example).",
            show_default=False,
        ),
    ] = None,
    example: Annotated[
        bool, typer.Option("--example", help="Print the commented default config and exit.")
    ] = False,
) -> None:
    """Where does attention go in a sound? Cochleagram, saliency, captures, attended stream."""
    if example:
        from .hearing._config import EXAMPLE_TOML

        sys.stdout.write(EXAMPLE_TOML)
        return

    def run() -> dict[str, Any]:
        from .hearing._cli import run_listen

        return run_listen(wavs or [], out, attend=attend, config=config)

    summary = guarded(run)
    for info in summary["sounds"]:
        line = (
            f"{escape(info['name'])}: {info['duration_s']:g} s, {info['captures']} capture(s) "
            f"of attention → {escape(str(out / info['name']))}/"
        )
        tmr = info.get("tmr_db")
        if tmr:
            line += f"; TMR {tmr['input']:+.1f} → {tmr['attended']:+.1f} dB"
        console.print(line, highlight=False, soft_wrap=True)
