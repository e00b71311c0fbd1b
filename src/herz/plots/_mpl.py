"""The one place herz asks matplotlib for ``pyplot``: the non-GUI ``Agg`` backend is chosen
when no display is available, and matplotlib loads only when a figure is drawn."""

from __future__ import annotations

from typing import Any

__all__ = ["pyplot"]


def pyplot() -> Any:
    """``matplotlib.pyplot``, with the ``Agg`` backend when there is no display."""
    import os

    import matplotlib

    if not os.environ.get("DISPLAY") and not os.environ.get("MPLBACKEND"):
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt
