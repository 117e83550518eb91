"""Tests of lstm.data.imdb: the IMDB loader built from the raw aclImdb text.

Most tests build a tiny synthetic aclImdb/ (a folder or a tarball) in tmp_path. One
test reads the real dataset when LSTM_IMDB_PATH is set (CI sets it).
"""

import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import textwrap
from pathlib import Path

import numpy as np
import pytest

import lstm.data.imdb as data
from lstm.data.imdb import decode_review, encode_review, get_word_index, load_imdb, tokenize

ROOT = Path(__file__).resolve().parents[1]
# The environment as the test run was started, before the isolation fixture edits it.
REAL_ENV = {k: os.environ.get(k) for k in ("LSTM_IMDB_PATH", "LSTM_CACHE_DIR", "KERAS_HOME")}

# A small corpus with known counts. Train word counts: "the" 6, "movie" 4, "a" 3,
# "good" 3 (a tie, broken alphabetically), "bad" 2, "film" 2, "was" 2, then one-off words.
TRAIN_POS = [
    "The movie was GOOD.<br /><br />A good, good film!",
    "the movie: a delight",
    "The Movie rocks",
]
TRAIN_NEG = [
    "the movie was bad.",
    "A bad film -- the worst; zzz",
    "the end",
]
TEST_POS = ["The good movie, unseenword!", "a delight<br />indeed"]
TEST_NEG = ["bad bad movie", "the worst"]


def make_folder(root, reviews=None, extras=True):
    """Write an aclImdb/ tree under root; reviews maps 'train/pos' etc. to texts."""
    reviews = reviews or {
        "train/pos": TRAIN_POS,
        "train/neg": TRAIN_NEG,
        "test/pos": TEST_POS,
        "test/neg": TEST_NEG,
    }
    base = Path(root) / "aclImdb"
    for where, texts in reviews.items():
        folder = base / where
        folder.mkdir(parents=True, exist_ok=True)
        for i, text in enumerate(texts):
            rating = 8 if where.endswith("pos") else 2
            (folder / f"{i}_{rating}.txt").write_text(text, encoding="utf-8")
    if extras:  # files of the official archive that the loader must ignore
        (base / "README").write_text("readme")
        (base / "imdb.vocab").write_text("the\nmovie\n")
        (base / "train" / "unsup").mkdir(parents=True, exist_ok=True)
        (base / "train" / "unsup" / "0_0.txt").write_text("unsupervised words never counted")
        (base / "train" / "labeledBow.feat").write_text("0:1")
        (base / "train" / "urls_pos.txt").write_text("http://example.com")
    return base


