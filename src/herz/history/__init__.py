"""History: the shipped datasets (COW, ATOP, MID, ...), their loaders, estimation of model
parameters from them, and scenarios built from history.

:mod:`~herz.history.datasets` (loaders, provenance, checksums), :mod:`~herz.history.estimate`
(Richardson fits by OLS), :mod:`~herz.history.from_history` (``scenario_from_history``).
``herz.datasets`` and ``herz.estimate`` are the same modules under their public names.
"""
