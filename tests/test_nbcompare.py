"""tests/nbcompare.py: words exactly, numbers within tolerance, and real drift still fails."""

import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbcompare import DEFAULT, Output, Tolerance, difference, flatten, number_pairs, split, tolerance_of

HERE = Path(__file__).resolve().parent


def test_split_keeps_words_and_reads_numbers():
    skeleton, numbers = split("loss 0.7556 - acc: 87.5%  (25,000 reviews, 1e-05, -3, nan)\nW_xh1 h_t-1")
    assert skeleton == "loss№- acc:№% (№reviews,№,№,№) W_xh1 h_t-№"
    assert numbers[:5] == [0.7556, 87.5, 25000.0, 1e-05, -3.0]
    assert numbers[5] != numbers[5]  # nan


def test_last_bit_of_a_float_passes_by_default():
    # ch1's glued 0.9 ** 100: the last bit of a SIMD power on two CPUs
    assert difference("2.6561398887587544e-05", "2.656139888758754e-05") is None
    assert difference("the same 1.0", "the same 1.0") is None


def test_a_number_beyond_the_tolerance_fails():
    why = difference("test accuracy 0.8864", "test accuracy 0.8790")
    assert why is not None and "stored 0.8864, now 0.879" in why
    assert difference("test accuracy 0.8864", "test accuracy 0.8790", Tolerance(atol=0.01)) is None
    assert difference("test accuracy 0.8864", "test accuracy 0.8700", Tolerance(atol=0.01)) is not None
    assert difference("loss 100.0", "loss 104.0", Tolerance(rtol=0.05)) is None
    assert difference("loss 100.0", "loss 106.0", Tolerance(rtol=0.05)) is not None


def test_changed_words_fail_even_with_a_wide_tolerance():
    wide = Tolerance(rtol=1.0, atol=1.0)
    assert "words differ" in difference("RNN fails at k = 40", "RNN succeeds at k = 40", wide)
    assert "words differ" in difference("a 1 b", "a 1 b 2", wide)  # a number more
    assert difference("a  1\n b", "a 1 b", wide) is None  # white space is folded
    assert difference("[[ 0.5 -0.25]]", "[[-0.5  0.25]]", wide) is None  # and pads numbers to a width


def test_nan_and_inf_match_only_themselves():
    assert difference("nan", "nan") is None
    assert difference("nan", "0.5", Tolerance(atol=10)) is not None
    assert difference("inf", "inf") is None and difference("inf", "-inf", Tolerance(atol=10)) is not None


def test_number_pairs():
    assert number_pairs("x 1 y 2.5", "x 1.5 y 2") == [(1.0, 1.5), (2.5, 2.0)]
    assert number_pairs("x 1", "z 1") is None


@pytest.mark.parametrize(
    "spec",
    [
        {"rtol": -1, "why": "x"},
        {"atol": "0.1", "why": "x"},
        {"tol": 0.1, "why": "x"},
        {"why": "no number"},
        0.1,
        {"atol": True, "why": "x"},
        {"atol": 0.1},
        {"atol": 0.1, "why": " "},
    ],
)
def test_bad_tolerance_metadata_is_a_clear_error(spec):
    with pytest.raises(ValueError, match="tolerance"):
        tolerance_of({"tolerance": spec})


def test_tolerance_metadata():
    assert tolerance_of({}) == DEFAULT
    assert tolerance_of({"tolerance": {"atol": 0.02, "why": "spread"}}) == Tolerance(rtol=1e-9, atol=0.02)


def test_output_equality_is_tolerant_and_symmetric():
    a, b = Output("acc 0.81", Tolerance(atol=0.05)), Output("acc 0.79", Tolerance(atol=0.05))
    assert a == b and not (a != b)
    c = Output("acc 0.70", Tolerance(atol=0.05))
    assert a != c and "stored 0.81, now 0.7" in a.why


