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

    with console.status("simulating the competition stage…"):
        summary = _guarded(lambda: run_demo(out))
    comp = summary["competition"]
    console.print(
        f"competition: neuron {comp['winner']} wins, selectivity {comp['selectivity']}; "
        f"softmax bridge max diff {summary['softmax_bridge']['max_abs_difference']:.1e}"
    )
    console.print(f"[green]wrote[/] {len(summary['files'])} files to {out.resolve()}/")


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
