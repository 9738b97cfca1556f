"""The competition stage as an attention layer: softmax replaced by shunting competition."""

from __future__ import annotations

import math
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ..dynamics.checks import check_choice, check_integer, check_number
from ._activations import make_activation
from ._base import Attention

MODES = ("shunting", "dynamics")


def _inverse_softplus(y: float) -> float:
    """x with softplus(x) = y > 0."""
    return y + math.log(-math.expm1(-y))


def shunting_readout(scores: Tensor, log_A: Tensor | None, B: float) -> Tensor:
    """Shunting equilibrium x_i = B e^{s_i} / (A + Σ_k e^{s_k}) along the last axis.

    Written as B · softmax(s)_i · σ(logsumexp(s) − log A), which is stable for any scores
    and exactly B · softmax(s) when A = 0 (``log_A`` None). Masked scores are -inf.
    """
    weights = torch.softmax(scores, dim=-1)  # (..., L, S)
    if log_A is not None:
        total = torch.sigmoid(torch.logsumexp(scores, dim=-1, keepdim=True) - log_A)  # (..., L, 1)
        weights = weights * total  # (..., L, S) * (..., L, 1)
    return weights if B == 1.0 else B * weights  # (..., L, S)


def competition_steps(scores: Tensor, beta: Tensor, f: nn.Module, steps: int, dt: float) -> Tensor:
    """Euler steps of the source's competition equation over the keys of each query.

    du_i/dt = −u_i + Σ_{j≠i} w_ij f(u_j) − β Σ_j w_ij f(u_i) + I_i with I = scores,
    uniform weights w_ij = 1/n among the n unmasked keys, u(0) = 0. Returns u after
    ``steps`` steps, -inf at masked keys.
    """
    keep = scores > float("-inf")  # (..., L, S)
    drive = scores.masked_fill(~keep, 0.0)  # (..., L, S), I_i
    n = keep.sum(dim=-1, keepdim=True).clamp_min(1).to(scores.dtype)  # (..., L, 1)
    u = torch.zeros_like(scores)  # (..., L, S)
    for _ in range(steps):
        rate = f(u) * keep  # (..., L, S): f(u_j), zero at masked keys
        excitation = (rate.sum(dim=-1, keepdim=True) - rate) / n  # (..., L, S)
        # Σ_{j≠i} w_ij f(u_j) above; β Σ_j w_ij f(u_i) = β f(u_i) as Σ_j w_ij = 1
        du = -u + excitation - beta * rate + drive  # (..., L, S)
        u = u + dt * du  # (..., L, S)
    return u.masked_fill(~keep, float("-inf"))  # (..., L, S)


