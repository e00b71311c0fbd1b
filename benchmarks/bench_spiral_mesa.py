"""The spiral model: herz's vectorized kernel against the same rules written for Mesa.

The speed benchmark of issue #11 (the current kernel against the kernel of commit c644a62,
the cost of each mechanism, peak memory) is ``benchmarks/bench_spiral.py``; this script is the
comparison with an agent-based implementation.

The Mesa version has one ``mesa.Agent`` per state (Mesa 3: ``model.agents.do(...)``), loops over
the other states in Python as an agent-based model usually does, and draws each run's random
numbers from the same per-run stream in the same block layout as herz, so both simulate the same
model on the same scenario (multipolar-20: 20 states, 100 steps). The script prints both times
per run and their ratio, checks that the two agree (P(war) and mean final arms), then times herz
alone on 10,000 runs and reports its peak memory.

The twin is a second implementation of the kernel's rules **as of the commit it was written
for**: it predates the war rules of issue #11 (wars between sides) and anything the kernel
gained since (the mechanism switches among them). It must be updated whenever the kernel's
rules or its random-number layout change; until it is, the agreement check it prints may fail
and its Mesa timings describe the older rules.

    pip install -e ".[bench]"       # mesa
    python benchmarks/bench_spiral_mesa.py [--mesa-runs 20] [--runs 1000] [--big 10000]
"""

from __future__ import annotations

import argparse
import math
import resource
import time
import tracemalloc
from typing import Any

import mesa
import numpy as np

import herz
from herz._random import run_generator
from herz.models.spiral import kernel as SP
from herz.scenario import Scenario

SCENARIO = "multipolar-20"
STEPS = 100


class StateAgent(mesa.Agent):  # type: ignore[misc]
    """One state: its stock, economy, beliefs about every other state, its spending."""

    def __init__(self, model: SpiralMesa, k: int) -> None:
        super().__init__(model)
        s = model.sc.states[k]
        self.k = k
        self.M = s.military
        self.Y = s.economy
        self.budget = s.max_budget_share
        self.greedy = s.type == "greedy"
        self.sigma = model.p.noise_scale * (1 - s.intelligence)
        self.own_w = min(max(1 - s.bias, 0.0), 1.0)
        self.logit = [model.logit0] * model.n
        self.I = 0.0
        self.entry = 0.0

    def mu(self, j: int) -> float:
        return float(np.float32(1.0) / (np.float32(1.0) + np.exp(-np.float32(self.logit[j]))))

    def decide(self) -> None:
        """Arming (MODELS §4.2): target by doctrine, spending within the budget."""
        m = self.model
        p = m.p
        doc = m.doctrine[self.k]
        best_req, strongest, max_mu = 0.0, 0.0, 0.0
        for j in range(m.n):
            if j == self.k or m.ties[self.k][j] > 0:
                continue
            mu = self.mu(j)
            strongest = max(strongest, m.S[j])
            max_mu = max(max_mu, mu)
            best_req = max(best_req, max(mu / p.tolerance - 1, 0.0) * m.S[j])
        ally = m.S[self.k] - self.M
        base = m.setup.base[self.k] * self.Y
        defensive = base + max(m.theta * best_req - ally, 0.0)
        if doc == 1:
            target = max(defensive, base + max(p.superiority * strongest - ally, 0.0))
        elif doc == 2:
            target = p.grit_share * defensive if max_mu < p.grit_abandon else defensive
        else:
            target = defensive
        cap = self.budget * self.Y
        # the stock is in spending units: keeping M costs M / a a year
        want = (self.M + p.adjustment / p.depreciation * (target - self.M)) / m.prod[self.k]
        self.I = min(max(want, 0.0), cap)
        if self.greedy:
            self.I = max(self.I, p.greedy_effort * cap)
        if any(m.war[self.k]):
            self.I = cap

    def perceive(self) -> None:
        """Beliefs (MODELS §4.3): Bayes on each other state's noisy spending."""
        m = self.model
        p = m.p
        if m.delta <= 0:
            return
        for j in range(m.n):
            if j == self.k:
                continue
            other = m.agents_by_k[j]
            # j's own needs (from j's beliefs at the start of the step), i's counted by (1 − β_i)
            reqs = [
                (max(m.mu0[j][k] / p.tolerance - 1, 0.0) * m.S[k], k)
                for k in range(m.n)
                if k != j and m.ties[j][k] <= 0
            ]
            top = max((v for v, _ in reqs), default=0.0)
            tops = [k for v, k in reqs if v == top and v > 0]
            top2 = max((v for v, k in reqs if k not in tops), default=0.0)
            w_top = max((m.agents_by_k[k].own_w for k in tops), default=0.0)
            ally = m.S[j] - other.M
            cap = other.budget * other.Y
            floor = SP.SPEND_FLOOR * cap
            base = m.setup.base[j] * other.Y
            ref = max(top2, w_top * top) if self.k in tops else top
            tgt = base + max(m.theta * ref - ally, 0.0)
            want = (other.M + p.adjustment / p.depreciation * (tgt - other.M)) / m.prod[j]
            m_s = math.log(min(max(want, 0.0), cap) + floor)
            sep = max(math.log(p.greedy_effort * cap + floor) - m_s, 0.0)
            z = float(m.z[m.b, self.k * m.n + j])
            x = math.log(other.I + floor) + self.sigma * z
            var = self.sigma**2 + p.model_noise**2
            llr = m.delta * sep * (x - m_s - 0.5 * m.delta * sep) / var
            self.logit[j] = min(max(self.logit[j] + llr, -m.bound), m.bound)
            if m.war[self.k][j]:
                self.logit[j] = m.bound