def make_tarball(tmp_path, name="aclImdb.tar.gz", **kwargs):
    src = tmp_path / ("src_" + name.split(".")[0])
    base = make_folder(src, **kwargs)
    out = tmp_path / name
    with tarfile.open(out, "w:gz") as archive:
        archive.add(base, arcname="aclImdb")
    return out


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    """No test sees the real data, the user's Keras cache or another test's cache."""
    monkeypatch.delenv("LSTM_IMDB_PATH", raising=False)
    monkeypatch.setenv("LSTM_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    data._MEMO.clear()
    yield
    data._MEMO.clear()


@pytest.fixture
def folder(tmp_path):
    return make_folder(tmp_path / "ds")


@pytest.fixture
def tarball(tmp_path):
    return make_tarball(tmp_path)


def raw_rows(path, split):
    """The unshuffled rank sequences of a split, as lists (the cache's content)."""
    raw = data._load_raw(path)
    ids, offsets = raw[f"{split}_ids"], raw[f"{split}_offsets"]
    return [ids[a:b].tolist() for a, b in zip(offsets[:-1], offsets[1:])], raw[f"{split}_labels"]


# --------------------------------------------------------------------------- tokenization


def test_tokenize_lowercases_strips_breaks_and_punctuation():
    text = "A Well-made FILM.<br /><br />I didn't like it!<BR>Émile's (2001) cut:good"
    assert tokenize(text) == [
        "a", "well", "made", "film", "i", "didn't", "like", "it",
        "émile's", "2001", "cut", "good",
    ]  # fmt: skip


def test_tokenize_splits_on_unicode_whitespace_and_keeps_unicode_punctuation():
    assert tokenize("one\xa0two\x85three\u2003four\r\nfive…six\x00seven") == [
        "one", "two", "three", "four", "five…six", "seven",
    ]  # fmt: skip


def test_tokenize_matches_keras_text_to_word_sequence():
    from keras.src.legacy.preprocessing.text import text_to_word_sequence

    rng = np.random.default_rng(0)
    alphabet = list("abcXYZ'0 !\"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n")
    for _ in range(200):
        text = "".join(rng.choice(alphabet, size=int(rng.integers(0, 40))))
        assert tokenize(text) == text_to_word_sequence(text)
    # Keras keeps "<br />" as the token "br"; we drop it.
    assert text_to_word_sequence("a<br />b") == ["a", "br", "b"]
    assert tokenize("a<br />b") == ["a", "b"]


def test_fast_tokenizer_matches_reference(monkeypatch):
    monkeypatch.setattr(data, "_CHUNK", 7)  # many chunk boundaries
    rng = np.random.default_rng(1)
    pieces = ["Word", "ΟΔΟΣ", "İx", "ß", "<br />", "<BR/>", "<br>", "\x00", "\xa0", "\x85",
              "\u2028", "\u3000", " ", "\t", "\n", "’", "é", "don't", "-", ".", "😀", "\x1c"]  # fmt: skip
    texts = ["".join(rng.choice(pieces, size=int(rng.integers(0, 12)))) for _ in range(60)]
    vocab = {"\x00": 0}
    lookup = lambda tok: vocab.setdefault(tok, len(vocab))  # noqa: E731
    flat, lengths = data._tokenize_many(texts, lookup)
    words = {i: w for w, i in vocab.items()}
    assert sum(lengths) == len(flat)
    start = 0
    for text, n in zip(texts, lengths):
        assert [words[i] for i in flat[start : start + n]] == tokenize(text)
        start += n


# --------------------------------------------------------------------------- vocabulary


def test_word_index_ranks_training_words_with_alphabetical_ties(folder):
    index = get_word_index(folder)
    ranked = sorted(index, key=index.get)
    assert ranked[:7] == ["the", "movie", "a", "good", "bad", "film", "was"]
    assert sorted(index.values()) == list(range(1, len(index) + 1))
    # test-only and unsup words are not in the vocabulary
    assert "unseenword" not in index and "indeed" not in index and "unsupervised" not in index
    # ties after the top five are alphabetical too
    counts = {w: 0 for w in index}
    for text in TRAIN_POS + TRAIN_NEG:
        for w in tokenize(text):
            counts[w] += 1
    assert ranked == sorted(index, key=lambda w: (-counts[w], w))


def test_folder_parent_and_tarball_give_the_same_data(folder, tarball, tmp_path):
    results = [load_imdb(p) for p in (folder, folder.parent, tarball)]
    for other in results[1:]:
        for (xa, ya), (xb, yb) in zip(results[0], other):
            assert xa.tolist() == xb.tolist()
            np.testing.assert_array_equal(ya, yb)


def test_tarball_with_only_the_review_files_and_other_compressions(tmp_path):
    base = make_folder(tmp_path / "plain", extras=False)
    outs = []
    for mode, name in (("w", "a.tar"), ("w:bz2", "a.tar.bz2"), ("w:xz", "a.tar.xz")):
        with tarfile.open(tmp_path / name, mode) as archive:
            archive.add(base, arcname="aclImdb")
        outs.append(load_imdb(tmp_path / name)[0][0].tolist())
    assert outs[0] == outs[1] == outs[2] == load_imdb(base)[0][0].tolist()


# --------------------------------------------------------------------------- load_imdb


def test_returns_keras_like_types_and_reserved_ids(folder):
    (x_train, y_train), (x_test, y_test) = load_imdb(folder)
    assert x_train.dtype == object and x_train.shape == (6,) and x_test.shape == (4,)
    assert y_train.dtype == np.int64 and sorted(y_train.tolist()) == [0, 0, 0, 1, 1, 1]
    assert sorted(y_test.tolist()) == [0, 0, 1, 1]
    index = get_word_index(folder)
    for x in list(x_train) + list(x_test):
        assert type(x) is list and all(type(i) is int for i in x)
        assert x[0] == 1 and all(i >= 4 for i in x[1:])
    assert max(max(x) for x in x_train) == len(index) + 3
    # "the" (rank 1) is id 4 everywhere
    assert 4 in x_train[0] + x_train[1]


def test_same_seed_same_order_and_different_seed_shuffles(folder):
    a = load_imdb(folder, seed=113)
    b = load_imdb(folder, seed=113)
    c = load_imdb(folder, seed=5)
    assert a[0][0].tolist() == b[0][0].tolist()
    assert sorted(map(tuple, a[0][0])) == sorted(map(tuple, c[0][0]))
    assert a[0][0].tolist() != c[0][0].tolist()


@pytest.fixture(scope="module")
def keras_imdb():
    from keras.src.datasets import imdb

    return imdb


def keras_load(monkeypatch, keras_imdb, path, **kwargs):
    """keras.datasets.imdb.load_data run on our ranked data instead of its download."""
    (tr, ytr), (te, yte) = raw_rows(path, "train"), raw_rows(path, "test")

    def as_object(rows):
        out = np.empty(len(rows), dtype=object)
        for i, r in enumerate(rows):
            out[i] = r
        return out

    arrays = {
        "x_train": as_object(tr),
        "y_train": ytr.astype(np.int64),
        "x_test": as_object(te),
        "y_test": yte.astype(np.int64),
    }
    monkeypatch.setattr(keras_imdb, "get_file", lambda *a, **k: "unused.npz")
    monkeypatch.setattr(keras_imdb.npz_utils, "load_npz", lambda p: arrays)
    return keras_imdb.load_data(**kwargs)


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(num_words=10),
        dict(num_words=6, skip_top=1),
        dict(num_words=8, maxlen=5),
        dict(num_words=9, seed=7, oov_char=None),
        dict(num_words=12, start_char=None, skip_top=6),
        dict(num_words=15, start_char=None, oov_char=None, skip_top=5, maxlen=4),
        dict(num_words=4, index_from=2, start_char=0, oov_char=1),
        dict(num_words=20, index_from=0, start_char=None, oov_char=None),
    ],
)
def test_matches_keras_load_data_on_the_same_ids(monkeypatch, keras_imdb, folder, kwargs):
    ours = load_imdb(folder, **kwargs)
    theirs = keras_load(monkeypatch, keras_imdb, folder, **kwargs)
    for (xa, ya), (xb, yb) in zip(ours, theirs):
        assert xa.tolist() == [list(x) for x in xb]
        np.testing.assert_array_equal(ya, yb)


