"""The one scale from model time to milliseconds, stated once for every experiment."""

from __future__ import annotations

from ..vision.compete import WinnerTakeAll

TAU_MS: float = WinnerTakeAll().tau_ms
"""τ of the competition in ms (7 ms: calibrated on search displays in issue 8; every
experiment converts model time with it and none re-tunes it)."""
