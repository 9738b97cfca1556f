"""Every experiment module, imported so that it registers itself (one line each)."""

# one line per module, so that modules added in parallel never touch the same line
# ruff: noqa: I001
from . import autism  # noqa: F401
from . import biased  # noqa: F401
from . import normalization  # noqa: F401
from . import posner  # noqa: F401
from . import priming  # noqa: F401
from . import regimes  # noqa: F401
from . import search  # noqa: F401
from . import adhd  # noqa: F401
from . import streaming  # noqa: F401
