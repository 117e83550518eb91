"""Figures and the measurements behind them, shared by the chapters.

Drawings (matplotlib only, no image files):

- :func:`draw_unrolled_rnn` -- a recurrent network folded, and unrolled in time.
- :func:`draw_lstm_cell` -- one LSTM cell: the cell-state line on top, the four gate blocks
  (forget ``f``, input ``i``, candidate ``g``, output ``o``) below it, optionally with the
  peephole connections of Gers & Schmidhuber (2000) as written by Graves (2013).

Measurements and their plots:

- :func:`state_jacobian_norms` -- how strongly the last hidden state ``h_T`` depends on the
  state ``d`` steps earlier: the norm of the Jacobian ``dh_T / dh_{T-d}`` (and, for an LSTM,
  ``dh_T / dc_{T-d}``), computed with the model's own backward pass.
- :func:`decay_rate` -- the per-step factor of an exponential decay, fitted on a log scale.
- :func:`plot_gradient_decay` -- those norms against the distance, log scale.
- :func:`plot_gate_heatmaps` -- gate activations over a sequence, one heatmap per gate.
"""

from __future__ import annotations

import numpy as np

from ..checks import check_int

__all__ = [
    "GATE_COLORS",
    "decay_rate",
    "draw_lstm_cell",
    "draw_unrolled_rnn",
    "plot_gate_heatmaps",
    "plot_gradient_decay",
    "state_jacobian_norms",
]

#: One colour per gate, used by every figure of the book.
GATE_COLORS = {"i": "#2b8cbe", "f": "#e6550d", "g": "#31a354", "o": "#756bb1", "z": "#e6550d", "r": "#2b8cbe"}


def _axes(ax, figsize):
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def _arrow(ax, start, end, color="0.2", style="-|>", lw=1.4, ls="-", shrink=0.0):
    from matplotlib.patches import FancyArrowPatch

    ax.add_patch(
        FancyArrowPatch(
            start,
            end,
            arrowstyle=style,
            mutation_scale=11,
            color=color,
            lw=lw,
            linestyle=ls,
            shrinkA=shrink,
            shrinkB=shrink,
        )
    )


def _line(ax, points, color="0.2", lw=1.4, ls="-"):
    xs, ys = zip(*points)
    ax.plot(xs, ys, color=color, lw=lw, ls=ls, solid_capstyle="round", zorder=1)


def _box(ax, center, text, *, width=1.0, height=0.7, color="0.85", text_color="black", fontsize=11):
    from matplotlib.patches import FancyBboxPatch

    x, y = center
    ax.add_patch(
        FancyBboxPatch(
            (x - width / 2, y - height / 2),
            width,
            height,
            boxstyle="round,pad=0.02,rounding_size=0.12",
            fc=color,
            ec="0.2",
            lw=1.2,
            zorder=3,
        )
    )
    ax.text(x, y, text, ha="center", va="center", fontsize=fontsize, color=text_color, zorder=4)


def _node(ax, center, text, *, radius=0.28, color="white", fontsize=12):
    from matplotlib.patches import Circle

    ax.add_patch(Circle(center, radius, fc=color, ec="0.2", lw=1.2, zorder=3))
    ax.text(*center, text, ha="center", va="center", fontsize=fontsize, zorder=4)


