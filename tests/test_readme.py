"""The README's library tour is code a newcomer will paste: it must run and mean what it says."""

import re
from pathlib import Path

import numpy as np

README = Path(__file__).resolve().parents[1] / "README.md"


def test_library_tour_runs(tmp_path, monkeypatch, capsys):
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)
    assert blocks, "README.md has no python example"
    monkeypatch.chdir(tmp_path)  # it saves cnn.npz in the working folder
    namespace = {}
    try:
        exec(compile(blocks[0], "README.md", "exec"), namespace)
    except ImportError as err:  # only to_torch() may need an optional package
        assert "torch" in str(err)
    assert "Total parameters: 105,281" in capsys.readouterr().out
    assert (tmp_path / "cnn.npz").is_file()
    model = namespace["model"]
    assert model(np.zeros((2, 1, 28, 28), np.float32)).shape == (2, 1)


def test_two_commands_are_the_makefile_targets():
    text = README.read_text()
    makefile = (README.parent / "Makefile").read_text()
    assert "make run" in text and "make test" in text
    assert re.search(r"^run:.*\n\t\$\(VENV\)/bin/ml2dl serve", makefile, re.M)
    assert re.search(r"^test:.*\n\t\$\(PY\) -m pytest", makefile, re.M)
    assert "make test" in (README.parent / ".ci" / "run").read_text()


def test_the_development_loop_is_named_beside_make_test():
    text = README.read_text()
    makefile = (README.parent / "Makefile").read_text()
    assert "make test-fast" in text
    assert re.search(r'^test-fast:.*\n\t\$\(PY\) -m pytest -m "not browser and not slow"$', makefile, re.M)
