"""Behaviour sequences for click prediction: generated users with latent interests.

A catalogue of ``categories`` categories, each split into ``styles`` styles (the
*clusters*), each holding ``items_per_style`` items; item ids start at 1 (0 pads). A user
has between 1 and ``interests`` latent interests (clusters, with Dirichlet(1) weights)
and a history of 5–40 clicked items: each is drawn from an interest (by its weight) with
probability 1 − ``noise``, else uniformly from the whole catalogue. The user is then shown
``candidates`` items, half drawn from their interests and half from the catalogue, and
clicks candidate c with probability

.. math::

    p(c) = \\sigma\\big(-3 + 5\\,(1 - e^{-n_c/2}) + 1.5\\,(1 - e^{-g_c/2})\\big),

with n_c the history's items of c's cluster and g_c those of c's category but another
style. A click depends on how much of the history matches *this* candidate -- the part of
the history that is about it -- and not on the history as a whole: the point of target
attention (Zhou et al. 2018). The generator, its constants and the click model are ours.
The true probabilities are kept (``Examples.truth``), so the Bayes-optimal AUC of a split
is known.

The users are split into train, dev and test (``dev_fraction``, ``test_fraction``); no
user appears in two splits. Everything follows ``seed``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ...dynamics.checks import check_integer, check_number, check_seed

__all__ = ["CLICK_MODEL", "Examples", "Splits", "generate", "split_users"]

# the click model's constants (ours): bias, cluster gain, category gain, saturation count
CLICK_MODEL = {"bias": -3.0, "cluster": 5.0, "category": 1.5, "scale": 2.0}
MIN_HISTORY = 5


@dataclass(frozen=True, eq=False)
class Examples:
    """Click examples: one candidate item of one user with that user's earlier history.

    Attributes
    ----------
    user : ndarray of int64, shape (N,)
        The user of each example (an index; see ``Splits.user_names``).
    history, history_category : ndarray of int64, shape (N, L)
        Item and category ids of the history, oldest first, 0 after ``length``.
    length : ndarray of int64, shape (N,)
        The number of history items of each example (0 to L).
    item, category : ndarray of int64, shape (N,)
        The candidate's item and category ids (from 1).
    label : ndarray of float32, shape (N,)
        1 for a click, 0 otherwise.
    truth : ndarray of float64, shape (N,), optional
        The click probability the generator used (None for a CSV).
    """

    user: np.ndarray
    history: np.ndarray
    history_category: np.ndarray
    length: np.ndarray
    item: np.ndarray
    category: np.ndarray
    label: np.ndarray
    truth: np.ndarray | None = None

    def __len__(self) -> int:
        return int(self.label.shape[0])

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Examples):
            return NotImplemented
        pairs = zip(_arrays(self), _arrays(other), strict=True)
        return all(
            (a is None and b is None) or (a is not None and b is not None and np.array_equal(a, b))
            for a, b in pairs
        )

    __hash__ = None  # type: ignore[assignment]

    def take(self, index: np.ndarray) -> Examples:
        """The examples at ``index`` (an integer or boolean array)."""
        arrays = [None if a is None else a[index] for a in _arrays(self)]
        return Examples(*arrays)  # type: ignore[arg-type]


def _arrays(ex: Examples) -> tuple[np.ndarray | None, ...]:
    return (
        ex.user,
        ex.history,
        ex.history_category,
        ex.length,
        ex.item,
        ex.category,
        ex.label,
        ex.truth,
    )


@dataclass(frozen=True)
class Splits:
    """Train, dev and test examples of disjoint users, and the catalogue's sizes.

    ``n_items`` and ``n_categories`` count the ids including the padding id 0;
    ``item_names``, ``category_names`` and ``user_names`` give each id's name (index 0 is
    ``"<pad>"`` for items and categories).
    """

    train: Examples
    dev: Examples
    test: Examples
    n_items: int
    n_categories: int
    item_names: tuple[str, ...] = field(repr=False)
    category_names: tuple[str, ...] = field(repr=False)
    user_names: tuple[str, ...] = field(repr=False)

    def sizes(self) -> tuple[int, int, int]:
        """The number of examples of train, dev and test."""
        return len(self.train), len(self.dev), len(self.test)


def split_users(
    n_users: int, *, dev_fraction: float, test_fraction: float, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Split user indices 0..n_users-1 into train, dev and test (each sorted, non-empty).

    Raises
    ------
    ValueError
        If a split would hold no user.
    """
    dev_fraction = check_number(dev_fraction, "dev_fraction", gt=0, lt=1)
    test_fraction = check_number(test_fraction, "test_fraction", gt=0, lt=1)
    if dev_fraction + test_fraction >= 1:
        raise ValueError(
            f"dev_fraction + test_fraction must be < 1, got {dev_fraction + test_fraction:g}"
        )
    order = np.random.default_rng([check_seed(seed), 1]).permutation(n_users)
    n_test = round(test_fraction * n_users)
    n_dev = round(dev_fraction * n_users)
    if min(n_test, n_dev, n_users - n_test - n_dev) < 1:
        raise ValueError(
            f"users must be enough for a user in each of train, dev and test, got {n_users} "
            f"users with dev_fraction {dev_fraction:g} and test_fraction {test_fraction:g}"
        )
    test, dev, train = np.split(order, [n_test, n_test + n_dev])
    return np.sort(train), np.sort(dev), np.sort(test)