def test_documented_differences_from_keras(monkeypatch, keras_imdb, folder):
    vocab = len(get_word_index(folder))
    # num_words=None keeps every word; Keras turns the largest id into OOV
    ours = load_imdb(folder)[0][0]
    theirs = keras_load(monkeypatch, keras_imdb, folder)[0][0]
    assert max(max(x) for x in ours) == vocab + 3
    assert max(max(x) for x in theirs) == vocab + 2
    # skip_top never replaces start_char; Keras does
    ours = load_imdb(folder, skip_top=5, num_words=12)[0][0]
    theirs = keras_load(monkeypatch, keras_imdb, folder, skip_top=5, num_words=12)[0][0]
    assert all(x[0] == 1 for x in ours) and all(x[0] == 2 for x in theirs)
    assert [x[1:] for x in ours] == [x[1:] for x in theirs]


def test_num_words_skip_top_and_maxlen(folder):
    (x, _), (xt, _) = load_imdb(folder, num_words=6, skip_top=5)
    for row in list(x) + list(xt):
        assert row[0] == 1 and all(i == 2 or i == 5 for i in row[1:])
    (x, y), (xt, yt) = load_imdb(folder, maxlen=4)
    assert all(len(r) < 4 for r in list(x) + list(xt)) and len(x) == len(y) and len(xt) == len(yt)
    with pytest.raises(ValueError, match="maxlen=2"):
        load_imdb(folder, maxlen=2)


