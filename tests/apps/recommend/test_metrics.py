"""AUC and GAUC against scikit-learn; the attention plot."""

from __future__ import annotations

import numpy as np
import pytest

from neuroattn.apps.recommend import auc, gauc, plot_history_attention

sklearn_metrics = pytest.importorskip("sklearn.metrics")


@pytest.mark.parametrize("seed", range(5))
def test_auc_equals_sklearn_with_ties(seed: int) -> None:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, 200)
    s = np.round(rng.normal(size=200) + y, 1)  # rounded: many ties
    assert auc(s, y) == pytest.approx(sklearn_metrics.roc_auc_score(y, s), abs=1e-12)


def test_auc_extremes() -> None:
    assert auc([0.1, 0.2, 0.9], [0, 0, 1]) == 1.0
    assert auc([0.9, 0.2, 0.1], [0, 0, 1]) == 0.0
    assert auc([0.5, 0.5, 0.5, 0.5], [0, 1, 0, 1]) == 0.5


def test_gauc_is_the_impression_weighted_user_auc() -> None:
    rng = np.random.default_rng(7)
    users = rng.integers(0, 12, 300)
    y = rng.integers(0, 2, 300)
    y[users == 3] = 1  # a user with clicks only: left out
    s = rng.normal(size=300) + 0.5 * y
    total = weight = 0.0
    for u in np.unique(users):
        m = users == u
        if len(set(y[m])) == 2:
            total += m.sum() * sklearn_metrics.roc_auc_score(y[m], s[m])
            weight += m.sum()
    assert gauc(s, y, users) == pytest.approx(total / weight, abs=1e-12)
    assert np.isnan(gauc([0.1, 0.2], [1, 1], [0, 0]))


@pytest.mark.parametrize(
    ("scores", "labels", "words"),
    [
        ([0.1, 0.2], [0, 0], "both clicks"),
        ([0.1, 0.2], [0, 2], "labels must be 0 or 1"),
        ([0.1, 0.2], [0, 1, 1], "one value per score"),
        ([0.1, np.nan], [0, 1], "scores contains NaN"),
        (["a", "b"], [0, 1], "scores"),
    ],
)
def test_bad_metric_inputs(scores: list, labels: list, words: str) -> None:
    with pytest.raises((ValueError, TypeError), match=words):
        auc(scores, labels)


def test_gauc_needs_one_user_per_score() -> None:
    with pytest.raises(ValueError, match="users must have one value per score"):
        gauc([0.1, 0.2], [0, 1], [0])


def test_plot_draws_one_bar_per_history_item() -> None:
    fig = plot_history_attention(
        [0.1, 0.5, 0.0], ["a", "b", "c"], highlight=[False, True, False], candidate="item 9"
    )
    ax = fig.axes[0]
    assert [p.get_height() for p in ax.patches] == pytest.approx([0.1, 0.5, 0.0])
    assert "item 9" in ax.get_title()
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c"]


def test_plot_bad_inputs() -> None:
    with pytest.raises(ValueError, match="labels must name each of the 2 weights"):
        plot_history_attention([0.1, 0.2], ["a"])
    with pytest.raises(ValueError, match="highlight must have one flag per weight"):
        plot_history_attention([0.1, 0.2], ["a", "b"], highlight=[True])
    with pytest.raises(ValueError, match="weights"):
        plot_history_attention([np.inf], ["a"])
