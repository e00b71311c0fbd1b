"""Historical datasets shipped with herz, loaded as tidy pandas frames.

Every dataset here is a copy of a public dataset with its provenance (``data/PROVENANCE.md``)
and checksums (``data/SHA256SUMS``, of the uncompressed content; large files are shipped
gzip-compressed, see ``data/SHIPPING.md``). The providers' terms ask for citation: every frame
:func:`load` returns carries its citation in ``frame.attrs["sources"]``, and every herz output
derived from one (CLI table captions, JSON ``sources`` keys, docs) shows it.

Datasets (``load(name, ...)``)
------------------------------
``nmc``
    COW National Material Capabilities, v6.0 or v7.0 (Singer, Bremer & Stuckey 1972;
    Singer 1987). One row per state-year.
``states``, ``majors``
    COW State System Membership and major powers, v2016. One row per membership spell.
``wars``
    COW Inter-State War Data v4.0 (Sarkees & Wayman 2010). One row per war participant.
``mid``
    COW Militarized Interstate Disputes 5.0 (Palmer et al. 2022) at three levels:
    ``dispute`` (MIDA), ``participant`` (MIDB), ``dyad-year`` (directed dyad-years).
``atop``
    ATOP 5.1 alliance obligations (Leeds et al. 2002), non-directed dyad spells, or dyad-years
    with ``dyad_years=True``.
``arms_races``
    Arms races of Gibler, Rider & Hutchison (2005). One row per race.
``rivalries``
    Strategic rivalries of Thompson, Sakuwa & Suhas (2021). One row per rivalry.

Conventions
-----------
* Column names are lower case; identifiers, years and codes are ``Int64``, quantities
  ``Float64``, names ``string`` (pandas' nullable dtypes). The documented columns and their
  dtypes are in :data:`DATASETS` (``info(name).columns``).
* Missing values are ``<NA>``: the COW files code them -9 (missing) or -8 (not applicable),
  which are recoded on load.
* Every frame with a COW country code gains the COW abbreviation (``stateabb``, or
  ``stateabb1``/``stateabb2`` for dyads) from the state system list.
* Spell data (``styear``..``endyear``) is filtered by overlap with the requested years;
  yearly data by ``year``.

Currency (NMC)
--------------
NMC ``milex`` is in thousands of *current pounds sterling* up to 1913 and thousands of
*current US dollars* from 1914 on. The ``nmc`` frame carries this in ``milex_unit``. With
``currency="USD"`` the pre-1914 values are converted at the classical gold parity of
:data:`GOLD_PARITY_USD_PER_GBP` (4.8665 USD per GBP, the mint parity of 1879–1914) and a
:class:`CurrencyConversionWarning` is issued: the result is still in *current* money, and the
parity says nothing about the purchasing power of either currency.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import re
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources
from typing import Literal

import numpy as np
import pandas as pd

from herz.errors import InputError

__all__ = [
    "DATASETS",
    "GOLD_PARITY_USD_PER_GBP",
    "CurrencyConversionWarning",
    "DatasetInfo",
    "citation",
    "info",
    "list_datasets",
    "load",
    "milex_unit",
    "nmc_years",
    "parse_states",
    "parse_years",
    "resolve_states",
    "state_abbreviations",
    "state_names",
    "verify",
]

GOLD_PARITY_USD_PER_GBP = 4.8665
"""US dollars per pound sterling at the gold parity of 1879–1914 (113.0016 grains of fine gold
per pound, 23.22 grains per dollar). Used only when a caller asks to convert NMC milex."""

GBP_UNIT = "thousand current GBP"
USD_UNIT = "thousand current USD"
CONVERTED_UNIT = f"thousand current USD (from GBP at {GOLD_PARITY_USD_PER_GBP} USD/GBP)"
CURRENCY_SWITCH_YEAR = 1914
"""First year in which NMC milex is in US dollars."""

MidLevel = Literal["dispute", "participant", "dyad-year"]
Currency = Literal["native", "USD"]


class CurrencyConversionWarning(UserWarning):
    """Issued when NMC milex in pounds sterling is converted to US dollars."""


# --- citations -------------------------------------------------------------------------------

_NMC_REFS = (
    "Singer, Bremer & Stuckey (1972), 'Capability Distribution, Uncertainty, and Major Power "
    "War, 1820-1965', in Russett (ed.), Peace, War, and Numbers, 19-48; Singer (1987), "
    "'Reconstructing the Correlates of War Dataset on Material Capabilities of States, "
    "1816-1985', International Interactions 14:115-32"
)
_PEACESCIENCER = (
    "Miller (2022), 'peacesciencer: An R Package for Quantitative Peace Science Research', "
    "Conflict Management and Peace Science"
)
_STATES_REF = "Correlates of War Project (2017), State System Membership List, v2016"

CITATIONS: dict[str, str] = {
    "nmc6": f"{_NMC_REFS}. Data: COW National Material Capabilities v6.0.",
    "nmc7": (
        f"{_NMC_REFS}. Data: COW National Material Capabilities v7.0, as distributed in "
        f"peacesciencer ({_PEACESCIENCER})."
    ),
    "states": f"{_STATES_REF}.",
    "majors": f"{_STATES_REF} (major powers).",
    "wars": (
        "Sarkees & Wayman (2010), Resort to War: 1816-2007, CQ Press. "
        "Data: COW Inter-State War Data v4.0."
    ),
    "mid": (
        "Palmer et al. (2022), 'The MID5 Dataset, 2011-2014', Conflict Management and Peace "
        "Science 39(4):470-82. Data: COW Militarized Interstate Disputes v5.0."
    ),
    "mid_dyad": (
        "Palmer et al. (2022), 'The MID5 Dataset, 2011-2014', Conflict Management and Peace "
        "Science 39(4):470-82. Data: COW MID v5.0, dyad-years as constructed by peacesciencer "
        f"({_PEACESCIENCER})."
    ),
    "atop": (
        "Leeds, Ritter, Mitchell & Long (2002), 'Alliance Treaty Obligations and Provisions, "
        "1815-1944', International Interactions 28:237-60. Data: ATOP v5.1, dyad spells via "
        f"peacesciencer ({_PEACESCIENCER})."
    ),
    "arms_races": (
        "Gibler, Rider & Hutchison (2005), 'Taking Arms Against a Sea of Troubles: Conventional "
        "Arms Races during Periods of Rivalry', Journal of Peace Research 42(2):131-47."
    ),
    "rivalries": (
        "Thompson, Sakuwa & Suhas (2021), Analyzing Strategic Rivalries in World Politics, "
        "Springer."
    ),
}


# --- registry --------------------------------------------------------------------------------

ColumnSpec = tuple[str, str]
"""(dtype, description) of one column."""


@dataclass(frozen=True)
class DatasetInfo:
    """What one dataset is: files, years, citation and the documented columns of its frame."""

    name: str
    title: str
    unit: str
    files: tuple[str, ...]
    citation_keys: tuple[str, ...]
    options: str
    columns: dict[str, ColumnSpec] = field(default_factory=dict)

    def citation(self) -> str:
        """The full citation(s) of the dataset, all versions and levels."""
        return " ".join(CITATIONS[k] for k in self.citation_keys)


_COUNTRY = ("Int64", "COW country code")
_ABB = ("string", "COW state abbreviation (states2016)")

_NMC_COLUMNS: dict[str, ColumnSpec] = {
    "stateabb": _ABB,
    "ccode": _COUNTRY,
    "year": ("Int64", "year"),
    "milex": ("Float64", "military expenditure, thousands of current money (see milex_unit)"),
    "milex_unit": ("string", f"'{GBP_UNIT}' to 1913, '{USD_UNIT}' from 1914"),
    "milper": ("Float64", "military personnel, thousands"),
    "irst": ("Float64", "iron and steel production, thousand tons"),
    "pec": ("Float64", "primary energy consumption, thousand coal-ton equivalents"),
    "tpop": ("Float64", "total population, thousands"),
    "upop": ("Float64", "urban population, thousands"),
    "cinc": ("Float64", "Composite Index of National Capability (share of system total)"),
}

_SPELL_DATES: dict[str, ColumnSpec] = {
    "styear": ("Int64", "first year"),
    "stmonth": ("Int64", "first month"),
    "stday": ("Int64", "first day"),
    "endyear": ("Int64", "last year"),
    "endmonth": ("Int64", "last month"),
    "endday": ("Int64", "last day"),
}

_WAR_COLUMNS: dict[str, ColumnSpec] = {
    "warnum": ("Int64", "COW war number (World War I is 106)"),
    "warname": ("string", "war name"),
    "wartype": ("Int64", "1 = inter-state"),
    "ccode": _COUNTRY,
    "stateabb": _ABB,
    "statename": ("string", "participant's name"),
    "side": ("Int64", "1 or 2"),
    **{
        f"{part}{unit}{n}": ("Int64", f"{part} {unit} of participation spell {n}")
        for n in (1, 2)
        for part in ("start", "end")
        for unit in ("month", "day", "year")
    },
    "transfrom": ("Int64", "war transformed from (war number)"),
    "wherefought": ("Int64", "region code"),
    "initiator": ("Int64", "1 = initiator"),
    "outcome": ("Int64", "outcome code (1 = winner, 2 = loser, ...)"),
    "transto": ("Int64", "war transformed into (war number)"),
    "batdeath": ("Float64", "battle deaths"),
}

_MIDA_COLUMNS: dict[str, ColumnSpec] = {
    "dispnum": ("Int64", "dispute number"),
    "stday": ("Int64", "start day"),
    "stmon": ("Int64", "start month"),
    "styear": ("Int64", "start year"),
    "endday": ("Int64", "end day"),
    "endmon": ("Int64", "end month"),
    "endyear": ("Int64", "end year"),
    **{
        c: ("Int64", "MID 5.0 codebook")
        for c in (
            "outcome",
            "settle",
            "fatality",
            "fatalpre",
            "maxdur",
            "mindur",
            "hiact",
            "hostlev",
            "recip",
            "numa",
            "numb",
            "ongo2014",
        )
    },
}

_MIDB_COLUMNS: dict[str, ColumnSpec] = {
    "dispnum": ("Int64", "dispute number"),
    "stateabb": ("string", "COW abbreviation (MIDB 'stabb')"),
    "ccode": _COUNTRY,
    "stday": ("Int64", "start day"),
    "stmon": ("Int64", "start month"),
    "styear": ("Int64", "start year"),
    "endday": ("Int64", "end day"),
    "endmon": ("Int64", "end month"),
    "endyear": ("Int64", "end year"),
    **{
        c: ("Int64", "MID 5.0 codebook")
        for c in (
            "sidea",
            "revstate",
            "revtype1",
            "revtype2",
            "fatality",
            "fatalpre",
            "hiact",
            "hostlev",
            "orig",
        )
    },
}

_MID_DYAD_COLUMNS: dict[str, ColumnSpec] = {
    "dispnum": ("Int64", "dispute number"),
    "ccode1": ("Int64", "COW code of side 1 (directed)"),
    "ccode2": ("Int64", "COW code of side 2"),
    "stateabb1": _ABB,
    "stateabb2": _ABB,
    "year": ("Int64", "year"),
    **{
        c: ("Int64", "peacesciencer's MID dyad-year codebook")
        for c in (
            "cowmidongoing",
            "cowmidonset",
            "sidea1",
            "sidea2",
            "fatality1",
            "fatality2",
            "fatalpre1",
            "fatalpre2",
            "hiact1",
            "hiact2",
            "hostlev1",
            "hostlev2",
            "orig1",
            "orig2",
            "fatality",
            "hostlev",
            "mindur",
            "maxdur",
            "recip",
            "stmon",
        )
    },
}

ATOP_OBLIGATIONS = ("atop_defense", "atop_offense", "atop_neutral", "atop_nonagg", "atop_consul")

_ATOP_COLUMNS: dict[str, ColumnSpec] = {
    "ccode1": ("Int64", "COW code, the smaller of the two"),
    "ccode2": ("Int64", "COW code, the larger"),
    "stateabb1": _ABB,
    "stateabb2": _ABB,
    "styear": ("Int64", "first year of the spell (peacesciencer 'start_year')"),
    "endyear": ("Int64", "last year of the spell ('end_year')"),
    "atop_defense": ("Int64", "1 if a defense pact binds the dyad"),
    "atop_offense": ("Int64", "1 if an offense pact"),
    "atop_neutral": ("Int64", "1 if a neutrality pact"),
    "atop_nonagg": ("Int64", "1 if a non-aggression pact"),
    "atop_consul": ("Int64", "1 if a consultation pact"),
}

_RACE_COLUMNS: dict[str, ColumnSpec] = {
    "race_id": ("Int64", "race number"),
    "ccode1": _COUNTRY,
    "state1": ("string", "name as in Gibler et al."),
    "stateabb1": _ABB,
    "ccode2": _COUNTRY,
    "state2": ("string", "name as in Gibler et al."),
    "stateabb2": _ABB,
    "styear": ("Int64", "first year of the race"),
    "endyear": ("Int64", "last year of the race"),
}

_RIVALRY_COLUMNS: dict[str, ColumnSpec] = {
    "tssr_id": ("Int64", "rivalry number"),
    "rivalry": ("string", "rivalry name"),
    "ccode1": _COUNTRY,
    "stateabb1": _ABB,
    "ccode2": _COUNTRY,
    "stateabb2": _ABB,
    "styear": ("Int64", "first year (source 'start')"),
    "endyear": ("Int64", "last year (source 'end')"),
    **{
        c: ("Int64", "1 if the rivalry is of this type, else <NA>")
        for c in ("positional", "spatial", "ideological", "interventionary", "principal", "aprin")
    },
}

DATASETS: dict[str, DatasetInfo] = {
    "nmc": DatasetInfo(
        name="nmc",
        title="COW National Material Capabilities (v6.0 1816-2016, v7.0 1816-2022)",
        unit="state-year",
        files=("NMC-60-abridged.csv", "NMC-70-abridged_via_peacesciencer.csv"),
        citation_keys=("nmc6", "nmc7"),
        options="version=6|7 (default 7); currency=native|USD",
        columns=_NMC_COLUMNS,
    ),
    "states": DatasetInfo(
        name="states",
        title="COW State System Membership v2016",
        unit="membership spell",
        files=("states2016.csv",),
        citation_keys=("states",),
        options="",
        columns={"stateabb": _ABB, "ccode": _COUNTRY, "statenme": ("string", "name")}
        | _SPELL_DATES,
    ),
    "majors": DatasetInfo(
        name="majors",
        title="COW major powers v2016",
        unit="major-power spell",
        files=("majors2016.csv",),
        citation_keys=("majors",),
        options="",
        columns={"stateabb": _ABB, "ccode": _COUNTRY} | _SPELL_DATES,
    ),
    "wars": DatasetInfo(
        name="wars",
        title="COW Inter-State War Data v4.0",
        unit="war participant",
        files=("Inter-StateWarData_v4.0.csv",),
        citation_keys=("wars",),
        options="",
        columns=_WAR_COLUMNS,
    ),
    "mid": DatasetInfo(
        name="mid",
        title="COW Militarized Interstate Disputes 5.0",
        unit="dispute | participant | directed dyad-year",
        files=(
            "MIDA_5.0.csv",
            "MIDB_5.0.csv",
            "cow_mid5_dyad_year_via_peacesciencer.csv",
        ),
        citation_keys=("mid_dyad",),
        options="level=dispute|participant|dyad-year (default dispute)",
        columns=_MIDA_COLUMNS,
    ),
    "atop": DatasetInfo(
        name="atop",
        title="ATOP 5.1 alliance obligations (non-directed dyads)",
        unit="dyad spell | dyad-year",
        files=("atop_5.1_dyad_spells_via_peacesciencer.csv",),
        citation_keys=("atop",),
        options="dyad_years=False|True",
        columns=_ATOP_COLUMNS,
    ),
    "arms_races": DatasetInfo(
        name="arms_races",
        title="Arms races (Gibler, Rider & Hutchison 2005)",
        unit="race",
        files=("grh_arms_races.csv",),
        citation_keys=("arms_races",),
        options="",
        columns=_RACE_COLUMNS,
    ),
    "rivalries": DatasetInfo(
        name="rivalries",
        title="Strategic rivalries (Thompson, Sakuwa & Suhas 2021)",
        unit="rivalry",
        files=("tss_strategic_rivalries.csv",),
        citation_keys=("rivalries",),
        options="",
        columns=_RIVALRY_COLUMNS,
    ),
}

MID_COLUMNS: dict[str, dict[str, ColumnSpec]] = {
    "dispute": _MIDA_COLUMNS,
    "participant": _MIDB_COLUMNS,
    "dyad-year": _MID_DYAD_COLUMNS,
}

_ATOP_DYAD_YEAR_COLUMNS: dict[str, ColumnSpec] = {
    k: v for k, v in _ATOP_COLUMNS.items() if k not in ("styear", "endyear")
} | {"year": ("Int64", "year")}


def list_datasets() -> list[DatasetInfo]:
    """The datasets :func:`load` knows, in a stable order."""
    return list(DATASETS.values())


def info(name: str) -> DatasetInfo:
    """The :class:`DatasetInfo` of ``name``; :class:`InputError` if there is none."""
    try:
        return DATASETS[name]
    except KeyError:
        known = ", ".join(DATASETS)
        raise InputError(
            f"dataset: unknown dataset {name!r}; known datasets are {known}",
            field="dataset",
            value=name,
        ) from None


def columns(
    name: str, *, level: MidLevel = "dispute", dyad_years: bool = False
) -> dict[str, ColumnSpec]:
    """The documented columns ``{name: (dtype, description)}`` of a loaded frame."""
    if name == "mid":
        if level not in MID_COLUMNS:
            raise InputError(
                f"level: expected dispute, participant or dyad-year, got {level!r}",
                field="level",
                value=level,
            )
        return MID_COLUMNS[level]
    if name == "atop" and dyad_years:
        return _ATOP_DYAD_YEAR_COLUMNS
    return info(name).columns


def citation(name: str, *, version: int = 7, level: MidLevel = "dispute") -> str:
    """The citation to show with data from ``name`` (for ``nmc``, of that version).

    Parameters
    ----------
    name:
        A dataset name (see :data:`DATASETS`).
    version:
        NMC version (6 or 7); ignored for other datasets.
    level:
        MID level; the dyad-year level adds the peacesciencer reference.
    """
    info(name)
    if name == "nmc":
        return CITATIONS[f"nmc{_check_version(version)}"]
    if name == "mid":
        return CITATIONS["mid_dyad" if level == "dyad-year" else "mid"]
    return DATASETS[name].citation()


# --- raw files -------------------------------------------------------------------------------


def _data_dir() -> resources.abc.Traversable:
    return resources.files("herz.history") / "data"


def _raw_bytes(filename: str) -> bytes:
    """The uncompressed bytes of a shipped file (reads ``filename.gz`` if that is shipped)."""
    base = _data_dir()
    plain = base / filename
    if plain.is_file():
        return plain.read_bytes()
    packed = base / f"{filename}.gz"
    if packed.is_file():
        return gzip.decompress(packed.read_bytes())
    raise FileNotFoundError(f"herz data file {filename!r} is not installed")


def checksums() -> dict[str, str]:
    """The expected SHA-256 of each shipped file, from ``data/SHA256SUMS``."""
    text = (_data_dir() / "SHA256SUMS").read_text(encoding="utf-8")
    out: dict[str, str] = {}
    for line in text.splitlines():
        if line.strip():
            digest, name = line.split(maxsplit=1)
            out[name.strip().lstrip("*")] = digest
    return out


def verify() -> dict[str, bool]:
    """Check every shipped file against ``SHA256SUMS`` (uncompressed content).

    Returns
    -------
    dict
        ``{file name: True if the checksum matches}``, one entry per line of ``SHA256SUMS``.
    """
    return {
        name: hashlib.sha256(_raw_bytes(name)).hexdigest() == digest
        for name, digest in checksums().items()
    }


@cache
def _read_csv_cached(filename: str) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(_raw_bytes(filename)))


def _read(filename: str) -> pd.DataFrame:
    return _read_csv_cached(filename).copy()


# --- states, years ---------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _state_table() -> pd.DataFrame:
    """One row per COW code: ``ccode``, ``stateabb``, ``statenme`` (latest spell's name)."""
    raw = _read("states2016.csv")
    return raw.drop_duplicates("ccode", keep="last")[["ccode", "stateabb", "statenme"]]


def _abb_by_code() -> dict[int, str]:
    table = _state_table()
    return {int(c): str(a) for c, a in zip(table["ccode"], table["stateabb"], strict=True)}


def state_abbreviations() -> dict[int, str]:
    """COW code to COW abbreviation (State System Membership v2016)."""
    return dict(_abb_by_code())


def state_names() -> dict[int, str]:
    """COW code to state name (State System Membership v2016)."""
    table = _state_table()
    return {int(c): str(n) for c, n in zip(table["ccode"], table["statenme"], strict=True)}


def parse_states(text: str | Sequence[str | int] | None) -> list[str] | None:
    """Split a ``--states`` value (``"USA,RUS"``) into tokens; lists pass through as strings."""
    if text is None:
        return None
    if isinstance(text, str):
        tokens = [t.strip() for t in text.split(",")]
    else:
        tokens = [str(t).strip() for t in text]
    tokens = [t for t in tokens if t]
    if not tokens:
        raise InputError("states: no state given", field="states", value=text)
    return tokens


def resolve_states(states: Iterable[str | int], *, field: str = "states") -> list[int]:
    """COW codes of ``states``, each a COW abbreviation (any case) or a COW code.

    Raises
    ------
    InputError
        For a token that is neither a known abbreviation nor a known code.
    """
    abb = _abb_by_code()
    code_by_abb = {a: c for c, a in abb.items()}
    out: list[int] = []
    for token in states:
        text = str(token).strip()
        if text.lstrip("-").isdigit():
            code = int(text)
            if code not in abb:
                raise InputError(
                    f"{field}: unknown COW code {text!r}; codes look like 2 (USA), 365 (RUS)",
                    field=field,
                    value=text,
                )
        else:
            found = code_by_abb.get(text.upper())
            if found is None:
                raise InputError(
                    f"{field}: unknown state {text!r}; known abbreviations look like USA, RUS, GMY",
                    field=field,
                    value=text,
                )
            code = found
        if code not in out:
            out.append(code)
    return out


_YEARS_RE = re.compile(r"^\s*(-?\d+)\s*(?::\s*(-?\d+)\s*)?$")


def parse_years(value: str | int | tuple[int, int] | None) -> tuple[int, int] | None:
    """Parse a year range: ``"1909:1913"``, ``"1913"``, ``1913`` or ``(1909, 1913)``.

    Both ends are inclusive. Raises :class:`InputError` for a malformed or empty range.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise InputError(f"years: expected a year or A:B, got {value!r}", field="years")
    if isinstance(value, int):
        return (value, value)
    if isinstance(value, tuple):
        if len(value) != 2 or not all(
            isinstance(v, int | np.integer) and not isinstance(v, bool) for v in value
        ):
            raise InputError(
                f"years: expected (start, end) as two whole years, got {value!r}",
                field="years",
                value=value,
            )
        start, end = int(value[0]), int(value[1])
    else:
        match = _YEARS_RE.match(str(value))
        if match is None:
            raise InputError(
                f"years: expected a year or a range A:B such as 1909:1913, got {value!r}",
                field="years",
                value=value,
            )
        start = int(match.group(1))
        end = int(match.group(2)) if match.group(2) is not None else start
    if end < start:
        raise InputError(
            f"years: empty year range {start}:{end} (the end is before the start)",
            field="years",
            value=value,
        )
    return (start, end)


def _check_coverage(years: tuple[int, int] | None, first: int, last: int, what: str) -> None:
    if years is None:
        return
    start, end = years
    if end < first or start > last:
        raise InputError(
            f"years: {start}:{end} is outside the years of {what} ({first}-{last})",
            field="years",
            value=f"{start}:{end}",
        )


# --- frame helpers ---------------------------------------------------------------------------


def _coerce(frame: pd.DataFrame, spec: dict[str, ColumnSpec], missing: bool) -> pd.DataFrame:
    """Select and order the documented columns, recode -9/-8 to NA, set nullable dtypes."""
    out = pd.DataFrame(index=frame.index)
    for col, (dtype, _) in spec.items():
        series = frame[col]
        if dtype == "string":
            out[col] = series.astype("string")
            continue
        numeric = pd.to_numeric(series, errors="coerce")
        if missing:
            numeric = numeric.mask(numeric.isin([-9, -8]))
        out[col] = numeric.astype(pd.api.types.pandas_dtype(dtype))
    return out.reset_index(drop=True)


def _attach_abb(frame: pd.DataFrame, code_col: str, abb_col: str) -> None:
    abb = _abb_by_code()
    frame[abb_col] = frame[code_col].map(abb).astype("string")


def _filter_spells(frame: pd.DataFrame, years: tuple[int, int] | None, what: str) -> pd.DataFrame:
    if len(frame):
        _check_coverage(years, int(frame["styear"].min()), int(frame["endyear"].max()), what)
    if years is None:
        return frame
    start, end = years
    end_col = frame["endyear"].fillna(frame["styear"])
    keep = (frame["styear"] <= end) & (end_col >= start)
    return frame[keep.fillna(False)].reset_index(drop=True)


def _filter_yearly(frame: pd.DataFrame, years: tuple[int, int] | None, what: str) -> pd.DataFrame:
    if len(frame):
        _check_coverage(years, int(frame["year"].min()), int(frame["year"].max()), what)
    if years is None:
        return frame
    start, end = years
    return frame[(frame["year"] >= start) & (frame["year"] <= end)].reset_index(drop=True)


def _filter_monadic(frame: pd.DataFrame, codes: list[int] | None) -> pd.DataFrame:
    if codes is None:
        return frame
    return frame[frame["ccode"].isin(codes)].reset_index(drop=True)


def _filter_dyadic(frame: pd.DataFrame, codes: list[int] | None, within: bool) -> pd.DataFrame:
    if codes is None:
        return frame
    in1 = frame["ccode1"].isin(codes)
    in2 = frame["ccode2"].isin(codes)
    keep = (in1 & in2) if within else (in1 | in2)
    return frame[keep].reset_index(drop=True)


def milex_unit(year: int) -> str:
    """The NMC unit of ``milex`` in ``year`` (GBP to 1913, USD from 1914)."""
    return GBP_UNIT if year < CURRENCY_SWITCH_YEAR else USD_UNIT


def _check_version(version: int) -> int:
    if version not in (6, 7):
        raise InputError(
            f"version: NMC version must be 6 or 7, got {version!r}", field="version", value=version
        )
    return int(version)


# --- loaders ---------------------------------------------------------------------------------


def _load_nmc(version: int) -> pd.DataFrame:
    filename = DATASETS["nmc"].files[0 if version == 6 else 1]
    raw = _read(filename)
    raw["milex_unit"] = np.where(raw["year"] < CURRENCY_SWITCH_YEAR, GBP_UNIT, USD_UNIT)
    # v6 codes missing as -9; v7 (peacesciencer) already has empty cells.
    return _coerce(raw, _NMC_COLUMNS, missing=True)


def _to_usd(frame: pd.DataFrame) -> pd.DataFrame:
    """Convert pre-1914 milex (GBP) to USD at the gold parity, with a warning."""
    pre = (frame["year"] < CURRENCY_SWITCH_YEAR).to_numpy(dtype=bool)
    if pre.any():
        warnings.warn(
            f"NMC milex before {CURRENCY_SWITCH_YEAR} converted from thousands of current "
            f"GBP to thousands of current USD at the gold parity of "
            f"{GOLD_PARITY_USD_PER_GBP} USD/GBP; current money, not constant prices",
            CurrencyConversionWarning,
            stacklevel=3,
        )
        frame.loc[pre, "milex"] = frame.loc[pre, "milex"] * GOLD_PARITY_USD_PER_GBP
        frame.loc[pre, "milex_unit"] = CONVERTED_UNIT
    return frame


def nmc_years(version: int = 7) -> tuple[int, int]:
    """First and last year of NMC ``version`` (6: 1816-2016, 7: 1816-2022)."""
    filename = DATASETS["nmc"].files[0 if _check_version(version) == 6 else 1]
    years = _read_csv_cached(filename)["year"]
    return int(years.min()), int(years.max())


def _load_atop(dyad_years: bool) -> pd.DataFrame:
    raw = _read(DATASETS["atop"].files[0]).rename(
        columns={"start_year": "styear", "end_year": "endyear"}
    )
    _attach_abb(raw, "ccode1", "stateabb1")
    _attach_abb(raw, "ccode2", "stateabb2")
    spells = _coerce(raw, _ATOP_COLUMNS, missing=False)
    if not dyad_years:
        return spells
    lengths = (spells["endyear"] - spells["styear"] + 1).to_numpy(dtype=np.int64)
    idx = np.repeat(np.arange(len(spells)), lengths)
    expanded = spells.iloc[idx].reset_index(drop=True)
    offsets = np.arange(len(idx)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    expanded["year"] = (expanded["styear"].to_numpy(dtype=np.int64) + offsets).astype(np.int64)
    return _coerce(expanded, _ATOP_DYAD_YEAR_COLUMNS, missing=False)


def _load_mid(level: MidLevel) -> pd.DataFrame:
    if level == "dispute":
        return _coerce(_read("MIDA_5.0.csv"), _MIDA_COLUMNS, missing=True)
    if level == "participant":
        # the COW abbreviation of the state list, as in every other frame: MIDB's own stabb
        # differs for 326 rows (USR for RUS, RUM for ROM, ZAI for DRC, VTM for DRV, ...), which
        # a filter or join on stateabb across datasets silently dropped
        raw = _read("MIDB_5.0.csv").drop(columns=["stabb"])
        _attach_abb(raw, "ccode", "stateabb")
        return _coerce(raw, _MIDB_COLUMNS, missing=True)
    raw = _read("cow_mid5_dyad_year_via_peacesciencer.csv")
    _attach_abb(raw, "ccode1", "stateabb1")
    _attach_abb(raw, "ccode2", "stateabb2")
    return _coerce(raw, _MID_DYAD_COLUMNS, missing=True)


def load(
    name: str,
    *,
    states: str | Sequence[str | int] | None = None,
    years: str | int | tuple[int, int] | None = None,
    within: bool = False,
    version: int | None = None,
    level: MidLevel | None = None,
    dyad_years: bool | None = None,
    currency: Currency | None = None,
) -> pd.DataFrame:
    """Load a shipped dataset as a tidy frame with documented columns and nullable dtypes.

    Parameters
    ----------
    name:
        ``nmc``, ``states``, ``majors``, ``wars``, ``mid``, ``atop``, ``arms_races`` or
        ``rivalries`` (see :data:`DATASETS` for columns and citations).
    states:
        Keep rows of these states: COW abbreviations or codes, a list or a comma-separated
        string (``"USA,RUS"``). Dyadic data keeps dyads with *either* member listed (both with
        ``within=True``); MID disputes keep disputes in which a listed state took part (two
        listed states with ``within=True``).
    years:
        ``(start, end)``, ``"start:end"`` or one year, inclusive. Yearly data is filtered by
        ``year``, spell data by overlap with the range.
    within:
        For dyadic data, keep only dyads whose two members are both in ``states``.
    version:
        NMC version, 6 or 7 (default 7). Only for ``nmc``.
    level:
        MID level: ``dispute`` (default), ``participant`` or ``dyad-year``. Only for ``mid``.
    dyad_years:
        ATOP: expand the dyad spells into one row per dyad-year. Only for ``atop``.
    currency:
        NMC milex: ``native`` (default; GBP to 1913, USD from 1914, see ``milex_unit``) or
        ``USD`` (convert pre-1914 values at the gold parity, with a
        :class:`CurrencyConversionWarning`). Only for ``nmc``.

    Returns
    -------
    pandas.DataFrame
        The documented columns (``columns(name, ...)``); ``frame.attrs["sources"]`` holds the
        citation, ``frame.attrs["dataset"]`` the name.

    Raises
    ------
    InputError
        Unknown dataset, state or option; an empty year range; years outside the data.
    """
    info(name)
    _reject_option(name, "version", version, "nmc")
    _reject_option(name, "currency", currency, "nmc")
    _reject_option(name, "level", level, "mid")
    _reject_option(name, "dyad_years", dyad_years, "atop")
    span = parse_years(years)
    tokens = parse_states(states)
    codes = resolve_states(tokens) if tokens is not None else None
    monadic = name in ("nmc", "states", "majors", "wars") or (
        name == "mid" and level == "participant"
    )
    if within and codes is not None and len(set(codes)) < 2 and not monadic:
        raise InputError(
            "within: keeps the rows among the given states, so it needs two states or more "
            f"(got {states!r}: every row would be dropped)",
            field="within",
            value=states,
        )
    if within and (monadic or codes is None):
        raise InputError(
            "within: applies only to dyadic data (atop, arms_races, rivalries, mid dyad-years, "
            "mid disputes) with --states",
            field="within",
            value=within,
        )
    frame: pd.DataFrame
    if name == "nmc":
        ver = _check_version(7 if version is None else version)
        cur = currency or "native"
        if cur not in ("native", "USD"):
            raise InputError(
                f"currency: expected native or USD, got {cur!r}", field="currency", value=cur
            )
        frame = _load_nmc(ver)
        # the years first: their coverage is the dataset's, not the chosen states' (GFR's
        # 1955-1990 was reported as the years of NMC)
        frame = _filter_monadic(_filter_yearly(frame, span, f"NMC v{ver}.0"), codes)
        if cur == "USD":
            frame = _to_usd(frame)
        cite = citation("nmc", version=ver)
    elif name in ("states", "majors"):
        raw = _read(DATASETS[name].files[0])
        frame = _coerce(raw, DATASETS[name].columns, missing=False)
        frame = _filter_monadic(_filter_spells(frame, span, DATASETS[name].title), codes)
        cite = citation(name)
    elif name == "wars":
        raw = _read(DATASETS["wars"].files[0])
        raw.columns = [c.lower() for c in raw.columns]
        _attach_abb(raw, "ccode", "stateabb")
        frame = _coerce(raw, _WAR_COLUMNS, missing=True)
        frame = _filter_monadic(_filter_wars(frame, span), codes)
        cite = citation("wars")
    elif name == "mid":
        lvl: MidLevel = level or "dispute"
        if lvl not in MID_COLUMNS:
            raise InputError(
                f"level: expected dispute, participant or dyad-year, got {lvl!r}",
                field="level",
                value=lvl,
            )
        frame = _load_mid(lvl)
        if lvl == "dyad-year":
            frame = _filter_dyadic(_filter_yearly(frame, span, "MID 5.0"), codes, within)
        elif lvl == "participant":
            frame = _filter_monadic(_filter_spells(frame, span, "MID 5.0"), codes)
        else:
            frame = _filter_disputes(_filter_spells(frame, span, "MID 5.0"), codes, within)
        cite = citation("mid", level=lvl)
    elif name == "atop":
        expand = bool(dyad_years)
        frame = _load_atop(expand)
        if expand:
            frame = _filter_yearly(frame, span, "ATOP 5.1")
        else:
            frame = _filter_spells(frame, span, "ATOP 5.1")
        frame = _filter_dyadic(frame, codes, within)
        cite = citation("atop")
    else:
        raw = _read(DATASETS[name].files[0]).rename(columns={"start": "styear", "end": "endyear"})
        _attach_abb(raw, "ccode1", "stateabb1")
        _attach_abb(raw, "ccode2", "stateabb2")
        frame = _coerce(raw, DATASETS[name].columns, missing=False)
        frame = _filter_dyadic(_filter_spells(frame, span, DATASETS[name].title), codes, within)
        cite = citation(name)
    frame.attrs["dataset"] = name
    frame.attrs["sources"] = [cite]
    return frame


def _reject_option(name: str, option: str, value: object, owner: str) -> None:
    if value is not None and name != owner:
        raise InputError(
            f"{option}: applies only to the {owner} dataset, not {name}",
            field=option,
            value=value,
        )


#: The years COW's inter-state war data v4.0 cover (Sarkees & Wayman 2010, *Resort to War:
#: 1816-2007*): a year without a war in it is a year of the data, not outside them (the range
#: was taken from the first war's start and the last war's end, 1823-2003)
WAR_YEARS = (1816, 2007)


def _filter_wars(frame: pd.DataFrame, years: tuple[int, int] | None) -> pd.DataFrame:
    _check_coverage(years, *WAR_YEARS, "COW Inter-State War Data v4.0")
    if years is None:
        return frame
    start, end = years
    keep = pd.Series(False, index=frame.index)
    for n in (1, 2):
        st = frame[f"startyear{n}"]
        en = frame[f"endyear{n}"].fillna(st)
        keep |= ((st <= end) & (en >= start)).fillna(False)
    return frame[keep].reset_index(drop=True)


def _filter_disputes(frame: pd.DataFrame, codes: list[int] | None, within: bool) -> pd.DataFrame:
    if codes is None:
        return frame
    part = _read("MIDB_5.0.csv")
    part = part[part["ccode"].isin(codes)]
    counts = part.groupby("dispnum")["ccode"].nunique()
    wanted = counts[counts >= (2 if within else 1)].index
    return frame[frame["dispnum"].isin(wanted)].reset_index(drop=True)