def test_info_lines_up_with_load_imdb_and_names_each_file(tmp_path):
    # reviews whose text says which file they are in: "r<id> s<rating>"
    reviews = {
        where: [
            f"{where.replace('/', ' ')} r{i} s{8 if where.endswith('pos') else 2}" + " x" * i
            for i in range(5)
        ]
        for where in ("train/pos", "train/neg", "test/pos", "test/neg")
    }
    folder = make_folder(tmp_path / "ds", reviews)
    index = get_word_index(folder)
    for kwargs in ({}, {"seed": 7}, {"maxlen": 8}, {"maxlen": 8, "start_char": None}):
        (x, y), (xt, yt) = load_imdb(folder, **kwargs)
        train, test = data.load_imdb_info(folder, **kwargs)
        for xs, ys, info in ((x, y, train), (xt, yt, test)):
            assert len(info["review_id"]) == len(xs) > 0
            np.testing.assert_array_equal(info["label"], ys)
            for row, rid, rating, label in zip(xs, info["review_id"], info["rating"], info["label"]):
                words = decode_review(row, index).split()
                assert f"r{rid}" in words and f"s{rating}" in words
                assert ("pos" if label else "neg") in words
    with pytest.raises(ValueError, match="maxlen"):
        data.load_imdb_info(folder, maxlen=0)
    with pytest.raises(ValueError, match="seed"):
        data.load_imdb_info(folder, seed=-1)


# --------------------------------------------------------------------------- encode / decode


def test_encode_reproduces_load_imdb_for_the_test_split(folder):
    index = get_word_index(folder)
    n_train, n_test = 6, 4
    rng = np.random.RandomState(113)
    rng.shuffle(np.arange(n_train))
    order = np.arange(n_test)
    rng.shuffle(order)
    texts = [TEST_NEG[i] for i in range(2)] + [TEST_POS[i] for i in range(2)]  # neg first
    for kwargs in (dict(), dict(num_words=7, skip_top=5), dict(num_words=7, oov_char=None)):
        (_, _), (x_test, _) = load_imdb(folder, **kwargs)
        expected = [encode_review(texts[i], index, **kwargs) for i in order]
        assert x_test.tolist() == expected


def test_encode_unknown_words_and_decode_round_trip(folder):
    index = get_word_index(folder)
    ids = encode_review("The unseenword movie!", index)
    assert ids == [1, 4, 5]
    assert encode_review("The unseenword movie!", index, unknown="oov") == [1, 4, 2, 5]
    assert encode_review("the movie", index, num_words=5) == [1, 4, 2]
    assert decode_review(ids, index) == "[START] the movie"
    assert decode_review(np.array([0, 0, 1, 2, 3, 4]), index) == "[PAD] [PAD] [START] [OOV] [RESERVED] the"
    text = "a bad film"
    assert decode_review(encode_review(text, index, start_char=None), index, start_char=None) == text
    # the default word index is loaded from the source, like load_imdb
    assert encode_review("the movie", path=folder) == [1, 4, 5]
    assert decode_review([1, 4, 5], path=folder) == "[START] the movie"


