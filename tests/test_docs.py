"""The documentation: the API reference covers the public API, the glossary matches the code,
and every Sphinx role in a docstring names a real object.

The site itself is built strictly in CI (``mkdocs build --strict``, .ci/run); the examples in the
pages and docstrings run as tests through Sybil (conftest.py at the repository root).
"""

from __future__ import annotations

import importlib
import logging
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

import herz
from herz.models import REGISTRY
from herz.models._base import COMMON_OUTCOMES, COMMON_SUMMARY, Measure

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
REFERENCE = DOCS / "reference"

#: The modules the reference documents, each on a page of its own (or beside its package).
PUBLIC_MODULES = (
    "herz",
    "herz.models",
    "herz.models.richardson",
    "herz.models.spiral",
    "herz.models.iterated",
    "herz.models.lanchester",
    "herz.models.reassurance",
    "herz.models.bargaining",
    "herz.models.geography",
    "herz.models.games",
    "herz.models.evolution",
    "herz.simulation",
    "herz.results",
    "herz.scenario",
    "herz.experiment",
    "herz.store",
    "herz.analysis",
    "herz.sensitivity",
    "herz.isotonic",
    "herz.history",
    "herz.history.datasets",
    "herz.history.estimate",
    "herz.history.from_history",
    "herz.history.observed",
    "herz.history.backtest",
    "herz.history.scoring",
    "herz.calibration",
    "herz.calibration.posterior",
    "herz.forecast",
    "herz.plots",
    "herz.plots.series",
    "herz.plots.games",
    "herz.plots.experiments",
    "herz.report",
    "herz.testing",
    "herz.web",
    "herz.errors",
)

_DIRECTIVE = re.compile(r"^::: (?P<target>[\w.]+)[ \t]*\n(?P<options>(?:[ \t]{4,}.*\n?)*)", re.M)


@dataclass(frozen=True)
class Directive:
    """One ``::: target`` of a reference page, with its mkdocstrings options."""

    page: Path
    target: str
    options: dict[str, Any]


def _directives() -> list[Directive]:
    found = []
    for page in sorted(REFERENCE.glob("*.md")):
        for match in _DIRECTIVE.finditer(page.read_text(encoding="utf-8")):
            block = yaml.safe_load(match["options"]) if match["options"].strip() else None
            options = (block or {}).get("options", {})
            found.append(Directive(page, match["target"], options))
    return found


def _public_names(module: ModuleType) -> list[str]:
    names = getattr(module, "__all__", None)
    if names is None:
        names = [n for n in vars(module) if not n.startswith("_")]
    return list(names)


def _documented() -> dict[int, str]:
    """``id(object) -> where`` for every object a ``:::`` directive renders."""
    documented: dict[int, str] = {}
    for directive in _directives():
        module = importlib.import_module(directive.target)
        where = f"{directive.page.relative_to(DOCS)} (::: {directive.target})"
        documented[id(module)] = where
        members = directive.options.get("members")
        if members is False:
            continue
        names = members if isinstance(members, list) else _public_names(module)
        for name in names:
            documented[id(getattr(module, name))] = where
    return documented


def test_every_public_module_has_a_reference_directive() -> None:
    targets = {d.target for d in _directives()}
    models = [target.split(":")[0] for target in REGISTRY.values()]  # every registered model too
    missing = [m for m in (*PUBLIC_MODULES, *models) if m not in targets]
    assert not missing, f"modules without a `::: module` in docs/reference/: {missing}"


def test_reference_pages_are_in_the_nav() -> None:
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    for page in REFERENCE.glob("*.md"):
        assert f"reference/{page.name}" in config, f"{page.name} is not in mkdocs.yml's nav"


@pytest.mark.parametrize("name", herz.__all__)
def test_public_name_is_importable_and_in_the_reference(name: str) -> None:
    obj = getattr(herz, name)  # the lazy attribute resolves
    exec(f"from herz import {name}", {})  # and `from herz import NAME` works
    top = (REFERENCE / "herz.md").read_text(encoding="utf-8")
    assert f"`herz.{name}`" in top, f"herz.{name} is not listed on docs/reference/herz.md"
    if name == "__version__":
        assert isinstance(obj, str)
        return
    documented = _documented()
    assert id(obj) in documented, (
        f"herz.{name} ({getattr(obj, '__module__', '')}) is rendered by no `:::` directive "
        "in docs/reference/"
    )
    assert (obj.__doc__ or "").strip(), f"herz.{name} has no docstring to show"


