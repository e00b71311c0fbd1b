"""Writing sweep specs for tests.

Not a conftest: the tests that need it import it (``from _specs import write_spec``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


def write_spec(folder: Path, doc: dict[str, Any], name: str = "spec.yaml") -> Path:
    """Write the sweep spec ``doc`` as YAML into ``folder/name`` and return its path."""
    path = folder / name
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path
