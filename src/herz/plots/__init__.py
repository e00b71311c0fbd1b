"""Figures: pure functions from tables (or a :class:`~herz.Result`) to matplotlib figures.

:mod:`~herz.plots.series` (time series of any model), :mod:`~herz.plots.games` (tournament
heat maps, population shares), :mod:`~herz.plots.experiments` (phase diagrams, sensitivity).
Each model's own figures live with the model (its ``figures(result)``). matplotlib loads only
when a figure is drawn (:func:`herz.plots._mpl.pyplot`).
"""