class SpiralMesa(mesa.Model):  # type: ignore[misc]
    """The spiral model's rules, one run, one agent per state."""

    def __init__(self, sc: Scenario, seed: int, run: int) -> None:
        super().__init__(seed=seed)
        self.sc = sc
        self.p = sc.spiral or herz.scenario.SpiralParams()
        self.setup = SP._setup(sc, STEPS)
        self.n = len(sc.states)
        self.theta = self.setup.theta
        self.delta = sc.world.distinguishability
        self.logit0 = math.log(self.p.prior_greedy / (1 - self.p.prior_greedy))
        self.bound = math.log((1 - self.p.belief_bound) / self.p.belief_bound)
        self.gen = run_generator(seed, run)
        self.prod = [1.0] * self.n
        self.war = [[False] * self.n for _ in range(self.n)]
        self.bal = [[False] * self.n for _ in range(self.n)]
        self.agents_by_k = [StateAgent(self, k) for k in range(self.n)]
        self.t = 0
        self.had_war = False
        self.z = np.empty(0)
        self.u = np.empty(0)
        self.b = 0
        self._power()

    def _power(self) -> None:
        F = self.setup.ties[int(self.setup.tie_index[self.t])]
        rel = self.p.balance_reliability
        self.ties = [
            [max(F[i][k], rel if self.bal[i][k] else 0.0) for k in range(self.n)]
            for i in range(self.n)
        ]
        Ms = [a.M for a in self.agents_by_k]
        self.S = [
            Ms[i] + sum(self.ties[i][k] * Ms[k] for k in range(self.n)) for i in range(self.n)
        ]

    def threat(self, i: int, j: int) -> float:
        if i == j or self.ties[i][j] > 0:
            return 0.0
        x = self.theta * self.S[j]
        return self.agents_by_k[i].mu(j) * x / (x + self.S[i] + 1e-300)

    def step(self) -> None:
        self.t += 1
        p = self.p
        self.b = (self.t - 1) % SP.BLOCK
        if self.b == 0:
            self.z = self.gen.standard_normal((SP.BLOCK, self.n * self.n + 4), dtype=np.float32)
            self.u = self.gen.random((SP.BLOCK, 1 + 2 * self.n))
        self.doctrine = self.setup.doctrine[self.t]
        T = [[self.threat(i, j) for j in range(self.n)] for i in range(self.n)]
        self.mu0 = [[a.mu(j) for j in range(self.n)] for a in self.agents_by_k]  # step start
        self.agents.do("decide")
        self.agents.do("perceive")
        ags = self.agents_by_k
        dt = self.sc.time.step
        at_war = [any(self.war[i]) for i in range(self.n)]
        newM = [max(a.M + dt * p.depreciation * (self.prod[a.k] * a.I - a.M), 0.0) for a in ags]
        if any(at_war):
            tot = sum(ag.M for ag, w in zip(ags, at_war, strict=True) if w)
            for i in range(self.n):
                if at_war[i]:
                    enemy = sum(ags[j].M for j in range(self.n) if self.war[i][j])
                    own = tot - enemy
                    loss = min(dt * p.attrition * enemy * newM[i] / max(own, 1e-300), newM[i])
                    newM[i] -= loss
        # one endogenous crisis at most (same hazard and pick as herz)
        pairs = [(i, j) for i in range(self.n) for j in range(i + 1, self.n)]
        h = [
            (p.crisis_base + p.crisis_rate * 0.5 * (T[i][j] + T[j][i])) / (self.n - 1)
            if self.ties[i][j] <= 0 and not self.war[i][j]
            else 0.0
            for i, j in pairs
        ]
        H = sum(h)
        pc = 1 - math.exp(-dt * H)
        started = [False] * self.n
        if self.u[self.b, 0] < pc:
            goal = self.u[self.b, 0] / pc * H
            cum, pick = 0.0, 0
            for k, hk in enumerate(h):
                cum += hk
                if cum < goal:
                    pick = k + 1
            a, c = pairs[min(pick, len(pairs) - 1)]
            self._crisis(
                a,
                c,
                float(self.z[self.b, self.n * self.n]),
                float(self.z[self.b, self.n * self.n + 1]),
                started,
            )
        if any(started):
            frontier = started[:]
            f = (
                p.chaingang_defense
                + (p.chaingang_offense - p.chaingang_defense) * self.sc.world.offense_advantage
            )
            for _ in range(self.n):
                joins = []
                for k in range(self.n):
                    if any(self.war[k]):
                        continue
                    pulls = [self.ties[k][b] * f if frontier[b] else 0.0 for b in range(self.n)]
                    if self.u[self.b, 1 + k] < max(pulls):
                        joins.append((k, int(np.argmax(pulls))))
                if not joins:
                    break
                frontier = [False] * self.n
                before = [row[:] for row in self.war]  # enemies as they were at the round start
                for k, side in joins:
                    for x in range(self.n):
                        if before[side][x]:
                            self.war[k][x] = self.war[x][k] = True
                    frontier[k] = started[k] = True
        for i, agent in enumerate(ags):
            if started[i]:
                agent.entry = newM[i]
        p_exit = 1 - math.exp(-p.peace_rate * dt)
        quits = []
        for i, a in enumerate(ags):
            if any(self.war[i]):
                exhausted = newM[i] < p.exhaustion * a.entry
                if exhausted or self.u[self.b, 1 + self.n + i] < p_exit:
                    quits.append((i, exhausted))
        for i, exhausted in quits:
            for x in range(self.n):
                self.war[i][x] = self.war[x][i] = False
            if exhausted:
                ags[i].Y -= p.defeat_cost * ags[i].Y
        for i, a in enumerate(ags):
            rate = p.growth - p.guns_cost * a.I / a.Y - p.war_damage * at_war[i]
            a.Y = max(a.Y * (1 + dt * rate), 1e-9 * a.Y)
            a.M = newM[i]
        every = round(p.balance_interval / dt) if p.balance_interval > 0 else 0
        if every and self.t % every == 0:
            B = SP.balancing_ties(np.array(T), p.balance_threshold, np.array(self.war))
            F = self.setup.ties[int(self.setup.tie_index[self.t])]
            self.bal = (B & (F <= 0)).tolist()
        self.had_war = self.had_war or any(started)
        self._power()

    def _crisis(self, a: int, c: int, za: float, zc: float, started: list[bool]) -> None:
        p, ags, th = self.p, self.agents_by_k, self.theta
        Sa, Sc = self.S[a], self.S[c]
        sa_c = Sc * math.exp(ags[a].sigma * za)
        sc_a = Sa * math.exp(ags[c].sigma * zc)

        def demand(i: int, j: int, own: float, est: float) -> float:
            fear = 0.0 if self.doctrine[i] == 2 else self.mu0[i][j]
            first = th * own / (th * own + est + 1e-300)
            even = own / (own + est + 1e-300)
            value = 1 + p.greed_stake * ags[i].greedy
            return fear * first + (1 - fear) * even - p.war_cost / value

        if demand(a, c, Sa, sa_c) + demand(c, a, Sc, sc_a) > 1:
            self.war[a][c] = self.war[c][a] = True
            started[a] = started[c] = True