def test_flatten_skips_pictures_and_joins_streams():
    outs = [
        nbformat.v4.new_output("stream", name="stdout", text="a 1\n"),
        nbformat.v4.new_output("stream", name="stdout", text="b 2\n"),
        nbformat.v4.new_output(
            "display_data",
            data={
                "text/plain": "<Figure>",
                "image/png": "AAAA",
                "application/papermill.record/image/png": "BBBB",
            },
        ),
    ]
    assert flatten(outs) == {"stdout": ["a 1\nb 2\n"], "text/plain": ["<Figure>"]}


# --- the plugin inside nbval: a notebook whose stored outputs disagree with its code ---------------

CELLS = [  # (name, source, stored outputs, metadata, expected result)
    ("same", "print(0.1 + 0.2)", [("stdout", "0.30000000000000004\n")], {}, "PASSED"),
    ("last_bit", "print(0.9 ** 100)", [("stdout", "2.6561398887587e-05\n")], {}, "PASSED"),
    ("moved", "print('acc', 0.80)", [("stdout", "acc 0.85\n")], {}, "FAILED"),
    (
        "moved_in_tolerance",
        "print('acc', 0.80)",
        [("stdout", "acc 0.85\n")],
        {"tolerance": {"atol": 0.06, "why": "test"}},
        "PASSED",
    ),
    (
        "beyond_tolerance",
        "print('acc', 0.80)",
        [("stdout", "acc 0.95\n")],
        {"tolerance": {"atol": 0.06, "why": "test"}},
        "FAILED",
    ),
    (
        "words",
        "print('RNN wins', 1)",
        [("stdout", "LSTM wins 1\n")],
        {"tolerance": {"atol": 10, "why": "test"}},
        "FAILED",
    ),
    (
        "glue_same",
        "from myst_nb import glue; glue('x', 1.25, display=False)",
        [("glue", "x", "1.25")],
        {},
        "PASSED",
    ),
    (
        "glue_moved",
        "from myst_nb import glue; glue('y', 1.5, display=False)",
        [("glue", "y", "1.25")],
        {},
        "FAILED",
    ),
    (
        "glue_in_tolerance",
        "from myst_nb import glue; glue('z', 1.5, display=False)",
        [("glue", "z", "1.25")],
        {"tolerance": {"atol": 0.3, "why": "test"}},
        "PASSED",
    ),
]


def _stored(kind, *rest):
    if kind == "stdout":
        return nbformat.v4.new_output("stream", name="stdout", text=rest[0])
    name, text = rest
    return nbformat.v4.new_output(
        "display_data",
        data={"application/papermill.record/text/plain": text},
        metadata={"scrapbook": {"name": name, "mime_prefix": "application/papermill.record/"}},
    )


@pytest.fixture(scope="module")
def nbval_results(tmp_path_factory):
    folder = tmp_path_factory.mktemp("nb")
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    for i, (_, source, outputs, metadata, _) in enumerate(CELLS, start=1):
        cell = nbformat.v4.new_code_cell(source, metadata=metadata, execution_count=i)
        cell.outputs = [_stored(*o) for o in outputs]
        nb.cells.append(cell)
    # A glued figure whose bytes differ from the stored ones is not compared.
    fig = nbformat.v4.new_code_cell(
        "from myst_nb import glue\nfrom IPython.display import Image\n"
        "glue('fig', Image(data=bytes.fromhex('89504e470d0a1a0a'), format='png'), display=False)",
        execution_count=len(CELLS) + 1,
    )
    fig.outputs = [
        nbformat.v4.new_output(
            "display_data",
            data={
                "application/papermill.record/image/png": "iVBORw0KGgoAAAANSUhEUgAAAAE=",
                "application/papermill.record/text/plain": "<IPython.core.display.Image object>",
            },
            metadata={"scrapbook": {"name": "fig", "mime_prefix": "application/papermill.record/"}},
        )
    ]
    nb.cells.append(fig)
    path = folder / "drift.ipynb"
    nbformat.write(nb, path)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]))
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "nbcompare",
            "--nbval",
            "-v",
            "-p",
            "no:cacheprovider",
            "--rootdir",
            str(folder),
            "-c",
            os.devnull,
            str(path),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=folder,
        timeout=300,
    )
    results = dict(re.findall(r"::Cell (\d+) (PASSED|FAILED)", run.stdout))
    assert len(results) == len(CELLS) + 1, run.stdout + run.stderr
    return results, run.stdout


