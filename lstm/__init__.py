"""lstm: the small Python package behind the book *Long Short-Term Memory, Executed*.

Shape convention, used everywhere in this package and in the book: sequences are
``(B, T, D)`` arrays -- batch, time, features -- and hidden states are ``(B, H)``.

Layout: four folders, one per layer of the book. Why this split: a reader who looks for an
equation finds it in one short file (``lstm/core/reference.py``), not spread over the speed work
of the fast layers; each folder imports only the ones listed before it and the two single modules
below (the NumPy core needs only NumPy and :mod:`lstm.checks`), so splitting IMDB indices or
training a NumPy cell never loads TensorFlow; and every helper has one home, which the chapters,
the benchmarks and the tests all import.

- ``lstm.core`` -- the NumPy recurrent networks. :mod:`lstm.core.reference` is what the book
  teaches: one line per equation, step by step (chapter 3 shows its source). ``LSTM``, ``GRU``
  and ``SimpleRNN`` (:mod:`lstm.core.lstm`, :mod:`~lstm.core.gru`, :mod:`~lstm.core.rnn`) are
  the fast path with the same results, proven equal to the reference in
  ``tests/test_reference.py``; their speed tricks live beside them (:mod:`lstm.core.activations`,
  :mod:`lstm.core.threads`) and never in the reference. Also the gradient check and minGRU /
  minLSTM. NumPy only.
- ``lstm.train`` (a module) -- training the NumPy layers: read-out, losses, Adam, clipping, ``fit``.
- ``lstm.data`` -- data: the toy sequence tasks, the raw-text IMDB loader and its splits
  (padding, hold-outs). NumPy only, so that splitting indices never loads TensorFlow.
- ``lstm.keras`` -- the Keras side of chapters 4-7: models and layers
  (:mod:`lstm.keras.models`), training on arrays (:mod:`lstm.keras.training`). Imports Keras.
- ``lstm.book`` -- what only the book's pages need: notebook setup, figures, number formats.

Two single modules sit beside them: :mod:`lstm.checks` (the argument checks every module
uses) and :mod:`lstm.recipes` (the model configurations the chapters and benchmarks share).
``lint-imports`` checks these rules in CI (the contracts are in ``pyproject.toml``): the folders
as layers ``lstm.book > lstm.keras > lstm.train | lstm.data > lstm.core``, no Keras or TensorFlow
on the NumPy side, and the two single modules importing none of the folders.

Each folder hands on the public names of its modules (``from lstm.data import load_imdb``,
``from lstm.keras import sentiment_model``); those of ``lstm.keras`` are imported on first use.

``import lstm`` loads the NumPy core only: TensorFlow is imported by ``lstm.keras`` alone, and
only when it is imported.
"""

from .core.activations import sigmoid
from .core.gradcheck import gradcheck
from .core.gru import GRU
from .core.lstm import LSTM, chrono_bias
from .core.rnn import SimpleRNN

__all__ = ["GRU", "LSTM", "SimpleRNN", "chrono_bias", "gradcheck", "sigmoid"]
