"""Generated users and CSV logs: reproducible, split by user, the click model, bad input."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from neuroattn.apps.recommend import (
    CLICK_MODEL,
    Examples,
    click_probability,
    generate,
    read_csv,
    split_users,
)

SMALL = {"users": 60, "candidates": 6, "categories": 5, "styles": 3, "items_per_style": 4}


def test_generator_is_reproducible_from_the_seed() -> None:
    a, b, c = generate(**SMALL, seed=4), generate(**SMALL, seed=4), generate(**SMALL, seed=5)
    assert a == b
    assert a.train != c.train


def test_splits_hold_disjoint_users_and_every_example() -> None:
    s = generate(**SMALL, dev_fraction=0.2, test_fraction=0.3, seed=1)
    users = [set(part.user.tolist()) for part in (s.train, s.dev, s.test)]
    for x, y in itertools.combinations(users, 2):
        assert not x & y
    assert set().union(*users) == set(range(60))
    assert [len(u) for u in users] == [30, 12, 18]
    assert s.sizes() == (30 * 6, 12 * 6, 18 * 6)


def _brute_force_truth(ex: Examples, styles: int, per_style: int) -> np.ndarray:
    """The click model recomputed one example at a time from the item ids."""
    out = []
    for i in range(len(ex)):
        hist = ex.history[i, : ex.length[i]] - 1
        cand = ex.item[i] - 1
        cluster = [h // per_style for h in hist]
        n_c = sum(c == cand // per_style for c in cluster)
        n_g = sum(c // styles == (cand // per_style) // styles for c in cluster) - n_c
        m = CLICK_MODEL
        logit = (
            m["bias"]
            + m["cluster"] * (1 - np.exp(-n_c / 2))
            + m["category"] * (1 - np.exp(-n_g / 2))
        )
        out.append(1 / (1 + np.exp(-logit)))
    return np.array(out)


def test_clicks_follow_the_matching_part_of_the_history() -> None:
    s = generate(**SMALL, seed=2)
    ex = s.train
    np.testing.assert_allclose(ex.truth, _brute_force_truth(ex, 3, 4), rtol=1e-12)
    assert (ex.history[np.arange(ex.history.shape[1]) >= ex.length[:, None]] == 0).all()
    assert ((ex.length >= 5) & (ex.length <= 40)).all()
    real = ex.history > 0
    assert ((ex.history_category - 1) == (ex.history - 1) // 12)[real].all()
    assert ((ex.category - 1) == (ex.item - 1) // 12).all()
    assert s.n_items == 5 * 3 * 4 + 1 and s.n_categories == 6


def test_click_probability_values() -> None:
    assert click_probability(np.array(0.0), np.array(0.0)) == pytest.approx(1 / (1 + np.e**3))
    far = click_probability(np.array(1e9), np.array(1e9))
    assert far == pytest.approx(1 / (1 + np.exp(-3.5)))


def test_labels_are_drawn_from_the_truth() -> None:
    s = generate(users=400, seed=0)
    ex = s.train
    # the mean label matches the mean probability within 4 standard errors
    se = np.sqrt((ex.truth * (1 - ex.truth)).sum()) / len(ex)
    assert abs(ex.label.mean() - ex.truth.mean()) < 4 * se


@pytest.mark.parametrize(
    ("options", "words"),
    [
        ({"users": 2}, "users must be"),
        ({"users": 5, "test_fraction": 0.05}, "users must be enough"),
        ({"dev_fraction": 0.5, "test_fraction": 0.5}, r"dev_fraction \+ test_fraction"),
        ({"noise": 1.5}, "noise must be"),
        ({"max_history": 3}, "max_history must be"),
        ({"interests": 0}, "interests must be"),
        ({"categories": 2, "styles": 1, "interests": 3}, "interests must be"),
        ({"candidates": 2.5}, "candidates must be"),
        ({"seed": -1}, "seed"),
    ],
)
def test_bad_generator_settings(options: dict, words: str) -> None:
    with pytest.raises((ValueError, TypeError), match=words):
        generate(**{"users": 30, **options})


def test_split_users_is_a_partition() -> None:
    train, dev, test = split_users(10, dev_fraction=0.2, test_fraction=0.2, seed=0)
    assert sorted([*train, *dev, *test]) == list(range(10))
    assert (len(train), len(dev), len(test)) == (6, 2, 2)


CSV = """user,item,category,timestamp,label,extra
u1,a,x,1,1,z
u1,b,y,2,0,z
u1,c,x,3,1,z
u1,d,y,3,1,z
u1,e,x,4,0,z

u2,a,x,5,1,z
u2,b,y,6,1,z
u3,c,x,1,0,z
u3,a,x,2,1,z
u4,d,y,1,1,z
u5,e,x,1,0,z
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "log.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_csv_histories_are_earlier_clicks(tmp_path: Path) -> None:
    s = read_csv(_write(tmp_path, CSV), max_history=2, dev_fraction=0.2, test_fraction=0.2)
    assert s.item_names == ("<pad>", "a", "b", "c", "d", "e")
    assert s.category_names == ("<pad>", "x", "y")
    assert s.user_names == ("u1", "u2", "u3", "u4", "u5")
    rows = {}
    for part in (s.train, s.dev, s.test):
        for i in range(len(part)):
            user = s.user_names[part.user[i]]
            hist = [s.item_names[h] for h in part.history[i, : part.length[i]]]
            rows[(user, s.item_names[part.item[i]])] = (hist, part.label[i])
    assert rows[("u1", "a")] == ([], 1)
    assert rows[("u1", "b")] == (["a"], 0)
    assert rows[("u1", "c")] == (["a"], 1)  # d has the same timestamp: not earlier
    assert rows[("u1", "d")] == (["a"], 1)
    assert rows[("u1", "e")] == (["c", "d"], 0)  # the latest 2 clicks, oldest first
    assert rows[("u3", "a")] == ([], 1)  # u3's c was not clicked
    assert sum(len(p) for p in (s.train, s.dev, s.test)) == 11


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "empty file"),
        ("user,item,label\nu,a,1\n", "missing column.*category, timestamp"),
        ("user,item,category,timestamp,label\n", "no rows"),
        ("user,item,category,timestamp,label\nu,a,x,1,1\nu,b,x,two,0\n", "line 3: timestamp"),
        ("user,item,category,timestamp,label\nu,a,x,1,yes\n", "line 2: label must be 0 or 1"),
        ("user,item,category,timestamp,label\nu,a,x,1\n", "line 2: expected 5 fields"),
        ("user,item,category,timestamp,label\nu,,x,1,1\n", "line 2: item must not be empty"),
        ("user,item,category,timestamp,label\nu,a,x,inf,1\n", "line 2: timestamp must be finite"),
        ("user,item,category,timestamp,label\nu,a,x,1,1\n", "users must be enough"),
    ],
)
def test_bad_csv(tmp_path: Path, text: str, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        read_csv(_write(tmp_path, text))


def test_csv_not_there_or_not_text(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="cannot read"):
        read_csv(tmp_path / "missing.csv")
    bad = tmp_path / "bin.csv"
    bad.write_bytes(b"user,item\n\xff\xfe\x00")
    with pytest.raises(ValueError, match="UTF-8"):
        read_csv(bad)
