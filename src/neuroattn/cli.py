"""The ``neuroattn`` command: one entry point with sub-commands.

Bad input never ends in a traceback: the command prints one line naming the problem and
exits with code 2.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from ._cli_base import console, err_console, error_line, guarded
from ._cli_classify import classify_app
from ._cli_detect import detect_app
from ._cli_listen import listen_app
from ._cli_recommend import recommend_app
from ._cli_speech import speech_app
from ._cli_translate import translate_app

try:  # typer >= 0.22 raises the exceptions of the click it vendors
    from typer._click import exceptions as click_errors
except ImportError:  # pragma: no cover - older typer uses click itself
    from click import exceptions as click_errors  # type: ignore[no-redef]

app = typer.Typer(
    name="neuroattn",
    help="Attention from neurons to networks: encode → features → compete → feedback.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


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

    summary = guarded(run)
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
        summary = guarded(lambda: run_demo(out))
    comp = summary["competition"]
    console.print(
        f"competition: neuron {comp['winner']} wins, selectivity {comp['selectivity']}; "
        f"softmax bridge max diff {summary['softmax_bridge']['max_abs_difference']:.1e}"
    )
    for name, info in summary.get("vision", {}).items():
        console.print(
            f"vision: {info['fixations']} fixations on the {name} → {out / 'vision' / name}/"
        )
    valid = summary["validation"]
    if valid["table"]:
        console.print("\nmodel against published data (quick settings):", highlight=False)
        sys.stdout.write(valid["table"] + "\n")
    for line in valid["lines"]:
        console.print(escape(line), highlight=False, soft_wrap=True)
    if valid.get("report"):
        console.print(f"report: {escape(str((out / valid['report']).resolve()))}", highlight=False)
        console.print("full settings: neuroattn validate -o neuroattn-validate", highlight=False)
    console.print(f"[green]wrote[/] {len(summary['files'])} files to {out.resolve()}/")


@app.command()
def attend(
    images: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Image files (PNG, JPEG, TIFF, … or .npy) or folders of them (sorted by name); "
            "none: a built-in photograph and a generated search array.",
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
    max_pixels: Annotated[
        int | None,
        typer.Option(
            "--max-pixels",
            help="Largest image read, in pixels (default 8192², or the config's max_pixels); "
            "larger files are refused before they are decoded.",
            show_default=False,
        ),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            help="Run the images on the Dask scheduler at this address (tcp://host:8786); "
            "inputs and output folder on a file system the workers share. "
            "Needs pip install 'neuroattn[dask]'.",
            show_default=False,
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            help="Run the images on a local Dask cluster of this many single-threaded processes.",
            show_default=False,
        ),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Where does attention go? Saliency map, numbered scanpath, feature maps, fixations.json."""
    if example:
        from .vision import EXAMPLE_CONFIG

        sys.stdout.write(EXAMPLE_CONFIG)
        return

    def report(kind: str, message: str) -> None:
        error_line(message, kind)

    def run() -> dict[str, Any]:
        from .vision._cli import run_attend

        return run_attend(
            images or [],
            out,
            target=target,
            n_fixations=fixations,
            config=config,
            report=report,
            progress=not quiet,
            max_pixels=max_pixels,
            scheduler=scheduler,
            workers=workers,
        )

    summary = guarded(run)
    for info in summary["images"]:
        console.print(f"{info['image']}: {info['fixations']} fixations → {out / info['name']}/")
    if summary.get("dask"):
        where = summary["dask"]
        console.print(f"on Dask: {where['workers']} worker(s), scheduler {where['scheduler']}")
    if summary["failed"]:
        err_console.print(f"[bold red]{len(summary['failed'])} image(s) skipped[/]")
        raise typer.Exit(code=2)


@app.command()
def experiment(
    name: Annotated[str | None, typer.Argument(help="Experiment name (see --list).")] = None,
    config: Annotated[
        Path | None, typer.Option("-c", "--config", help="TOML settings (see --example).")
    ] = None,
    out: Annotated[
        Path | None, typer.Option("-o", "--out", help="Output folder [neuroattn-NAME].")
    ] = None,
    example: Annotated[
        bool, typer.Option("--example", help="Print NAME's commented config and exit.")
    ] = False,
    list_: Annotated[bool, typer.Option("--list", help="List the experiments.")] = False,
    quick: Annotated[bool, typer.Option("--quick", help="The quick settings.")] = False,
) -> None:
    """Run one experiment against published data: table, results.json, figure PNG."""
    from .experiments import _cli as ecli

    if list_:
        sys.stdout.write(ecli.listing())
        return
    if name is None:
        error_line("give an experiment NAME (see --list)")
        raise typer.Exit(code=2)
    if example:
        sys.stdout.write(guarded(lambda: ecli.example(name)))
        return
    where = out or Path(f"neuroattn-{name}")
    info = guarded(lambda: ecli.run_one(name, config, where, quick=quick))
    sys.stdout.write(info["result"].table() + "\n")
    console.print(f"[green]wrote[/] {', '.join(info['files'])} [green]to[/] {escape(str(where))}/")


