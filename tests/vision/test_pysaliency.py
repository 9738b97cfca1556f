"""Our metrics against pysaliency's on the same maps and fixations, and our pipeline as a
pysaliency ``SaliencyMapModel`` (``neuroattn.vision.interop.pysaliency_model``).

pysaliency is not a dependency (it compiles, and 0.2.22 needs ``pkg_resources`` and
``numpy.trapz``): the tests that need it skip with the reason when it cannot be imported.
Run them in the venv of benchmarks/README.md ("pysaliency cross-check"):

    .bench-venvs/pysaliency/bin/python -m pytest tests/vision/test_pysaliency.py -p no:cacheprovider

The references are pysaliency's own functions (``pysaliency.metrics``, ``pysaliency.roc``)
and its model methods, none of them our code.
"""

import sys

import numpy as np
import pytest

from neuroattn.vision import attend, interop, saliency, search_array
from neuroattn.vision import metrics as M

from .test_metrics_ties import _split, plateau_map, unique_points


@pytest.fixture(scope="module")
def ps():
    try:
        return interop.require_pysaliency()
    except ImportError as exc:
        pytest.skip(str(exc).split(";")[0])


def _maps():
    """A plateau map (ties), random maps, and our saliency map of a search display, in
    float64 (pysaliency computes SIM and KL in the map's dtype; ours always in float64)."""
    rng = np.random.default_rng(3)
    ours = saliency(search_array("colour", 16, seed=5, size=(96, 128)).image)
    maps = [plateau_map(), rng.random((24, 32)), rng.random((24, 32)) ** 4, ours]
    return [np.asarray(m, np.float64) for m in maps]


def _fixations(shape, n, seed):
    return unique_points(np.random.default_rng(seed), n, shape)


def test_auc_judd_equals_pysaliency_roc(ps):
    from pysaliency.roc import general_roc

    for k, s in enumerate(_maps()):
        fix = _fixations(s.shape, 40, 4 + k)
        pos, neg = _split(s, fix)
        assert M.auc_judd(s, fix) == pytest.approx(general_roc(pos, neg, judd=1)[0], abs=1e-12)
        assert M.auc_judd(s, fix, thresholds="all") == pytest.approx(
            general_roc(pos, neg, judd=0)[0], abs=1e-12
        )


def test_nss_cc_sim_kld_equal_pysaliency_metrics(ps):
    from pysaliency import metrics as P

    maps = _maps()
    for k, s in enumerate(maps):
        fix = _fixations(s.shape, 30, 10 + k)
        xs, ys = fix[:, 0], fix[:, 1]
        assert M.nss(s, fix) == pytest.approx(P.NSS(s, xs, ys).mean(), rel=1e-12, abs=1e-12)
        other = np.random.default_rng(20 + k).random(s.shape) * (s + 0.1)
        assert M.cc(s, other) == pytest.approx(P.CC(s, other), rel=1e-12, abs=1e-12)
        assert M.sim(s, other) == pytest.approx(P.SIM(s, other), rel=1e-12, abs=1e-12)
        with np.errstate(divide="ignore"):  # pysaliency takes log(0) on zero pixels
            expected = P.MIT_KLDiv(s, other)
        assert M.kld(s, other) == pytest.approx(expected, rel=1e-9, abs=1e-12)
    # a constant saliency map: NSS 0 and CC 0 in both. (With a constant such as 0.3 whose
    # mean is not exact, pysaliency's σ is rounding noise, ~1e-17, and its NSS ±1; ours
    # scales the map by its peak first, so σ is exactly 0 and NSS 0.)
    flat = np.full((10, 12), 0.5)
    fix = _fixations(flat.shape, 5, 1)
    assert M.nss(flat, fix) == P.NSS(flat, fix[:, 0], fix[:, 1]).mean() == 0
    assert M.cc(flat, maps[1][:10, :12]) == P.CC(flat, maps[1][:10, :12]) == 0


def _dataset(ps):
    """Three colour-singleton displays, fixations on the target plus two distractors each."""
    arrays = [search_array("colour", 9, seed=s, size=(128, 160)) for s in range(3)]
    xs, ys, ns = [], [], []
    for n, a in enumerate(arrays):
        order = [a.target_index, *[i for i in range(len(a.centres)) if i != a.target_index][:2]]
        for i in order:
            xs.append(a.centres[i][0])
            ys.append(a.centres[i][1])
            ns.append(n)
    stimuli = ps.Stimuli([a.image for a in arrays])
    fixations = ps.Fixations.create_without_history(np.array(xs), np.array(ys), np.array(ns))
    return arrays, stimuli, fixations


def test_our_model_evaluated_by_pysaliency(ps):
    arrays, stimuli, fixations = _dataset(ps)
    model = interop.pysaliency_model()
    assert isinstance(model, ps.SaliencyMapModel)
    maps = [saliency(a.image).astype(np.float64) for a in arrays]
    for a, s in zip(arrays, maps, strict=True):
        np.testing.assert_array_equal(model.saliency_map(a.image), s)
    per_image = [np.stack([fixations.x[fixations.n == n], fixations.y[fixations.n == n]], 1)
                 for n in range(len(arrays))]  # fmt: skip
    judd = [M.auc_judd(s, f) for s, f in zip(maps, per_image, strict=True)]
    assert model.AUC_Judd(stimuli, fixations, jitter=False) == pytest.approx(np.mean(judd))
    nss = [M.nss(s, f) for s, f in zip(maps, per_image, strict=True)]
    assert model.NSS(stimuli, fixations) == pytest.approx(np.mean(nss))  # 3 fixations each
    centre = ps.GaussianSaliencyMapModel(width=0.5)
    cc = [M.cc(s, centre.saliency_map(a.image)) for s, a in zip(maps, arrays, strict=True)]
    assert model.CC(stimuli, centre) == pytest.approx(np.mean(cc))
    sim = [M.sim(s, centre.saliency_map(a.image)) for s, a in zip(maps, arrays, strict=True)]
    assert model.SIM(stimuli, centre) == pytest.approx(np.mean(sim))
    # the colour singleton is the most salient item: its fixations rank above the others
    assert model.AUC_Judd(stimuli, fixations, jitter=False) > 0.8


def test_our_model_with_a_task(ps):
    arrays, stimuli, _ = _dataset(ps)
    model = interop.pysaliency_model(task="red", caching=False)
    expected = attend(arrays[0].image, task="red", n_fixations=1).saliency
    np.testing.assert_allclose(model.saliency_map(stimuli[0]), expected, atol=1e-6)
    assert interop.pysaliency_model(preset="itti1998").saliency_map(stimuli[1]).shape == (128, 160)


def test_without_pysaliency_the_error_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "pysaliency", None)  # import pysaliency → ImportError
    interop._model_class.cache_clear()
    try:
        with pytest.raises(ImportError, match=r"pysaliency cannot be imported.*pip install"):
            interop.pysaliency_model()
    finally:
        interop._model_class.cache_clear()


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"caching": "yes"}, TypeError, "caching must be True or False"),
        ({"config": {"levels": 3}}, TypeError, "config must be a VisionConfig"),
        ({"preset": "nope"}, ValueError, "preset"),
        ({"task": "motion=up"}, ValueError, "unknown feature 'motion'"),
        ({"task": 3.5}, ValueError, "example patch"),
    ],
)
def test_bad_options_before_pysaliency_is_imported(kwargs, error, words, monkeypatch):
    monkeypatch.setitem(sys.modules, "pysaliency", None)  # never reached
    with pytest.raises(error, match=words or None):
        interop.pysaliency_model(**kwargs)