def test_decode_rejects_bad_ids(folder):
    index = get_word_index(folder)
    with pytest.raises(ValueError, match="beyond the vocabulary"):
        decode_review([len(index) + 4], index)
    with pytest.raises(ValueError, match="non-negative ints"):
        decode_review([-1], index)
    with pytest.raises(ValueError, match="word_index must be a dict"):
        decode_review([4], ["the"])
    with pytest.raises(ValueError, match="unknown must be"):
        encode_review("x", index, unknown="keep")


# --------------------------------------------------------------------------- cache


def cache_files(tmp_path):
    return sorted((tmp_path / "cache").glob("*"))


def test_cache_is_pickle_free_and_hit_by_a_fresh_process(tarball, tmp_path):
    first = load_imdb(tarball, num_words=9)
    (npz,) = cache_files(tmp_path)
    assert npz.suffix == ".npz"
    with np.load(npz, allow_pickle=False) as f:
        assert all(f[k].dtype != object for k in f.files)
        vocab = json.loads(f["vocab_json"].tobytes().decode("utf-8"))
    assert vocab[:3] == ["the", "movie", "a"]
    script = textwrap.dedent(
        f"""
        import json, sys
        import lstm.data.imdb as data
        def no_parse(source):
            raise AssertionError("parsed again instead of reading the cache")
        data._parse = no_parse
        (x, y), (xt, yt) = data.load_imdb({str(tarball)!r}, num_words=9)
        print(json.dumps([x.tolist(), y.tolist(), xt.tolist(), yt.tolist()]))
        assert "keras" not in sys.modules and "tensorflow" not in sys.modules
        """
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True)
    (x, y), (xt, yt) = first
    assert json.loads(out.stdout) == [x.tolist(), y.tolist(), xt.tolist(), yt.tolist()]


def test_changed_source_is_parsed_again_and_the_stale_cache_removed(tmp_path):
    base = make_folder(tmp_path / "ds")
    before = get_word_index(base)
    (old,) = cache_files(tmp_path)
    (base / "train" / "pos" / "9_9.txt").write_text("zebra zebra zebra zebra zebra zebra zebra")
    data._MEMO.clear()
    after = get_word_index(base)
    assert "zebra" not in before and after["zebra"] == 1
    (new,) = cache_files(tmp_path)
    assert new != old


def test_cache_dir_argument(tarball, tmp_path):
    load_imdb(tarball, cache_dir=tmp_path / "elsewhere")
    assert len(list((tmp_path / "elsewhere").glob("imdb-*.npz"))) == 1
    assert cache_files(tmp_path) == []


def test_crash_while_writing_leaves_no_partial_cache(tarball, tmp_path, monkeypatch):
    def crash(file, **arrays):
        file.write(b"PK\x03\x04 half a zip")
        raise OSError("disk full")

    monkeypatch.setattr(data.np, "savez", crash)
    with pytest.warns(UserWarning, match="could not write the IMDB cache"):
        (x, _), _ = load_imdb(tarball)
    assert len(x) == 6
    assert cache_files(tmp_path) == []  # neither a cache nor a temporary file


def test_corrupt_cache_file_is_ignored_and_replaced(tarball, tmp_path):
    expected = load_imdb(tarball)[0][0].tolist()
    (npz,) = cache_files(tmp_path)
    npz.write_bytes(b"garbage")
    data._MEMO.clear()
    with pytest.warns(UserWarning, match="ignoring unreadable IMDB cache"):
        assert load_imdb(tarball)[0][0].tolist() == expected
    with np.load(npz, allow_pickle=False) as f:
        assert "train_ids" in f.files


# --------------------------------------------------------------------------- sources


def test_env_var_and_keras_cache_folder(folder, tmp_path, monkeypatch):
    expected = load_imdb(folder)[0][0].tolist()
    data._MEMO.clear()
    monkeypatch.setenv("LSTM_IMDB_PATH", str(folder))
    assert load_imdb()[0][0].tolist() == expected
    monkeypatch.delenv("LSTM_IMDB_PATH")
    keras_datasets = tmp_path / "keras_home" / "datasets"
    make_folder(keras_datasets)
    data._MEMO.clear()
    assert load_imdb()[0][0].tolist() == expected


