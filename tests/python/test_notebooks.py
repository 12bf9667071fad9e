"""Every analyst notebook runs headless (nbclient) against a freshly built demo lake; a cell
that raises fails the test."""

import pathlib

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((pathlib.Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 3


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_against_the_demo_lake(demo_lake, path, monkeypatch):
    monkeypatch.setenv("PAYLAKE_LAKE", str(demo_lake))
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=120, kernel_name="python3").execute(
        cwd=str(path.parent)
    )
    outputs = [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs]
    assert outputs, "the notebook showed nothing"
