"""Extreme eigenvalues of many large matrices at once, from matrix–vector products only.

:func:`arnoldi_ritz` runs m steps of the Arnoldi iteration (Arnoldi 1951; Saad,
*Numerical Methods for Large Eigenvalue Problems*, 2nd ed. 2011, §6.2) on a batch of
operators A_b, all advanced by one batched product per step: it builds an orthonormal
basis V_m of the Krylov space span{v, A v, …, A^{m−1} v} and the Hessenberg matrix
H_m = V_mᵀ A V_m, whose eigenvalues θ (the Ritz values) approximate the outermost
eigenvalues of A first. Each θ comes with the residual ‖A V_m y − θ V_m y‖ = h_{m+1,m} |y_m|
(y the unit eigenvector of H_m), which says how far it is from an eigenvalue: θ is an exact
eigenvalue of a matrix within that distance of A (for a normal A, an eigenvalue of A lies
within it). The method is published; batching over operators and the choices of m, the
re-orthogonalisation (classical Gram–Schmidt applied twice) and the seeded start vector
are ours.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def arnoldi_ritz(
    matvec: Callable[[np.ndarray], np.ndarray], batch: int, n: int, steps: int, *, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Ritz values and their residuals of ``steps`` Arnoldi steps on each of ``batch``
    operators of size n.

    Parameters
    ----------
    matvec : callable
        ``matvec(X)`` for X of shape ``(batch, n)`` returns the rows A_b x_b, shape
        ``(batch, n)`` (float64).
    batch, n : int
        Number of operators and their size.
    steps : int
        Arnoldi steps m ≤ n: m products per operator, memory (m + 1) · batch · n floats.
    seed : int
        Seed of the random start vector (the same numbers every call).

    Returns
    -------
    theta : ndarray, shape (batch, m), complex
        Ritz values. An operator whose Krylov space is invariant after j < m steps gets
        its j exact eigenvalues and m − j zeros.
    residual : ndarray, shape (batch, m)
        ‖A V y − θ V y‖ for each Ritz pair (0 for the exact ones).
    """
    m = max(1, min(int(steps), n))
    V = np.zeros((m + 1, batch, n))
    H = np.zeros((batch, m + 1, m))
    v = np.random.default_rng(seed).standard_normal((batch, n))
    V[0] = v / np.linalg.norm(v, axis=1, keepdims=True)
    alive = np.ones(batch, dtype=bool)  # operators whose Krylov space still grows
    for j in range(m):
        w = np.array(matvec(V[j]), dtype=np.float64)  # a copy: updated in place
        for _ in range(2):  # classical Gram–Schmidt, twice: orthogonal to rounding
            h = np.einsum("kbn,bn->bk", V[: j + 1], w)
            w -= np.einsum("bk,kbn->bn", h, V[: j + 1])
            H[:, : j + 1, j] += h
        norm = np.linalg.norm(w, axis=1)
        scale = np.linalg.norm(H[:, : j + 2, j], axis=1)
        alive &= norm > 1e-12 * np.maximum(scale, np.finfo(float).tiny)
        H[:, j + 1, j] = np.where(alive, norm, 0.0)
        V[j + 1] = np.where(alive[:, None], w / np.where(alive, norm, 1.0)[:, None], 0.0)
    theta, Y = np.linalg.eig(H[:, :m, :m])
    residual = np.abs(H[:, m, m - 1])[:, None] * np.abs(Y[:, m - 1, :])
    return theta, residual