def run_mesa(sc: Scenario, runs: int, seed: int) -> tuple[float, list[bool], list[float]]:
    t0 = time.perf_counter()
    wars, arms = [], []
    for r in range(runs):
        model = SpiralMesa(sc, seed, r)
        for _ in range(STEPS):
            model.step()
        wars.append(model.had_war)
        arms.append(sum(a.M for a in model.agents_by_k))
    return time.perf_counter() - t0, wars, arms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mesa-runs", type=int, default=20)
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--big", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--trace-memory", action="store_true", help="also run under tracemalloc")
    args = parser.parse_args()
    sc = herz.load_scenario(SCENARIO)
    herz.simulate(sc, model="spiral", runs=2, steps=2, seed=0)  # warm-up

    t0 = time.perf_counter()
    res = herz.simulate(
        sc, model="spiral", runs=args.runs, steps=STEPS, seed=args.seed, keep="summary"
    )
    t_herz = time.perf_counter() - t0
    t_mesa, wars, arms = run_mesa(sc, args.mesa_runs, args.seed)
    per_herz = t_herz / args.runs
    per_mesa = t_mesa / args.mesa_runs
    out: Any = res.outcomes
    head = out.iloc[: args.mesa_runs]
    same_war = float(np.mean(head["war"].to_numpy() == np.array(wars)))
    rel = np.abs(head["final_military"].to_numpy() - np.array(arms)) / np.array(arms)
    print(f"scenario {SCENARIO}: {len(sc.states)} states, {STEPS} steps, mesa {mesa.__version__}")
    print(f"herz, {args.runs} runs:           {t_herz:8.2f} s  ({per_herz * 1e3:8.3f} ms per run)")
    print(f"Mesa, {args.mesa_runs} runs:   {t_mesa:8.2f} s  ({per_mesa * 1e3:8.3f} ms per run)")
    print(f"per-run speed-up (Mesa / herz): {per_mesa / per_herz:8.1f}x")
    print(
        f"agreement on the first {args.mesa_runs} runs: war yes/no equal in {same_war:.0%}, "
        f"median relative difference of final arms {np.median(rel):.2e}"
    )
    print(
        f"P(war): herz {res.summary['p_war']:.3f} ± {res.summary['p_war_se']:.3f} "
        f"({args.runs} runs), Mesa {np.mean(wars):.3f} ({args.mesa_runs} runs)"
    )

    t0 = time.perf_counter()
    herz.simulate(sc, model="spiral", runs=args.big, steps=STEPS, seed=args.seed, keep="summary")
    t_big = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"herz, {args.big} runs x {len(sc.states)} states x {STEPS} steps (keep='summary'): "
        f"{t_big:.1f} s, peak memory (max RSS of this process) {rss:.0f} MiB"
    )
    if args.trace_memory:  # tracemalloc slows NumPy's allocations; a separate, untimed run
        tracemalloc.start()
        herz.simulate(
            sc, model="spiral", runs=args.big, steps=STEPS, seed=args.seed, keep="summary"
        )
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"peak memory traced by tracemalloc: {peak / 2**20:.0f} MiB")


if __name__ == "__main__":
    main()
