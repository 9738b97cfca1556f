"""The ``neuroattn`` command: one entry point with sub-commands.

Bad input never ends in a traceback: the command prints one line naming the problem and
exits with code 2.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

app = typer.Typer(
    name="neuroattn",
    help="Attention from neurons to networks: encode → features → compete → feedback.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
err_console = Console(stderr=True)


def _guarded(fn: Callable[[], Any]) -> Any:
    """Run ``fn``; turn expected failures into one line on stderr and exit code 2."""
    from .dynamics import SimulationError

    try:
        return fn()
    except (ValueError, TypeError, OSError, SimulationError) as exc:
        err_console.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(code=2) from None


@app.command()
def simulate(
    config: Annotated[
        Path | None, typer.Argument(help="TOML file: model, connectivity, inputs, time, sweep.")
    ] = None,
    out: Annotated[Path, typer.Option("-o", "--out", help="Output folder.")] = Path(
        "neuroattn-simulate"
    ),
    example: Annotated[
        bool, typer.Option("--example", help="Print a commented example config and exit.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Simulate a competition network from a TOML config; write results and figures."""
    from ._simconfig import EXAMPLE

    if example:
        sys.stdout.write(EXAMPLE)
        return
    if config is None:
        err_console.print("[bold red]error:[/] give a CONFIG.toml (see --example)")
        raise typer.Exit(code=2)

    def run() -> dict[str, Any]:
        from ._simconfig import load_config
        from ._simrun import run_config

        cfg = load_config(config)
        return run_config(cfg, out, progress=not quiet)

    summary = _guarded(run)
    console.print(f"[green]wrote[/] {', '.join(summary['files'])} [green]to[/] {out}/")
    if not summary["sweep"]:
        console.print(f"winner: neuron {summary['winner']}, selectivity {summary['selectivity']}")


@app.command()
def demo(
    out: Annotated[Path, typer.Option("-o", "--out", help="Output folder.")] = Path(
        "neuroattn-demo"
    ),
) -> None:
    """Run the built-in demonstration and write its figures."""
    from ._demo import run_demo

    with console.status("simulating the competition stage and attending to images…"):
        summary = _guarded(lambda: run_demo(out))
    comp = summary["competition"]
    console.print(
        f"competition: neuron {comp['winner']} wins, selectivity {comp['selectivity']}; "
        f"softmax bridge max diff {summary['softmax_bridge']['max_abs_difference']:.1e}"
    )
    for name, info in summary.get("vision", {}).items():
        console.print(
            f"vision: {info['fixations']} fixations on the {name} → {out / 'vision' / name}/"
        )
    console.print(f"[green]wrote[/] {len(summary['files'])} files to {out.resolve()}/")


@app.command()
def attend(
    images: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Image files (PNG, JPEG, TIFF, … or .npy); none: a built-in photograph "
            "and a generated search array.",
            show_default=False,
        ),
    ] = None,
    target: Annotated[
        str | None,
        typer.Option(
            "--target",
            "-t",
            help='Top-down task: "red", "orientation=45", "colour=red,orientation=90", '
            '"bright"/"dark", or an example patch image file.',
        ),
    ] = None,
    fixations: Annotated[int, typer.Option("--fixations", "-n", help="Fixations per image.")] = 5,
    out: Annotated[Path, typer.Option("-o", "--out", help="Output folder.")] = Path(
        "neuroattn-attend"
    ),
    config: Annotated[
        Path | None, typer.Option("--config", help="TOML settings of the pipeline (see --example).")
    ] = None,
    example: Annotated[
        bool, typer.Option("--example", help="Print the commented default config and exit.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Where does attention go? Saliency map, numbered scanpath, feature maps, fixations.json."""
    if example:
        from .vision import EXAMPLE_CONFIG

        sys.stdout.write(EXAMPLE_CONFIG)
        return

    def report(kind: str, message: str) -> None:
        style = "bold red" if kind == "error" else "yellow"
        err_console.print(f"[{style}]{kind}:[/] {message}", highlight=False, soft_wrap=True)

    def run() -> dict[str, Any]:
        from .vision._cli import run_attend

        return run_attend(images or [], out, target=target, n_fixations=fixations,
                          config=config, report=report, progress=not quiet)  # fmt: skip

    summary = _guarded(run)
    for info in summary["images"]:
        console.print(f"{info['image']}: {info['fixations']} fixations → {out / info['name']}/")
    if summary["failed"]:
        err_console.print(f"[bold red]{len(summary['failed'])} image(s) skipped[/]")
        raise typer.Exit(code=2)


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
