"""Building large tidy frames without spare copies (shared by the models' ``keep="series"``).

A series of 100,000 runs is tens of millions of rows, and each extra copy is gigabytes:

* :func:`state_column` builds the ``state`` column from integer codes
  (``pd.Categorical.from_codes``): the same categorical as ``pd.Categorical`` of a tiled object
  array of names, without the object array (8 bytes a row plus a Python string pointer per row,
  and seconds to hash at 30M rows).
* :func:`tidy_frame` wraps the columns without copying them: ``pd.DataFrame(dict)`` copies
  every column into one 2-D block per dtype (a second copy of the whole series at once);
  ``copy=False`` keeps one block per column, the arrays themselves.
* :func:`pop_concat` joins one series key of every chunk and frees the chunk's arrays as it
  goes, so the chunks and the joined columns are never all held at once.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pandas as pd
    from numpy.typing import NDArray


def state_column(ids: Sequence[str], reps: int) -> pd.Categorical:
    """``ids`` repeated ``reps`` times as a categorical with categories ``ids`` (in order)."""

    n = len(ids)
    dtype = np.int8 if n < 2**7 else np.int16 if n < 2**15 else np.int32
    return from_codes(np.tile(np.arange(n, dtype=dtype), reps), ids)


def from_codes(codes: NDArray[Any], categories: Sequence[str]) -> pd.Categorical:
    """``pd.Categorical.from_codes`` with string categories (their order kept)."""
    import pandas as pd

    index = pd.Index(list(categories), dtype="str")
    return pd.Categorical.from_codes(codes, categories=index)


def pop_concat(parts: Sequence[MutableMapping[str, NDArray[Any]]], key: str) -> NDArray[Any]:
    """``np.concatenate`` of ``part[key]`` over ``parts``, removing each from its part (so a
    chunk's array is freed once it is joined, if nothing else holds it)."""
    arrays = [p.pop(key) for p in parts]
    out = np.concatenate(arrays) if len(arrays) > 1 else arrays[0]
    del arrays
    return out


def tidy_frame(columns: Mapping[str, Any]) -> pd.DataFrame:
    """A DataFrame of ``columns`` (in order) holding the arrays themselves, one block each."""
    import pandas as pd

    return pd.DataFrame(dict(columns), copy=False)


def ensemble_mean(paths: NDArray[np.float64]) -> NDArray[np.float64]:
    """The mean over runs (axis 0) of ``paths``, bit for bit as pandas' ``groupby().mean()``
    of the tidy series computes it: a compensated (Kahan) sum in run order, NaN skipped (a
    NaN compensation, from an infinity, reset to 0), divided by the count (NaN where none).

    Lets a model give the means per step and state without the series (Richardson's
    comparison with the record, :func:`herz.history.observed.compare`): one pass over the runs,
    a few arrays of one run each.
    """
    runs = paths.shape[0]
    flat = paths.reshape(runs, -1)
    total = np.zeros(flat.shape[1])
    comp = np.zeros(flat.shape[1])
    with np.errstate(all="ignore"):
        if np.isfinite(flat).all():
            for row in flat:
                y = row - comp
                t = total + y
                comp = (t - total) - y
                total = t
            out = total / runs
        else:
            count = np.zeros(flat.shape[1], dtype=np.int64)
            for row in flat:
                ok = ~np.isnan(row)
                y = row - comp
                t = total + y
                c = (t - total) - y
                c[np.isnan(c)] = 0.0
                total = np.where(ok, t, total)
                comp = np.where(ok, c, comp)
                count += ok
            out = np.where(count > 0, total / np.maximum(count, 1), np.nan)
    result: NDArray[np.float64] = out.reshape(paths.shape[1:])
    return result
