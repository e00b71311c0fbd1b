"""herz vs the axelrod library: the same round-robin tournament, in one process.

Run::

    python benchmarks/bench_tournament.py [--repetitions 50] [--turns 200] [--noise-too]

Twelve strategies, ten of them memory-one (Cooperator, Defector, Tit For Tat, Suspicious Tit
For Tat, Win-Stay Lose-Shift, Alternator, Anti Tit For Tat, Bully and two generic memory-one
four-vectors) plus Grudger and Tit For 2 Tats; 200 turns; 50 repetitions; one process
(axelrod's default, ``processes=None``). The deterministic case checks that the two libraries'
scores are identical and prints the speed ratio. The axelrod import (~25 s, it scans its own
sources) is timed separately and is not counted. herz's time is the median of five runs after
one warm-up; axelrod's is one run (its deterministic-match cache already makes repetitions
after the first almost free). With ``--noise-too`` it also times a noisy tournament
(noise 0.05), where only the mean scores agree, within sampling error.
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any

import numpy as np

from herz.models.iterated import memory_one, tournament

HERZ_NAMES = [
    "cooperator",
    "defector",
    "tit-for-tat",
    "suspicious-tit-for-tat",
    "win-stay-lose-shift",
    "alternator",
    "anti-tit-for-tat",
    "bully",
    "grim",
    "tit-for-two-tats",
]
GENERIC = [((1.0, 0.0, 0.0, 0.0), 1.0), ((1.0, 1.0, 1.0, 0.0), 0.0)]  # two extra four-vectors


def herz_players() -> list[Any]:
    extra = [memory_one(*v, initial=i, name=f"memory-one-{k}") for k, (v, i) in enumerate(GENERIC)]
    return [*HERZ_NAMES, *extra]


def axelrod_players(a: Any) -> list[Any]:
    C, D = a.Action.C, a.Action.D
    classes = [
        "Cooperator",
        "Defector",
        "TitForTat",
        "SuspiciousTitForTat",
        "WinStayLoseShift",
        "Alternator",
        "AntiTitForTat",
        "Bully",
        "Grudger",
        "TitFor2Tats",
    ]
    players = [getattr(a, c)() for c in classes]
    players += [a.MemoryOnePlayer(four_vector=v, initial=C if i == 1.0 else D) for v, i in GENERIC]
    return players


def time_herz(turns: int, reps: int, noise: float) -> tuple[float, Any]:
    players = herz_players()
    tournament(players, turns=turns, repetitions=reps, noise=noise, seed=1)  # warm-up
    times, res = [], None
    for _ in range(5):
        t0 = time.perf_counter()
        res = tournament(players, turns=turns, repetitions=reps, noise=noise, seed=1)
        times.append(time.perf_counter() - t0)
    return statistics.median(times), res


def time_axelrod(a: Any, turns: int, reps: int, noise: float) -> tuple[float, Any]:
    t0 = time.perf_counter()
    tour = a.Tournament(axelrod_players(a), turns=turns, repetitions=reps, noise=noise, seed=1)
    res = tour.play(progress_bar=False)
    return time.perf_counter() - t0, res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--turns", type=int, default=200)
    ap.add_argument("--repetitions", type=int, default=50)
    ap.add_argument("--noise-too", action="store_true", help="also time a noisy tournament")
    args = ap.parse_args()

    t0 = time.perf_counter()
    import axelrod

    print(f"axelrod {axelrod.__version__} import: {time.perf_counter() - t0:.1f} s (not counted)")
    n = len(herz_players())
    print(f"{n} strategies, {args.turns} turns, {args.repetitions} repetitions, 1 process")

    th, hres = time_herz(args.turns, args.repetitions, 0.0)
    ta, ares = time_axelrod(axelrod, args.turns, args.repetitions, 0.0)
    same = np.array_equal(hres.scores, np.array(ares.scores))
    close = np.allclose(
        hres.normalised_scores,
        np.array(ares.normalised_scores),
        rtol=1e-14,
        atol=0,
    )
    print(f"deterministic: herz {th * 1e3:.1f} ms, axelrod {ta:.2f} s")
    print(f"identical scores: {same}; normalised scores equal to 1e-14: {close}")
    print(f"ratio (axelrod / herz), deterministic: {ta / th:.0f}x")

    if args.noise_too:
        th2, hres2 = time_herz(args.turns, args.repetitions, 0.05)
        ta2, ares2 = time_axelrod(axelrod, args.turns, args.repetitions, 0.05)
        h = np.asarray(hres2.normalised_scores).mean()
        a = np.asarray(ares2.normalised_scores).mean()
        print(f"noise 0.05: herz {th2 * 1e3:.1f} ms, axelrod {ta2:.2f} s")
        print(f"grand mean score: herz {h:.4f}, axelrod {a:.4f}")
        print(f"ratio (axelrod / herz), noise 0.05: {ta2 / th2:.0f}x")


if __name__ == "__main__":
    main()
