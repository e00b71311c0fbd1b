"""The spiral model: herz's vectorized kernel against the same rules written for Mesa.

The speed benchmark of issue #11 (the current kernel against the kernel of commit c644a62,
the cost of each mechanism, peak memory) is ``benchmarks/bench_spiral.py``; this script is the
comparison with an agent-based implementation.

The Mesa version has one ``mesa.Agent`` per state (Mesa 3: ``model.agents.do(...)``), loops over
the other states in Python as an agent-based model usually does, and draws each run's random
numbers from the same per-run stream in the same block layout as herz (``kernel._draw_block``:
per run and block of ``BLOCK`` steps, the float32 normals (BLOCK, N·N + 4), then the float64
uniforms (BLOCK, 2N + N(N − 1)); a run's second and later crises in one step draw two more
normals from its stream), so both simulate the same model on the same scenario
(multipolar-20: 20 states, 100 steps). It follows the kernel's rules step for step
(``kernel._run_chunk``; docs/spiral.md, "One step, in order"): reputations and the public
benchmark with Herz's bias, the observed spending rate (read above the base posture's upkeep),
postures and distinguishability (defensive forces attack with θ/θ_max; each state reads a share
β_i = 1 − own_weight_i of what looks defensive in others' forces as offensive, in the threat
and arming, the public benchmark reading postures without bias), per-state θ_i,
geography, Poisson crises and balancing reviews, wars between sides with chain-ganging (the
casus foederis: every entry into a war calls in the entrant's allies and the allies of each
member it is a new enemy of; each state at peace weighs its calls round by round of the
cascade, its chances independent, with its one join uniform of the step), exits and war
outcomes, preventive war, moving targets, and honours the mechanism switches
(``spiral.mechanisms``). Scheduled crises, technology shocks, ``cost_model: attrition`` and
``inner_step`` are not implemented (multipolar-20 has none of them), and spending and postures
are decided at every step, which is the kernel's yearly budget (``budget_period``) at
multipolar-20's yearly step. The same floating-point
operations in the same order (float32 beliefs, states summed in order, NumPy's exp and log)
make the runs agree bit for bit.

The script prints both times per run and their ratio and checks that the two agree: per run
(war yes/no, first war step, final stock of every state, within 1e-6 relative and bit for bit)
on the Mesa runs, and P(war) and mean final arms against their sampling error; ``--big`` also
times herz alone on that many runs and reports its peak memory.

The twin is a second implementation of the kernel's rules: it must be updated whenever the
kernel's rules or its random-number layout change; until it is, the agreement check it prints
fails and its Mesa timings describe older rules.

    pip install -e ".[bench]"       # mesa
    python benchmarks/bench_spiral_mesa.py [--mesa-runs 20] [--runs 1000] [--steps 100] [--big 0]
    python benchmarks/bench_spiral_mesa.py --mesa-runs 5 --runs 5 --steps 40   # a quick check
    python benchmarks/bench_spiral_mesa.py --set preventive_war=false  # switches, both sides
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
from herz.models.bargaining import shift_threshold
from herz.models.spiral import kernel as SP
from herz.scenario import Scenario

SCENARIO = "multipolar-20"
STEPS = 100
TINY = 1e-300
LOG_TINY = float(np.log(TINY))  # the floor of log(1 − p) of a join chance (p = 1 stays finite)


def _f32_sigmoid(logit: float) -> float:
    """μ = 1 / (1 + exp(−l)) in float32, as the kernel converts beliefs (then float64)."""
    x = np.float32(logit)
    return float(np.reciprocal(np.exp(-x) + np.float32(1.0)))


def _seq_sum(xs: list[float]) -> float:
    """Add in order, as the kernel sums over states (``_sum_states``)."""
    total = xs[0]
    for x in xs[1:]:
        total += x
    return total


class StateAgent(mesa.Agent):  # type: ignore[misc]
    """One state: its stock, economy, reputation, beliefs about every other state, its war."""

    def __init__(self, model: SpiralMesa, k: int) -> None:
        super().__init__(model)
        s = model.s
        self.k = k
        self.M = float(s.m0[k])
        self.Y = float(s.y0[k])
        self.budget = float(s.budget[k])
        self.base_share = float(s.base[k])
        self.greedy = bool(s.greedy[k])
        self.theta = float(s.theta_obs[k])  # the offense multiplier it believes in
        self.sig_obs = model.sig_obs[k]
        self.dt_var = model.dt_var[k]
        self.sig_crisis = model.sig_crisis[k]
        self.own_w = float(s.own_weight[k])
        self.beta = 1.0 - self.own_w  # Herz's bias in reading others' postures (β_k)
        self.val = 1.0 + model.p.greed_stake * self.greedy
        self.join_f = model.join_factor[k]
        self.logit = list(model.logit_init[k])
        self.rep_logit = model.logit_init[0][k]  # ρ_k, its reputation (public record)
        self.prod = 1.0
        self.phi = 1.0
        self.code = -1  # 2·war + side, −1 at peace
        self.war_t0 = 0
        self.entry = 0.0
        self.grow = 0.0
        self.alive = True
        self.I = 0.0
        self.I_prev = min(self.M / self.prod, self.budget * self.Y)
        self.mu: list[float] = [0.0] * model.n
        # the casus foederis (step 6): when it entered a war this step (the number of the
        # crisis that brought it in, or the rounds of the cascade after them; −1 otherwise),
        # the calls it makes on its allies this round, Σ log(1 − p) over its own chances so
        # far in the step, and the ally whose side it joins this round (−1: none)
        self.entered = -1
        self.calls_own, self.calls_foe = 0, 0
        self.log_q = 0.0
        self.join_to = -1

    # -- phase 1: what the public record and its own beliefs say ---------------------------
    def prepare(self) -> None:
        self.rho = 1.0 / (1.0 + float(np.exp(-self.rep_logit)))

    # -- phase 2: arming, and the public benchmark of its own spending ----------------------
    def decide(self) -> None:
        m = self.model
        p = m.p
        k, n = self.k, m.n
        ex_m = m.m
        proj = [m.G[k][j] * m.S[j] * m.rival_f[k][j] for j in range(n)]
        att = m.att[k]  # as k reads the others' postures (with its bias)
        att_pub = m.att_pub[k]  # the public reading, for the benchmark (no bias)
        strongest = max(proj)
        base = self.base_share * self.Y
        req_top = -math.inf
        for j in range(n):
            r = max(self.mu_r[j] / m.tau - 1.0, 0.0)
            if ex_m != 1.0:
                r = r ** (1.0 / ex_m)
            r = r * proj[j] * att[j]
            req_top = max(req_top, r)
        ally = m.ally_force[k]
        defensive = base + max(req_top - ally, 0.0)
        doc = m.doctrine[k]
        if doc == 1:
            offensive = base + max(p.superiority * strongest - ally, 0.0)
            target = max(defensive, offensive)
        elif doc == 2:
            target = p.grit_share * defensive if max(self.mu_r) < p.grit_abandon else defensive
        else:
            target = defensive
        cap = self.budget * self.Y
        gamma = p.growth - p.guns_cost * self.I_prev / self.Y
        I = m.invest(self.M, target, cap, self.prod, gamma)
        self.I_prev = I
        if self.greedy:
            I = max(I, p.greedy_effort * cap)
        at_war = self.code >= 0
        if at_war:
            I = cap
        self.I = I
        self.cap = cap
        if not m.update_beliefs:
            return
        # the public benchmark: what k would spend as a security seeker that believed its
        # rivals' reputations (certain about its enemies at war), and its observed rate
        pub = []
        for j in range(n):
            other = m.agents_by_k[j]
            ex = max(other.rho / m.tau - 1.0, 0.0)
            if ex_m != 1.0:
                ex = ex ** (1.0 / ex_m)
            # certain about its enemies at war (no enemies at peace: W is all False)
            pub.append(proj[j] * att_pub[j] * (m.excess1 if m.W[k][j] else ex))
        top = max(pub)
        self.tops = [j for j in range(n) if pub[j] == top and pub[j] > 0.0]
        top2 = max(0.0 if j in self.tops else pub[j] for j in range(n))
        w_top = max([m.agents_by_k[j].own_w for j in self.tops], default=0.0)
        floor = max(p.base_posture * self.Y / self.prod, SP.SPEND_FLOOR * cap)
        tgt_a = base + max(top - ally, 0.0)
        tgt_b = base + max(max(top2, w_top * top) - ally, 0.0)
        self.m_a = float(np.log(m.rate(self.M, tgt_a, cap, self.prod) + floor))
        self.m_b = float(np.log(m.rate(self.M, tgt_b, cap, self.prod) + floor))
        self.lg = float(np.log(p.greedy_effort * cap + floor))
        rate = m.rate(self.M, target, cap, self.prod)
        if self.greedy:
            rate = max(rate, p.greedy_effort * cap)
        self.xo = float(np.log((cap if at_war else rate) + floor))
        sep = max(self.lg - self.m_a, 0.0)
        self.rep_logit += sep * (self.xo - self.m_a - 0.5 * sep) * m.dt_pub
        self.rep_logit = min(max(self.rep_logit, -m.bound), m.bound)

    # -- phase 3: perception and belief (Bayes on each other state's noisy spending rate) ---
    def perceive(self) -> None:
        m = self.model
        i, n = self.k, m.n
        if m.update_beliefs:
            zrow = m.z[m.b]
            for j in range(n):
                if j == i:
                    continue
                if m.war_any0 and m.W[i][j]:
                    continue  # the war says nothing about an enemy's type (likelihood ratio 1)
                o = m.agents_by_k[j]
                ms = (1.0 if i in o.tops else 0.0) * (o.m_b - o.m_a) + o.m_a
                sep = max(o.lg - ms, 0.0)
                x = self.sig_obs * float(zrow[i * n + j]) + o.xo
                x -= ms
                x -= sep * 0.5
                x *= sep
                x *= self.dt_var
                self.logit[j] = min(max(self.logit[j] + x, -m.bound), m.bound)

    # -- phase 6: the casus foederis, one round of the step's cascade of joins ---------------
    def count_calls(self, rnd: int, new: list[bool]) -> None:
        """The calls a belligerent makes on its allies this round: its own entry (if it has
        just entered), and one per new enemy, a state that has just entered the other side of
        its war after it (in a later crisis or round) or in the same round of the cascade (the
        two founders of a war are one event, not each other's new enemies)."""
        self.calls_own, self.calls_foe = 0, 0
        if self.code < 0:
            return
        self.calls_own = int(new[self.k])
        foe = self.code ^ 1
        for e in self.model.agents_by_k:
            if not new[e.k] or e.code != foe:
                continue
            if e.entered > self.entered or (rnd > 0 and e.entered == self.entered):
                self.calls_foe += 1

    def weigh_join(self) -> None:
        """A state at peace hears this round's calls of its belligerent allies (through a
        treaty: x's entry and each new enemy of x; through a balancing alignment: x's entry
        only): each call of ally x is an independent chance p = tie(k, x) · f(ω_k), added to
        its running Σ log(1 − p); it joins at the first round in which its join uniform of
        the step falls below 1 − Π(1 − p), on the side of its largest chance of the round
        (the first such ally in the scenario's order on a tie)."""
        m = self.model
        self.join_to = -1
        if self.code >= 0 or not self.alive:
            return
        k = self.k
        total: float | None = None  # Σ over the callers x, in order, of calls · log(1 − p)
        best, ally = 0.0, -1
        for x in m.agents_by_k:
            # a treaty renews x's call with each new enemy; a balancing alignment calls only
            # at x's own entry
            calls = x.calls_own + (x.calls_foe if m.F[k][x.k] > 0.0 else 0)
            if calls == 0:
                continue
            p = m.R[k][x.k] * self.join_f
            if p > best:
                best, ally = p, x.k
            stay = LOG_TINY if p >= 1.0 else max(float(np.log1p(-p)), LOG_TINY)
            term = calls * stay
            total = term if total is None else total + term
        if total is not None:
            self.log_q += total
        if best > 0.0 and m.u_step[k] < -float(np.expm1(self.log_q)):
            self.join_to = ally


class SpiralMesa(mesa.Model):  # type: ignore[misc]
    """The spiral model's rules, one run, one agent per state (docs/spiral.md, "One step")."""

    def __init__(self, sc: Scenario, seed: int, run: int, steps: int = STEPS) -> None:
        super().__init__(seed=seed)
        s = SP._setup(sc, steps)
        if s.tech or s.forced:
            raise NotImplementedError("the Mesa twin has no technology shocks or forced crises")
        if s.p.cost_model != "constant":
            raise NotImplementedError("the Mesa twin has the constant war_cost only")
        self.s = s
        p = self.p = s.p
        mech = self.mech = s.mech
        n = self.n = s.n
        self.dt = s.dt
        self.m = p.decisiveness
        self.tau = p.tolerance
        self.G = s.reach.tolist()
        self.theta_i = s.theta_obs.tolist()
        self.bound = float(np.log((1.0 - p.belief_bound) / p.belief_bound))
        self.mu_war = _f32_sigmoid(self.bound)  # the upper bound of beliefs
        sigma_obs = s.sigma if mech.perception_noise else np.zeros(n)
        self.sig_crisis = (s.sigma if mech.private_information else np.zeros(n)).tolist()
        self.dt_var = (s.dt / (sigma_obs**2 + p.model_noise**2)).tolist()
        self.sig_obs = (sigma_obs / np.sqrt(s.dt)).tolist()
        self.update_beliefs = mech.belief_update and mech.type_uncertainty
        self.excess1 = max(1.0 / self.tau - 1.0, 0.0) ** (1.0 / self.m)
        self.join_factor = (
            SP.join_probability(1.0, s.omega_obs, p.chaingang_defense, p.chaingang_offense)
            if mech.chain_ganging
            else np.zeros(n)
        ).tolist()
        self.disc = float(np.exp(-p.discount))
        self.p_exit = float(1.0 - np.exp(-p.peace_rate * s.dt))
        self.balancing = p.balance_interval > 0 and mech.balancing
        self.p_review = float(-np.expm1(-s.dt / p.balance_interval)) if self.balancing else 0.0
        self.inv_theta_max = 1.0 / p.offense_scale
        self.dt_pub = s.dt / max(p.model_noise**2, 1e-12)
        self.grow_keep = float(np.exp(-s.dt / SP.GROWTH_MEMORY))
        self.decay = float(-np.expm1(-p.depreciation * s.dt))
        self.e_adj = float(np.exp(-p.adjustment * s.dt))
        self.e_dep = float(np.exp(-p.depreciation * s.dt))
        self.gain0 = float(np.expm1(-p.adjustment * s.dt) / np.expm1(-p.depreciation * s.dt))
        if mech.type_uncertainty:
            l0 = float(np.log(p.prior_greedy / (1.0 - p.prior_greedy)))
            self.logit_init = [[l0] * n for _ in range(n)]
        else:  # types are common knowledge
            row = [self.bound if g else -self.bound for g in s.greedy.tolist()]
            self.logit_init = [row[:] for _ in range(n)]
        self.gen = run_generator(seed, run)
        self.nu = 2 * n + n * (n - 1)
        self.npairs = n * (n - 1) // 2
        self.pairs = [(a, c) for a in range(n) for c in range(a + 1, n)]
        self.agents_by_k = [StateAgent(self, k) for k in range(n)]
        self.B = [[False] * n for _ in range(n)]
        self.W = [[False] * n for _ in range(n)]
        self.n_wars = 0
        self.first_war = -1
        self.t = 0
        self.z = np.empty(0, dtype=np.float32)
        self.u = np.empty(0)
        self.b = 0
        self.doctrine = s.doctrine[0].tolist()
        self.war_any0 = False
        self.ties(0)
        self.power()

    # -- helpers ------------------------------------------------------------------------------
    def invest(self, M: float, target: float, cap: float, prod: float, gamma: float) -> float:
        """Spending over the step, the target growing at γ (``kernel.investment`` with dt)."""
        p, dt = self.p, self.dt
        if gamma == 0.0:
            want = (M + self.gain0 * (target - M)) / prod
        else:
            reach = p.adjustment * (float(np.exp(gamma * dt)) - self.e_adj) / (p.adjustment + gamma)
            end = target * reach + M * self.e_adj
            want = (end - M * self.e_dep) / self.decay / prod
        return min(max(want, 0.0), cap)

    def rate(self, M: float, target: float, cap: float, prod: float) -> float:
        """The spending rate the policy sets (``kernel.investment`` with dt = 0)."""
        p = self.p
        want = (M + p.adjustment / p.depreciation * (target - M)) / prod
        return min(max(want, 0.0), cap)

    def ties(self, t: int) -> None:
        """R: the scenario's ties and the balancing ones; the rivals' mask."""
        n, ags = self.n, self.agents_by_k
        F = self.s.ties[int(self.s.tie_index[t])].tolist()
        rel = self.p.balance_reliability
        self.F = F
        if self.balancing:
            self.R = [[max(F[i][k], rel * self.B[i][k]) for k in range(n)] for i in range(n)]
        else:
            self.R = F
        self.rival_f = [
            [
                1.0 if self.R[i][k] <= 0.0 and i != k and ags[i].alive and ags[k].alive else 0.0
                for k in range(n)
            ]
            for i in range(n)
        ]

    def power(self) -> None:
        """Strength, beliefs, postures and threat (kernel ``power``), from every agent."""
        n, ags, m = self.n, self.agents_by_k, self.m
        Ms = [a.M for a in ags]
        self.ally_force = [_seq_sum([self.R[i][k] * Ms[k] for k in range(n)]) for i in range(n)]
        self.S = [Ms[i] + self.ally_force[i] for i in range(n)]
        Sm = [x**m for x in self.S] if m != 1.0 else self.S
        any_war = any(a.code >= 0 for a in ags)
        for a in ags:
            a.mu = [_f32_sigmoid(x) for x in a.logit]
            if any_war:  # at war, each enemy is a certain threat, whatever its type
                a.mu = [self.mu_war if self.W[a.k][j] else a.mu[j] for j in range(n)]
            a.mu_r = [a.mu[j] * self.rival_f[a.k][j] for j in range(n)]
        if self.mech.posture_choice:
            # a security seeker keeps the defensive mix while no rival is more likely greedy
            for a in ags:
                seeker = self.doctrine[a.k] != 1 and not a.greedy
                a.phi = self.p.defensive_mix if seeker and max(a.mu_r) < 0.5 else 1.0
            # j's posture as read with distinguishability δ: φ̂_j = δ φ_j + (1 − δ); the public
            # reading (no bias) for the benchmark of step 3, and i's own with Herz's asymmetry,
            # φ̂_ij = φ̂_j + β_i (1 − δ) (1 − φ̂_j), β_i = 1 − own_weight_i (bias acts on the
            # ambiguous part of the reading), for its threat and arming
            d, inv = self.s.delta, self.inv_theta_max
            seen = [d * a.phi + (1.0 - d) for a in ags]
            pub_seen = [x * (1.0 - inv) + inv for x in seen]
            self.att_pub = [[pub_seen[j] * self.theta_i[i] for j in range(n)] for i in range(n)]
            if any(a.beta > 0.0 for a in ags):
                self.att = [
                    [
                        (((a.beta * (1.0 - d)) * (1.0 - seen[j]) + seen[j]) * (1.0 - inv) + inv)
                        * self.theta_i[a.k]
                        for j in range(n)
                    ]
                    for a in ags
                ]
            else:
                self.att = self.att_pub
        else:
            self.att = self.att_pub = [[self.theta_i[i]] * n for i in range(n)]
        self.T = []
        for a in ags:
            i = a.k
            row = []
            for j in range(n):
                if self.mech.posture_choice:
                    x = self.att[i][j] * self.G[i][j]
                    if m != 1.0:
                        x = x**m
                else:
                    x = (self.theta_i[i] * self.G[i][j]) ** m
                x = x * Sm[j]
                row.append(x / (x + (Sm[i] + TINY)) * a.mu_r[j])
            self.T.append(row)

    def sync_war(self) -> None:
        codes = [a.code for a in self.agents_by_k]
        self.W = [[(ci ^ 1) == ck for ck in codes] for ci in codes]

    # -- one step -------------------------------------------------------------------------------
    def step(self) -> None:
        self.t += 1
        t, n, p, dt, ags = self.t, self.n, self.p, self.dt, self.agents_by_k
        self.b = b = (t - 1) % SP.BLOCK
        if b == 0:  # the same calls in the same order as kernel._draw_block, for this run
            self.z = self.gen.standard_normal((SP.BLOCK, n * n + 4), dtype=np.float32)
            self.u = self.gen.random((SP.BLOCK, self.nu))
        u = self.u_step = self.u[b].tolist()
        self.doctrine = self.s.doctrine[t].tolist()
        M_start = [a.M for a in ags]
        if self.s.tie_index[t] != self.s.tie_index[t - 1]:
            self.ties(t)
            self.power()
        at_war = [a.code >= 0 for a in ags]
        self.war_any0 = any(at_war)

        # 2.-3. arming, the public record, perception and belief: each agent in turn
        self.agents.do("prepare")
        self.agents.do("decide")
        self.agents.do("perceive")

        # military, attrition (Lanchester between the two sides of each war)
        M_new = []
        for a in ags:
            goal = a.prod * a.I
            M_new.append(max(goal + (a.M - goal) * self.e_dep, 0.0))
        if self.war_any0:
            for a in ags:
                if not at_war[a.k]:
                    continue
                i = a.k
                enemy = _seq_sum([self.W[i][k] * ags[k].M for k in range(n)])
                own = _seq_sum([(ags[k].code == a.code) * ags[k].M for k in range(n)])
                r = p.attrition * enemy / max(own, TINY)
                M_new[i] -= -M_new[i] * float(np.expm1(-dt * r))

        # 5. crises: each eligible dyad on its own clock, settled in the order of their times
        started = [False] * n
        for a in ags:
            a.entered = -1
        self.new_war = False
        times: list[tuple[float, int]] = []
        if n > 1 and (p.crisis_rate > 0 or p.crisis_base > 0):
            for q, (i, k) in enumerate(self.pairs):
                ok = not (at_war[i] and at_war[k]) and self.rival_f[i][k] > 0.0
                h = (self.T[i][k] + self.T[k][i]) * 0.5 * p.crisis_rate + p.crisis_base
                h = h * ok / max(n - 1, 1)
                ud = u[2 * n + q]
                if ud < -float(np.expm1(h * -dt)):
                    times.append((-float(np.log1p(-ud)) / max(h, TINY), q))
            times.sort()
            for nth, (_, q) in enumerate(times):
                i, k = self.pairs[q]
                if ags[i].code >= 0 and ags[k].code >= 0:
                    continue
                if nth == 0:
                    za, zc = self.z[b, n * n], self.z[b, n * n + 1]
                else:  # further crises in one step draw from the run's own stream
                    za, zc = self.gen.standard_normal(2, dtype=np.float32)
                self.crisis(i, k, float(za), float(zc), started, nth + 1)

        # 6. chain-ganging, the casus foederis: every entry into a war calls the entrant's allies
        # in and the allies of each member it is a new enemy of; each state at peace weighs
        # its calls round by round of the cascade (agents' count_calls and weigh_join)
        if self.new_war:
            n_crises = len(times)
            for a in ags:
                a.log_q = 0.0
            new = started[:]  # this round's entrants
            for rnd in range(n):
                self.agents.do("count_calls", rnd, new)
                self.agents.do("weigh_join")
                joins = [(a, a.join_to) for a in ags if a.join_to >= 0]
                if not joins:
                    break
                new = [False] * n
                for a, ally in joins:
                    a.code = ags[ally].code
                    a.war_t0 = ags[ally].war_t0
                    a.entered = n_crises + 1 + rnd
                    new[a.k] = started[a.k] = True
        for a in ags:
            if started[a.k]:
                a.entry = M_new[a.k]

        # war exits, per war and side; war outcomes
        if self.war_any0 or self.new_war:
            if self.new_war:
                self.sync_war()
            W0 = self.W
            in_war = [a.code >= 0 for a in ags]
            exhausted = [in_war[i] and M_new[i] < p.exhaustion * ags[i].entry for i in range(n)]
            negotiated = [
                in_war[i] and not exhausted[i] and u[n + i] < self.p_exit for i in range(n)
            ]
            quit_ = [exhausted[i] or negotiated[i] for i in range(n)]
            if any(quit_):
                left = [in_war[i] and not quit_[i] for i in range(n)]
                leave = [
                    quit_[i] or (left[i] and not any(W0[i][k] and left[k] for k in range(n)))
                    for i in range(n)
                ]
                for a in ags:
                    if leave[a.k]:
                        a.code = -1
                self.sync_war()
                lost = [p.defeat_cost * a.Y * exhausted[a.k] for a in ags]
                if self.mech.war_outcomes and any(exhausted):
                    self.settle(lost, M_new, W0, exhausted)
                else:
                    for a in ags:
                        a.Y = a.Y - lost[a.k]
            if self.first_war < 0 and self.n_wars > 0:
                self.first_war = t

        # the public trend of each state's strength (for the commitment problem)
        if self.mech.preventive_war:
            for a in ags:
                i = a.k
                ratio = max(M_new[i], TINY) / max(M_start[i], TINY)
                a.grow = a.grow * self.grow_keep
                a.grow += (1.0 - self.grow_keep) * float(np.log(ratio)) / dt
                if not a.alive:
                    a.grow = 0.0

        # economy
        for a in ags:
            rate = p.growth - p.guns_cost * a.I / a.Y - p.war_damage * at_war[a.k]
            a.Y = max(a.Y * float(np.exp(dt * rate)), 1e-9 * a.Y)
            a.M = M_new[a.k]

        # 4. alliances: each pair reviews its balancing tie on its own Poisson clock
        if self.balancing:
            T, thr = self.T, p.balance_threshold
            worst = [row.index(max(row)) for row in T]
            valid = [max(row) > thr for row in T]
            base = 2 * n + self.npairs
            for q, (i, k) in enumerate(self.pairs):
                if u[base + q] < self.p_review:
                    want = (
                        worst[i] == worst[k]
                        and valid[i]
                        and valid[k]
                        and worst[i] != k
                        and worst[k] != i
                        and not self.W[i][k]
                        and self.F[i][k] <= 0.0
                    )
                    self.B[i][k] = self.B[k][i] = want
        self.ties(t)
        self.power()

    def crisis(self, a: int, c: int, za: float, zc: float, started: list[bool], order: int) -> None:
        """One crisis between a and c (kernel ``resolve``), and the war it may start; ``order``
        (the crisis's number in the step) is when the states it brings in entered."""
        p, m, ags = self.p, self.m, self.agents_by_k
        A, C = ags[a], ags[c]
        Sa, Sc = self.S[a], self.S[c]
        sa_c = Sc * float(np.exp(A.sig_crisis * za))  # a's estimate of c's strength
        sc_a = Sa * float(np.exp(C.sig_crisis * zc))

        def cs(x: float, y: float) -> float:
            xm, ym = (1.0 * x) ** m, y**m
            return float(xm / max(xm + ym, TINY))

        def strike(X: StateAgent) -> float:
            if not self.mech.posture_choice:
                return X.theta
            return X.theta * (X.phi + (1.0 - X.phi) * self.inv_theta_max)

        def demand(X: StateAgent, j: int, own: float, est: float) -> float:
            fear = 0.0
            if self.mech.preemption and self.doctrine[X.k] != 2:
                fear = X.mu[j]
            first, even = cs(strike(X) * own, est), cs(own, est)
            return fear * first + (1.0 - fear) * even - p.war_cost / X.val

        d_a, d_c = demand(A, c, Sa, sa_c), demand(C, a, Sc, sc_a)
        war = d_a + d_c > 1.0
        a_first = d_a >= d_c
        prev = False
        if self.mech.preventive_war:  # the commitment problem (Fearon 1995; Powell 2006)
            ga, gc = float(np.exp(A.grow)), float(np.exp(C.grow))
            pa0, pc0 = cs(Sa, sa_c), cs(Sc, sc_a)
            fall_a = pa0 - cs(Sa * ga, sa_c * gc)
            fall_c = pc0 - cs(Sc * gc, sc_a * ga)
            prev_a = fall_a > float(shift_threshold(pa0, p.war_cost / A.val, p.war_cost, self.disc))
            prev_c = fall_c > float(shift_threshold(pc0, p.war_cost / C.val, p.war_cost, self.disc))
            prev = (prev_a or prev_c) and not war
            war = war or prev
            if prev:
                a_first = prev_a
        if not war:
            return
        self.new_war = True
        init, other = (A, C) if a_first else (C, A)
        if init.code < 0 and other.code < 0:  # a new war, the initiator on side 0
            init.code, other.code = 2 * self.n_wars, 2 * self.n_wars + 1
            init.war_t0 = other.war_t0 = self.t
            started[init.k] = started[other.k] = True
            init.entered = other.entered = order  # the two founders enter together
            self.n_wars += 1
            return
        joiner, foe = (other, init) if init.code >= 0 else (init, other)
        joiner.code = foe.code ^ 1  # into the belligerent's war, on the other side
        joiner.war_t0 = foe.war_t0
        joiner.entered = order
        started[joiner.k] = True

    def settle(
        self, lost: list[float], M_new: list[float], W0: list[list[bool]], exhausted: list[bool]
    ) -> None:
        """War outcomes (kernel ``_settle``): the defeated's losses pass to the victors."""
        n, ags, p = self.n, self.agents_by_k, self.p
        enemy = [_seq_sum([W0[i][k] * M_new[k] for k in range(n)]) for i in range(n)]
        dead = [
            exhausted[i] and enemy[i] > 0.0 and enemy[i] >= p.conquest_ratio * M_new[i]
            for i in range(n)
        ]
        lost = [ags[i].Y if dead[i] else lost[i] for i in range(n)]
        standing = [M_new[i] * (not exhausted[i]) for i in range(n)]
        denom = [_seq_sum([W0[i][k] * standing[k] for k in range(n)]) for i in range(n)]
        per = [lost[i] / max(denom[i], TINY) if denom[i] > 0.0 else 0.0 for i in range(n)]
        gain = [standing[i] * _seq_sum([W0[i][k] * per[k] for k in range(n)]) for i in range(n)]
        for a in ags:
            i = a.k
            if dead[i]:
                a.Y = 1e-9 * a.Y
                a.alive = False
                M_new[i] = 0.0
            else:
                a.Y = a.Y - lost[i] + gain[i]


def run_mesa(
    sc: Scenario, runs: int, seed: int, offset: int = 0, steps: int = STEPS
) -> tuple[float, list[dict[str, Any]]]:
    """Time the Mesa twin on runs offset, ..., offset + runs − 1; their outcomes."""
    t0 = time.perf_counter()
    out = []
    for r in range(offset, offset + runs):
        model = SpiralMesa(sc, seed, r, steps)
        for _ in range(steps):
            model.step()
        out.append(
            {
                "war": model.first_war >= 0,
                "first_war_step": model.first_war,
                "military": [a.M for a in model.agents_by_k],
            }
        )
    return time.perf_counter() - t0, out


def with_switches(sc: Scenario, settings: list[str]) -> Scenario:
    """The scenario with ``spiral.mechanisms.NAME`` set from NAME=true/false."""
    if not settings:
        return sc
    over = {}
    for item in settings:
        name, _, value = item.partition("=")
        over[f"spiral.mechanisms.{name}"] = value.lower() in ("1", "true", "yes", "on")
    return sc.with_overrides(over)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mesa-runs", type=int, default=20)
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--steps", type=int, default=STEPS, help="steps per run")
    parser.add_argument("--big", type=int, default=0, help="also time herz alone on BIG runs")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--set", action="append", default=[], help="a switch: NAME=false")
    parser.add_argument("--trace-memory", action="store_true", help="also run under tracemalloc")
    args = parser.parse_args()
    sc = with_switches(herz.load_scenario(SCENARIO), args.set)
    herz.simulate(sc, model="spiral", runs=2, steps=2, seed=0)  # warm-up

    t0 = time.perf_counter()
    res = herz.simulate(
        sc, model="spiral", runs=args.runs, steps=args.steps, seed=args.seed, keep="summary"
    )
    t_herz = time.perf_counter() - t0
    t_mesa, mesa_out = run_mesa(sc, args.mesa_runs, args.seed, steps=args.steps)
    per_herz = t_herz / args.runs
    per_mesa = t_mesa / args.mesa_runs
    out: Any = res.outcomes
    ids = sc.ids
    k = min(args.mesa_runs, args.runs)
    head = out.iloc[:k]
    h_mil = head[[f"final_military_{s}" for s in ids]].to_numpy()
    m_mil = np.array([o["military"] for o in mesa_out[:k]])
    h_war = head["war"].to_numpy()
    m_war = np.array([o["war"] for o in mesa_out[:k]])
    h_step = head["first_war_step"].fillna(-1).to_numpy(dtype=np.int64)
    m_step = np.array([o["first_war_step"] for o in mesa_out[:k]])
    rel = np.abs(h_mil - m_mil) / np.maximum(np.abs(h_mil), 1e-12)
    same = (h_war == m_war) & (h_step == m_step) & (rel.max(1) <= 1e-6)
    exact = (h_war == m_war) & (h_step == m_step) & (h_mil == m_mil).all(1)
    print(f"scenario {SCENARIO}: {len(ids)} states, {args.steps} steps, mesa {mesa.__version__}")
    if args.set:
        print(f"mechanisms set: {', '.join(args.set)}")
    print(f"herz, {args.runs} runs:     {t_herz:8.2f} s  ({per_herz * 1e3:9.3f} ms per run)")
    print(f"Mesa, {args.mesa_runs} runs:     {t_mesa:8.2f} s  ({per_mesa * 1e3:9.3f} ms per run)")
    print(f"per-run speed-up (Mesa / herz): {per_mesa / per_herz:8.1f}x")
    print(
        f"per-run agreement on runs 0-{k - 1}: {int(same.sum())}/{k} identical (war yes/no, "
        f"first war step, every final stock within 1e-6 relative); largest relative "
        f"difference of a final stock {rel.max():.1e}; {int(exact.sum())}/{k} bit for bit"
    )
    all_arms = np.array([sum(o["military"]) for o in mesa_out])
    all_war = np.array([o["war"] for o in mesa_out], dtype=float)
    n_m = max(len(mesa_out), 1)
    se_w = math.sqrt(max(all_war.mean() * (1 - all_war.mean()), 1e-12) / n_m)
    se_a = float(all_arms.std(ddof=1) / math.sqrt(n_m)) if n_m > 1 else float("nan")
    print(
        f"P(war): herz {res.summary['p_war']:.3f} ± {res.summary['p_war_se']:.3f} "
        f"({args.runs} runs), Mesa {all_war.mean():.3f} ± {se_w:.3f} ({len(mesa_out)} runs)"
    )
    print(
        f"mean final arms: herz {res.summary['final_military_mean']:.1f} ± "
        f"{res.summary['final_military_mean_se']:.1f}, Mesa {all_arms.mean():.1f} ± {se_a:.1f}"
    )

    if args.big:
        t0 = time.perf_counter()
        herz.simulate(
            sc, model="spiral", runs=args.big, steps=args.steps, seed=args.seed, keep="summary"
        )
        t_big = time.perf_counter() - t0
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"herz, {args.big} runs x {len(ids)} states x {args.steps} steps (keep='summary'): "
            f"{t_big:.1f} s, peak memory (max RSS of this process) {rss:.0f} MiB"
        )
    if args.trace_memory and args.big:  # tracemalloc slows NumPy; a separate, untimed run
        tracemalloc.start()
        herz.simulate(
            sc, model="spiral", runs=args.big, steps=args.steps, seed=args.seed, keep="summary"
        )
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"peak memory traced by tracemalloc: {peak / 2**20:.0f} MiB")


if __name__ == "__main__":
    main()
