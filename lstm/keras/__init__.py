"""The Keras side of chapters 4-7 (importing a module of it imports Keras and TensorFlow).

- :mod:`lstm.keras.models` -- the article's model, the configurable sentiment classifier, the
  adding problem's regressor, and the layers they need.
- :mod:`lstm.keras.training` -- seeded ``tf.data`` pipelines, fit / evaluate / predict on
  arrays, callbacks and summaries.

This ``__init__`` imports nothing, so ``import lstm.keras`` alone stays light.
"""
