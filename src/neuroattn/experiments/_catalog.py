"""Every experiment module, imported so that it registers itself (one line each)."""