def click_probability(n_cluster: np.ndarray, n_category: np.ndarray) -> np.ndarray:
    """The generator's click model p(c) (see the module's docstring)."""
    m = CLICK_MODEL
    logit = (
        m["bias"]
        + m["cluster"] * (1 - np.exp(-n_cluster / m["scale"]))
        + m["category"] * (1 - np.exp(-n_category / m["scale"]))
    )
    return 1.0 / (1.0 + np.exp(-logit))


def _user_examples(
    rng: np.random.Generator,
    *,
    styles: int,
    items_per_style: int,
    n_clusters: int,
    interests: int,
    max_history: int,
    candidates: int,
    noise: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One user's history items (H,), candidate items (C,) and click probabilities (C,)."""
    k = int(rng.integers(1, interests + 1))
    mine = rng.choice(n_clusters, size=k, replace=False)  # (k,)
    weights = rng.dirichlet(np.ones(k))  # (k,)
    n_hist = int(rng.integers(MIN_HISTORY, max_history + 1))

    def draw(n: int, from_interest: np.ndarray) -> np.ndarray:
        cluster = np.where(
            from_interest, mine[rng.choice(k, size=n, p=weights)], rng.integers(0, n_clusters, n)
        )  # (n,)
        return cluster * items_per_style + rng.integers(0, items_per_style, n)  # (n,), from 0

    hist = draw(n_hist, rng.random(n_hist) >= noise)  # (H,)
    cand_from = np.arange(candidates) < (candidates + 1) // 2  # (C,) half from the interests
    cand = draw(candidates, cand_from)  # (C,)
    hist_cluster, cand_cluster = hist // items_per_style, cand // items_per_style
    same_cluster = cand_cluster[:, None] == hist_cluster[None, :]  # (C, H)
    same_category = (cand_cluster[:, None] // styles) == (hist_cluster[None, :] // styles)
    n_c = same_cluster.sum(axis=1)  # (C,)
    g_c = (same_category & ~same_cluster).sum(axis=1)  # (C,)
    return hist + 1, cand + 1, click_probability(n_c, g_c)


def _draw_users(rng: np.random.Generator, users: int, **options: Any) -> dict[str, np.ndarray]:
    """Every user's history (U, L), length (U,), candidates (U, C), click probabilities
    (U, C) and labels (U, C), drawn in user order."""
    L, C = options["max_history"], options["candidates"]
    hist = np.zeros((users, L), dtype=np.int64)  # (U, L)
    lengths = np.zeros(users, dtype=np.int64)  # (U,)
    cand = np.zeros((users, C), dtype=np.int64)  # (U, C)
    truth = np.zeros((users, C))  # (U, C)
    for u in range(users):
        h, c, p = _user_examples(rng, **options)
        hist[u, : len(h)], lengths[u], cand[u], truth[u] = h, len(h), c, p
    labels = (rng.random(truth.shape) < truth).astype(np.float32)  # (U, C)
    return {"hist": hist, "lengths": lengths, "cand": cand, "truth": truth, "labels": labels}


def _examples(us: np.ndarray, drawn: dict[str, np.ndarray], per_style: int) -> Examples:
    """The examples of users ``us`` (every candidate of each, in user order)."""

    def category_of(items: np.ndarray) -> np.ndarray:
        return np.where(items > 0, (items - 1) // per_style + 1, 0)

    rows = np.repeat(us, drawn["cand"].shape[1])  # (N,)
    h = drawn["hist"][rows]  # (N, L)
    items = drawn["cand"][us].reshape(-1)  # (N,)
    return Examples(
        user=rows,
        history=h,
        history_category=category_of(h),
        length=drawn["lengths"][rows],
        item=items,
        category=category_of(items),
        label=drawn["labels"][us].reshape(-1),
        truth=drawn["truth"][us].reshape(-1),
    )


def generate(
    *,
    users: int = 2000,
    categories: int = 20,
    styles: int = 4,
    items_per_style: int = 10,
    interests: int = 3,
    max_history: int = 40,
    candidates: int = 10,
    noise: float = 0.2,
    dev_fraction: float = 0.1,
    test_fraction: float = 0.2,
    seed: int = 0,
) -> Splits:
    """Generated users, histories and candidates with clicks, split by user.

    See the module's docstring for the generator and its click model (ours).

    Parameters
    ----------
    users : int
        Users in all splits together (≥ 3).
    categories, styles, items_per_style : int
        The catalogue: categories × styles clusters of ``items_per_style`` items each.
    interests : int
        Each user has 1 to ``interests`` latent interests (clusters).
    max_history : int
        History lengths are uniform over 5..max_history.
    candidates : int
        Candidates shown to each user (examples per user).
    noise : float
        Probability that a history item is drawn from the whole catalogue.
    dev_fraction, test_fraction : float
        Shares of the users held out for dev and test.
    seed : int

    Returns
    -------
    Splits
    """
    users = check_integer(users, "users", ge=3, le=10**6)
    categories = check_integer(categories, "categories", ge=1, le=10**4)
    styles = check_integer(styles, "styles", ge=1, le=10**3)
    items_per_style = check_integer(items_per_style, "items_per_style", ge=1, le=10**4)
    n_clusters = categories * styles
    if n_clusters * items_per_style > 10**7:
        raise ValueError(
            f"the catalogue must have at most 10**7 items, got {n_clusters * items_per_style}"
        )
    interests = check_integer(interests, "interests", ge=1, le=n_clusters)
    max_history = check_integer(max_history, "max_history", ge=MIN_HISTORY, le=1000)
    candidates = check_integer(candidates, "candidates", ge=1, le=1000)
    noise = check_number(noise, "noise", ge=0, le=1)
    parts = split_users(users, dev_fraction=dev_fraction, test_fraction=test_fraction, seed=seed)
    drawn = _draw_users(
        np.random.default_rng([check_seed(seed), 0]),
        users,
        styles=styles,
        items_per_style=items_per_style,
        n_clusters=n_clusters,
        interests=interests,
        max_history=max_history,
        candidates=candidates,
        noise=noise,
    )
    per_style = styles * items_per_style
    n_items = n_clusters * items_per_style
    train, dev, test = (_examples(p, drawn, per_style) for p in parts)
    return Splits(
        train,
        dev,
        test,
        n_items=n_items + 1,
        n_categories=categories + 1,
        item_names=("<pad>", *(f"item {i}" for i in range(1, n_items + 1))),
        category_names=("<pad>", *(f"category {c}" for c in range(1, categories + 1))),
        user_names=tuple(f"user {u}" for u in range(users)),
    )
