"""scenario_known_at: the world as it could be known at the start of a year (issue #12)."""

from __future__ import annotations

import pandas as pd
import pytest

import herz.history.datasets as D
from herz.errors import InputError
from herz.history.from_history import majors_in, scenario_from_history, scenario_known_at


def test_majors_match_the_cow_list_read_directly() -> None:
    raw = pd.read_csv(D._data_dir() / "majors2016.csv")  # type: ignore[arg-type]
    for year in (1817, 1898, 1900, 1919, 1925, 1938):
        expect = sorted({int(r.ccode) for r in raw.itertuples() if r.styear <= year <= r.endyear})
        assert majors_in(year) == expect


def test_known_at_uses_the_previous_year_and_no_end_years() -> None:
    s = scenario_known_at(1914)
    ref = scenario_from_history(1913, [st.ccode for st in s.states if st.ccode is not None])
    assert s.time.start == 1914
    assert [st.military for st in s.states] == [st.military for st in ref.states]
    assert s.alliances and all(a.until is None for a in s.alliances)
    # the 1913 world has the Anglo-Japanese alliance but not the wartime ones of 1914
    names = {tuple(a.members) for a in s.alliances}
    assert ("UKG", "JPN") in names


def test_a_state_without_data_is_left_out_and_said() -> None:
    s = scenario_known_at(1817)
    assert "AUH" not in s.ids and "AUH" in s.description
    with pytest.raises(InputError, match="year"):
        scenario_known_at(1914.5)  # type: ignore[arg-type]
