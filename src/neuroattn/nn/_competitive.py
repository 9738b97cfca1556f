"""The competition stage as an attention layer: softmax replaced by shunting competition."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ..dynamics.checks import check_choice, check_integer, check_number
from ._activations import make_activation
from ._base import Attention
from ._checks import checks_enabled, flag, within_limit

MODES = ("shunting", "dynamics")
# A, B and beta are kept in float32 parameters: larger values do not fit
_FLOAT32_MAX = float(torch.finfo(torch.float32).max)
# half precision is computed in float32 and cast back (as torch's SDPA on CPU)
_LOW_PRECISION = (torch.float16, torch.bfloat16)

# sup f' of the named activations (rounded up); GELU and SiLU also dip to f' = -0.129, -0.100
MAX_SLOPES: dict[str, float] = {
    "sigmoid": 0.25,
    "hard_sigmoid": 1.0 / 6.0,
    "hardsigmoid": 1.0 / 6.0,
    "tanh": 1.0,
    "relu": 1.0,
    "leaky_relu": 1.0,
    "elu": 1.0,
    "softplus": 1.0,
    "identity": 1.0,
    "gelu": 1.12891,
    "silu": 1.09984,
    "swish": 1.09984,
}
_SLOPE_GRID = (-60.0, 60.0, 24001)  # where the slope of any other activation is estimated


def _inverse_softplus(y: float) -> float:
    """x with softplus(x) = y > 0."""
    return y + math.log(-math.expm1(-y))


def _log_softplus(x: Tensor) -> Tensor:
    """log(softplus(x)), finite with a finite gradient where softplus(x) underflows."""
    return torch.where(x < -20.0, x, F.softplus(x.clamp_min(-20.0)).log())  # as x


def stable_dt(beta: float, max_slope: float) -> float:
    """The largest stable Euler step of the competition equation: 2 / (1 + (β + 1/2) max f').

    See :class:`CompetitiveAttention` ("Stability of the Euler steps") for the derivation.

    >>> stable_dt(1.0, 0.25)  # the defaults: beta 1, sigmoid
    1.4545454545454546
    """
    return 2.0 / (1.0 + (beta + 0.5) * max_slope)


def activation_slope(spec: Any, f: nn.Module) -> float:
    """sup f' of the activation ``f`` built from ``spec``: known for the named ones, else
    estimated as the largest secant slope on a grid of 24001 points over [-60, 60].

    Raises
    ------
    ValueError
        If ``f`` fails on a tensor, changes its shape, or is not finite on the grid.
    """
    key = spec.lower().replace("-", "_") if isinstance(spec, str) else None
    if key in MAX_SLOPES:
        return MAX_SLOPES[key]
    param = next(f.parameters(), None)
    dtype = torch.float64 if param is None else param.dtype
    device = None if param is None else param.device
    x = torch.linspace(*_SLOPE_GRID[:2], _SLOPE_GRID[2], dtype=dtype, device=device)  # (N,)
    try:
        with torch.no_grad():
            y = f(x)  # (N,)
    except Exception as exc:  # a user's function: any failure is a bad argument
        raise ValueError(f"activation {spec!r} failed on a test tensor: {exc}") from None
    if not isinstance(y, Tensor) or y.shape != x.shape:
        raise ValueError(f"activation {spec!r} must map a tensor to a tensor of its shape")
    slopes = y.diff() / x.diff()  # (N - 1,)
    if not bool(torch.isfinite(slopes).all()):
        raise ValueError(f"activation {spec!r} is not finite on [-60, 60]")
    return max(float(slopes.max()), 0.0)


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


def competition_steps(
    scores: Tensor, beta: Tensor, f: Callable[[Tensor], Tensor], steps: int, dt: float
) -> Tensor:
    """Euler steps of the source's competition equation over the keys of each query.

    du_i/dt = −u_i + Σ_{j≠i} w_ij f(u_j) − β Σ_j w_ij f(u_i) + I_i with I = scores,
    uniform weights w_ij = 1/n among the n unmasked keys, u(0) = 0. Returns u after
    ``steps`` steps, -inf at masked keys.
    """
    keep = scores != float("-inf")  # (..., L, S); NaN scores take part (and propagate)
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
    learnable β = softplus(b) > 0; masked keys take no part. The activities are then
    normalised by the shunting readout above, x = B e^{u_i} / (A + Σ e^{u_k}). With
    dt = 1 each step is a fixed-point iteration toward the equation's steady state, and
    one step gives exactly softmax attention when A = 0 (the lateral term is then the
    same for every key). With uniform W the excitation from others is common to all keys
    apart from −f(u_i)/n, so keys compete through self-inhibition: β compresses the lead
    of strongly driven keys and sets how peaked attention is.

    Stability of the Euler steps
    ----------------------------
    Linearised about any state u, one step multiplies a perturbation by I + dt·J with

    .. math:: J = -I - (\beta + 1/n)\, D + \tfrac{1}{n} \mathbf{1} d^\top, \qquad
              D = \operatorname{diag}(d), \quad d_k = f'(u_k)

    (the excitation (Σ_j f(u_j) − f(u_i))/n gives the rank-one term, the inhibition
    β f(u_i) and the missing self-term f(u_i)/n the diagonal). For d ≥ 0, J is similar
    (by D^{1/2}) to the symmetric −I − (β + 1/n) D + (1/n) √d √dᵀ, so its eigenvalues are
    real and at least −1 − (β + 1/n) max f'. The bound is attained at n = 2 keys both at
    f's steepest point, by the difference mode (1, −1); a single key (n = 1) has only
    −1 − β f'. A step damps an eigenvalue λ < 0 iff |1 + dt λ| ≤ 1, i.e. dt ≤ 2/|λ|, so
    the steps are stable for every number of keys and every state exactly when

    .. math:: dt \le dt_{max}(\beta) = \frac{2}{1 + (\beta + 1/2)\, \max f'}

    (:func:`stable_dt`; :meth:`max_dt` for the layer's current β). max f' is 1/4 for the
    sigmoid (dt_max = 1.45 at β = 1), 1/6 for the hard sigmoid, 1 for tanh, relu, leaky
    relu, elu, softplus and identity, 1.129 for GELU and 1.100 for SiLU; for any other
    activation it is estimated on a grid over [−60, 60]. The constructor refuses
    dt > dt_max(β) with a ValueError. Inside the bound the
    iteration settles to the steady state; just outside it the difference mode is
    amplified each step, so the weights oscillate with the parity of ``steps`` (bounded
    f) or grow geometrically (identity) -- both checked numerically for every named
    activation, scores up to ±50 and β from 0.01 to 10. GELU and SiLU dip to
    f' = −0.13 and −0.10, where the similarity argument does not hold; the bound was
    checked numerically for them.

    β is learnt, and the bound moves with it: past β_max(dt) = (2/dt − 1)/max f' − 1/2
    the steps overshoot. No fixed dt > 0 is stable for every β (dt = 1 needs
    (β + 1/2) max f' ≤ 1: β ≤ 3.5 for the sigmoid, β ≤ 0.5 for relu). What then happens
    depends on f. A bounded f (the default sigmoid, tanh, hard sigmoid) keeps the
    activities bounded for any dt < 2 whatever β, |u| ≤ dt ((1 + β) sup|f| + max|s|) /
    (1 − |1 − dt|), and the constructor's bound is always below 2: the weights stay
    finite but depend on the parity of ``steps``. With an unbounded f the overshoot can
    grow by up to |1 − dt (1 + (β + 1/2) max f')| per step. Check mode
    (:class:`~neuroattn.nn.set_checks`) raises ValueError in ``forward`` once the learnt
    β has passed the bound; otherwise choose dt for the largest β you expect.

    Precision and non-finite values
    -------------------------------
    float16 and bfloat16 inputs are supported: the competition is computed in float32
    and the weights cast back (as torch's SDPA does on CPU). Any floating dtype of the
    inputs works with the float32 parameters. Non-finite inputs propagate as in
    :class:`ScaledDotProductAttention`, unless check mode is on.

    Parameters
    ----------
    mode : {"shunting", "dynamics"}
    num_heads : int, optional
        If given, A and β are per head (inputs must then be (..., H, L, D)).
    A : float
        Initial decay A ≥ 0 (must be > 0 if learnable); default 1. At most the largest
        float32, as are B and β.
    B : float
        Saturation level B > 0 (fixed); default 1.
    learn_A : bool
        Learn A (default True). ``A=0, learn_A=False`` is softmax (fused fast path
        when no weights are asked for, in shunting mode).
    beta : float
        Initial inhibition β > 0 (dynamics mode).
    steps : int
        Euler steps (dynamics mode); default 3, at most ``nna.LIMITS.max_steps``.
    dt : float
        Euler step size (dynamics mode), 0 < dt ≤ dt_max(β) (see above); default 1.
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
        count = shape[0] * (2 if self.mode == "dynamics" else 1)  # A and beta per head
        within_limit(count, "max_parameters", "CompetitiveAttention's parameter count")
        self.learn_A = flag(learn_A, "learn_A")
        top = _FLOAT32_MAX
        low = {"gt": 0.0} if learn_A else {"ge": 0.0}  # a learnt A = softplus(a) is > 0
        A = check_number(A, "A", le=top, **low)
        self.B = check_number(B, "B", gt=0.0, le=top)
        self.exact_softmax = not learn_A and A == 0  # the readout is then plain softmax
        if learn_A:
            self.A_raw = nn.Parameter(torch.full(shape, _inverse_softplus(float(A))))
        else:
            self.register_buffer(
                "log_A_fixed", torch.full(shape, math.log(A) if A > 0 else -math.inf)
            )
        self.steps = check_integer(steps, "steps", ge=1)
        within_limit(self.steps, "max_steps", "steps")
        self.dt = check_number(dt, "dt", gt=0.0)
        if self.mode == "dynamics":
            beta = check_number(beta, "beta", gt=0.0, le=top)
            self.f = make_activation(activation, "activation")
            self.max_slope = activation_slope(activation, self.f)
            bound = stable_dt(beta, self.max_slope)
            if self.dt > bound:
                raise ValueError(
                    f"dt must be <= {bound:.6g} for beta={beta:g} and max f'={self.max_slope:.4g} "
                    f"(the Euler steps are stable for dt <= 2 / (1 + (beta + 1/2) max f')), "
                    f"got {self.dt:g}"
                )
            self.beta_raw = nn.Parameter(torch.full(shape, _inverse_softplus(beta)))

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

    def max_dt(self) -> float:
        """The largest stable step for the current β (the smallest over heads), dynamics mode.

        2 / (1 + (β + 1/2) max f'); see "Stability of the Euler steps" above.
        """
        if self.mode != "dynamics":
            raise ValueError("max_dt exists in dynamics mode only (shunting takes no steps)")
        return stable_dt(float(self.beta.max()), self.max_slope)

    def _f_in(self, dtype: torch.dtype) -> Callable[[Tensor], Tensor]:
        """f on ``dtype`` tensors: an activation with parameters runs in their dtype."""
        param = next(self.f.parameters(), None)
        if param is None or param.dtype == dtype:
            return self.f
        return lambda u: self.f(u.to(param.dtype)).to(dtype)  # as u

    def _log_A(self) -> Tensor:
        if self.learn_A:
            return _log_softplus(self.A_raw)  # (1,) or (H, 1, 1)
        return self.get_buffer("log_A_fixed")  # (1,) or (H, 1, 1)

    def normalize(self, scores: Tensor) -> Tensor:
        """Competition weights for masked scores (..., L, S) (masked entries -inf).

        float16 and bfloat16 scores are computed in float32 and the weights cast back.
        """
        work = scores.float() if scores.dtype in _LOW_PRECISION else scores  # (..., L, S)
        if self.mode == "dynamics":
            beta = F.softplus(self.beta_raw).to(work.dtype)  # (1,) or (H, 1, 1)
            work = competition_steps(work, beta, self._f_in(work.dtype), self.steps, self.dt)
        log_A = None if self.exact_softmax else self._log_A().to(work.dtype)  # (1,) or (H, 1, 1)
        return shunting_readout(work, log_A, self.B).to(scores.dtype)  # (..., L, S)

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
        if self.mode == "dynamics" and checks_enabled():
            beta = float(self.beta.max())
            if self.dt > stable_dt(beta, self.max_slope):
                raise ValueError(
                    f"the learnt beta={beta:.4g} has passed the stability bound of dt={self.dt:g} "
                    f"(beta <= {(2 / self.dt - 1) / self.max_slope - 0.5:.4g}); the Euler steps "
                    f"now overshoot: build the layer with dt <= {self.max_dt():.4g}"
                )

    def extra_repr(self) -> str:
        extra = f", steps={self.steps}, dt={self.dt}" if self.mode == "dynamics" else ""
        return f"mode={self.mode!r}, B={self.B}, learn_A={self.learn_A}{extra}"