def draw_unrolled_rnn(T: int = 4, *, ax=None, cell: str = "RNN", note: str | None = None):
    """Draw a recurrent network folded (left) and unrolled over ``T`` steps (right).

    Introduced in :doc:`chapter 1 </chapters/01_background>`.

    Args:
        T: number of unrolled steps to draw, 1 to 8.
        ax: matplotlib axes to draw into (a new figure if ``None``).
        cell: the label written in every cell box.
        note: a line of text written above the unrolled copies (None: no text).

    Returns:
        The axes.

    Raises:
        ValueError: if ``T`` is not an int in ``[1, 8]``.
    """
    check_int("T", T, maximum=8)
    ax = _axes(ax, (2.0 + 1.6 * T, 3.2))
    # folded: one cell with a self-loop
    _box(ax, (0, 1.5), cell, width=1.1, height=0.8, color="#dddddd")
    _arrow(ax, (0, 0.3), (0, 1.1))
    _arrow(ax, (0, 1.9), (0, 2.7))
    ax.text(0, 0.1, "$x_t$", ha="center", va="top", fontsize=12)
    ax.text(0, 2.85, "$h_t$", ha="center", va="bottom", fontsize=12)
    from matplotlib.patches import FancyArrowPatch

    ax.add_patch(
        FancyArrowPatch(
            (0.55, 1.7),
            (0.55, 1.3),
            connectionstyle="arc3,rad=-2.2",
            arrowstyle="-|>",
            mutation_scale=11,
            color="0.2",
            lw=1.4,
        )
    )
    ax.text(1.5, 1.5, "=", ha="center", va="center", fontsize=20)
    # unrolled
    names = [f"$x_{{{t}}}$" for t in range(1, T + 1)]
    outs = [f"$h_{{{t}}}$" for t in range(1, T + 1)]
    if T >= 4:
        names[-1], outs[-1] = "$x_T$", "$h_T$"
    for k in range(T):
        x0 = 3.0 + 1.6 * k
        _box(ax, (x0, 1.5), cell, width=1.1, height=0.8, color="#dddddd")
        _arrow(ax, (x0, 0.3), (x0, 1.1))
        _arrow(ax, (x0, 1.9), (x0, 2.7))
        ax.text(x0, 0.1, names[k], ha="center", va="top", fontsize=12)
        ax.text(x0, 2.85, outs[k], ha="center", va="bottom", fontsize=12)
        _arrow(ax, (x0 - 1.05, 1.5), (x0 - 0.55, 1.5))
    ax.text(3.0 - 1.05, 1.62, "$h_0$", ha="center", va="bottom", fontsize=10)
    if note is not None:
        ax.text(3.0 + 0.8 * (T - 1), 3.4, note, ha="center", va="bottom", fontsize=11, color="#2b5d8a")
    ax.set_xlim(-0.9, 3.0 + 1.6 * (T - 1) + 0.8)
    ax.set_ylim(-0.4, 3.3 if note is None else 3.9)
    ax.set_aspect("equal")
    ax.axis("off")
    return ax


