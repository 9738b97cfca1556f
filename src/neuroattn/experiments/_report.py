"""The validation report: one self-contained HTML page, ``results.json`` and the figures.

The page needs nothing but itself: no script, no style sheet or font from elsewhere, the
figures embedded as base64 PNG. It holds one table (experiment with its wall time, measure,
model value, published value or direction, agrees yes/no, reference), the regressions and
failures above it, and each experiment's figure below. Every text from an experiment is
HTML-escaped. Files are written into a staging folder and moved into place when complete
(:func:`neuroattn._atomic.staged_dir`).
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as _dt
import html
import io
import json
import math
import platform
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._atomic import staged_dir
from ._base import ExperimentResult, Finding

if TYPE_CHECKING:
    from ._validate import Validation

__all__ = [
    "figure_png",
    "render_html",
    "results_json",
    "to_jsonable",
    "write_experiment",
    "write_report",
]

NOTE = (
    "Model values come from the project's own models (neuroattn.dynamics and "
    "neuroattn.vision) with one time scale for every experiment; published values are "
    "those of the cited papers (docs: design brief §4). Disorder models are computational "
    "hypotheses from the literature, never diagnosis."
)

_STYLE = """
body{font-family:system-ui,-apple-system,"DejaVu Sans",sans-serif;margin:2em auto;
max-width:72em;padding:0 1em;color:#222;line-height:1.4}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em}
table{border-collapse:collapse;width:100%;font-size:.92em}
th,td{border:1px solid #ccc;padding:.3em .5em;text-align:left;vertical-align:top}
th{background:#f2f2f2}td.num{text-align:right;white-space:nowrap}
.yes{color:#176317;font-weight:600}.no{color:#a31515;font-weight:600}
.banner{padding:.6em 1em;margin:1em 0;border-radius:4px}
.bad{background:#fde8e8;border:1px solid #a31515}.good{background:#e8f5e8;border:1px solid #176317}
figure{margin:1em 0}img{max-width:100%;height:auto;border:1px solid #eee}
.small{color:#555;font-size:.88em}code{background:#f4f4f4;padding:0 .2em}
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _value(f: Finding) -> str:
    return f"{f.model:.4g} {f.unit}".strip() if math.isfinite(f.model) else "–"


def _rows(validation: Validation) -> list[str]:
    regressed = {(r.experiment, r.measure) for r in validation.regressions}
    rows = []
    for o in validation.outcomes:
        name = f'<a href="#fig-{_e(o.name)}">{_e(o.name)}</a>' if o.figure else _e(o.name)
        head = f'{name}<br><span class="small">{o.seconds:.2f} s</span>'
        findings = o.result.findings if o.result is not None else ()
        if not findings:
            what = "failed: " + (o.error or "") if o.error else "no findings"
            rows.append(
                f'<tr id="exp-{_e(o.name)}"><td>{head}</td>'
                f'<td colspan="5" class="no">{_e(what)}</td></tr>'
            )
            continue
        for k, f in enumerate(findings):
            cell = ""
            if k == 0:
                cell = f'<td rowspan="{len(findings)}" id="exp-{_e(o.name)}">{head}</td>'
            agrees = '<span class="yes">yes</span>' if f.agrees else '<span class="no">no</span>'
            if (o.name, f.measure) in regressed:
                agrees += ' <span class="no">(regressed)</span>'
            rows.append(
                f"<tr>{cell}<td>{_e(f.measure)}</td><td class=num>{_e(_value(f))}</td>"
                f"<td>{_e(f.published)}</td><td>{agrees}</td><td>{_e(f.reference)}</td></tr>"
            )
    return rows


def _banner(validation: Validation) -> str:
    lines = validation.summary_lines()
    kind = "good" if validation.ok else "bad"
    head = _e(lines[0])
    rest = "".join(f"<li>{_e(line)}</li>" for line in lines[1:])
    base = (
        f"compared with the baseline {_e(validation.baseline)}"
        if validation.baseline
        else "no baseline to compare with (this run becomes the baseline)"
    )
    extra = f"<ul>{rest}</ul>" if rest else ""
    return f'<div class="banner {kind}"><strong>{head}</strong>; {base}.{extra}</div>'


def _figures(validation: Validation) -> list[str]:
    parts = []
    for o in validation.outcomes:
        if o.figure is None:
            continue
        data = base64.b64encode(o.figure).decode("ascii")
        summary = "all findings agree" if o.result and o.result.agrees else "see the table"
        parts.append(
            f'<h2 id="fig-{_e(o.name)}">{_e(o.name)}</h2><figure>'
            f'<img src="data:image/png;base64,{data}" alt="figure of the {_e(o.name)} '
            f'experiment"><figcaption class="small">{_e(o.name)}: {summary}; '
            f"{o.seconds:.2f} s</figcaption></figure>"
        )
    return parts


def render_html(validation: Validation, *, title: str = "neuroattn validation") -> str:
    """The report as one HTML page (figures embedded, no external resource)."""
    from .. import __version__

    mode = "quick settings" if validation.quick else "default settings"
    stamp = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    head = (
        "<tr><th>experiment</th><th>measure</th><th>model value</th>"
        "<th>published value or direction</th><th>agrees</th><th>reference</th></tr>"
    )
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            '<link rel="icon" href="data:,">',
            f"<title>{_e(title)}</title><style>{_STYLE}</style></head><body>",
            f"<h1>{_e(title)}</h1>",
            f'<p class="small">neuroattn {_e(__version__)}, Python '
            f"{_e(platform.python_version())}; {mode}; {stamp}. {_e(NOTE)}</p>",
            _banner(validation),
            f"<table><thead>{head}</thead><tbody>",
            *_rows(validation),
            "</tbody></table>",
            *_figures(validation),
            "</body></html>",
        ]
    )


def results_json(validation: Validation) -> dict[str, Any]:
    """What ``results.json`` holds: the run, each experiment's findings, time, config and
    error, and the regressions."""
    from .. import __version__

    experiments = []
    for o in validation.outcomes:
        entry: dict[str, Any] = (
            o.result.to_dict() if o.result is not None else {"name": o.name, "findings": []}
        )
        entry.update(
            seconds=o.seconds,
            error=o.error,
            figure=f"{o.name}.png" if o.figure is not None else None,
        )
        experiments.append(entry)
    agree, total = validation.counts()
    return to_jsonable(
        {
            "neuroattn": __version__,
            "quick": validation.quick,
            "seconds": validation.seconds,
            "ok": validation.ok,
            "agree": agree,
            "findings": total,
            "baseline": validation.baseline,
            "regressions": [
                {"experiment": r.experiment, "measure": r.measure, "now": r.now}
                for r in validation.regressions
            ],
            "experiments": experiments,
        }
    )


def _dumps(data: Any) -> str:
    return json.dumps(to_jsonable(data), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def write_report(
    validation: Validation,
    out: str | Path,
    *,
    extra_files: Mapping[str, str] | None = None,
) -> list[str]:
    """Write ``report.html``, ``results.json`` and ``<experiment>.png`` into ``out`` (all
    at once, when complete); ``extra_files`` maps more file names to their text. Returns
    the names written."""
    files = {
        "report.html": render_html(validation),
        "results.json": _dumps(results_json(validation)),
    }
    files.update(extra_files or {})
    with staged_dir(out) as tmp:
        for name, text in files.items():
            (tmp / name).write_text(text, encoding="utf-8")
        for o in validation.outcomes:
            if o.figure is not None:
                (tmp / f"{o.name}.png").write_bytes(o.figure)
    return [*files, *(f"{o.name}.png" for o in validation.outcomes if o.figure is not None)]


def write_experiment(result: ExperimentResult, out: str | Path) -> list[str]:
    """Write one experiment's ``table.txt``, ``results.json`` and ``<name>.png`` into
    ``out`` (all at once, when complete). Returns the names written."""
    png = figure_png(result)
    with staged_dir(out) as tmp:
        (tmp / "table.txt").write_text(result.table() + "\n", encoding="utf-8")
        (tmp / "results.json").write_text(_dumps(result.to_dict()), encoding="utf-8")
        (tmp / f"{result.name}.png").write_bytes(png)
    return ["table.txt", "results.json", f"{result.name}.png"]


def figure_png(result: ExperimentResult, dpi: int = 110) -> bytes:
    """The result's figure rendered as PNG bytes (the figure is closed afterwards)."""
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    fig = result.plot()
    if not isinstance(fig, Figure):
        raise TypeError(f"{result.name}: plot() must return a matplotlib Figure, got {fig!r}")
    try:
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
        return buf.getvalue()
    finally:
        plt.close(fig)


def to_jsonable(obj: Any) -> Any:
    """``obj`` with numpy values, tuples, paths and enums turned into plain JSON values and
    non-finite floats into None (strict JSON)."""
    if isinstance(obj, Mapping):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple | set | frozenset):
        return [to_jsonable(v) for v in obj]
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return to_jsonable(dataclasses.asdict(obj))
    if hasattr(obj, "tolist"):
        return to_jsonable(obj.tolist())
    if isinstance(obj, bool | int | str) or obj is None:
        return obj
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if hasattr(obj, "value") and isinstance(obj.value, str | int | float):  # enums
        return to_jsonable(obj.value)
    return str(obj)
