"""Scenarios built from history: NMC capabilities and ATOP alliances in force in one year.

:func:`scenario_from_history` writes a valid :class:`herz.scenario.Scenario` for a year and a
list of states, by the same rules as the built-in scenarios ``europe-1909`` and ``cold-war``:

military
    NMC ``milex`` of the year divided by 1,000: millions of current GBP up to 1913, millions of
    current USD from 1914 (Singer, Bremer & Stuckey 1972).
economy
    NMC has no GDP. Proxy: each state's share of the listed states' combined economic capacity,
    the mean of its shares of iron and steel production (``irst``), primary energy consumption
    (``pec``) and total population (``tpop``), times the listed states' combined milex divided
    by an *assumed* mean military burden (share of national income spent on arms). The burden
    is an assumption, not data; it only sets the scale of ``economy`` relative to ``military``.
    Default: 3.5% up to 1913, 8% from 1946, 5% in between (the values of ``europe-1909`` and
    ``cold-war``; the interwar default has no such anchor).
alliances
    ATOP 5.1 dyads (Leeds et al. 2002) among the listed states with an obligation in force in
    the year. Each dyad takes its strongest obligation, in the order defense > offense >
    neutrality > non-aggression > consultation; the states bound pairwise by the same kind
    form one alliance per maximal clique (so the Triple Alliance of 1909 is one three-member
    defense alliance, not three pairs). ``from`` and ``until`` are the first and last years of
    the unbroken run of that obligation covering the year, for every pair of members.
    Reliabilities by kind are herz assumptions, not data: see :data:`RELIABILITY`.

capital
    Left empty. No dataset shipped with herz has capitals' coordinates (COW's state list
    ``states2016`` has none, and CShapes is not shipped), so ``states[*].capital`` is not filled;
    add it by hand (``{lat, lon, name}``, see docs/scenarios.md) before using
    :mod:`herz.models.geography`.

Everything else (types, doctrines, intelligence, bias, the world's offense advantage and
distinguishability) is left at the scenario format's defaults: history does not measure them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import combinations
from typing import TYPE_CHECKING, Any

from herz.errors import InputError

if TYPE_CHECKING:
    from herz.scenario import Scenario

__all__ = [
    "BURDEN_1914_TO_1945",
    "BURDEN_FROM_1946",
    "BURDEN_TO_1913",
    "KIND_OF_OBLIGATION",
    "RELIABILITY",
    "default_burden",
    "majors_in",
    "scenario_from_history",
    "scenario_known_at",
    "scenario_yaml_from_history",
]

KIND_OF_OBLIGATION: dict[str, str] = {
    "atop_defense": "defense",
    "atop_offense": "offense",
    "atop_neutral": "neutrality",
    "atop_nonagg": "nonaggression",
    "atop_consul": "consultation",
}
"""ATOP obligation column → scenario alliance kind, strongest first."""

RELIABILITY: dict[str, float] = {
    "defense": 0.8,
    "offense": 0.7,
    "neutrality": 0.5,
    "nonaggression": 0.4,
    "consultation": 0.3,
}
"""Assumed probability that a member honours the obligation in a crisis (herz's assumption,
ordered by the strength of the obligation; not estimated from data)."""


BURDEN_TO_1913 = 0.035
"""Assumed mean military burden (share of national income spent on arms) to 1913: the value
of ``europe-1909`` (**ours**, an assumption, not data; listed in :mod:`herz.history.constants`)."""

BURDEN_1914_TO_1945 = 0.05
"""Assumed mean military burden from 1914 to 1945 (**ours**, with no anchor: a value between
the other two; listed in :mod:`herz.history.constants`)."""

BURDEN_FROM_1946 = 0.08
"""Assumed mean military burden from 1946: the value of ``cold-war`` (**ours**, an assumption,
not data; listed in :mod:`herz.history.constants`)."""


def default_burden(year: int) -> float:
    """The assumed mean military burden of the economy proxy: 3.5% to 1913, 8% from 1946,
    5% in between (see the module docstring)."""
    if year <= 1913:
        return BURDEN_TO_1913
    if year >= 1946:
        return BURDEN_FROM_1946
    return BURDEN_1914_TO_1945


def _cliques(nodes: list[int], edges: set[frozenset[int]]) -> list[list[int]]:
    """Maximal cliques (Bron–Kerbosch) of size ≥ 2, members in ``nodes`` order."""
    adj = {n: {m for m in nodes if frozenset((n, m)) in edges} for n in nodes}
    found: list[set[int]] = []

    def expand(r: set[int], p: set[int], x: set[int]) -> None:
        if not p and not x:
            if len(r) >= 2:
                found.append(r)
            return
        for v in sorted(p, key=nodes.index):
            expand(r | {v}, p & adj[v], x & adj[v])
            p = p - {v}
            x = x | {v}

    expand(set(), set(nodes), set())
    order = {n: i for i, n in enumerate(nodes)}
    cliques = [sorted(c, key=order.__getitem__) for c in found]
    return sorted(cliques, key=lambda c: [order[n] for n in c])


def _run(years: set[int], year: int) -> tuple[int, int]:
    """First and last year of the unbroken run of ``years`` that contains ``year``."""
    first = last = year
    while first - 1 in years:
        first -= 1
    while last + 1 in years:
        last += 1
    return first, last


def scenario_from_history(
    year: int,
    states: str | Sequence[str | int],
    *,
    version: int = 7,
    burden: float | None = None,
    steps: int = 10,
    reliability: Mapping[str, float] | None = None,
) -> Scenario:
    """A scenario of ``states`` as they were in ``year``, from NMC and ATOP.

    Parameters
    ----------
    year:
        The year (1816 to the last NMC year; ATOP ends in 2018).
    states:
        COW abbreviations or codes, ``"UKG,FRN,RUS,GMY,AUH,ITA"`` or a list; the scenario keeps
        this order.
    version:
        NMC version, 7 (default) or 6 (the built-in scenarios use 6).
    burden:
        Assumed mean military burden for the economy proxy; default :func:`default_burden`.
    steps:
        Number of yearly steps of the scenario's clock.
    reliability:
        Assumed reliability by alliance kind, over :data:`RELIABILITY` (the default; kinds not
        given keep theirs). For the sensitivity analysis of these assumptions
        (docs/ours_sensitivity.py).

    Returns
    -------
    Scenario
        Validated; ``sources`` cite NMC, ATOP and the COW state list. Capitals are left empty
        (no shipped dataset has them; see the module docstring).

    Raises
    ------
    InputError
        Unknown state, a year outside the data, or a state with no NMC value in that year.
    """
    import pandas as pd

    from herz.history import datasets
    from herz.scenario import Scenario

    if isinstance(year, bool) or not isinstance(year, int):
        raise InputError(f"year: expected a whole year, got {year!r}", field="year", value=year)
    tokens = datasets.parse_states(states)
    if tokens is None:
        raise InputError("states: no state given", field="states")
    codes = datasets.resolve_states(tokens)
    if burden is None:
        burden = default_burden(year)
    if not 0 < burden <= 1:
        raise InputError(f"burden: must be in (0, 1], got {burden!r}", field="burden", value=burden)
    reliabilities = _reliabilities(reliability)
    first, last = datasets.nmc_years(version)
    if not first <= year <= last:
        raise InputError(
            f"year: {year} is outside the years of NMC v{version}.0 ({first}-{last})",
            field="year",
            value=year,
        )
    nmc = datasets.load("nmc", version=version, states=codes, years=year).set_index("ccode")
    names = datasets.state_names()
    abb = {c: a for c, a in zip(nmc.index, nmc["stateabb"], strict=True)}
    for code in codes:
        if code not in nmc.index:
            who = datasets.state_abbreviations().get(code, str(code))
            raise InputError(
                f"states: {who} is not in NMC v{version}.0 in {year} (not a member of the state "
                "system that year)",
                field="states",
                value=who,
            )
        for col in ("milex", "irst", "pec", "tpop"):
            if bool(nmc[col].isna().loc[code]):
                raise InputError(
                    f"states: NMC v{version}.0 has no {col} for {abb[code]} in {year}, which "
                    "the scenario needs",
                    field="states",
                    value=abb[code],
                )
    nmc = nmc.loc[codes]
    milex = nmc["milex"].astype(float)
    shares: list[pd.Series] = []
    for col in ("irst", "pec", "tpop"):
        total = float(nmc[col].sum())
        if total > 0:
            shares.append(nmc[col].astype(float) / total)
    share = pd.concat(shares, axis=1).mean(axis=1)
    economy = share * float(milex.sum()) / 1000 / burden
    currency = "GBP" if year < datasets.CURRENCY_SWITCH_YEAR else "USD"

    state_docs: list[dict[str, Any]] = []
    for code in codes:
        econ = round(float(economy[code]), 1)
        state_docs.append(
            {
                "id": abb[code],
                "ccode": int(code),
                "name": names.get(code, abb[code]),
                "military": round(float(milex[code]) / 1000, 3),
                "economy": econ if econ > 0 else float(economy[code]),
            }
        )

    alliances = _alliances(year, codes, abb, reliabilities)
    nmc_key = f"nmc{version}"
    ids = ", ".join(abb[c] for c in codes)
    doc: dict[str, Any] = {
        "name": f"history-{year}",
        "description": (
            f"{ids} in {year}, built by `herz scenario from-history` from COW NMC v{version}.0 "
            f"(military expenditure, economy proxy) and the ATOP 5.1 alliances in force in "
            f"{year}. Types, doctrines, perceptions and the world's parameters are defaults, "
            "not data."
        ),
        "sources": [
            {
                "key": nmc_key,
                "citation": datasets.citation("nmc", version=version),
                "used_for": (
                    f"military (milex {year}), economy proxy (irst, pec, tpop {year}; mean "
                    f"share times combined milex over an assumed burden of {burden:g})"
                ),
            },
            {
                "key": "atop5.1",
                "citation": datasets.citation("atop"),
                "used_for": f"alliance membership, kind and years in force around {year}",
            },
            {
                "key": "cow-states2016",
                "citation": datasets.citation("states"),
                "used_for": "state names and COW codes",
            },
        ],
        "units": {
            "military": f"million current {currency} (military expenditure)",
            "economy": f"million current {currency} (proxy, see sources)",
        },
        "time": {"start": year, "step": 1, "steps": steps},
        "states": state_docs,
        "alliances": alliances,
    }
    return Scenario.from_dict(doc, source=f"from-history {year}")


def _reliabilities(reliability: Mapping[str, float] | None) -> dict[str, float]:
    """:data:`RELIABILITY` with the kinds of ``reliability`` replaced (checked)."""
    out = dict(RELIABILITY)
    for kind, value in (reliability or {}).items():
        if kind not in RELIABILITY:
            raise InputError(
                f"reliability: unknown alliance kind {kind!r} (choose one of: "
                f"{', '.join(RELIABILITY)}).",
                field="reliability",
                value=kind,
            )
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
            raise InputError(
                f"reliability: {kind} must be in [0, 1], got {value!r}.",
                field="reliability",
                value=value,
            )
        out[kind] = float(value)
    return out


def _alliances(
    year: int, codes: list[int], abb: dict[int, str], reliability: Mapping[str, float]
) -> list[dict[str, Any]]:
    """ATOP obligations among ``codes`` in force in ``year``, as scenario alliances."""
    from herz.history import datasets

    atop = datasets.load("atop", states=codes, within=True, dyad_years=True)
    if atop.empty:
        return []
    # years with each obligation, per dyad
    bound: dict[tuple[frozenset[int], str], set[int]] = {}
    for col in KIND_OF_OBLIGATION:
        rows = atop[atop[col] == 1]
        for c1, c2, y in zip(rows["ccode1"], rows["ccode2"], rows["year"], strict=True):
            bound.setdefault((frozenset((int(c1), int(c2))), col), set()).add(int(y))
    # the strongest obligation of each dyad in force this year
    edges: dict[str, set[frozenset[int]]] = {col: set() for col in KIND_OF_OBLIGATION}
    for a, b in combinations(codes, 2):
        pair = frozenset((a, b))
        for col in KIND_OF_OBLIGATION:
            if year in bound.get((pair, col), set()):
                edges[col].add(pair)
                break
    out: list[dict[str, Any]] = []
    for col, kind in KIND_OF_OBLIGATION.items():
        for clique in _cliques(codes, edges[col]):
            runs = [_run(bound[(frozenset(p), col)], year) for p in combinations(clique, 2)]
            out.append(
                {
                    "name": f"{kind} {'-'.join(abb[c] for c in clique)}",
                    "members": [abb[c] for c in clique],
                    "kind": kind,
                    "reliability": reliability[kind],
                    "from": max(r[0] for r in runs),
                    "until": min(r[1] for r in runs),
                }
            )
    return out


def scenario_yaml_from_history(
    year: int,
    states: str | Sequence[str | int],
    *,
    version: int = 7,
    burden: float | None = None,
    steps: int = 10,
) -> str:
    """:func:`scenario_from_history` as a YAML document with a header naming its sources."""
    from herz.history import datasets

    sc = scenario_from_history(year, states, version=version, burden=burden, steps=steps)
    b = default_burden(year) if burden is None else burden
    header = [
        f"# Built by `herz scenario from-history --year {year} --states "
        f"{','.join(s.id for s in sc.states)} --version {version} --burden {b:g}`.",
        f"# military: NMC v{version}.0 milex {year} / 1000. economy: NMC has no GDP; proxy = mean",
        "#   share of irst, pec and tpop among these states, times their combined milex over an",
        f"#   ASSUMED mean military burden of {b:g} (an assumption, not data).",
        f"# alliances: ATOP 5.1 obligations in force in {year}; reliabilities are herz assumptions",
        "#   by kind (herz.history.from_history.RELIABILITY), not data.",
        "# Sources:",
        f"#   {datasets.citation('nmc', version=version)}",
        f"#   {datasets.citation('atop')}",
    ]
    return "\n".join(header) + "\n" + sc.to_yaml()


def majors_in(year: int) -> list[int]:
    """COW codes of the major powers in ``year`` (COW ``majors2016``: a state counts when one of
    its major-power spells covers the year), in code order."""
    from herz.history import datasets

    majors = datasets.load("majors")
    spells = zip(majors["ccode"], majors["styear"], majors["endyear"], strict=True)
    return sorted({int(c) for c, s, e in spells if int(s) <= year <= int(e)})


def scenario_known_at(
    year: int,
    states: str | Sequence[str | int] | None = None,
    *,
    version: int = 7,
    burden: float | None = None,
    steps: int = 5,
    reliability: Mapping[str, float] | None = None,
) -> Scenario:
    """The world as it could be known at the start of ``year``: for forecasts out of sample.

    Built like :func:`scenario_from_history`, from the last complete year before the forecast,
    ``year − 1``: NMC's capabilities of ``year − 1`` and the ATOP alliances in force in
    ``year − 1``, with no end year (when an alliance would end is not known at ``year``; it is
    taken to last). The clock starts at ``year``. ``states`` defaults to the major powers of
    ``year`` (:func:`majors_in`). Nothing that began in ``year`` or later enters (issue #12:
    "only what was known at Y"). ``burden`` and ``reliability`` are those of
    :func:`scenario_from_history` (the defaults are the calibration's).
    """
    from herz.scenario import Scenario

    if isinstance(year, bool) or not isinstance(year, int):
        raise InputError(f"year: expected a whole year, got {year!r}", field="year", value=year)
    from herz.history import datasets

    dropped: list[str] = []
    if states is None:
        # a major power without the NMC values the scenario needs in year − 1 is left out
        # (NMC v7: Austria-Hungary's milex of 1816 and iron and steel of 1918)
        nmc = datasets.load("nmc", version=version, years=year - 1).set_index("ccode")
        need = ["milex", "irst", "pec", "tpop"]
        kept: list[str | int] = []
        for c in majors_in(year):
            if c in nmc.index and not bool(nmc.loc[[c], need].isna().any(axis=None)):
                kept.append(c)
            else:
                dropped.append(datasets.state_abbreviations().get(c, str(c)))
        codes: str | Sequence[str | int] = kept
        if len(kept) < 2:
            raise InputError(
                f"year: fewer than two major powers of {year} have NMC values in {year - 1}",
                field="year",
                value=year,
            )
    else:
        codes = states
    base = scenario_from_history(
        year - 1, codes, version=version, burden=burden, steps=steps, reliability=reliability
    )
    doc = base.model_dump(mode="json", by_alias=True, exclude_none=True)
    for alliance in doc.get("alliances", []):
        alliance.pop("until", None)
    doc["name"] = f"known-at-{year}"
    doc["time"]["start"] = year
    doc["description"] = (
        f"The world as known at the start of {year}: "
        + str(doc.get("description", ""))
        + f" Alliances in force in {year - 1} are taken to last (no end year)."
        + (
            f" Left out for want of NMC values in {year - 1}: {', '.join(dropped)}."
            if dropped
            else ""
        )
    )
    return Scenario.from_dict(doc, source=f"known at {year}")
