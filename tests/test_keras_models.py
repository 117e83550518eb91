"""Tests of lstm.keras (models and training helpers): shapes, parameter counts, masking, padding
equal to Keras', callbacks and summaries."""

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from lstm.data.splits import ImdbSplits, pad
from lstm.keras import models as km
from lstm.keras import training as kt


def _ids(rng, n, lengths, vocab):
    return [list(rng.integers(3, vocab, size=int(length))) for length in rng.choice(lengths, size=n)]


# ----------------------------------------------------------------------------- builders
def test_article_model_defaults_are_the_articles_and_count_parameters():
    model = km.article_model()
    assert model.input_shape == (None, 50)
    assert model.output_shape == (None, 1)
    emb, lstm, dense = model.layers
    assert (emb.input_dim, emb.output_dim, emb.mask_zero) == (10000, 100, False)
    assert lstm.units == 100
    assert emb.count_params() == 10000 * 100
    assert lstm.count_params() == 4 * (100 * (100 + 100) + 100) == 80400
    assert dense.count_params() == 101
    assert model.count_params() == 1_000_000 + 80400 + 101


@pytest.mark.parametrize(
    "cell, bidirectional, pooling, window",
    [
        ("lstm", True, "max", None),
        ("lstm", False, "last", None),
        ("lstm", True, "maxavg", 4),
        ("gru", True, "avg", None),
        ("gru", False, "max", 2),
        ("simple", True, "last", None),
        ("simple", False, "maxavg", None),
    ],
)
def test_sentiment_model_shapes_and_parameter_counts(cell, bidirectional, pooling, window):
    rng = np.random.default_rng(1)
    v, e, h = (int(a) for a in rng.integers(5, 17, size=3))
    t = 12
    model = km.sentiment_model(
        v, e, h, t, cell=cell, bidirectional=bidirectional, pooling=pooling, window=window
    )
    features = h * (2 if bidirectional else 1) * (2 if pooling == "maxavg" else 1)
    expected = v * e + km.recurrent_param_count(cell, e, h, bidirectional=bidirectional) + features + 1
    assert model.count_params() == expected
    x = rng.integers(0, v, size=(3, t))
    y = model.predict(x, verbose=0)
    assert y.shape == (3, 1)
    assert np.all((y > 0) & (y < 1))


@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("pooling", ["last", "max"])
def test_stacked_layers_read_the_sequence_below(bidirectional, pooling):
    model = km.sentiment_model(
        vocab_size=50,
        embedding_dim=6,
        units=5,
        maxlen=12,
        num_layers=2,
        bidirectional=bidirectional,
        pooling=pooling,
        compile=False,
    )
    rnns = [
        layer for layer in model.layers if isinstance(layer, (keras.layers.RNN, keras.layers.Bidirectional))
    ]
    assert len(rnns) == 2
    width = 5 * (2 if bidirectional else 1)  # features the lower layer hands up
    lower = km.recurrent_param_count("lstm", 6, 5, bidirectional=bidirectional)
    upper = km.recurrent_param_count("lstm", width, 5, bidirectional=bidirectional)
    assert [r.count_params() for r in rnns] == [lower, upper]
    assert model.output_shape == (None, 1)
    with pytest.raises(ValueError, match="num_layers"):
        km.sentiment_model(num_layers=0)


def test_windowed_masked_models_do_not_ask_for_cudnn():
    # A window of a post-padded review can be all padding; cuDNN rejects such masks at run time.
    def kernels(**kw):
        model = km.sentiment_model(vocab_size=50, embedding_dim=6, units=5, maxlen=12, compile=False, **kw)
        return [
            layer.forward_layer.use_cudnn
            for layer in model.layers
            if isinstance(layer, keras.layers.Bidirectional)
        ]

    assert kernels(window=4, pooling="max") == [False]
    assert kernels(window=4, pooling="max", mask_zero=False) == ["auto"]
    assert kernels(pooling="max") == ["auto"]