def _glossary_rows(heading: str) -> dict[str, tuple[str, str]]:
    """``{name: (dtype, unit)}`` from the glossary table whose first column is ``heading``."""
    text = (DOCS / "models.md").read_text(encoding="utf-8")
    glossary = text[text.index("## Glossary") :]
    table = glossary[glossary.index(f"| {heading} |") :].split("\n\n", 1)[0]
    rows = {}
    for line in table.splitlines()[2:]:
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        rows[cells[0].strip("`")] = (cells[1], cells[2])
    return rows


@pytest.mark.parametrize(
    ("heading", "measures"),
    [("outcome", tuple(COMMON_OUTCOMES.values())), ("key", COMMON_SUMMARY)],
    ids=["outcomes", "summary"],
)
def test_glossary_matches_the_code(heading: str, measures: tuple[Measure, ...]) -> None:
    rows = _glossary_rows(heading)
    expected = {m.name: (m.dtype, m.unit) for m in measures}
    assert rows == expected


def _sphinx_roles() -> Any:
    """docs/reference/sphinx_roles.py, the griffe extension that reads herz's docstring markup."""
    sys.path.insert(0, str(REFERENCE))
    try:
        return importlib.import_module("sphinx_roles")
    finally:
        sys.path.remove(str(REFERENCE))


def _load(package: str, path: Path, caplog: pytest.LogCaptureFixture) -> tuple[Any, list[str]]:
    griffe = pytest.importorskip("griffe")
    extensions = griffe.load_extensions(_sphinx_roles().SphinxRoles())
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        loaded = griffe.load(package, search_paths=[str(path)], extensions=extensions)
    warnings = [r.getMessage() for r in caplog.records if r.name == "herz.docs.sphinx_roles"]
    return loaded, warnings


def test_sphinx_roles_become_cross_references(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "toy").mkdir()
    (tmp_path / "toy" / "__init__.py").write_text(
        '''"""The toy.

Use :class:`~toy.Thing`, :func:`helper`, :meth:`Thing.go`, :func:`toy.nothing`,
:class:`pandas.DataFrame` and :attr:`the rate <toy.Thing.rate>`; :math:`x^2`. For example::

    toy.helper()

.. math::

    x = 1
"""


class Thing:
    """A thing."""

    rate: float = 1.0

    def go(self) -> None:
        """Go."""


def helper() -> None:
    """Help."""
''',
        encoding="utf-8",
    )
    package, warnings = _load("toy", tmp_path, caplog)
    text = package.docstring.value
    assert '<autoref identifier="toy.Thing" optional><code>Thing</code></autoref>' in text
    assert '<autoref identifier="toy.helper" optional><code>helper</code></autoref>' in text
    assert '<autoref identifier="toy.Thing.go" optional><code>Thing.go</code></autoref>' in text
    assert '<autoref identifier="toy.Thing.rate" optional><code>the rate</code></autoref>' in text
    assert "`pandas.DataFrame`" in text  # not a toy object: plain code, no warning
    assert "`x^2`" in text
    assert "For example:\n" in text
    assert ".. math::" not in text
    assert warnings == ["toy: docstring names 'toy.nothing', which is not a toy object"]


def test_docstring_roles_name_real_objects(caplog: pytest.LogCaptureFixture) -> None:
    """Every role in herz's docstrings names a real object (a typo is a warning, and
    ``mkdocs build --strict`` fails on it), and no Sphinx markup is left for the reference."""
    package, warnings = _load("herz", ROOT / "src", caplog)
    assert not warnings
    leftovers = []

    def visit(obj: Any) -> None:
        markup = re.compile(r":[a-z]+:`|^\s*\.\. math::", re.M)
        if obj.docstring is not None and markup.search(obj.docstring.value):
            leftovers.append(obj.path)
        for member in obj.members.values():
            if not member.is_alias:
                visit(member)

    visit(package)
    assert not leftovers, f"Sphinx markup left in: {leftovers}"
