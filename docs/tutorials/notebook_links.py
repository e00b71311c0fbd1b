"""MkDocs hook: make the tutorials' links between pages work on the site.

The notebooks link to the other pages as files (``../spiral.md``, ``jervis-worlds.ipynb``), so
the links work where the notebooks are read as files (GitHub, Jupyter). mkdocs-jupyter renders
a notebook to HTML without rewriting these links, and MkDocs only checks links in Markdown
pages. So on the site the links would point at source files that do not exist there.

This hook rewrites each relative link in a notebook page to the target page's URL, keeping any
``#anchor``. A link to a ``.md`` or ``.ipynb`` file that is not among the site's pages is
logged as a warning, and ``mkdocs build --strict`` fails on it.

Enable it in mkdocs.yml with ``hooks: [docs/tutorials/notebook_links.py]``. MkDocs does not
publish it, because ``exclude_docs`` leaves out ``*.py``.
"""

from __future__ import annotations

import logging
import posixpath
import re
from typing import Any

log = logging.getLogger("mkdocs.hooks.notebook_links")

_HREF = re.compile(r'(href|src)="([^":#?]+\.(?:md|ipynb))(#[^"]*)?"')


def on_page_content(html: str, page: Any, config: Any, files: Any) -> str:
    src = page.file.src_uri
    if not src.endswith(".ipynb"):
        return html

    def rewrite(match: re.Match[str]) -> str:
        attr, path, anchor = match.group(1), match.group(2), match.group(3) or ""
        if path.startswith("/"):
            return match.group(0)
        target = posixpath.normpath(posixpath.join(posixpath.dirname(src), path))
        file = files.get_file_from_path(target)
        if file is None:
            log.warning("%s: link to %r: no such page on the site (%s)", src, path, target)
            return match.group(0)
        return f'{attr}="{file.url_relative_to(page.url)}{anchor}"'

    return _HREF.sub(rewrite, html)