def test_recurrent_param_count_formulas_match_keras():
    rng = np.random.default_rng(2)
    for cell, cls in [
        ("lstm", keras.layers.LSTM),
        ("gru", keras.layers.GRU),
        ("simple", keras.layers.SimpleRNN),
    ]:
        d, h = (int(a) for a in rng.integers(2, 30, size=2))
        layer = cls(h)
        layer.build((None, 7, d))
        assert km.recurrent_param_count(cell, d, h) == layer.count_params()
        assert km.recurrent_param_count(cell, d, h, bidirectional=True) == 2 * layer.count_params()


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"vocab_size": 0}, "vocab_size"),
        ({"embedding_dim": 2.5}, "embedding_dim"),
        ({"units": True}, "units"),
        ({"maxlen": -1}, "maxlen"),
        ({"learning_rate": 0}, "learning_rate"),
        ({"learning_rate": float("nan")}, "learning_rate"),
    ],
)
def test_article_model_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        km.article_model(**kwargs)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"cell": "lstmm"}, "cell"),
        ({"pooling": "min"}, "pooling"),
        ({"dropout": 1.0}, "dropout"),
        ({"spatial_dropout": -0.1}, "spatial_dropout"),
        ({"word_dropout": 1.0}, "word_dropout"),
        ({"units": 0}, "units"),
        ({"maxlen": 400, "window": 30}, "multiple of window"),
        ({"window": 50, "pooling": "last"}, "pooling"),
        ({"window": 0}, "window"),
        ({"decay_steps": 0}, "decay_steps"),
        ({"decay_steps": True}, "decay_steps"),
        ({"decay_steps": 10.5}, "decay_steps"),
    ],
)
def test_sentiment_model_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        km.sentiment_model(**kwargs)


def test_cosine_decay_of_the_learning_rate():
    kwargs = dict(vocab_size=50, embedding_dim=4, units=3, maxlen=8, learning_rate=2e-3)
    constant = km.sentiment_model(**kwargs)
    decayed = km.sentiment_model(**kwargs, decay_steps=10)
    assert float(constant.optimizer.learning_rate) == pytest.approx(2e-3)
    schedule = decayed.optimizer._learning_rate  # the schedule Adam evaluates at every update
    rates = [float(schedule(step)) for step in (0, 5, 10, 20)]
    assert rates[0] == pytest.approx(2e-3) and rates[1] == pytest.approx(1e-3)  # half-way: cos = 0
    assert rates[2] == pytest.approx(0.0, abs=1e-12) and rates[3] == pytest.approx(0.0, abs=1e-12)
    x = np.random.default_rng(0).integers(1, 50, size=(16, 8))
    y = (x[:, 0] > 25).astype("int64")
    kt.fit(decayed, x, y, batch_size=4, epochs=3, verbose=0)  # 12 updates: the rate ends at 0
    assert float(decayed.optimizer.learning_rate) == pytest.approx(0.0, abs=1e-12)


# ----------------------------------------------------------------------------- masking
def _twin_models(builder, maxlens, **kwargs):
    models = [builder(maxlen=t, **kwargs) for t in maxlens]
    for other in models[1:]:
        other.set_weights(models[0].get_weights())
    return models


def test_word_dropout_drops_whole_words_in_training_only():
    model = km.sentiment_model(
        vocab_size=50, embedding_dim=8, units=3, maxlen=40, word_dropout=0.5, spatial_dropout=0, dropout=0
    )
    embedded = keras.Model(model.input, model.get_layer("word_dropout").output)
    x = np.random.default_rng(5).integers(1, 50, size=(16, 40))
    keras.utils.set_random_seed(1)
    train = np.asarray(embedded(x, training=True))  # (16, 40, 8)
    plain = np.asarray(model.layers[1](x))  # the embedding alone
    dropped = np.all(train == 0, axis=-1)  # (16, 40): words whose whole vector is zero
    assert 0.35 < dropped.mean() < 0.65
    np.testing.assert_allclose(
        train[~dropped], 2 * plain[~dropped], rtol=1e-6
    )  # kept words scaled by 1/(1-0.5)
    np.testing.assert_array_equal(np.asarray(embedded(x, training=False)), plain)


