"""The examples in the documentation run as tests (Sybil).

- every ```` ```python ```` block of ``docs/*.md`` and ``README.md``, in order, one namespace per
  page; ``<!-- skip: next -->`` before a block leaves out an excerpt that cannot run alone, and
  ``<!-- invisible-code-block: python ... -->`` runs setup or checks the page does not show;
- every ``>>>`` example in the docstrings of ``src/herz`` (``# doctest: +SKIP`` leaves one out).

Each page and each module runs in a fresh temporary directory, so the files an example writes
(``out/``, ``jw.duckdb``) land there. The tests are collected through ``testpaths`` in
pyproject.toml; ``python -m pytest docs README.md src/herz`` runs only these.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from doctest import ELLIPSIS, NORMALIZE_WHITESPACE
from typing import Any

from sybil import Sybil
from sybil.document import PythonDocStringDocument
from sybil.parsers.markdown import ClearNamespaceParser, PythonCodeBlockParser, SkipParser
from sybil.parsers.rest import DocTestParser
from sybil.sybil import SybilCollection

os.environ.setdefault("MPLBACKEND", "Agg")

_FLAGS = ELLIPSIS | NORMALIZE_WHITESPACE


def _enter_scratch(namespace: dict[str, Any]) -> None:
    """Run the document's examples in a fresh temporary directory."""
    namespace["__docs_cwd__"] = os.getcwd()
    namespace["__docs_tmp__"] = scratch = tempfile.mkdtemp(prefix="herz-docs-")
    os.chdir(scratch)


def _leave_scratch(namespace: dict[str, Any]) -> None:
    """Back to where the tests started; close the document's figures, remove its files."""
    os.chdir(namespace["__docs_cwd__"])
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")
    shutil.rmtree(namespace["__docs_tmp__"], ignore_errors=True)


def _markdown(**where: Any) -> Sybil:
    return Sybil(
        parsers=[
            PythonCodeBlockParser(doctest_optionflags=_FLAGS),
            SkipParser(),
            ClearNamespaceParser(),
        ],
        setup=_enter_scratch,
        teardown=_leave_scratch,
        **where,
    )


_pages = _markdown(path="docs", patterns=["*.md"], name="docs")
_readme = _markdown(path=".", filenames=["README.md"], name="readme")
_docstrings = Sybil(
    parsers=[DocTestParser(optionflags=_FLAGS), SkipParser()],
    path="src/herz",
    patterns=["*.py"],
    excludes=["__main__.py"],
    document_types={".py": PythonDocStringDocument},
    setup=_enter_scratch,
    teardown=_leave_scratch,
    name="docstrings",
)

pytest_collect_file = SybilCollection([_pages, _readme, _docstrings]).pytest()
