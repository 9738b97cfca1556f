"""The validation report, results.json, the regression gate and TOML configs, on toys."""

from __future__ import annotations

import base64
import dataclasses
import json
import math
import sys
from html.parser import HTMLParser
from io import BytesIO

import matplotlib.image as mpimg
import numpy as np
import pytest

from neuroattn.experiments import _configio, _report, _validate
from neuroattn.experiments._validate import Regression

from ._toys import STATE, Inner, ToyConfig, only_toys  # noqa: F401

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

pytestmark = pytest.mark.usefixtures("only_toys")


class _Page(HTMLParser):
    """Tags with their attributes, and the text of the table's cells."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.cells: list[str] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        self.tags.append((tag, dict(attrs)))
        if tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):  # type: ignore[no-untyped-def]
        if tag in ("td", "th") and self._cell is not None:
            self.cells.append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):  # type: ignore[no-untyped-def]
        if self._cell is not None:
            self._cell.append(data)


def _strict_json(text: str):  # type: ignore[no-untyped-def]
    def bad(name: str) -> None:
        raise ValueError(f"non-standard JSON constant {name}")

    return json.loads(text, parse_constant=bad)


def test_validate_runs_each_keeps_failures_and_renders_figures():
    v = _validate.validate(["toy-a", "toy-broken", "toy-a"])
    assert [o.name for o in v.outcomes] == ["toy-a", "toy-broken"]
    good, broken = v.outcomes
    assert good.error is None and good.result is not None and good.seconds > 0
    assert broken.result is None and broken.error == "ZeroDivisionError: always"
    assert v.errors == {"toy-broken": "ZeroDivisionError: always"} and not v.ok
    assert v.counts() == (2, 3)
    image = mpimg.imread(BytesIO(good.figure), format="png")
    assert image.ndim == 3 and image.shape[0] > 100 and image[..., :3].std() > 0.05
    lines = v.table().splitlines()
    assert lines[0].split() == ["experiment", "measure", "model", "published", "agrees"]
    assert len(lines) == 1 + 3 + 1 and "(failed)" in lines[-1]


def test_unknown_names_fail_before_anything_runs():
    STATE["fail"] = True  # would raise if it ran
    with pytest.raises(ValueError, match="unknown experiment 'nope'; use one of: toy-a"):
        _validate.validate(["toy-gate", "nope"])


def test_the_page_is_self_contained_escaped_and_holds_one_table():
    v = _validate.validate(["toy-a", "toy-broken"])
    text = _report.render_html(v)
    page = _Page()
    page.feed(text)
    tags = [t for t, _ in page.tags]
    assert "script" not in tags and tags.count("table") == 1 and "<b>bold</b>" not in text
    for _tag, attrs in page.tags:  # nothing is fetched from elsewhere
        for key in ("src", "href"):
            if attrs.get(key) is not None:
                assert attrs[key].startswith(("data:image/png;base64,", "data:,", "#")), attrs
    ids = {a["id"] for _, a in page.tags if a.get("id")}
    links = [a["href"][1:] for t, a in page.tags if t == "a" and a["href"].startswith("#")]
    assert links == ["fig-toy-a"] and set(links) <= ids  # the failed one has no figure
    headers = page.cells[:6]
    assert headers == [
        "experiment", "measure", "model value", "published value or direction", "agrees",
        "reference",
    ]  # fmt: skip
    assert page.cells[6].startswith("toy-a") and page.cells[6].endswith(" s")  # its time
    assert page.cells[7:12] == ["slope <b>bold</b> & co", "2 ms/item", "> 0", "yes", "Nobody 2026"]
    assert ["no value", "–", "≈ 1", "no", "Somebody 2020"] == page.cells[17:22]
    assert any("failed: ZeroDivisionError: always" in c for c in page.cells)
    (img,) = [a for t, a in page.tags if t == "img"]
    png = base64.b64decode(img["src"].split(",", 1)[1], validate=True)
    assert png == v.outcomes[0].figure and img["alt"]


def test_results_json_is_strict_and_files_are_written_at_once(tmp_path):
    v = _validate.validate(["toy-a", "toy-broken"])
    out = tmp_path / "report"
    files = _report.write_report(v, out, extra_files={"note.txt": "hi"})
    assert sorted(files) == ["note.txt", "report.html", "results.json", "toy-a.png"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]  # no staging left
    data = _strict_json((out / "results.json").read_text())
    a, broken = data["experiments"]
    assert a["findings"][2]["model"] is None and a["figure"] == "toy-a.png"
    assert a["config"]["soas_ms"] == [50.0, 100.0, 1000.0] and a["config"]["inner"]["width"] == 3
    assert broken["error"] == "ZeroDivisionError: always" and broken["figure"] is None
    assert data["agree"] == 2 and data["findings"] == 3 and data["ok"] is False
    assert (out / "toy-a.png").read_bytes() == v.outcomes[0].figure


def test_a_file_in_the_way_is_a_clear_error(tmp_path):
    v = _validate.validate(["toy-a"])
    (tmp_path / "taken").write_text("x")
    with pytest.raises(ValueError, match="exists and is not a folder"):
        _report.write_report(v, tmp_path / "taken")


def test_regressions_are_findings_that_agreed_and_no_longer_do():
    STATE["agree"] = False
    v = _validate.validate(["toy-gate", "toy-broken", "toy-a"])
    baseline = {
        "toy-gate": {"ratio": True, "no value": False, "gone": True},
        "toy-broken": {"x": True, "y": False},
        "other": {"z": True},  # not run: not compared
    }
    assert _validate.regressions(v, baseline) == (
        Regression("toy-gate", "ratio", "disagrees"),
        Regression("toy-gate", "gone", "not reported"),
        Regression("toy-broken", "x", "experiment failed"),
    )
    assert _validate.regressions(v, {}) == ()
    assert "agreed before" in str(Regression("e", "m", "disagrees"))


def test_the_gate_holds_until_fixed_or_accepted(tmp_path):
    out = tmp_path / "v"
    first = _validate.validate_into(out, ["toy-gate"])
    assert first.ok and first.baseline is None and (out / "baseline.json").exists()
    STATE["agree"] = False
    second = _validate.validate_into(out, ["toy-gate"])
    assert not second.ok and second.regressions == (Regression("toy-gate", "ratio", "disagrees"),)
    assert _strict_json((out / "results.json").read_text())["regressions"][0]["measure"] == "ratio"
    assert "(regressed)" in (out / "report.html").read_text()
    assert not _validate.validate_into(out, ["toy-gate"]).ok  # the baseline was kept
    assert _validate.validate_into(out, ["toy-gate"], quick=True).ok  # its own baseline
    assert (out / "baseline-quick.json").exists()
    assert not _validate.validate_into(out, ["toy-gate"], accept=True).ok
    assert _validate.validate_into(out, ["toy-gate"]).ok  # accepted: the new baseline
    STATE["agree"] = True
    assert _validate.validate_into(out, ["toy-gate"]).ok


def test_an_experiment_that_fails_fails_the_gate_and_a_given_baseline_is_used(tmp_path):
    _validate.validate_into(tmp_path / "a", ["toy-gate"])
    STATE["fail"] = True
    v = _validate.validate_into(tmp_path / "b", ["toy-gate"], baseline=tmp_path / "a/results.json")
    assert v.baseline.endswith("results.json") and not v.ok
    assert {r.now for r in v.regressions} == {"experiment failed"}
    assert not (tmp_path / "b" / "baseline.json").exists()  # a failing run sets no baseline
    with pytest.raises(ValueError, match="does not exist"):
        _validate.validate_into(tmp_path / "c", ["toy-gate"], baseline=tmp_path / "none.json")


@pytest.mark.parametrize(
    ("text", "match"),
    [("{", "not a JSON baseline"), ('{"findings": {"e": {"m": 1}}}', "not a baseline"),
     ("[1, 2]", "not a baseline"), ('{"findings": {"e": 3}}', "not a baseline")],
)  # fmt: skip
def test_bad_baselines_are_named(tmp_path, text, match):
    path = tmp_path / "b.json"
    path.write_text(text)
    with pytest.raises(ValueError, match=match):
        _validate.read_baseline(path)


def test_write_experiment_writes_table_json_and_figure(tmp_path):
    from neuroattn.experiments import run

    res = run("toy-a", quick=True)
    assert _report.write_experiment(res, tmp_path / "o") == ["table.txt", "results.json",
                                                               "toy-a.png"]  # fmt: skip
    assert (tmp_path / "o/table.txt").read_text() == res.table() + "\n"
    assert _strict_json((tmp_path / "o/results.json").read_text())["config"]["n"] == 2


def test_to_jsonable_makes_plain_json():
    import enum

    class Kind(enum.Enum):
        A = "a"

    data = {"x": np.float32(1.5), "y": np.arange(2), "z": (math.inf, Kind.A), 1: {math.nan}}
    assert _report.to_jsonable(data) == {"x": 1.5, "y": [0, 1], "z": [None, "a"], "1": [None]}


# ---- the TOML config of an experiment ------------------------------------------------


def test_the_example_is_commented_toml_that_reads_back_to_the_defaults(tmp_path):
    text = _configio.example_toml("toy-a")
    assert "# Posner & Cohen 1984\nsoas_ms = [50.0, 100.0, 1000.0]" in text
    assert "# how many set sizes\n# ours\nn = 4" in text
    assert "# Slope of RT against set size, from the docstring.\ngain = 2.0" in text
    assert "# optional\n# cutoff = …   (default: None)" in text
    assert "[inner]\n# stimulus width (Reynolds & Heeger 2009, Fig. 2A)\nwidth = 3.0" in text
    assert "Quick settings (--quick, make demo): n = 2" in text
    tomllib.loads(text)
    path = tmp_path / "c.toml"
    path.write_text(text)
    assert _configio.load_toml("toy-a", path) == ToyConfig()


def test_toml_values_are_shaped_like_the_defaults(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text("n = 3\ngain = 1\nsoas_ms = [10, 20]\ncutoff = 0.5\n[inner]\nwidth = 7\n")
    cfg = _configio.load_toml("toy-a", path)
    assert cfg == ToyConfig(n=3, gain=1.0, soas_ms=(10, 20), cutoff=0.5, inner=Inner(7.0))
    assert isinstance(cfg.gain, float) and isinstance(cfg.soas_ms, tuple)
    path.write_text('["toy-a"]\nn = 5\n')  # or inside a table named after the experiment
    assert _configio.load_toml("toy-a", path).n == 5


@pytest.mark.parametrize(
    ("text", "exc", "match"),
    [
        ("n = 1\n", ValueError, r"c.toml: n must be an integer >= 2 and <= 1000, got 1"),
        ("nope = 1\n", ValueError, r"nope is not a setting .*use one of: cutoff, gain"),
        ("[inner]\nheight = 2\n", ValueError, r"inner.height is not a setting"),
        ("n = \n", ValueError, r"c.toml: not valid TOML"),
        ('gain = "big"\n', ValueError, r"gain must be a finite number"),
        ("label = 3\n", TypeError, r"label must be a string"),
    ],
)
def test_bad_config_files_name_the_file_and_the_field(tmp_path, text, exc, match):
    path = tmp_path / "c.toml"
    path.write_text(text)
    with pytest.raises(exc, match=match):
        _configio.load_toml("toy-a", path)


def test_binary_and_missing_config_files(tmp_path):
    path = tmp_path / "c.toml"
    path.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(ValueError, match="not a UTF-8 text file"):
        _configio.load_toml("toy-a", path)
    with pytest.raises(OSError):
        _configio.load_toml("toy-a", tmp_path / "missing.toml")


def test_toml_values_that_toml_cannot_say_are_left_as_comments():
    assert _configio._toml_value(math.inf) == "inf" and _configio._toml_value(math.nan) == "nan"
    assert _configio._toml_value(np.array([1.0, 2.0])) == "[1.0, 2.0]"
    assert _configio._toml_value({"a": 1}) == '{"a" = 1}'
    assert _configio._toml_value((1, None)) is None and _configio._toml_value(object()) is None

    @dataclasses.dataclass(frozen=True)
    class C:
        f: object = dataclasses.field(default_factory=object)

    assert "# f = …   (default: <object object" in "\n".join(_configio._example_lines(C, None))