@pytest.mark.parametrize("index", range(len(CELLS)), ids=[c[0] for c in CELLS])
def test_nbval_compares_numbers_with_tolerance_and_words_exactly(nbval_results, index):
    results, log = nbval_results
    assert results[str(index)] == CELLS[index][4], log


def test_nbval_ignores_glued_picture_bytes(nbval_results):
    results, log = nbval_results
    assert results[str(len(CELLS))] == "PASSED", log


def test_nbval_failure_says_which_number_moved(nbval_results):
    _, log = nbval_results
    assert "stored 0.85, now 0.8" in log
    assert "the words differ" in log


def test_a_tolerance_covers_only_the_numbers_it_applies_to():
    tol = Tolerance(atol=0.03, applies_to=r"accuracy \S+")
    ref = "learning rate 3e-03  units 32   validation accuracy 0.791"
    assert tol.covered(ref) == [False, False, True]
    assert difference(ref, ref.replace("0.791", "0.770"), tol) is None
    # the label and the size are compared at the default, whatever the cell's tolerance
    why = difference(ref, ref.replace("3e-03", "3e-02"), tol)
    assert why is not None and "stored 0.003, now 0.03" in why and "the default" in why
    assert difference(ref, ref.replace("32", "33"), tol) is not None
    # a number half inside a match is not covered
    assert Tolerance(atol=1, applies_to=r"0\.7").covered("0.791") == [False]


def test_applies_to_and_bounds_are_checked_regular_expressions():
    assert (
        tolerance_of({"tolerance": {"atol": 0.1, "why": "x", "applies_to": "loss \\S+"}}).applies_to
        == "loss \\S+"
    )
    for bad in ("(", "", 3):
        with pytest.raises(ValueError, match="applies_to"):
            tolerance_of({"tolerance": {"atol": 0.1, "why": "x", "applies_to": bad}})
    with pytest.raises(ValueError, match="bounds"):
        Tolerance(atol=0.1, bounds="[")


def test_glued_values_are_compared_with_their_key():
    out = nbformat.from_dict(
        {
            "output_type": "display_data",
            "data": {"application/papermill.record/text/plain": "0.82"},
            "metadata": {"scrapbook": {"name": "ch9_acc"}},
        }
    )
    (text,) = flatten([out])["application/papermill.record/text/plain"]
    assert text == "glue ch9_acc: 0.82"
    assert out["data"]["application/papermill.record/text/plain"] == "0.82"  # the cell is left alone
    tol = Tolerance(atol=0.03, applies_to=r"glue ch9_acc: \S+")
    assert difference(text, "glue ch9_acc: 0.80", tol) is None
    assert "words differ" in difference(text, "glue ch9_other: 0.82", tol)


def test_a_cell_can_declare_several_tolerances():
    spec = [
        {"atol": 0.15, "why": "moves like a change of seed", "applies_to": r"no mask .*"},
        {"atol": 0.02, "why": "stable rows", "applies_to": r"-?\d+\.\d+"},
    ]
    tol = tolerance_of({"tolerance": spec})
    ref = "no mask 0.62 0.57\nmasked 0.83 0.81\nseeds 3"
    assert [t.atol for t in tol.for_numbers(ref)] == [0.15, 0.15, 0.02, 0.02, 0.0]  # first part wins
    assert difference(ref, "no mask 0.70 0.50\nmasked 0.84 0.80\nseeds 3", tol) is None
    assert difference(ref, "no mask 0.62 0.57\nmasked 0.86 0.81\nseeds 3", tol) is not None
    assert "the default" in difference(ref, "no mask 0.62 0.57\nmasked 0.83 0.81\nseeds 4", tol)
    with pytest.raises(ValueError, match="applies_to"):
        tolerance_of({"tolerance": [{"atol": 0.1, "why": "x"}]})
    with pytest.raises(ValueError, match="list of tolerances"):
        tolerance_of({"tolerance": []})
