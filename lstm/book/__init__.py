"""What only the book's pages need.

- :mod:`lstm.book.notebook` -- ``setup``: one call that makes a chapter quiet and seeded.
- :mod:`lstm.book.viz` -- the drawings (unrolled RNN, LSTM cell) and plots of the chapters.
- :mod:`lstm.book.fmt` -- number formats for glued text (``1.2 × 10⁻⁷``).

Their public names can be imported from here as well (``from lstm.book import setup, sci``).
None of these modules imports Matplotlib or TensorFlow when it is imported: the drawings import
Matplotlib when they draw, ``setup`` TensorFlow when it runs.
"""

from .fmt import power_of_ten, sci
from .notebook import setup, tf_environment
from .viz import (
    GATE_COLORS,
    decay_rate,
    draw_lstm_cell,
    draw_unrolled_rnn,
    plot_gate_heatmaps,
    plot_gradient_decay,
    state_jacobian_norms,
)

__all__ = [
    "GATE_COLORS",
    "decay_rate",
    "draw_lstm_cell",
    "draw_unrolled_rnn",
    "plot_gate_heatmaps",
    "plot_gradient_decay",
    "power_of_ten",
    "sci",
    "setup",
    "state_jacobian_norms",
    "tf_environment",
]
