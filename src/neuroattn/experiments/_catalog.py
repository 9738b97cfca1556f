"""Every experiment module, imported so that it registers itself (one line each)."""
from . import regimes  # noqa: F401
