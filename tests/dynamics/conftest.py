import numpy as np
import pytest


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(12345)


def random_system(rng: np.random.Generator, n: int = 5):
    """A random sigmoid competition network with inputs, for comparisons with scipy."""
    from neuroattn.dynamics import Competition

    W = rng.uniform(0.0, 1.0, (n, n)) / n
    model = Competition(W, beta=float(rng.uniform(0.5, 2.0)), tau=float(rng.uniform(0.5, 2)))
    inputs = rng.uniform(-1, 2, n)
    u0 = rng.normal(0, 0.5, n)
    return model, inputs, u0
