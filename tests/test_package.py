"""The package's layout rules, checked on its source: layers import only public names of each
other, ``import lstm`` stays free of TensorFlow, and no chapter redefines what the package has."""

import ast
import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "lstm"
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))


def _modules():
    return sorted(PACKAGE.rglob("*.py"))


def _module_name(path):
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _resolve(path, node):
    """The absolute module name of an ``ImportFrom`` node in ``path``."""
    if node.level == 0:
        return node.module or ""
    package = _module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    base = package[: len(package) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _private_imports(path, source):
    """``from X import _name`` (or from a private module X) of another lstm module in ``source``."""
    offences = []
    for node in ast.walk(ast.parse(source, str(path))):
        if isinstance(node, ast.ImportFrom):
            origin = _resolve(path, node)
            if not origin.startswith("lstm") or origin == _module_name(path):
                continue
            private_module = any(part.startswith("_") for part in origin.split("."))
            for alias in node.names:
                if private_module or alias.name.startswith("_"):
                    offences.append(f"{path.relative_to(ROOT)}: from {origin} import {alias.name}")
    return offences


def test_no_module_imports_another_modules_private_names():
    assert [o for path in _modules() for o in _private_imports(path, path.read_text())] == []


def test_the_rule_above_catches_private_imports():
    fake = PACKAGE / "core" / "fake.py"
    assert len(_private_imports(fake, "from .layer import _scratch\n")) == 1
    assert len(_private_imports(fake, "from ..data._cache import load\n")) == 1
    assert _private_imports(fake, "from .layer import glorot_uniform\nfrom numpy import _core\n") == []


HEAVY = ("tensorflow", "keras", "matplotlib")


def _heavy_modules_after(statement):
    """The heavy modules (TensorFlow, Keras, Matplotlib) loaded by ``statement`` in a fresh
    interpreter."""
    code = f"import sys; {statement}; print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    return out.stdout.strip()


def test_import_lstm_loads_no_tensorflow():
    assert _heavy_modules_after("import lstm") == "[]"


def test_the_numpy_side_and_the_folders_load_no_tensorflow():
    """``import lstm, lstm.data, lstm.core`` and the names of lstm.data load neither TensorFlow nor
    Keras; nor do ``import lstm.keras`` (its names load Keras on first use) and lstm.book's names
    (Matplotlib loads when a figure is drawn, TensorFlow when ``setup`` runs)."""
    assert _heavy_modules_after("import lstm, lstm.data, lstm.core") == "[]"
    assert _heavy_modules_after("from lstm.data import load_imdb, prepare_imdb, adding_problem") == "[]"
    assert _heavy_modules_after("import lstm.keras, lstm.book; from lstm.book import setup, viz") == "[]"


def _submodule_names(package, modules):
    return {name for module in modules for name in importlib.import_module(f"{package}.{module}").__all__}


def test_public_names_are_reachable_from_their_folder():
    import lstm.book
    import lstm.data
    from lstm.data import load_imdb, prepare_imdb  # the names users import
    from lstm.data.imdb import load_imdb as home

    assert load_imdb is home and callable(prepare_imdb)
    # Every public name of the folders' modules, constants of the IMDB loader aside.
    loader_constants = {"URL", "MD5", "FILTERS", "TOKENIZER_VERSION"}
    assert (
        set(lstm.data.__all__)
        == _submodule_names("lstm.data", ["imdb", "splits", "tasks"]) - loader_constants
    )
    assert set(lstm.book.__all__) == _submodule_names("lstm.book", ["fmt", "viz"]) | {
        "setup",
        "tf_environment",
    }
    for package in (lstm.data, lstm.book):
        for name in package.__all__:
            assert getattr(package, name) is not None, f"{package.__name__}.{name}"


def test_keras_names_are_reachable_from_lstm_keras():
    pytest.importorskip("keras")
    import lstm.keras
    from lstm.keras import fit, sentiment_model
    from lstm.keras.models import sentiment_model as home

    assert sentiment_model is home and callable(fit)
    assert set(lstm.keras.__all__) == _submodule_names("lstm.keras", ["models", "training", "distributed"])
    assert set(lstm.keras.__all__) <= set(dir(lstm.keras))
    for name in lstm.keras.__all__:
        assert getattr(lstm.keras, name) is getattr(
            importlib.import_module(f"lstm.keras.{lstm.keras._HOMES[name]}"), name
        )
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        lstm.keras.nothing  # noqa: B018


def _public_names():
    """Every public function and class defined at the top level of a package module."""
    names = {}
    for path in _modules():
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.FunctionDef | ast.ClassDef) and not node.name.startswith("_"):
                names.setdefault(node.name, _module_name(path))
    return names


@pytest.mark.parametrize("notebook", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_chapters_do_not_redefine_package_code(notebook):
    public = _public_names()
    redefined = []
    for cell in json.loads(notebook.read_text())["cells"]:
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        lines = [ln for ln in source.splitlines() if not ln.lstrip().startswith(("%", "!"))]
        for node in ast.walk(ast.parse("\n".join(lines))):
            if isinstance(node, ast.FunctionDef | ast.ClassDef) and node.name in public:
                redefined.append(f"{node.name} (in {public[node.name]})")
        if "np.exp(-" in source:
            redefined.append("a sigmoid written with np.exp (use lstm.sigmoid)")
        if "maketrans" in source:
            redefined.append("a superscript formatter (use lstm.book.fmt)")
        if "tf.data.Dataset.from_tensor_slices" in source:
            redefined.append("a tf.data pipeline (use lstm.keras.training.to_dataset)")
    assert redefined == []
