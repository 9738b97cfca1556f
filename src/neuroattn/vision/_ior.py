"""Inhibition of return: where an attended location is inhibited, and how that decays.

:class:`InhibitionOfReturn` is read by the scanpath loop (:mod:`._scan`) after every
fixation; it needs nothing else of the competition stage.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np


@dataclass(frozen=True)
class InhibitionOfReturn:
    """Where and how strongly an attended location is inhibited, and how that decays.

    Attributes
    ----------
    radius : float
        Radius of the disc, as a fraction of the longer image side.
    extent : float
        The proto-object around the winner (connected cells whose input is at least this
        fraction of the winner's) is inhibited too; 0 turns this off.
    strength : float
        Peak suppression (1 = complete).
    tau_ms : float
        Decay time constant in ms.
    """

    radius: float
    extent: float
    strength: float
    tau_ms: float

    def region(
        self, inputs: np.ndarray, row: float, col: float, image_shape: tuple[int, int]
    ) -> np.ndarray:
        """Where to inhibit after attending (row, col) of a map of ``inputs``.

        A flat-topped disc of radius r, e^{−(d/r)⁴}, joined with the proto-object around
        the winner — the connected cells whose input is at least ``extent`` of the
        winner's (Walther & Koch 2006), out to 3 r — so that a large salient region is
        inhibited as a whole.
        """
        h, w = inputs.shape
        cell = 0.5 * (image_shape[0] / h + image_shape[1] / w)
        r = self.radius * max(image_shape) / cell
        yy, xx = np.mgrid[0:h, 0:w]
        d2 = ((yy - row) ** 2 + (xx - col) ** 2) / r**2
        region = np.exp(-(d2**2))
        if self.extent > 0:
            i, j = round(row), round(col)
            above = (inputs >= self.extent * inputs[i, j]).astype(np.uint8)
            _, labels = cv2.connectedComponents(above, connectivity=8)
            blob = (labels == labels[i, j]) & (d2 <= 9.0)
            region = np.maximum(region, blob)
        return region

    def amount(
        self,
        marks: list[tuple[np.ndarray, float]],
        now: float,
        tau_ms: float,
        shape: tuple[int, ...],
    ) -> np.ndarray:
        """1 − Π_k (1 − s e^{−Δt/τ_IOR} R_k) over the inhibited regions R_k.

        ``marks`` pairs each region with the time (units of τ, of ``tau_ms`` ms) it was
        inhibited; ``now`` is the current time and ``shape`` that of the map.
        """
        keep = np.ones(shape)
        for region, t0 in marks:
            amp = self.strength * np.exp(-(now - t0) * tau_ms / self.tau_ms)
            keep *= 1 - amp * region
        return 1 - keep
