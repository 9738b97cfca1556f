"""The examples in the nn docstrings run (the registry's constructor rule among them)."""

import doctest
import importlib
import pkgutil

import pytest

pytest.importorskip("torch")

import neuroattn.nn

MODULES = sorted(m.name for m in pkgutil.iter_modules(neuroattn.nn.__path__, "neuroattn.nn."))


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS, verbose=False)
    assert result.failed == 0, f"{result.failed} docstring example(s) failed in {name}"
