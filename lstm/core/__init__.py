"""The NumPy recurrent networks: the readable reference and the fast layers equal to it.

- :mod:`lstm.core.reference` -- the equations of chapter 3, one line each, step by step.
- :mod:`lstm.core.lstm`, :mod:`lstm.core.gru`, :mod:`lstm.core.rnn` -- ``LSTM``, ``GRU``,
  ``SimpleRNN``: whole-sequence layers with hand-written BPTT, laid out like Keras' layers.
- :mod:`lstm.core.layer` -- what the three share: initializers, input checks, per-gate views.
- :mod:`lstm.core.activations` -- the overflow-free sigmoid and the fused gate activation.
- :mod:`lstm.core.threads` -- BLAS thread control and batch-parallel time loops.
- :mod:`lstm.core.gradcheck` -- central-difference gradient checks.
- :mod:`lstm.core.minrnn` -- minGRU and minLSTM, sequential and parallel (log-space scan).
"""
