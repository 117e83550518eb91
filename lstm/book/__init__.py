"""What only the book's pages need.

- :mod:`lstm.book.notebook` -- ``setup``: one call that makes a chapter quiet and seeded.
- :mod:`lstm.book.viz` -- the drawings (unrolled RNN, LSTM cell) and plots of the chapters.
- :mod:`lstm.book.fmt` -- number formats for glued text (``1.2 × 10⁻⁷``).
"""