def _random_weights(model, seed):
    rng = np.random.default_rng(seed)
    model.set_weights([rng.normal(0, 0.5, size=w.shape).astype(w.dtype) for w in model.get_weights()])


@pytest.mark.parametrize("pooling", ["last", "max", "avg", "maxavg"])
def test_masked_model_output_does_not_depend_on_padding_length(pooling):
    rng = np.random.default_rng(3)
    reviews = _ids(rng, 4, [2, 5, 7], 30)
    short, long_ = _twin_models(
        km.sentiment_model, [8, 19], vocab_size=30, embedding_dim=6, units=5, pooling=pooling, mask_zero=True
    )
    _random_weights(short, 4)
    long_.set_weights(short.get_weights())
    for padding in ("pre", "post"):
        p_short = short.predict(pad(reviews, 8, padding), verbose=0)
        p_long = long_.predict(pad(reviews, 19, padding), verbose=0)
        np.testing.assert_allclose(p_short, p_long, rtol=1e-5, atol=1e-6)


def test_windowed_model_reads_windows_independently_and_ignores_post_padding():
    rng = np.random.default_rng(10)
    reviews = _ids(rng, 3, [5, 8], 30)  # at most 8 ids: two windows of 4
    kw = {
        "vocab_size": 30,
        "embedding_dim": 6,
        "units": 5,
        "window": 4,
        "pooling": "max",
        "spatial_dropout": 0,
        "dropout": 0,
    }
    short, long_ = _twin_models(km.sentiment_model, [8, 16], **kw)
    _random_weights(short, 11)
    long_.set_weights(short.get_weights())
    p_short = short.predict(pad(reviews, 8, "post"), verbose=0)
    np.testing.assert_allclose(
        p_short, long_.predict(pad(reviews, 16, "post"), verbose=0), rtol=1e-5, atol=1e-6
    )
    # each window is a separate sequence: the same windows in the other order give the same max
    x = pad(reviews, 8, "post")
    swapped = np.concatenate([x[:, 4:], x[:, :4]], axis=1)
    swapped[(swapped[:, :4] == 0).all(axis=1)] = x[
        (swapped[:, :4] == 0).all(axis=1)
    ]  # keep rows with an empty window
    np.testing.assert_allclose(short.predict(swapped, verbose=0), p_short, rtol=1e-5, atol=1e-6)
    # and Regroup(4) and Regroup(16) are exact inverses
    h = rng.normal(size=(3, 16, 2)).astype("float32")
    split = km.Regroup(4)(h)
    assert tuple(split.shape) == (12, 4, 2)
    np.testing.assert_array_equal(np.asarray(km.Regroup(16)(split)), h)


def test_post_padding_without_mask_changes_the_output_and_masking_fixes_it():
    rng = np.random.default_rng(5)
    reviews = _ids(rng, 4, [3, 6], 40)
    outputs = {}
    for mask in (False, True):
        short, long_ = _twin_models(
            km.article_model, [8, 30], vocab_size=40, embedding_dim=6, units=5, mask_zero=mask
        )
        _random_weights(short, 6)
        long_.set_weights(short.get_weights())
        outputs[mask] = [m.predict(pad(reviews, m.input_shape[1], "post"), verbose=0) for m in (short, long_)]
    assert np.max(np.abs(outputs[False][0] - outputs[False][1])) > 1e-3
    np.testing.assert_allclose(outputs[True][0], outputs[True][1], rtol=1e-5, atol=1e-6)