def md5(path):
    return hashlib.md5(Path(path).read_bytes()).hexdigest()


@pytest.fixture
def fake_get_file(tmp_path, monkeypatch):
    """keras.utils.get_file replaced by a 'download' of a synthetic archive."""
    import keras

    calls = []
    archive = make_tarball(tmp_path, name="download.tar.gz")

    def get_file(fname=None, origin=None, file_hash=None, hash_algorithm=None, cache_subdir=None, **kw):
        calls.append(dict(fname=fname, origin=origin, file_hash=file_hash, hash_algorithm=hash_algorithm))
        target = tmp_path / "keras_home" / cache_subdir / fname
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(archive.read_bytes())
        return str(target)

    monkeypatch.setattr(keras.utils, "get_file", get_file)
    return calls, archive


def test_download_when_nothing_is_local(fake_get_file, tmp_path, monkeypatch):
    calls, archive = fake_get_file
    monkeypatch.setattr(data, "MD5", md5(archive))
    (x, _), _ = load_imdb()
    assert len(x) == 6
    assert calls == [
        dict(fname="aclImdb_v1.tar.gz", origin=data.URL, file_hash=md5(archive), hash_algorithm="md5")
    ]
    assert data.URL == "https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz"
    # the archive now sits in the Keras cache: the next load neither downloads nor parses
    data._MEMO.clear()
    monkeypatch.setattr(data, "_parse", lambda source: pytest.fail("parsed again"))
    assert load_imdb()[0][0].tolist() == x.tolist()
    assert len(calls) == 1


def test_checksum_mismatch_of_a_download(fake_get_file, tmp_path):
    calls, _ = fake_get_file
    with pytest.raises(ValueError, match="checksum mismatch.*expected 7c2ac02c03563afcf9b574c7e56c153a"):
        load_imdb()
    assert not (tmp_path / "keras_home" / "datasets" / "aclImdb_v1.tar.gz").exists()
    assert cache_files(tmp_path) == []


def test_bad_archive_in_the_keras_cache_is_downloaded_again(fake_get_file, tmp_path, monkeypatch):
    calls, archive = fake_get_file
    monkeypatch.setattr(data, "MD5", md5(archive))
    stale = tmp_path / "keras_home" / "datasets" / "aclImdb_v1.tar.gz"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"an interrupted download")
    (x, _), _ = load_imdb()
    assert len(x) == 6 and len(calls) == 1


def test_checksum_mismatch_through_the_real_get_file(tmp_path, monkeypatch):
    """keras.utils.get_file itself, fed by a file:// URL, rejects a wrong MD5."""
    archive = make_tarball(tmp_path, name="served.tar.gz")
    monkeypatch.setattr(data, "URL", archive.as_uri())
    with pytest.raises(ValueError, match="(?i)hash|checksum"):
        load_imdb()
    assert cache_files(tmp_path) == []


# --------------------------------------------------------------------------- errors


def assert_nothing_cached(tmp_path):
    assert cache_files(tmp_path) == []


def test_missing_path(tmp_path):
    missing = tmp_path / "nope" / "aclImdb"
    with pytest.raises(FileNotFoundError, match="nope/aclImdb.*does not exist; expected an aclImdb/"):
        load_imdb(missing)
    assert_nothing_cached(tmp_path)


def test_missing_env_path(tmp_path, monkeypatch):
    monkeypatch.setenv("LSTM_IMDB_PATH", str(tmp_path / "gone.tar.gz"))
    with pytest.raises(FileNotFoundError, match="LSTM_IMDB_PATH"):
        load_imdb()


def test_empty_folder(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="is empty"):
        load_imdb(tmp_path / "empty")
    assert_nothing_cached(tmp_path)


