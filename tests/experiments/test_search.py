"""Visual search (experiments.search): the signatures of Treisman & Gelade 1980 and Wolfe
1994/1998 on small held-out runs, the slopes against plain least squares, the RT against
the pipeline's own scanpath, and bad configs."""

from __future__ import annotations

import math

import matplotlib
import numpy as np
import pytest
from scipy import stats

from neuroattn import experiments as ex
from neuroattn.experiments import TAU_MS
from neuroattn.experiments._search_observer import observers
from neuroattn.experiments._search_trials import _scan, _target_patch
from neuroattn.experiments.search import CONDITIONS, SearchConfig, SearchResult
from neuroattn.vision import Pipeline
from neuroattn.vision._family import HELD_OUT
from neuroattn.vision.stimuli import score_trial

matplotlib.use("Agg")
NAMES = [c.name for c in CONDITIONS]


@pytest.fixture(scope="module")
def quick() -> SearchResult:
    res = ex.run("search", quick=True)  # set sizes 9 and 25, 3 held-out displays each
    assert isinstance(res, SearchResult)
    return res


def _slope(res: SearchResult, name: str) -> float:
    return res.slopes[name].ms_per_item


def test_feature_search_is_flat_conjunction_is_not_and_absent_is_about_twice(quick):
    for kind in ("colour", "orientation", "larger", "smaller"):
        assert abs(_slope(quick, f"{kind}/present")) < 5, kind
    present, absent = _slope(quick, "conjunction/present"), _slope(quick, "conjunction/absent")
    assert present > 15 and present > 5 * abs(_slope(quick, "colour/present")) + 10
    assert 1.5 < absent / present < 3
    # quitting (activation threshold of least cost on tuning practice displays): an absent
    # colour or orientation display is rejected after one look; before issue 10 it was
    # scanned item by item (colour 58, orientation 48 ms/item)
    assert abs(_slope(quick, "colour/absent")) < 10
    assert abs(_slope(quick, "orientation/absent")) < 10
    thr = dict(zip(NAMES, quick.variables["quit_threshold"].values, strict=True))
    assert thr["colour/present"] == thr["colour/absent"] > 0 and thr["conjunction/task"] == 0
    assert thr["orientation/present"] == thr["orientation/absent"] > 0
    # conjunctions: a threshold below nearly every item, so an absent display is scanned
    # (nearly) item by item, and an absent feature display is one look
    assert thr["conjunction/absent"] < 0.2 * thr["orientation/absent"]
    fix, sizes = quick.variables["fixations"].values, quick.coords["set_size"]
    assert (fix[NAMES.index("conjunction/absent")].mean(axis=1) >= 0.8 * sizes).all()
    assert (fix[NAMES.index("orientation/absent")] <= 2).all()


def test_a_known_target_guides_search(quick):
    assert _slope(quick, "conjunction/task") < 0.5 * _slope(quick, "conjunction/present")


def test_slopes_and_errors_match_plain_least_squares(quick):
    rt, sizes = quick.variables["rt_ms"].values, quick.coords["set_size"]
    for c, name in enumerate(NAMES):
        x = np.broadcast_to(sizes[:, None], rt[c].shape)[np.isfinite(rt[c])]
        fit = stats.linregress(x.astype(float), rt[c][np.isfinite(rt[c])])
        assert _slope(quick, name) == pytest.approx(fit.slope, rel=1e-9, abs=1e-9)
        se = quick.variables["slope_se"].values[c]
        assert se == pytest.approx(fit.stderr, rel=1e-6, abs=1e-9)
    ratio = next(f for f in quick.findings if "ratio" in f.measure)
    assert ratio.model == pytest.approx(
        _slope(quick, "conjunction/absent") / _slope(quick, "conjunction/present")
    )


def test_findings_state_published_values_and_agree_only_within_their_bands(quick):
    assert len(quick.findings) == 11
    for f in quick.findings:
        assert f.published and f.reference
        if not math.isfinite(f.model):
            assert not f.agrees
    by = {f.measure: f for f in quick.findings}
    flat = by["colour search slope, target present"]
    assert flat.agrees == (abs(flat.model) < 10)
    absent = by["colour search slope, target absent"]
    assert absent.agrees == (abs(absent.model) < 10)
    asym = by["asymmetry: mean RT smaller − larger target"]
    assert "larger" in asym.published and asym.reference == "Treisman & Gormican 1988"


