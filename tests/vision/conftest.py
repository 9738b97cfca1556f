import numpy as np
import pytest


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(2024)


def on_target(array, fixation) -> bool:
    """The item nearest to a fixation is the search array's target."""
    d = ((array.centres - np.array([fixation.x, fixation.y])) ** 2).sum(axis=1)
    return int(np.argmin(d)) == array.target_index
