"""lstm: the small Python package behind the book *Long Short-Term Memory, Executed*.

Shape convention, used everywhere in this package and in the book:
sequences are ``(B, T, D)`` arrays -- batch, time, features -- and hidden
states are ``(B, H)``.

Modules
-------
- ``lstm.notebook``  -- one call that makes a chapter notebook quiet and seeded.
- ``lstm.lstm_cell``  -- ``LSTM``: NumPy LSTM (optional Graves peepholes), forward + BPTT, ``from_keras``;
  ``chrono_bias``.
- ``lstm.gru_cell``   -- ``GRU``: NumPy GRU in Keras' ``reset_after=True`` form, forward + BPTT.
- ``lstm.rnn_cell``   -- ``SimpleRNN``: NumPy Elman RNN (tanh), forward + BPTT.
- ``lstm.recurrent``  -- what the three layers share (checks, Keras-style init, per-gate views).
- ``lstm.activations`` -- overflow-free sigmoid/tanh and the fused gate activation.
- ``lstm.gradcheck``  -- central-difference gradient checks (``gradcheck``).
- ``lstm.train``      -- Dense read-out, losses, Adam, clipping and a seeded ``fit`` loop for the NumPy layers.
- ``lstm.tasks``      -- toy sequence tasks: the adding problem, recall-the-first-symbol, delimiter counting.
- ``lstm.viz``        -- drawings of the unrolled RNN and the LSTM cell, gradient-decay and gate plots.
- ``lstm.data``       -- the raw-text IMDB loader (``load_imdb``), its tokenizer and its on-disk cache.
- ``lstm.keras_models`` -- the Keras models of chapters 4-6 and their training helpers.
- ``lstm.minrnn``     -- minGRU and minLSTM, sequential and parallel (log-space scan) forms.

Only the NumPy layers are imported by ``import lstm``; the other modules are imported on use
(``from lstm.data import load_imdb``), so the NumPy chapters never load TensorFlow.
"""

from .gradcheck import gradcheck
from .gru_cell import GRU
from .lstm_cell import LSTM, chrono_bias
from .rnn_cell import SimpleRNN

__all__ = ["LSTM", "GRU", "SimpleRNN", "chrono_bias", "gradcheck"]