def test_rt_is_the_onset_of_the_first_fixation_on_the_target(quick):
    # recompute one conjunction trial with the pipeline directly (one scan per item)
    c, s, d = NAMES.index("conjunction/present"), 1, 0
    n = int(quick.coords["set_size"][s])
    array = HELD_OUT.draw("conjunction", int(quick.coords["seed"][d]), set_size=n)
    config = SearchConfig(set_sizes=(9, 25), n_displays=3)
    pipe = observers(config, CONDITIONS, TAU_MS)[0][c]  # the block's drive and threshold
    assert pipe.compete.priority_drive == config.priority_drive > 0
    fix = pipe.attend(array.image, n_fixations=n)
    hit = next(
        f for f in fix.fixations
        if np.argmin(((array.centres - [f.x, f.y]) ** 2).sum(1)) == array.target_index
    )  # fmt: skip
    assert quick.variables["rt_ms"].values[c, s, d] == pytest.approx(hit.onset, abs=1e-3)
    # absent: the end of the scan, never more fixations than items
    a = NAMES.index("conjunction/absent")
    assert (quick.variables["fixations"].values[a] <= quick.coords["set_size"][:, None]).all()


def test_the_short_first_look_is_the_long_scan_beginning():
    pipe = Pipeline()
    arrays = HELD_OUT.sample("conjunction", 3, set_size=16, start=7)
    results = pipe.attend([a.image for a in arrays], n_fixations=16)
    full = [score_trial(a, r.fixations) for a, r in zip(arrays, results, strict=True)]
    staged = _scan(pipe, arrays, 16, guided=False)
    for f, g in zip(full, staged, strict=True):
        assert (f.found, f.n_fixations) == (g.found, g.n_fixations)
        assert f.rt_ms == pytest.approx(g.rt_ms, abs=1e-3)


def test_the_task_patch_is_the_target_alone_on_the_background():
    array = HELD_OUT.draw("conjunction", 50_000_003, set_size=25)
    patch = _target_patch(array)
    assert patch.shape[0] < array.spacing + 10 and patch.shape[1] < array.spacing + 10
    background = array.image[array.labels == 0][0]
    target = array.image[array.target_mask]
    colours = {tuple(p) for p in patch.reshape(-1, 3)}
    assert tuple(background) in colours
    assert colours <= {tuple(background)} | {tuple(p) for p in target}


def test_data_are_labelled_seeded_and_plotted(quick):
    ds = quick.to_xarray()
    assert ds["rt_ms"].dims == ("condition", "set_size", "seed")
    assert list(ds["condition"].values) == NAMES
    assert list(ds["seed"].values) == [50_000_000, 50_000_001, 50_000_002]
    assert quick.seeds == tuple(ds["seed"].values) and quick.split == "held-out"
    assert ds["slope"].dims == ("condition",) and ds["rt_ms"].attrs["tau_ms"] == TAU_MS
    assert "search" in ex.available()
    fig = quick.plot()
    assert isinstance(fig, matplotlib.figure.Figure) and len(fig.axes) == 2
    assert fig.axes[0].get_xlabel() and fig.axes[1].get_xlabel()


@pytest.mark.parametrize(
    ("field", "value", "error", "words"),
    [
        ("set_sizes", (9,), ValueError, "set_sizes must hold two distinct sizes"),
        ("set_sizes", (9, 9), ValueError, "set_sizes must hold two distinct sizes"),
        ("set_sizes", (1, 9), ValueError, r"set_sizes\[0\] must be an integer >= 2"),
        ("set_sizes", (9, 50), ValueError, r"set_sizes\[1\] must be an integer"),
        ("set_sizes", (9, 2.5), ValueError, r"set_sizes\[1\] must be"),
        ("set_sizes", "9, 25", TypeError, "set_sizes must be a list of integers"),
        ("set_sizes", 9, TypeError, "set_sizes must be a list of integers"),
        ("n_displays", 0, ValueError, "n_displays must be an integer >= 1"),
        ("n_displays", True, ValueError, "n_displays must be"),
        ("split", "test", ValueError, "split must be one of 'tuning', 'held-out'"),
        ("start", -1, ValueError, "start must be an integer >= 0"),
        ("closed_loop", "yes", TypeError, "closed_loop must be true or false"),
        ("quitting", 1, TypeError, "quitting must be true or false"),
        ("miss_cost", -1, ValueError, "miss_cost must be"),
        ("miss_cost", "high", ValueError, "miss_cost must be"),
        ("practice", 0, ValueError, "practice must be an integer >= 1"),
        ("priority_drive", -1, ValueError, "priority_drive must be"),
        ("priority_drive", "high", ValueError, "priority_drive must be"),
    ],
)
def test_bad_configs_get_one_clear_error(field, value, error, words):
    with pytest.raises(error, match=words):
        SearchConfig(**{field: value})


def test_a_toml_list_becomes_a_tuple_and_a_wrong_config_is_refused():
    assert SearchConfig(set_sizes=[25, 9]).set_sizes == (25, 9)
    with pytest.raises(TypeError, match="config must be a SearchConfig"):
        ex.get("search").run(object())