@app.command()
def validate(
    out: Annotated[Path, typer.Option("-o", "--out", help="Output folder.")] = Path(
        "neuroattn-validate"
    ),
    quick: Annotated[bool, typer.Option("--quick", help="The quick settings.")] = False,
    only: Annotated[
        list[str] | None, typer.Option("--only", help="Run only this experiment (repeat).")
    ] = None,
    baseline: Annotated[
        Path | None, typer.Option("--baseline", help="Compare with this baseline/results.json.")
    ] = None,
    accept: Annotated[
        bool,
        typer.Option("--accept", help="Make this run the baseline even if findings regressed."),
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Run every experiment, write the HTML report; exit 3 when a finding that agreed with
    the published data no longer does (or an experiment fails)."""
    from .experiments import _cli as ecli

    options: dict[str, Any] = {"only": only or (), "baseline": baseline, "accept": accept}
    info = guarded(lambda: ecli.run_validate(out, quick=quick, progress=not quiet, **options))
    sys.stdout.write(info["table"] + "\n")
    for line in info["lines"]:
        where = console if info["code"] == 0 else err_console
        where.print(escape(line), highlight=False, soft_wrap=True)
    console.print(f"[green]report:[/] {escape(str(info['report'].resolve()))}")
    if info["code"]:
        raise typer.Exit(code=info["code"])


@app.command()
def sweep(
    config: Annotated[
        Path | None, typer.Argument(help="TOML file: [sweep], [fixed], [grid] (see --example).")
    ] = None,
    out: Annotated[Path, typer.Option("-o", "--out", help="Output folder.")] = Path(
        "neuroattn-sweep"
    ),
    example: Annotated[
        bool, typer.Option("--example", help="Print a commented example config and exit.")
    ] = False,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            help="Run the chunks on the Dask scheduler at this address.",
            show_default=False,
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            help="Run the chunks on a local Dask cluster of N processes.",
            show_default=False,
        ),
    ] = None,
    restart: Annotated[
        bool, typer.Option("--restart", help="Discard the sweep in the folder and start again.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """A parameter grid over the source's equation or an experiment: one NetCDF dataset;
    an interrupted sweep resumes from its finished chunks."""
    from .experiments import _sweep_command as sc

    if example:
        sys.stdout.write(sc.EXAMPLE)
        return
    if config is None:
        error_line("give a CONFIG.toml (see --example)")
        raise typer.Exit(code=2)
    options: dict[str, Any] = {"scheduler": scheduler, "workers": workers, "restart": restart}
    info = guarded(lambda: sc.run_sweep_command(config, out, progress=not quiet, **options))
    if info["resumed"]:
        console.print(f"resumed: {info['resumed']} of {info['chunks']} chunks were done")
    dims = ", ".join(f"{k} {v}" for k, v in info["dims"].items())
    console.print(
        f"[green]wrote[/] {escape(str(info['file']))}: {info['points']} points in "
        f"{info['chunks']} chunks on {info['where']}; dims {escape(dims)}",
        soft_wrap=True,
    )


app.add_typer(translate_app, name="translate")
app.add_typer(speech_app, name="speech")
app.add_typer(classify_app, name="classify")
app.add_typer(detect_app, name="detect")
app.add_typer(recommend_app, name="recommend")
app.add_typer(listen_app, name="listen")


def main(argv: list[str] | None = None) -> int:
    """Console-script entry point: exit code 0 on success, 2 for bad input or usage, 130
    when interrupted, 1 for an unexpected failure (a bug: one line, then the traceback only
    with ``NEUROATTN_DEBUG=1``)."""
    try:
        # without standalone mode, click returns the code of a typer.Exit raised inside
        code = app(args=argv, prog_name="neuroattn", standalone_mode=False)
    except typer.Exit as exc:
        return int(exc.exit_code)
    except click_errors.UsageError as exc:
        if exc.format_message():  # empty when the help was shown for a bare command
            hint = f"; see '{exc.ctx.command_path} --help'" if exc.ctx is not None else ""
            error_line(f"{exc.format_message()}{hint}")
        return 2
    except click_errors.ClickException as exc:
        error_line(exc.format_message())
        return exc.exit_code
    except (KeyboardInterrupt, typer.Abort):
        error_line("interrupted")
        return 130
    except Exception as exc:
        if os.environ.get("NEUROATTN_DEBUG"):
            raise
        error_line(
            f"internal error ({type(exc).__name__}: {exc}); please report it, "
            "with NEUROATTN_DEBUG=1 for the traceback"
        )
        return 1
    if code == 130:  # typer turns Ctrl-C inside a command into Exit(130)
        error_line("interrupted")
    return code if isinstance(code, int) else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