def test_masked_global_max_pooling_matches_numpy():
    rng = np.random.default_rng(7)
    x = rng.normal(size=(5, 9, 4)).astype("float32") - 3.0  # mostly negative: zeros would win a plain max
    mask = rng.random((5, 9)) < 0.5
    mask[0] = False  # a row with nothing left gives zeros
    mask[1] = True
    got = np.asarray(km.MaskedGlobalMaxPooling1D()(x, mask=mask))
    expected = np.where(mask[..., None], x, -np.inf).max(axis=1)
    expected[0] = 0.0
    np.testing.assert_allclose(got, expected, rtol=1e-6)
    np.testing.assert_allclose(np.asarray(km.MaskedGlobalMaxPooling1D()(x)), x.max(axis=1), rtol=1e-6)


def test_model_with_masked_pooling_saves_and_reloads(tmp_path):
    model = km.sentiment_model(30, 4, 3, 10, pooling="maxavg", window=5, compile=False)
    x = np.random.default_rng(8).integers(0, 30, size=(6, 10))
    path = tmp_path / "model.keras"
    model.save(path)
    again = keras.models.load_model(path)
    np.testing.assert_array_equal(model.predict(x, verbose=0), again.predict(x, verbose=0))


def test_numpy_pad_equals_keras_pad_sequences():
    rng = np.random.default_rng(5)
    seqs = _ids(rng, 40, [0, 1, 3, 7, 12], 30)
    for padding in ("pre", "post"):
        for truncating in ("pre", "post"):
            want = keras.utils.pad_sequences(
                seqs, maxlen=7, dtype="int32", padding=padding, truncating=truncating
            )
            got = pad(seqs, 7, padding, truncating)
            assert got.dtype == np.int32
            np.testing.assert_array_equal(got, want)


# ----------------------------------------------------------------------------- training helpers
def test_callbacks_record_every_epoch_and_restore_weights():
    rng = np.random.default_rng(9)
    x = rng.integers(1, 20, size=(32, 6))
    y = (x[:, 0] > 10).astype("int64")
    model = km.article_model(20, 4, 3, 6)
    timer, test_eval, snaps = kt.EpochTimer(), kt.EvaluateEachEpoch(x[:8], y[:8]), kt.WeightSnapshots()
    history = kt.fit(
        model,
        x,
        y,
        validation_data=(x[:8], y[:8]),
        epochs=3,
        batch_size=8,
        verbose=0,
        callbacks=[timer, test_eval, snaps],
    )
    assert len(timer.times) == 3 and all(t > 0 for t in timer.times)
    assert len(test_eval.history["accuracy"]) == 3
    assert test_eval.history["loss"][-1] == pytest.approx(history.history["val_loss"][-1], rel=1e-5)
    snaps.restore(1)
    assert all(np.array_equal(a, b) for a, b in zip(model.get_weights(), snaps.weights[0]))
    assert not all(np.array_equal(a, b) for a, b in zip(snaps.weights[0], snaps.weights[2]))
    with pytest.raises(ValueError, match="epoch"):
        snaps.restore(4)
    table = kt.fit_summary(history, extra={"test_accuracy": test_eval.history["accuracy"]})
    lines = table.splitlines()
    assert len(lines) == 4 and lines[0].split()[0] == "epoch" and "test_accuracy" in lines[0]
    assert lines[0].split()[-1] == "test_accuracy"


def test_best_epoch_and_fit_summary_on_plain_dicts():
    hist = {"loss": [0.6, 0.4, 0.3], "val_loss": [0.5, 0.45, 0.47], "val_accuracy": [0.7, 0.8, 0.81]}
    assert kt.best_epoch(hist) == 2
    assert kt.best_epoch(hist, "val_accuracy", "max") == 3
    with pytest.raises(ValueError, match="val_acc"):
        kt.best_epoch(hist, "val_acc")
    with pytest.raises(ValueError, match="lengths"):
        kt.fit_summary({"a": [1.0], "b": [1.0, 2.0]})
    assert kt.fit_summary(hist, digits=2).splitlines()[1].split() == [
        "1",
        "0.60",
        "0.70",
        "0.50",
    ]  # loss, val_accuracy, val_loss