def draw_lstm_cell(*, peephole: bool = False, ax=None):
    """Draw one LSTM cell: the equations of chapter 3 as a picture.

    The cell state runs along the top line, changed only by one multiplication (forget gate)
    and one addition (input gate times candidate). ``h_{t-1}`` and ``x_t`` enter at the bottom
    and feed the four blocks; ``h_t = o_t * tanh(c_t)`` leaves at the bottom right and the top.
    With ``peephole=True``, dashed lines show the diagonal peephole weights: ``c_{t-1}`` into
    the input and forget gates and the new ``c_t`` into the output gate (Graves, 2013).

    Introduced in :doc:`chapter 3 </chapters/03_lstm_equations>`.

    Returns:
        The axes.
    """
    ax = _axes(ax, (8.0, 5.0))
    from matplotlib.patches import FancyBboxPatch

    ax.add_patch(
        FancyBboxPatch(
            (0.3, 0.25),
            9.6,
            5.35,
            boxstyle="round,pad=0.05,rounding_size=0.4",
            fc="#f7f7f7",
            ec="0.5",
            lw=1.2,
            zorder=0,
        )
    )
    top, bus, gate_y, mul_y = 4.9, 0.9, 2.1, 3.5
    xf, xi, xg, xo, xh = 2.3, 4.0, 5.4, 7.0, 8.5
    # cell-state line: c_{t-1} -> x f -> + -> c_t
    _line(ax, [(-0.6, top), (10.8, top)], lw=2.4)
    _arrow(ax, (10.4, top), (11.0, top), lw=2.4)
    ax.text(-0.7, top, "$c_{t-1}$", ha="right", va="center", fontsize=13)
    ax.text(11.1, top, "$c_t$", ha="left", va="center", fontsize=13)
    _node(ax, (xf, top), r"$\times$")
    _node(ax, ((xi + xg) / 2, top), "$+$")
    # the bus: h_{t-1} and x_t, concatenated, feeding the four blocks
    _line(ax, [(-0.6, bus), (xo, bus)])
    ax.text(-0.7, bus, "$h_{t-1}$", ha="right", va="center", fontsize=13)
    _line(ax, [(1.1, -0.6), (1.1, bus)])
    ax.text(1.1, -0.7, "$x_t$", ha="center", va="top", fontsize=13)
    ax.plot([1.1], [bus], "o", color="0.2", ms=4, zorder=2)
    blocks = [
        (xf, "f", r"$\sigma$", r"$f_t$"),
        (xi, "i", r"$\sigma$", r"$i_t$"),
        (xg, "g", r"$\tanh$", r"$g_t$"),
        (xo, "o", r"$\sigma$", r"$o_t$"),
    ]
    for x, key, act, label in blocks:
        _arrow(ax, (x, bus), (x, gate_y - 0.35))
        _box(
            ax,
            (x, gate_y),
            act,
            width=1.1,
            height=0.7,
            color=GATE_COLORS[key],
            text_color="white",
            fontsize=12,
        )
        ax.text(x + 0.55, gate_y + 0.45, label, ha="left", va="bottom", fontsize=12, color=GATE_COLORS[key])
    # forget gate multiplies the old cell state
    _arrow(ax, (xf, gate_y + 0.35), (xf, top - 0.28))
    # input gate times candidate, added to the cell state
    xm = (xi + xg) / 2
    _node(ax, (xm, mul_y), r"$\times$")
    _line(ax, [(xi, gate_y + 0.35), (xi, mul_y), (xm - 0.28, mul_y)])
    _line(ax, [(xg, gate_y + 0.35), (xg, mul_y), (xm + 0.28, mul_y)])
    _arrow(ax, (xm, mul_y + 0.28), (xm, top - 0.28))
    # output: h_t = o_t * tanh(c_t)
    _line(ax, [(xh, top), (xh, 4.1)])
    _box(ax, (xh, 3.75), r"$\tanh$", width=0.95, height=0.6, color="#fff7bc", fontsize=12)
    _node(ax, (xh, gate_y), r"$\times$")
    _arrow(ax, (xh, 3.45), (xh, gate_y + 0.28))
    _arrow(ax, (xo + 0.48, gate_y), (xh - 0.28, gate_y))
    _line(ax, [(xh, gate_y - 0.28), (xh, bus), (10.8, bus)])
    _arrow(ax, (10.4, bus), (11.0, bus))
    ax.text(11.1, bus, "$h_t$", ha="left", va="center", fontsize=13)
    _line(ax, [(9.4, bus), (9.4, 5.9)])
    _arrow(ax, (9.4, 5.6), (9.4, 6.1))
    ax.text(9.4, 6.15, "$h_t$", ha="center", va="bottom", fontsize=13)
    if peephole:
        pc = "#636363"
        _arrow(ax, (1.0, top), (xf - 0.55, gate_y + 0.1), color=pc, ls="--", lw=1.1)
        _line(ax, [(1.0, top), (1.0, 3.0), (xi - 0.3, 3.0)], color=pc, ls="--", lw=1.1)
        _arrow(ax, (xi - 0.3, 3.0), (xi - 0.3, gate_y + 0.35), color=pc, ls="--", lw=1.1)
        _arrow(ax, (xh - 0.3, top), (xo + 0.25, gate_y + 0.35), color=pc, ls="--", lw=1.1)
        ax.text(0.9, 3.5, r"$w_{cf}$", fontsize=10, color=pc, ha="right")
        ax.text(2.9, 3.1, r"$w_{ci}$", fontsize=10, color=pc, ha="center", va="bottom")
        ax.text(xh - 0.55, top - 0.55, r"$w_{co}$", fontsize=10, color=pc, ha="right")
    ax.set_xlim(-1.6, 11.8)
    ax.set_ylim(-1.2, 6.6)
    ax.set_aspect("equal")
    ax.axis("off")
    return ax


# ---------------------------------------------------------------------- measurements
def _is_pair(state):
    return isinstance(state, (tuple, list))


def _take(state, rows):
    """Select batch rows of a state (an array, or an LSTM's (h, c) pair)."""
    if _is_pair(state):
        return tuple(s[rows] for s in state)
    return state[rows]


