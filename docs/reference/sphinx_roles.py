"""A griffe extension: herz's Sphinx-style docstring markup, read by mkdocstrings.

herz's docstrings are numpy style with Sphinx roles (``:class:`~herz.Result```,
``:func:`simulate```) and reST literal blocks (a paragraph ending in ``::``). mkdocstrings reads
Markdown, so this extension rewrites, in every docstring of the loaded package:

- a role into a cross-reference to the object's page: the target is resolved as Sphinx would
  (a dotted path, or a name in the scope of the documented object), ``~`` shows only its last
  part. The link is *optional* (autorefs leaves plain code where the target has no page, e.g. a
  private helper); a role naming a herz object that does not exist is a warning, so
  ``mkdocs build --strict`` fails on a typo;
- ``text::`` before an indented block into ``text:``, and drop ``.. math::`` lines: the indented
  block is already a Markdown code block (the LaTeX is shown as it is written);
- ``:math:`x``` into code.

Configured in mkdocs.yml (``extensions: [docs/reference/sphinx_roles.py]``).
"""

from __future__ import annotations

import html
import re
from typing import Any

import griffe

_ROLE = re.compile(r":(?:py:)?(?:class|func|meth|mod|attr|data|exc|obj|const):`(?P<target>[^`]+)`")
_TITLED = re.compile(r"(?P<title>.+?)\s*<(?P<target>[^<>]+)>")
_MATH_ROLE = re.compile(r":math:`(?P<tex>[^`]+)`")
_MATH_DIRECTIVE = re.compile(r"^[ \t]*\.\. math::[ \t]*\n", re.MULTILINE)
_LITERAL_BLOCK = re.compile(r"(?<=\S)::$", re.MULTILINE)
_LOGGER = griffe.get_logger("herz.docs.sphinx_roles")


def _lookup(collection: griffe.ModulesCollection, path: str) -> griffe.Object | griffe.Alias | None:
    """The object at a dotted ``path``, or None."""
    try:
        found: griffe.Object | griffe.Alias = collection.get_member(path)
    except (KeyError, ValueError, griffe.AliasResolutionError, griffe.CyclicAliasError):
        return None
    return found


def _canonical(obj: griffe.Object | griffe.Alias) -> str:
    """The path of what ``obj`` is, following aliases where they resolve."""
    try:
        return obj.final_target.path if obj.is_alias else obj.path  # type: ignore[union-attr]
    except (griffe.AliasResolutionError, griffe.CyclicAliasError):
        return obj.path


def _resolve(scope: griffe.Object, target: str, collection: griffe.ModulesCollection) -> str | None:
    """The canonical path ``target`` names when written in a docstring of ``scope``."""
    if "." in target:
        found = _lookup(collection, target)
        if found is not None:
            return _canonical(found)
    head, _, rest = target.partition(".")
    current: griffe.Object | None = scope
    while current is not None:
        try:
            path = current.resolve(head)
        except (griffe.NameResolutionError, ValueError):
            current = current.parent
            continue
        found = _lookup(collection, f"{path}.{rest}" if rest else path)
        return _canonical(found) if found is not None else None
    return None


class SphinxRoles(griffe.Extension):
    """Turn Sphinx roles and reST literal-block markers into Markdown for mkdocstrings."""

    def on_package(self, *, pkg: griffe.Module, loader: griffe.GriffeLoader, **kwargs: Any) -> None:
        self._collection = loader.modules_collection
        self._root = pkg.name
        self._visit(pkg)

    def _visit(self, obj: griffe.Object) -> None:
        if obj.docstring is not None:
            obj.docstring.value = self._rewrite(obj, obj.docstring.value)
        for member in obj.members.values():
            if not member.is_alias:
                self._visit(member)  # type: ignore[arg-type]

    def _rewrite(self, obj: griffe.Object, text: str) -> str:
        def replace(match: re.Match[str]) -> str:
            raw = " ".join(match["target"].split())
            titled = _TITLED.fullmatch(raw)
            if titled:  # :role:`title <target>`
                raw, target = titled["target"], titled["target"].lstrip("~.")
                shown = titled["title"]
            else:
                target = raw.lstrip("~.")
                shown = target.rsplit(".", 1)[-1] if raw.startswith("~") else target
            scope = obj if obj.is_class or obj.is_module else (obj.parent or obj)
            path = _resolve(scope, target, self._collection)
            if path is None:
                if target.split(".", 1)[0] == self._root:
                    _LOGGER.warning(
                        "%s: docstring names %r, which is not a %s object",
                        obj.path,
                        raw,
                        self._root,
                    )
                return f"`{shown}`"
            ref, code = html.escape(path), html.escape(shown)
            return f'<autoref identifier="{ref}" optional><code>{code}</code></autoref>'

        text = _MATH_DIRECTIVE.sub("", _MATH_ROLE.sub(r"`\g<tex>`", text))
        return _LITERAL_BLOCK.sub(":", _ROLE.sub(replace, text))