def test_confusion_matrix_counts():
    cm = kt.confusion_matrix([0, 0, 1, 1, 1], [0.1, 0.7, 0.2, 0.5, 0.9])
    np.testing.assert_array_equal(cm, [[1, 1], [1, 2]])
    with pytest.raises(ValueError, match="labels"):
        kt.confusion_matrix([0, 1], [0.5])
    with pytest.raises(ValueError, match="0 and 1"):
        kt.confusion_matrix([0, 2], [0.5, 0.5])


def test_predict_texts_encodes_like_the_loader():
    word_index = {"good": 1, "bad": 2, "movie": 3}
    model = km.article_model(10, 4, 3, 5)
    p = kt.predict_texts(model, ["Good movie!", "bad<br />movie"], word_index=word_index, num_words=10)
    x = pad([[1, 4, 6], [1, 5, 6]], 5)
    np.testing.assert_allclose(p, model.predict(x, verbose=0).reshape(-1), rtol=1e-6)
    with pytest.raises(ValueError, match="texts"):
        kt.predict_texts(model, "a string", word_index=word_index)


def test_dataset_helpers_match_keras_on_arrays():
    rng = np.random.default_rng(12)
    x = rng.integers(1, 20, size=(40, 6)).astype("int32")
    y = rng.integers(0, 2, 40)
    model = km.article_model(20, 4, 3, 6)
    np.testing.assert_allclose(
        kt.predict(model, x, batch_size=7), model.predict(x, verbose=0).reshape(-1), rtol=1e-6
    )
    got = kt.evaluate(model, x, y, batch_size=9)
    loss, acc = model.evaluate(x, y, verbose=0)
    assert got["loss"] == pytest.approx(loss, rel=1e-5) and got["accuracy"] == pytest.approx(acc)
    order = [
        np.concatenate([b[0].numpy() for b in kt.to_dataset(x, y, 8, shuffle=True, seed=3)]) for _ in range(2)
    ]
    np.testing.assert_array_equal(order[0], order[1])  # seeded: the same shuffle every time
    assert sorted(map(tuple, order[0])) == sorted(map(tuple, x)) and not np.array_equal(order[0], x)
    with pytest.raises(ValueError, match="rows"):
        kt.to_dataset(x, y[:3])
    with pytest.raises(ValueError, match="batch_size"):
        kt.to_dataset(x, y, 0)


def test_one_epoch_is_seeded_and_reports_validation_accuracy_and_time():
    rng = np.random.default_rng(0)
    x = rng.integers(1, 50, size=(96, 12)).astype("int32")  # (N, T) word ids
    y = rng.integers(0, 2, size=96)
    splits = ImdbSplits(x[:64], y[:64], x[64:], y[64:], x[64:], y[64:])
    kwargs = dict(vocab_size=50, embedding_dim=4, units=3, batch_size=32)
    acc, seconds = kt.one_epoch(splits, seed=3, **kwargs)
    again, _ = kt.one_epoch(splits, seed=3, **kwargs)
    assert 0.0 <= acc <= 1.0 and seconds > 0
    assert acc == again  # the same seed, the same run
    assert acc * 32 == round(acc * 32)  # an accuracy over the 32 validation reviews
    with pytest.raises(ValueError, match="seed"):
        kt.one_epoch(splits, seed=-1, **kwargs)


def test_describe_lists_the_layers_and_their_parameters():
    model = km.sentiment_model(vocab_size=100, embedding_dim=8, units=4, maxlen=20, window=5)
    table = km.describe(model).splitlines()
    assert len(table) == len(model.layers) + 2  # header, one line per layer, total
    assert all(len(line) <= 88 for line in table)
    assert [line.split()[0] for line in table[1:-1]] == [layer.name for layer in model.layers]
    assert int(table[-1].split()[-1].replace(",", "")) == model.count_params()
    assert sum(int(line.split()[-1].replace(",", "")) for line in table[1:-1]) == model.count_params()
    with pytest.raises(ValueError, match="not built"):
        km.describe(keras.Sequential([keras.layers.Dense(1)]))
