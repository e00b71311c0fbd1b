"""Reproduce every number on docs/validation.md: ``python docs/validation.py``."""

from __future__ import annotations

from herz import datasets, estimate


def prewar() -> None:
    nmc = datasets.load("nmc", states="FRN,RUS,GMY,AUH", years="1900:1913")
    wide = nmc.pivot(index="year", columns="stateabb", values="milex")
    u, v = wide["FRN"] + wide["RUS"], wide["GMY"] + wide["AUH"]
    s = u + v
    print("U+V 1909..1913:", [int(s[y]) for y in range(1909, 1914)])
    for reg in ("level", "mean"):
        c = estimate.fit_combined("FRN+RUS,GMY+AUH", "1909:1912", regressor=reg)
        f = c.forecast(1)[0]
        print(
            f"combined 1909:1912 ({reg}): slope {c.slope.value:.4f} (se {c.slope.se:.4f}), "
            f"s0 {c.zero_growth_level:.0f} (se {c.zero_growth_level_se:.0f}), R2 {c.r2:.5f}, "
            f"n {c.n}; forecast 1913 {f:.0f} vs {s[1913]:.0f} ({100 * (f / s[1913] - 1):+.1f}%)"
        )
    print(
        f"naive: no change {s[1912]:.0f} ({100 * (s[1912] / s[1913] - 1):+.1f}%), "
        f"last change repeated {2 * s[1912] - s[1911]:.0f} "
        f"({100 * ((2 * s[1912] - s[1911]) / s[1913] - 1):+.1f}%)"
    )
    for reg in ("level", "mean"):
        c = estimate.fit_combined("FRN+RUS,GMY+AUH", "1909:1913", regressor=reg)
        print(
            f"combined 1909:1913 ({reg}): slope {c.slope.value:.4f} (se {c.slope.se:.4f}), "
            f"s0 {c.zero_growth_level:.0f} (se {c.zero_growth_level_se:.0f}), R2 {c.r2:.4f}, "
            f"DW {c.durbin_watson:.2f}, n {c.n}"
        )
    for start in (1900, 1905):
        for reg in ("level", "mean"):
            r = estimate.fit_richardson("FRN+RUS,GMY+AUH", f"{start}:1912", regressor=reg)
            ((fu, fv),) = r.forecast(1)
            print(
                f"per-actor {start}:1912 ({reg}): "
                f"U: k {r.x.k.value:.3f} ({r.x.k.se:.3f}), a {r.x.a.value:.3f} ({r.x.a.se:.3f}), "
                f"R2 {r.x.r2:.3f}, DW {r.x.durbin_watson:.2f}; "
                f"V: l {r.y.k.value:.3f} ({r.y.k.se:.3f}), b {r.y.a.value:.3f} "
                f"({r.y.a.se:.3f}), R2 {r.y.r2:.3f}, DW {r.y.durbin_watson:.2f}; n {r.x.n}; "
                f"regime {r.regime}; forecast 1913 U {fu:.0f} ({100 * (fu / u[1913] - 1):+.1f}%),"
                f" V {fv:.0f} ({100 * (fv / v[1913] - 1):+.1f}%)"
            )


def cold_war() -> None:
    for reg in ("level", "mean"):
        r = estimate.fit_richardson("USA,RUS", "1948:1990", regressor=reg)
        for a in (r.x, r.y):
            print(
                f"cold war ({reg}) {a.actor}: k {a.k.value:.4f} (se {a.k.se:.4f}, p {a.k.p:.2g}), "
                f"a {a.a.value:.4f} (se {a.a.se:.4f}, p {a.a.p:.2g}), "
                f"g {a.g.value / 1e6:.2f} bn (se {a.g.se / 1e6:.2f}), R2 {a.r2:.3f}, "
                f"DW {a.durbin_watson:.2f}, n {a.n}"
            )
        eq = r.equilibrium
        eqs = "none" if eq is None else f"({eq[0] / 1e6:.1f}, {eq[1] / 1e6:.1f}) bn"
        print(
            f"  equilibrium {eqs}, stable {r.stable}, stable yearly map {r.stable_discrete}, "
            f"regime {r.regime}"
        )


def races() -> None:
    for window in (10, 5):
        r = estimate.fit_race_periods(window=window)
        print(
            f"races, window {window}: n {r.n} changes ({r.n_inside} inside), "
            f"{len(r.dyads)} dyads, skipped {', '.join(r.skipped)}"
        )
        for name, c in r.coefficients.items():
            print(f"  {name} {c.value:.4f} (se {c.se:.4f}, p {c.p:.2g})")
        dk, da = r.difference_k, r.difference_a
        print(f"  k inside - outside {dk.value:.4f} (se {dk.se:.4f}, p {dk.p:.2g})")
        print(f"  a inside - outside {da.value:.4f} (se {da.se:.4f}, p {da.p:.2g})")


if __name__ == "__main__":
    prewar()
    cold_war()
    races()