def state_jacobian_norms(model, x):
    """How much ``h_T`` depends on the state ``d`` steps earlier, for ``d = 1..T``.

    The Jacobians are chained backwards one step at a time, exactly as back-propagation
    through time does: starting from ``dstate`` = the unit vectors ``e_j`` on ``h_T`` (one batch
    row per output unit ``j``), the model's own backward pass over step ``t`` turns the rows of
    ``dh_T / ds_t`` into the rows of ``dh_T / ds_{t-1}`` (its ``dstate0``). ``s`` is the state:
    ``h``, or ``(h, c)`` for an LSTM. Nothing about the cell is re-implemented here.

    The returned norms are root-mean-square singular values, ``||J||_F / sqrt(H)``, averaged
    over the batch: 1 for the identity map, so a value of ``1e-3`` means the state ``d`` steps
    back moves ``h_T`` a thousand times less than ``h_T`` itself.

    Introduced in :doc:`chapter 2 </chapters/02_core_concepts>`.

    Args:
        model: an :class:`lstm.LSTM`, :class:`lstm.GRU` or :class:`lstm.SimpleRNN` (anything with
            ``hidden_size``, ``dtype`` and the core's ``forward``/``backward``).
        x: ``(B, T, D)`` inputs; the sequence starts from the zero state.

    Returns:
        ``dict`` with ``"distance"`` (``d = 1..T``), ``"h"`` (``(T,)`` norms of
        ``dh_T/dh_{T-d}``) and, when the state is an ``(h, c)`` pair, ``"c"`` (norms of
        ``dh_T/dc_{T-d}``). Distance ``T`` is the initial state ``s_0``.

    Raises:
        ValueError: if ``x`` is not a non-empty ``(B, T, D)`` array.
    """
    x = np.asarray(x)
    if x.ndim != 3 or min(x.shape) < 1:
        raise ValueError(f"x must be a non-empty (B, T, D) array, got shape {x.shape}")
    B, T, _ = x.shape
    H = model.hidden_size
    rows = np.repeat(np.arange(B), H)  # sample b repeated once per output unit j
    x_rep = x[rows]  # (B*H, T, D)
    # The states s_0 (zeros), s_1, ..., s_{T-1}, one forward step at a time.
    states, state = [], None
    for t in range(T):
        states.append(state)
        _, state, _ = model.forward(x_rep[:, t : t + 1], state)
    eye = np.tile(np.eye(H, dtype=model.dtype), (B, 1))  # (B*H, H): row b*H + j is e_j
    grad = (eye, np.zeros_like(eye)) if _is_pair(state) else eye  # rows of dh_T / ds_T
    out = {"distance": np.arange(1, T + 1)}
    for d in range(1, T + 1):
        t = T - d  # back-propagate through step t (0-based): from s_{t+1} to s_t
        h_seq, _, cache = model.forward(x_rep[:, t : t + 1], states[t])
        _, _, grad = model.backward(np.zeros_like(h_seq), cache, grad)
        for name, g in zip(("h", "c"), grad if _is_pair(grad) else (grad,)):
            J = g.reshape(B, H, H)  # (b, j, k) = d h_T[j] / d s_t[k]
            out.setdefault(name, np.empty(T))[d - 1] = np.mean(np.sqrt((J**2).sum(axis=(1, 2)) / H))
    return out


def decay_rate(distances, norms, *, floor: float = 1e-12):
    """Fit ``norms ~ a * rate**distance`` by least squares on ``log(norms)``; return ``rate``.

    A rate of 0.8 means the quantity shrinks by a factor 0.8 per step (halves every
    ``log(0.5)/log(0.8) ~ 3.1`` steps). Points at or below ``floor`` (underflow) are ignored.

    Introduced in :doc:`chapter 2 </chapters/02_core_concepts>`.

    Raises:
        ValueError: if the arrays differ in length or fewer than two points lie above ``floor``.
    """
    d = np.asarray(distances, dtype=float)
    n = np.asarray(norms, dtype=float)
    if d.shape != n.shape or d.ndim != 1:
        raise ValueError(f"distances and norms must be 1-D of equal length, got {d.shape} and {n.shape}")
    keep = np.isfinite(n) & (n > floor)
    if keep.sum() < 2:
        raise ValueError(f"need at least two norms above floor={floor}, got {int(keep.sum())}")
    slope = np.polyfit(d[keep], np.log(n[keep]), 1)[0]
    return float(np.exp(slope))