@pytest.mark.parametrize(
    "layout, match",
    [
        ({"pos": ["x"], "neg": ["y"]}, "wrong layout"),  # no train/ or test/
        ({"train/pos": ["x"], "train/neg": ["y"]}, r"no review files in test/neg, test/pos"),
        (
            {"train/pos": ["x"], "train/neg": ["y"], "test/pos": ["z"]},
            r"no review files in test/neg",
        ),
        ({"train/pos": [], "train/neg": ["y"], "test/pos": ["z"], "test/neg": ["w"]}, "train/pos"),
    ],
)
def test_folder_with_the_wrong_layout(tmp_path, layout, match):
    make_folder(tmp_path / "bad", reviews=layout, extras=False)
    with pytest.raises(ValueError, match=match):
        load_imdb(tmp_path / "bad")
    assert_nothing_cached(tmp_path)


def test_unexpected_review_file_name(folder, tmp_path):
    (folder / "train" / "pos" / "review.txt").write_text("x")
    with pytest.raises(ValueError, match="review.txt.*<id>_<rating>.txt"):
        load_imdb(folder)
    assert_nothing_cached(tmp_path)


def test_truncated_archive(tarball, tmp_path):
    cut = tmp_path / "cut.tar.gz"
    blob = tarball.read_bytes()
    cut.write_bytes(blob[: len(blob) // 2])
    with pytest.raises(ValueError, match="cut.tar.gz.*truncated or corrupt"):
        load_imdb(cut)
    assert_nothing_cached(tmp_path)


def test_corrupt_archive(tarball, tmp_path):
    blob = bytearray(tarball.read_bytes())
    middle = len(blob) // 2
    blob[middle : middle + 64] = bytes(64)
    bad = tmp_path / "bad.tar.gz"
    bad.write_bytes(bytes(blob))
    with pytest.raises(ValueError, match="truncated or corrupt"):
        load_imdb(bad)
    assert_nothing_cached(tmp_path)


def plain_tar(tmp_path, name="plain.tar", fmt=tarfile.USTAR_FORMAT, arcname="aclImdb"):
    base = make_folder(tmp_path / ("src_" + name), extras=False)
    out = tmp_path / name
    with tarfile.open(out, "w", format=fmt) as archive:
        archive.add(base, arcname=arcname)
    return out


def test_damaged_header_in_an_uncompressed_tar(tmp_path):
    """tarfile would stop at a damaged header and return fewer reviews; we must fail."""
    out = plain_tar(tmp_path)
    blob = bytearray(out.read_bytes())
    position = blob.index(b"aclImdb/train/pos/1_8.txt")  # a header in the middle
    blob[position : position + 7] = b"XXXXXXX"
    out.write_bytes(bytes(blob))
    with pytest.raises(ValueError, match="checksum does not match"):
        load_imdb(out)
    assert_nothing_cached(tmp_path)


def test_data_after_the_end_of_the_archive(tmp_path):
    out = plain_tar(tmp_path)
    out.write_bytes(out.read_bytes() + b"\x01" * 100)
    with pytest.raises(ValueError, match="data follows the end-of-archive marker"):
        load_imdb(out)


def test_tar_without_end_marker(tmp_path):
    out = plain_tar(tmp_path)
    blob = out.read_bytes().rstrip(b"\0")
    out.write_bytes(blob + bytes(-len(blob) % 512))  # whole blocks, no end marker
    with pytest.raises(ValueError, match="truncated"):
        load_imdb(out)


@pytest.mark.parametrize("fmt", [tarfile.GNU_FORMAT, tarfile.PAX_FORMAT])
def test_long_member_names(tmp_path, fmt):
    """GNU long-name entries and pax headers carry names over 100 characters."""
    out = plain_tar(tmp_path, arcname="x" * 120 + "/aclImdb", fmt=fmt)
    expected = load_imdb(make_folder(tmp_path / "ref", extras=False))
    data._MEMO.clear()
    got = load_imdb(out)
    assert got[0][0].tolist() == expected[0][0].tolist()


def test_archive_with_a_review_twice_or_two_trees(tmp_path):
    base = make_folder(tmp_path / "src", extras=False)
    twice = tmp_path / "twice.tar"
    with tarfile.open(twice, "w") as archive:
        archive.add(base, arcname="aclImdb")
        archive.add(base / "train" / "pos" / "0_8.txt", arcname="aclImdb/train/pos/0_8.txt")
    with pytest.raises(ValueError, match="0_8.txt' twice"):
        load_imdb(twice)
    two = tmp_path / "two.tar"
    with tarfile.open(two, "w") as archive:
        archive.add(base, arcname="aclImdb")
        archive.add(base / "train" / "pos", arcname="copy/aclImdb/train/pos")
    with pytest.raises(ValueError, match="several review trees"):
        load_imdb(two)


def test_not_an_archive(tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(ValueError, match="notes.txt.*tar archive"):
        load_imdb(tmp_path / "notes.txt")


def test_archive_without_reviews(tmp_path):
    out = tmp_path / "other.tar.gz"
    with tarfile.open(out, "w:gz") as archive:
        info = tarfile.TarInfo("something/else.txt")
        info.size = 5
        archive.addfile(info, io.BytesIO(b"hello"))
    with pytest.raises(ValueError, match="no review files in train/neg, train/pos, test/neg, test/pos"):
        load_imdb(out)


def test_invalid_utf8_review(folder):
    (folder / "test" / "neg" / "7_1.txt").write_bytes(b"caf\xe9")
    with pytest.raises(ValueError, match="7_1.txt.*not valid UTF-8"):
        load_imdb(folder)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(num_words=4), "num_words=4 keeps no word.*at least index_from \\+ 2 = 5"),
        (dict(num_words=-1), "num_words must be an int >= 0"),
        (dict(num_words=10.0), "num_words must be an int"),
        (dict(skip_top=-1), "skip_top must be an int >= 0"),
        (dict(maxlen=0), "maxlen must be an int >= 1 or None"),
        (dict(maxlen=True), "maxlen must be"),
        (dict(seed=-3), "seed must be an int >= 0"),
        (dict(seed=2**32), "seed must be below 2\\*\\*32"),
        (dict(index_from=-1), "index_from must be an int >= 0"),
        (dict(start_char=4), "start_char=4 collides with word ids"),
        (dict(oov_char=-2), "oov_char must be an int >= 0 or None"),
        (dict(start_char=2, oov_char=2), "must differ"),
        (dict(cache_dir=3), "cache_dir must be"),
        (dict(path=42), "path must be a str or os.PathLike"),
    ],
)
def test_invalid_arguments(tmp_path, kwargs, match):
    kwargs.setdefault("path", tmp_path / "never-read")
    with pytest.raises(ValueError, match=match):
        load_imdb(**kwargs)


# --------------------------------------------------------------------------- real data


@pytest.mark.skipif(
    not REAL_ENV["LSTM_IMDB_PATH"],
    reason="the real-data test needs LSTM_IMDB_PATH (an aclImdb folder or archive)",
)
def test_real_imdb(monkeypatch):
    # The caller's environment, so the cache shared with the chapters is used.
    for key, value in REAL_ENV.items():
        if value is None:
            monkeypatch.delenv(key, raising=False)
        else:
            monkeypatch.setenv(key, value)
    (x_train, y_train), (x_test, y_test) = load_imdb(num_words=10000)
    assert len(x_train) == len(y_train) == 25000 and len(x_test) == len(y_test) == 25000
    for x, y in ((x_train, y_train), (x_test, y_test)):
        assert np.bincount(y).tolist() == [12500, 12500]
        assert all(row[0] == 1 for row in x)
        assert max(max(row) for row in x) == 9999 and min(min(row) for row in x) == 1
    index = get_word_index()
    assert len(index) > 50000 and {"the", "movie", "good", "bad"} <= set(index)
    assert decode_review(x_train[0][:1]) == "[START]"
