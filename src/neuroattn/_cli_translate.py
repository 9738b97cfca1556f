"""``neuroattn translate train|evaluate|predict``: the translation application's commands."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from ._cli_base import console, err_console, error_line, guarded, needs_extra

translate_app = typer.Typer(
    name="translate",
    help="Translation with attention: train seq2seq models, evaluate them, translate.",
    no_args_is_help=True,
)


def _translate_cli() -> Any:
    """The translate command's module; one line and exit 2 without the extras it needs."""

    def load() -> Any:
        from .apps.translate import _cli as tcli

        return tcli

    return needs_extra(load, "translate", "torch,translate")


@translate_app.command("train")
def translate_train(
    out: Annotated[Path | None, typer.Option("-o", "--out", help="Run directory.")] = None,
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
    config: Annotated[
        Path | None, typer.Option("-c", "--config", help="TOML settings (see --example).")
    ] = None,
    example: Annotated[
        bool, typer.Option("--example", help="Print the commented default config and exit.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Train a model into RUN_DIR; the same command on the same RUN_DIR resumes a run."""
    tcli = _translate_cli()
    if example:
        sys.stdout.write(tcli.example())
        return
    if out is None:
        error_line("give a run directory with -o RUN_DIR")
        raise typer.Exit(code=2)

    def report(line: str) -> None:
        err_console.print(escape(line), highlight=False, soft_wrap=True)

    def run() -> dict[str, Any]:
        cfg = tcli.train_config(out, config=config, task=task, model=model)
        return tcli.run_train(out, cfg, progress=not quiet, report=report)

    info = guarded(run)
    console.print(
        f"[green]wrote[/] {', '.join(info['files'])} [green]to[/] {escape(str(out))}/; "
        f"evaluate with: neuroattn translate evaluate {escape(str(out))}",
        soft_wrap=True,
    )


@translate_app.command("evaluate")
def translate_evaluate(
    run_dir: Annotated[Path, typer.Argument(help="Run directory (or a .pt checkpoint).")],
    split: Annotated[str, typer.Option("--split", help="test | dev")] = "test",
    beam: Annotated[
        int | None, typer.Option("--beam", help="Beam width [the run's].", show_default=False)
    ] = None,
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
        console.print(
            f"  {tcli.shorten(source)} → {tcli.shorten(hyp)} (expected {tcli.shorten(ref)})",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )
    if info["wrong"] > len(info["examples"]):
        console.print(f"  … {info['wrong']} wrong in all", highlight=False)


@translate_app.command("predict")
def translate_predict(
    run_dir: Annotated[Path, typer.Argument(help="Run directory (or a .pt checkpoint).")],
    texts: Annotated[list[str], typer.Argument(help="Text(s) to translate.")],
    plot: Annotated[
        Path | None, typer.Option("--plot", help="Write the attention alignments as a PNG.")
    ] = None,
    beam: Annotated[
        int | None, typer.Option("--beam", help="Beam width [the run's].", show_default=False)
    ] = None,
) -> None:
    """Translate TEXT(s) with the run's best model, one line each."""
    tcli = _translate_cli()
    info = guarded(lambda: tcli.run_predict(run_dir, texts, beam=beam, plot=plot))
    for line in info["translations"]:
        sys.stdout.write(line + "\n")
    if plot is not None:
        err_console.print(f"[green]wrote[/] {escape(str(plot))}", highlight=False)