# ---------------------------------------------------------------------- plots
def plot_gradient_decay(curves, *, ax=None, title=None):
    """Plot Jacobian norms against the distance on a log scale.

    Introduced in :doc:`chapter 2 </chapters/02_core_concepts>`.

    Args:
        curves: ``{label: (distances, norms)}``; a label containing "LSTM" is drawn solid,
            others dashed, in matplotlib's colour cycle.
        ax: axes to draw into (a new figure if ``None``).

    Returns:
        The axes.
    """
    ax = _axes(ax, (7.0, 4.0))
    for label, (d, n) in curves.items():
        ax.semilogy(d, n, lw=2, ls="-" if "LSTM" in label else "--", label=label)
    ax.set_xlabel("distance $T - t$ (steps)")
    ax.set_ylabel(r"$\|\partial h_T / \partial s_t\|_F / \sqrt{H}$")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(frameon=False)
    if title:
        ax.set_title(title)
    return ax


def plot_gate_heatmaps(gates, *, symbols=None, units=None, axes=None, cmap="viridis"):
    """One heatmap per gate: units down, time steps across, values in [0, 1].

    Introduced in :doc:`chapter 3 </chapters/03_lstm_equations>`.

    Args:
        gates: ``{name: (T, H) array}`` in the order to draw (e.g. ``{"input i": ...}``);
            arrays whose values are not all in [0, 1] (the candidate ``g`` or the cell ``c``)
            get a symmetric diverging colour scale instead.
        symbols: optional length-T sequence of strings written under the time axis.
        units: optional list of unit indices to show (all units by default).
        axes: a sequence of axes, one per gate (a new figure if ``None``).

    Returns:
        The list of axes.

    Raises:
        ValueError: if the arrays are not 2-D of one shape, or ``symbols`` has the wrong length.
    """
    import matplotlib.pyplot as plt

    arrays = {k: np.asarray(v) for k, v in gates.items()}
    shapes = {a.shape for a in arrays.values()}
    if not arrays or len(shapes) != 1 or len(next(iter(shapes))) != 2:
        raise ValueError(f"gates must be (T, H) arrays of one shape, got shapes {sorted(shapes)}")
    T, H = next(iter(shapes))
    if symbols is not None and len(symbols) != T:
        raise ValueError(f"symbols must have length T={T}, got {len(symbols)}")
    units = list(range(H)) if units is None else list(units)
    if axes is None:
        _, axes = plt.subplots(
            len(arrays),
            1,
            # At most 9 inches wide: a figure shown at the book's column width (about 700 px)
            # keeps its 10-point labels readable.
            figsize=(min(9.0, max(6.0, 0.25 * T + 1.5)), 1.0 + 0.35 * len(units) * len(arrays)),
            sharex=True,
            squeeze=False,
        )
        axes = axes[:, 0]
    for ax, (name, a) in zip(axes, arrays.items()):
        a = a[:, units].T  # (units, T)
        if a.min() >= 0.0 and a.max() <= 1.0:
            im = ax.imshow(a, aspect="auto", cmap=cmap, vmin=0.0, vmax=1.0, interpolation="nearest")
        else:
            lim = float(np.abs(a).max()) or 1.0
            im = ax.imshow(a, aspect="auto", cmap="RdBu_r", vmin=-lim, vmax=lim, interpolation="nearest")
        ax.set_ylabel(f"{name}\nunit", rotation=0, ha="right", va="center")
        ax.set_yticks(range(len(units)))
        ax.set_yticklabels([str(u) for u in units])
        ax.figure.colorbar(im, ax=ax, pad=0.01, fraction=0.03)
    if symbols is not None:
        axes[-1].set_xticks(range(T))
        axes[-1].set_xticklabels(list(symbols))
    axes[-1].set_xlabel("time step")
    return list(axes)
