"""herz vs the axelrod library: the same round-robin tournament, in one process.

Run::

    python benchmarks/bench_tournament.py [--repetitions 50] [--turns 200] [--noise-too] [--mixed]

Twelve strategies, ten of them memory-one (Cooperator, Defector, Tit For Tat, Suspicious Tit
For Tat, Win-Stay Lose-Shift, Alternator, Anti Tit For Tat, Bully and two generic memory-one
four-vectors) plus Grudger and Tit For 2 Tats; 200 turns; 50 repetitions; one process
(axelrod's default, ``processes=None``). The deterministic case checks that the two libraries'
scores are identical and prints the speed ratio. The axelrod import (~25 s, it scans its own
sources) is timed separately and is not counted. herz's time is the median of five runs after
one warm-up; axelrod's is one run (its deterministic-match cache already makes repetitions
after the first almost free). With ``--noise-too`` it also times a noisy tournament
(noise 0.05), where only the mean scores agree, within sampling error.

With ``--mixed`` it also times the slow path: the same twelve plus four axelrod-only
strategies (Prober, Gradual, Hard Prober, First by Davis), which herz plays through its
axelrod adapter, turn by turn in Python; it checks that the scores equal axelrod's and
prints herz's time against axelrod's and against the twelve machines alone. Without noise a
deterministic slow-path match is played once for all repetitions (as axelrod's cache does);
``--mixed --noise-too`` also times the noisy case, where every slow-path match is played
(herz's mixed time is then one run after the warm-up).
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


#: axelrod-only deterministic strategies for --mixed: (herz name, axelrod class, arguments)
AXELROD_ONLY = [
    ("Prober", "Prober", ()),
    ("Gradual", "Gradual", ()),
    ("Hard Prober", "HardProber", ()),
    ("First by Davis: 10", "FirstByDavis", (10,)),
]


def time_herz(
    turns: int, reps: int, noise: float, players: list[Any] | None = None, runs: int = 5
) -> tuple[float, Any]:
    players = herz_players() if players is None else players
    tournament(players, turns=turns, repetitions=reps, noise=noise, seed=1)  # warm-up
    times, res = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        res = tournament(players, turns=turns, repetitions=reps, noise=noise, seed=1)
        times.append(time.perf_counter() - t0)
    return statistics.median(times), res


def time_axelrod(
    a: Any, turns: int, reps: int, noise: float, players: list[Any] | None = None
) -> tuple[float, Any]:
    players = axelrod_players(a) if players is None else players
    t0 = time.perf_counter()
    tour = a.Tournament(players, turns=turns, repetitions=reps, noise=noise, seed=1)
    res = tour.play(progress_bar=False)
    return time.perf_counter() - t0, res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--turns", type=int, default=200)
    ap.add_argument("--repetitions", type=int, default=50)
    ap.add_argument("--noise-too", action="store_true", help="also time a noisy tournament")
    ap.add_argument(
        "--mixed", action="store_true", help="also time herz with axelrod-only strategies"
    )
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

    if args.mixed:
        extra_h = [h for h, _, _ in AXELROD_ONLY]
        extra_a = [getattr(axelrod, c)(*a) for _, c, a in AXELROD_ONLY]
        n_mixed = n + len(AXELROD_ONLY)
        th3, hres3 = time_herz(args.turns, args.repetitions, 0.0, [*herz_players(), *extra_h], 3)
        ta3, ares3 = time_axelrod(
            axelrod, args.turns, args.repetitions, 0.0, [*axelrod_players(axelrod), *extra_a]
        )
        same3 = np.array_equal(hres3.scores, np.array(ares3.scores))
        print(
            f"mixed ({n} herz machines + {len(AXELROD_ONLY)} axelrod players on the slow path, "
            f"{n_mixed} players): herz {th3:.2f} s, axelrod {ta3:.2f} s; identical scores: {same3}"
        )
        print(f"slow path: {hres3.slow_path}")
        print(f"ratio (axelrod / herz), mixed: {ta3 / th3:.1f}x")
        print(f"cost of the slow path (herz mixed / herz machines only): {th3 / th:.0f}x")
        if args.noise_too:
            th4, hres4 = time_herz(
                args.turns, args.repetitions, 0.05, [*herz_players(), *extra_h], 1
            )
            ta4, ares4 = time_axelrod(
                axelrod, args.turns, args.repetitions, 0.05, [*axelrod_players(axelrod), *extra_a]
            )
            h = np.asarray(hres4.normalised_scores).mean()
            a = np.asarray(ares4.normalised_scores).mean()
            print(f"mixed, noise 0.05: herz {th4:.2f} s, axelrod {ta4:.2f} s")
            print(f"grand mean score: herz {h:.4f}, axelrod {a:.4f}")
            print(f"ratio (axelrod / herz), mixed, noise 0.05: {ta4 / th4:.1f}x")
            print(
                f"cost of the slow path, noise 0.05 (herz mixed / machines only): {th4 / th2:.0f}x"
            )


if __name__ == "__main__":
    main()