class CompetitiveAttention(Attention):
    r"""Scaled dot-product attention whose softmax is the competition stage of neuroattn.

    The scores :math:`s_i = q \cdot k_i / \sqrt{d}` of one query over its keys are the
    inputs of a competing population of units, one unit per key; the weights are what
    the competition settles to, and the context is their weighted sum of the values.

    ``mode="shunting"``: the equilibrium of Grossberg's (1973) shunting on-centre
    off-surround network :math:`\dot x_i = -A x_i + (B - x_i) I_i - x_i \sum_{k \ne i} I_k`
    with :math:`I_i = e^{s_i}`,

    .. math:: x_i = \frac{B\, e^{s_i}}{A + \sum_k e^{s_k}},

    exactly B · softmax when A = 0. For A > 0 the weights sum to less than B: the decay
    A acts as an extra "null" key with score log A that takes attention and gives
    nothing (the "softmax plus one" of attention sinks when A = 1). A is learnable,
    A = softplus(a) ≥ 0, unless ``learn_A=False``.

    ``mode="dynamics"``: ``steps`` Euler steps (step ``dt``, from u = 0) of the source's
    competition equation over the keys,

    .. math::

        \frac{du_i}{dt} = -u_i + \sum_{j \ne i} w_{ij} f(u_j)
            - \beta \sum_j w_{ij} f(u_i) + I_i, \qquad I_i = s_i,

    with uniform all-to-all weights :math:`w_{ij} = 1/n` over the n unmasked keys (so the
    inhibition term is β f(u_i)), f given by ``activation`` (default sigmoid) and a
    learnable β = softplus(b) ≥ 0; masked keys take no part. The activities are then
    normalised by the shunting readout above, x = B e^{u_i} / (A + Σ e^{u_k}). With
    dt = 1 each step is a fixed-point iteration toward the equation's steady state, and
    one step gives exactly softmax attention when A = 0 (the lateral term is then the
    same for every key). With uniform W the excitation from others is common to all keys
    apart from −f(u_i)/n, so keys compete through self-inhibition: β compresses the lead
    of strongly driven keys and sets how peaked attention is.

    Parameters
    ----------
    mode : {"shunting", "dynamics"}
    num_heads : int, optional
        If given, A and β are per head (inputs must then be (..., H, L, D)).
    A : float
        Initial decay A ≥ 0 (must be > 0 if learnable); default 1.
    B : float
        Saturation level B > 0 (fixed); default 1.
    learn_A : bool
        Learn A (default True). ``A=0, learn_A=False`` is softmax (fused fast path
        when no weights are asked for, in shunting mode).
    beta : float
        Initial inhibition β > 0 (dynamics mode).
    steps : int
        Euler steps (dynamics mode); default 3.
    dt : float
        Euler step size (dynamics mode); default 1.
    activation : str, class, module or function
        f (dynamics mode); default ``"sigmoid"``.
    dropout, scale, causal, mask_convention
        As :class:`ScaledDotProductAttention`.

    Shapes
    ------
    As :class:`ScaledDotProductAttention`: Q (B, H, L, D), K (B, H, S, D), V (B, H, S, Dv)
    -> context (B, H, L, Dv), weights (B, H, L, S) or None.

    References
    ----------
    Grossberg, S. (1973). Contour enhancement, short term memory, and constancies in
    reverberating neural networks. Stud. Appl. Math. 52, 213-257. The competition
    equation: the source essay, section 4.
    """

    def __init__(
        self,
        mode: str = "shunting",
        *,
        num_heads: int | None = None,
        A: float = 1.0,
        B: float = 1.0,
        learn_A: bool = True,
        beta: float = 1.0,
        steps: int = 3,
        dt: float = 1.0,
        activation: Any = "sigmoid",
        dropout: float = 0.0,
        scale: float | None = None,
        causal: bool = False,
        mask_convention: str = "keep",
    ) -> None:
        super().__init__(dropout, scale=scale, causal=causal, mask_convention=mask_convention)
        self.mode = check_choice(mode, "mode", MODES)
        self.num_heads = None if num_heads is None else check_integer(num_heads, "num_heads", ge=1)
        shape: tuple[int, ...] = (1,) if self.num_heads is None else (self.num_heads, 1, 1)
        A = check_number(A, "A", gt=0.0) if learn_A else check_number(A, "A", ge=0.0)
        self.B = check_number(B, "B", gt=0.0)
        self.learn_A = bool(learn_A)
        self.exact_softmax = not learn_A and A == 0  # the readout is then plain softmax
        if learn_A:
            self.A_raw = nn.Parameter(torch.full(shape, _inverse_softplus(float(A))))
        else:
            self.register_buffer(
                "log_A_fixed", torch.full(shape, math.log(A) if A > 0 else -math.inf)
            )
        self.steps = check_integer(steps, "steps", ge=1)
        self.dt = check_number(dt, "dt", gt=0.0)
        if mode == "dynamics":
            beta = check_number(beta, "beta", gt=0.0)
            self.beta_raw = nn.Parameter(torch.full(shape, _inverse_softplus(beta)))
            self.f = make_activation(activation, "activation")

    @property
    def A(self) -> Tensor:
        """The decay A ≥ 0 (per head if ``num_heads``)."""
        return self._log_A().exp()  # (1,) or (H, 1, 1)

    @property
    def beta(self) -> Tensor:
        """The inhibition factor β ≥ 0 (dynamics mode)."""
        if self.mode != "dynamics":
            raise AttributeError("beta exists in dynamics mode only")
        return F.softplus(self.beta_raw)  # (1,) or (H, 1, 1)

    def _log_A(self) -> Tensor:
        if self.learn_A:
            return F.softplus(self.A_raw).log()  # (1,) or (H, 1, 1)
        return self.get_buffer("log_A_fixed")  # (1,) or (H, 1, 1)

    def normalize(self, scores: Tensor) -> Tensor:
        """Competition weights for masked scores (..., L, S) (masked entries -inf)."""
        if self.mode == "dynamics":
            beta = F.softplus(self.beta_raw)  # (1,) or (H, 1, 1)
            scores = competition_steps(scores, beta, self.f, self.steps, self.dt)  # (..., L, S)
        log_A = None if self.exact_softmax else self._log_A()  # (1,) or (H, 1, 1)
        return shunting_readout(scores, log_A, self.B)  # (..., L, S)

    @property
    def uses_softmax(self) -> bool:
        """True for ``mode="shunting", A=0, learn_A=False, B=1``: the readout is softmax."""
        return self.mode == "shunting" and self.exact_softmax and self.B == 1.0

    def check_inputs(self, Q: Tensor, K: Tensor, V: Tensor) -> None:
        """As :class:`~neuroattn.nn.Attention`, and per-head A, β need (..., H, L, D) inputs."""
        super().check_inputs(Q, K, V)
        if self.num_heads is not None and (Q.ndim < 3 or Q.shape[-3] != self.num_heads):
            raise ValueError(
                f"with num_heads={self.num_heads} inputs must be (..., H, L, D), "
                f"got Q {tuple(Q.shape)}"
            )

    def extra_repr(self) -> str:
        extra = f", steps={self.steps}, dt={self.dt}" if self.mode == "dynamics" else ""
        return f"mode={self.mode!r}, B={self.B}, learn_A={self.learn_A}{extra}"
