"""The purchase-system model as an object-per-agent Mesa model (docs/ODD.md).

The same rules as :mod:`resdep.simulate.model`, written the way a Mesa model is usually
written: one ``mesa.Agent`` per district, street office, neighbourhood committee and
agency, ``AgentSet`` calls for the schedule, the model's own random generator
(``self.rng``), and Python loops over agents. It exists to check that the vectorised
model gives the same outcome distributions (tests/integration/test_mesa_equivalence.py)
and to measure the speed ratio (benchmarks/bench_simulate.py). Randomness is drawn in a
different order, so runs agree in distribution, not draw for draw.

Dependence of each active dyad is scored with the shared core code
(:func:`resdep.dependence.resource_dependence`, :func:`resdep.classify.classify_dyads`),
one dyad at a time.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

import mesa
import numpy as np

from resdep.classify import classify_dyads
from resdep.dependence import DependenceParams, noisy_or, resource_dependence, stage_state
from resdep.simulate.model import (
    DyadState,
    Rules,
    agency_goals,
    coded_philosophy,
    cosine,
    dependence_inputs,
    street_goals,
)
from resdep.simulate.params import Scale, resolve_params, resolve_scale

__all__ = ["Agency", "Committee", "District", "PurchaseModel", "Street", "run_mesa"]

STAGES = ("contracting", "implementation", "closing")
STATE_NAMES = ("interdependent", "government_dominant", "agency_dominant", "weak")
QUANTILES = (5, 25, 50, 75, 95)


def _clip(x: float, lo: float, hi: float) -> float:
    return lo if x < lo else hi if x > hi else x


class District(mesa.Agent):
    """A district civil affairs bureau."""

    def __init__(self, model: PurchaseModel, theta: float) -> None:
        super().__init__(model)
        self.theta = theta
        self.streets: list[Street] = []
        self.agencies: list[Agency] = []


class Street(mesa.Agent):
    """A street office: philosophy, budget, mandates."""

    def __init__(self, model: PurchaseModel, district: District, theta: float) -> None:
        super().__init__(model)
        self.district = district
        self.theta = theta
        self.committees: list[Committee] = []
        self.budget_mean = 0.0
        self.budget_index = 1.0
        self.budget = 0.0
        self.mandate = 1.0
        self.mismatch = 0.0
        self.push = 0.0
        self.mandate_factor = 1.0
        self.pneed = 0.0
        self.need = 0.5

    def draw_budget(self) -> None:
        m = self.model
        sig = m.f("sigma_budget")
        self.budget_index = math.exp(sig * m.rng.standard_normal() - sig * sig / 2.0)
        self.budget = self.budget_mean * self.budget_index
        sm = m.f("sigma_mandate")
        self.mandate = (
            m.f("mandate_level")
            * self.mandate_factor
            * math.exp(sm * m.rng.standard_normal() - sm * sm / 2.0)
        )
        self.mismatch = _clip(1.0 - self.budget_index / self.mandate, 0.0, 1.0)
        self.push = _clip(m.f("push_base") * (1.0 - self.theta) * (1.0 + self.mismatch), 0.0, 0.95)

    def fund(self) -> None:
        """Price factor for relational projects and order-dependent funding."""
        m = self.model
        committed = sum(c.price for c in self.committees if c.continuing)
        new = [c for c in self.committees if not c.continuing]
        demand = sum(c.budget_base for c in new)
        room = max(self.budget - committed, 0.0)
        rho = _clip(room / max(demand, 1e-12), m.f("price_floor"), m.f("price_cap"))
        for c in new:
            c.rel = c.u_mode >= m.f("p_competitive")
            c.offer = (rho if c.rel else 1.0) * c.budget_base
        cum = 0.0
        for c in sorted(new, key=lambda c: -c.prio):
            cum += c.offer
            c.funded = cum <= room + 1e-9


class Committee(mesa.Agent):
    """A neighbourhood committee and the project slot it hosts."""

    def __init__(self, model: PurchaseModel, street: Street, need: float) -> None:
        super().__init__(model)
        self.street = street
        self.need = need
        self.budget_base = 0.6 + 0.8 * need
        self.incumbent: Agency | None = None
        self.renew = True
        self.contract_left = 0
        self.mode_rel = True
        self.price = 0.0
        self.labour = 0.0
        self.kappa = 1.0
        self.u_mode = 0.0
        self.prio = 0.0
        self.rel = True
        self.offer = 0.0
        self.funded = False
        self.continuing = False
        self.winner: Agency | None = None
        self.win_labour = 0.0

    def draw_project(self) -> None:
        m = self.model
        self.kappa = _clip(m.rng.normal(m.f("cost_mean"), m.f("cost_sd")), 0.3, 2.5)
        self.u_mode = m.rng.random()
        self.prio = self.need + 0.3 * m.rng.standard_normal()
        self.continuing = self.contract_left > 0 and self.incumbent is not None
        self.rel = self.mode_rel
        self.funded = False
        self.winner = None
        self.win_labour = 0.0


class Agency(mesa.Agent):
    """A social work agency (a slot: it may exit and be refilled by an entrant)."""

    def __init__(self, model: PurchaseModel, district: District) -> None:
        super().__init__(model)
        self.district = district
        self.alive = True
        self.q_pot = self.q = self.mission = self.nongov = self.eff = 0.0
        self.draw_traits()
        self.w_gov = 0.0
        self.reserves = 0.0
        self.loss_streak = 0
        self.util = 1.0
        self.survival = False
        self.cap = 0.0
        self.growth = 0.0
        self.reputation = self.q
        self.history: dict[Street, float] = {}

    def draw_traits(self) -> None:
        m = self.model
        self.q_pot = _clip(m.rng.normal(0.6, 0.12), 0.2, 1.0)
        self.q = self.q_pot
        self.mission = _clip(m.rng.normal(m.f("mission_mean"), 0.15), 0.0, 1.0)
        self.nongov = _clip(
            m.f("nongov_share") * math.exp(m.rng.normal(0.0, 0.5) - 0.125), 0.0, 0.9
        )
        self.eff = _clip(1.0 + 0.25 * (0.6 - self.q_pot) + m.rng.normal(0.0, 0.05), 0.7, 1.4)

    def bids(self, c: Committee) -> tuple[bool, float, float]:
        """The relational-contract condition: bid, labour, history."""
        m = self.model
        h = self.history[c.street]
        lab = c.kappa * c.budget_base * self.eff
        margin = (c.offer - lab) / c.budget_base
        v_rel = m.f("relational_value") * (h + 0.2) * (1.0 - m.f("p_competitive")) if c.rel else 0.0
        oc = 0.0 if self.survival else m.f("opportunity_cost") * self.util
        return margin + m.f("discount") * v_rel - oc >= 0.0, lab, h

    def take(self, offers: list[tuple[float, Committee, float]]) -> list[tuple[Committee, float]]:
        """Accept offers in descending score while capacity lasts."""
        taken = []
        used = 0.0
        for _, c, lab in sorted(offers, key=lambda o: -o[0]):
            if used < self.cap - 1e-12:
                taken.append((c, lab))
                used += lab
        self.cap -= used
        return taken


class PurchaseModel(mesa.Model):
    """The purchase system, one Mesa agent per entity."""

    def __init__(self, params: Mapping[str, Any], scale: Scale, seed: int) -> None:
        super().__init__(rng=seed)
        self.p = dict(params)
        self.scale = scale
        self.year = 0
        self.dep_params = DependenceParams(theta_d=self.f("theta_d"), theta_pi=self.f("theta_pi"))
        nd, ns, nc, na = scale.districts, scale.streets, scale.committees, scale.agencies
        sd = self.f("theta_sd")
        self.districts = [
            District(self, _clip(self.rng.normal(self.f("theta_district"), sd), 0, 1))
            for _ in range(nd)
        ]
        self.streets = []
        for i in range(ns):
            d = self.districts[i * nd // ns]
            s = Street(self, d, _clip(self.rng.normal(self.f("theta_street"), sd), 0, 1))
            d.streets.append(s)
            self.streets.append(s)
        self.committees = []
        for i in range(nc):
            s = self.streets[i * ns // nc]
            c = Committee(self, s, float(self.rng.beta(2.0, 2.0)))
            s.committees.append(c)
            self.committees.append(c)
        spread = self.f("street_spread")
        for s in self.streets:
            s.budget_mean = self.f("budget_coverage") * sum(c.budget_base for c in s.committees)
            s.budget_mean *= math.exp(spread * self.rng.standard_normal() - spread * spread / 2.0)
            s.mandate_factor = math.exp(spread * self.rng.standard_normal() - spread * spread / 2.0)
            s.pneed = _clip(
                self.f("professional_need")
                * math.exp(0.5 * spread * self.rng.standard_normal() - spread * spread / 8.0),
                0.0,
                1.0,
            )
            s.need = sum(c.need for c in s.committees) / max(len(s.committees), 1)
        self.agencies = []
        for i in range(na):
            d = self.districts[i * nd // na]
            a = Agency(self, d)
            d.agencies.append(a)
            self.agencies.append(a)
        for d in self.districts:
            if not d.agencies:
                continue
            demand = sum(
                c.budget_base * self.f("cost_mean") for s in d.streets for c in s.committees
            )
            weights = [math.exp(self.rng.normal(0.0, 0.4)) for _ in d.agencies]
            for a, w in zip(d.agencies, weights, strict=True):
                a.w_gov = demand * w / sum(weights)
                a.history = dict.fromkeys(d.streets, 0.2)
            ws = [a.w_gov for a in d.agencies]
            for s in d.streets:
                for c in s.committees:
                    a = d.agencies[int(self.rng.choice(len(ws), p=np.asarray(ws) / sum(ws)))]
                    c.incumbent = a
                    a.history[s] = 0.7
        for a in self.agencies:  # the market's thickness
            a.w_gov *= self.f("staff_slack")
            a.reserves = 0.5 * a.w_gov
        self.entry_staff = float(np.median([a.w_gov for a in self.agencies])) if na else 1.0
        self.staff0 = sum(a.w_gov for a in self.agencies) + 1e-12
        self.need_all = sum(c.need for c in self.committees) or 1.0
        self.tallies = {"awards_s": 0.0, "loss_s": 0.0, "awards_d": 0.0, "loss_d": 0.0}
        self.growth_s: list[float] = []
        self.growth_d: list[float] = []
        self.street_tc: list[list[float]] = []
        self.street_budget: list[list[float]] = []
        self.rows: list[dict[str, float]] = []
        self.rules = Rules.from_params(self.p)

    def f(self, name: str) -> float:
        return float(self.p[name])

    # -- the yearly cycle ----------------------------------------------------------------
    def step(self) -> None:
        self.year += 1
        if self.year > 1:
            g = 1.0 + self.f("market_growth")
            for c in self.committees:
                c.budget_base *= g
            for s in self.streets:
                s.budget_mean *= g
        self.agents_by_type[Street].do("draw_budget")
        self.agents_by_type[Committee].do("draw_project")
        for a in self.agencies:
            a.survival = a.reserves < self.f("reserve_threshold") * a.w_gov
        self.agents_by_type[Street].do("fund")
        self.contracting()
        self.implementation_closing_finances()

    def contracting(self) -> None:
        k = int(self.p["candidates"])
        load_cont: dict[Agency, float] = defaultdict(float)
        for c in self.committees:
            if c.continuing:
                load_cont[c.incumbent] += c.labour  # type: ignore[index]
        for a in self.agencies:
            a.cap = max(a.w_gov * 1.05 - load_cont[a], 0.0) if a.alive else 0.0
        # renewals first
        offers: dict[Agency, list[tuple[float, Committee, float]]] = defaultdict(list)
        for c in self.committees:
            inc = c.incumbent
            if c.funded and c.rel and c.renew and inc is not None and inc.alive:
                ok, lab, h = inc.bids(c)
                if ok:
                    offers[inc].append((h + 0.1 * self.rng.standard_normal(), c, lab))
        for a, off in offers.items():
            for c, lab in a.take(off):
                c.winner, c.win_labour = a, lab
        # open award among candidates drawn in proportion to spare capacity
        open_: list[Committee] = [c for c in self.committees if c.funded and c.winner is None]
        cands: dict[Committee, list[tuple[float, Agency, float]]] = {}
        weights = {
            d: np.array([(max(a.cap, 0.0) + 0.1 * a.w_gov) if a.alive else 0.0 for a in d.agencies])
            for d in self.districts
        }
        for c in open_:
            d = c.street.district
            w = weights[d]
            if not d.agencies or w.sum() <= 0:
                cands[c] = []
                continue
            picks = self.rng.choice(len(d.agencies), size=k, p=w / w.sum())
            seen: set[int] = set()
            lst = []
            for j in picks:
                a = d.agencies[int(j)]
                noise = self.rng.standard_normal()
                if int(j) in seen or not a.alive:
                    continue
                seen.add(int(j))
                ok, lab, h = a.bids(c)
                if not ok:
                    continue
                if c.rel:
                    score = self.f("w_history") * h + (1 - self.f("w_history")) * a.q
                else:
                    score = self.f("w_capacity") * a.q + (1 - self.f("w_capacity")) * (1.2 - a.eff)
                lst.append((score + 0.1 * noise, a, lab))
            cands[c] = lst
        for _ in range(k):
            proposals: dict[Agency, list[tuple[float, Committee, float]]] = defaultdict(list)
            for c in open_:
                if c.winner is None and cands[c]:
                    best = max(cands[c], key=lambda t: t[0])
                    proposals[best[1]].append((best[0], c, best[2]))
            if not proposals:
                break
            for a, props in proposals.items():
                taken = {id(c) for c, _ in a.take(props)}
                for _score, c, lab in props:
                    if id(c) in taken:
                        c.winner, c.win_labour = a, lab
                    else:
                        cands[c] = [t for t in cands[c] if t[1] is not a]
        # tallies and new contracts
        for c in self.committees:
            if c.continuing:
                continue
            if c.winner is not None:
                s_mode = c.winner.survival
                loss = c.offer < c.win_labour
                self.tallies["awards_s" if s_mode else "awards_d"] += 1
                if loss:
                    self.tallies["loss_s" if s_mode else "loss_d"] += 1
                c.incumbent, c.price, c.labour = c.winner, c.offer, c.win_labour
                c.contract_left = int(self.p["contract_years"])
            else:
                c.incumbent, c.price, c.labour = None, 0.0, 0.0
            c.mode_rel = c.rel

    def implementation_closing_finances(self) -> None:
        wq = self.f("w_quality")
        third = self.p["evaluator"] == "third_party"
        wq_eval = max(wq, 0.5) if third else wq
        active = [c for c in self.committees if c.incumbent is not None]
        load: dict[Agency, float] = defaultdict(float)
        for c in active:
            load[c.incumbent] += c.labour  # type: ignore[index]
        welfare = reachable = 0.0
        self.quality: dict[Committee, float] = {}
        tc: dict[Street, float] = defaultdict(float)
        alpha: dict[Committee, float] = {}
        score: dict[Committee, float] = {}
        for c in active:
            a = c.incumbent
            assert a is not None
            staffing = min(1.0, a.w_gov / max(load[a], 1e-12))
            resist = self.f("resist") * (a.nongov + a.mission * (not a.survival)) / 2.0
            push = c.street.push
            al = _clip(
                (push + self.f("gamma_eval") * (1 - wq) * (1 - push)) * (1 - resist), 0.0, 0.95
            )
            quality = a.q * (1 - al) * staffing
            self.quality[c] = quality
            compliance = min(1.0, (al + 0.05) / (push + 0.05)) * staffing
            welfare += c.need * quality
            reachable += c.need * a.q * staffing
            tc[c.street] += staffing
            alpha[c] = al
            q_score = min(1.0, quality / self.f("quality_standard"))
            score[c] = wq_eval * q_score + (1 - wq_eval) * compliance
        self.street_tc.append([tc[s] / max(len(s.committees), 1) for s in self.streets])
        self.street_budget.append([s.budget_index for s in self.streets])
        by_agency: dict[Agency, list[Committee]] = defaultdict(list)
        for c in active:
            by_agency[c.incumbent].append(c)  # type: ignore[index]
        mean_alpha = {a: sum(alpha[c] for c in cs) / len(cs) for a, cs in by_agency.items()}
        for a in self.agencies:
            a.util = _clip(load[a] / max(a.w_gov, 1e-12), 0.0, 1.0)
            if a in by_agency:
                a.q += self.f("learning") * (a.q_pot * (1 - 0.5 * mean_alpha[a]) - a.q)
        # closing: history and renewal
        mem = self.f("history_memory")
        pair_scores: dict[tuple[Agency, Street], list[float]] = defaultdict(list)
        for c in active:
            pair_scores[(c.incumbent, c.street)].append(score[c])  # type: ignore[index]
        for a in self.agencies:
            for s in a.history:
                a.history[s] *= mem
        for (a, s), scs in pair_scores.items():
            a.history[s] += (1 - mem) * sum(scs) / len(scs)
        by_agency_scores: dict[Agency, list[float]] = defaultdict(list)
        for c in active:
            by_agency_scores[c.incumbent].append(score[c])  # type: ignore[index]
        for a, scs in by_agency_scores.items():  # the rating follows evaluation scores
            a.reputation = mem * a.reputation + (1 - mem) * sum(scs) / len(scs)
        k_h = self.f("renew_history")
        ending: dict[Committee, bool] = {}
        for c in active:
            a = c.incumbent
            assert a is not None
            x = self.f("renew_slope") * (score[c] - self.f("renew_mid")) + k_h * (
                a.history[c.street] - 0.5
            )
            c.renew = self.rng.random() < 1.0 / (1.0 + math.exp(-x))
            ending[c] = c.contract_left <= 1
            c.contract_left -= 1
        # finances
        rev: dict[Agency, float] = defaultdict(float)
        for c in active:
            rev[c.incumbent] += c.price  # type: ignore[index]
        profit: dict[Agency, float] = {}
        for a in self.agencies:
            pr = rev[a] - a.w_gov * 1.02 if a.alive else 0.0
            profit[a] = pr
            a.reserves += pr
            before = a.w_gov
            if a.alive and not a.survival and pr > 0 and a.util >= 0.8:
                a.w_gov += self.f("hire_rate") * pr
            if a.alive and pr < 0 and load[a] < a.w_gov:
                a.w_gov -= self.f("fire_rate") * (1.0 if a.survival else 0.25) * (a.w_gov - load[a])
            a.w_gov = max(a.w_gov, 0.2 if a.alive else 0.0)
            a.growth = (a.w_gov - before) / max(before, 1e-12)
            a.loss_streak = a.loss_streak + 1 if pr < 0 else 0
            # reserve policy: holdings above the target are spent on the mission
            a.reserves = min(a.reserves, self.f("reserve_target") * a.w_gov)
        for flag, out in ((True, self.growth_s), (False, self.growth_d)):
            g = [a.growth for a in self.agencies if a.alive and a.survival == flag]
            if g:
                out.append(float(np.mean(g)))
        dyads = self.dependence(active, alpha, rev, load, ending)
        self.philosophy(active, alpha)
        # exit and entry
        exits = {
            a
            for a in self.agencies
            if a.alive and a.loss_streak >= int(self.p["exit_years"]) and a.reserves < 0
        }
        for a in exits:
            a.alive = False
            a.w_gov = 0.0
        for c in self.committees:
            if c.incumbent is not None and not c.incumbent.alive:
                c.incumbent, c.contract_left = None, 0
        for d in self.districts:
            comms = [c for s in d.streets for c in s.committees]
            posted = sum(c.funded for c in comms)
            unserved = sum(c.funded and c.winner is None for c in comms)
            arev = sum(rev[a] for a in d.agencies if a.alive)
            aprof = sum(profit[a] for a in d.agencies if a.alive)
            pays = unserved / max(posted, 1) + 5.0 * max(aprof / max(arev, 1e-12), 0.0)
            p_entry = self.f("entry_rate") * _clip(pays, 0.0, 1.0)
            for a in d.agencies:
                if not a.alive and a not in exits and self.rng.random() < p_entry:
                    a.draw_traits()
                    a.alive = True
                    a.w_gov = self.entry_staff
                    a.reserves = 0.5 * self.entry_staff
                    a.loss_streak = 0
                    a.reputation = 0.0
                    a.history = dict.fromkeys(d.streets, 0.0)
        self.record(active, alpha, dyads, welfare, reachable, rev, mean_alpha)

    def philosophy(self, active: list[Committee], alpha: dict[Committee, float]) -> None:
        """Philosophy moves toward policy, experienced quality and evaluation; turnover."""
        push, wq, rate = self.f("policy_push"), self.f("w_quality"), self.f("philosophy_adapt")
        scores: dict[Street, list[float]] = defaultdict(list)
        for c in active:
            scores[c.street].append(min(1.0, self.quality[c] / self.f("quality_standard")))
        exp_s = {s: (sum(v) / len(v) if (v := scores.get(s)) else 0.5) for s in self.streets}
        for d in self.districts:
            exp_d = sum(exp_s[s] for s in d.streets) / max(len(d.streets), 1)
            d.theta += rate * ((push + exp_d + wq) / 3.0 - d.theta)
        for s in self.streets:
            s.theta += rate * ((push + exp_s[s] + wq) / 3.0 - s.theta)
            if self.rng.random() < self.f("turnover"):
                s.theta = s.district.theta + self.f("theta_sd") * self.rng.standard_normal()
            s.theta = _clip(s.theta, 0.0, 1.0)

    # -- dependence of one dyad at a time ----------------------------------------------
    def dependence(
        self,
        active: list[Committee],
        alpha: dict[Committee, float],
        rev: dict[Agency, float],
        load: dict[Agency, float],
        ending: dict[Committee, bool],
    ) -> list[dict[str, Any]]:
        pairs: dict[tuple[Agency, Street], list[Committee]] = defaultdict(list)
        for c in active:
            pairs[(c.incumbent, c.street)].append(c)  # type: ignore[index]
        std = self.f("quality_standard")
        spare = {
            a: max(a.w_gov - load[a], 0.0) if a.alive and a.q >= std else 0.0 for a in self.agencies
        }
        freed: dict[Agency, float] = defaultdict(float)
        keep: dict[Agency, float] = defaultdict(float)
        for c in active:
            if ending[c]:
                freed[c.incumbent] += c.labour  # type: ignore[index]
            else:
                keep[c.incumbent] += c.price  # type: ignore[index]
        nxt = {a: spare[a] + (freed[a] if a.alive and a.q >= std else 0.0) for a in self.agencies}
        purchases: dict[Street, float] = defaultdict(float)
        partners: dict[Street, list[Agency]] = defaultdict(list)
        for (a, s), cs in pairs.items():
            purchases[s] += sum(c.price for c in cs)
            if a.history[s] >= 0.3:
                partners[s].append(a)
        wq = self.f("w_quality")
        out = []
        for (a, s), cs in pairs.items():
            n = len(cs)
            rev_as = sum(c.price for c in cs)
            load_as = sum(c.labour for c in cs)
            rel = sum(c.mode_rel for c in cs) / n
            al = sum(alpha[c] for c in cs) / n
            stake = sum(ending[c] for c in cs) / n
            h = a.history[s]
            nongov_rev = a.nongov * a.w_gov / max(1 - a.nongov, 0.1)
            total = rev[a] + nongov_rev
            share = _clip(rev_as / max(total, 1e-12), 0, 1)
            f_share = _clip(nongov_rev / max(total, 1e-12), 0, 1)
            other = _clip(1 - share - f_share, 0, 1)
            keep_as = sum(c.price for c in cs if not ending[c])
            committed = _clip((keep[a] - keep_as) / max(total, 1e-12), 0, 1)
            cash = _clip(1 - a.reserves / max(a.w_gov, 1e-12), 0, 1)
            # alternatives: capacity of agencies at least as capable as this one
            district_ge = [b for b in s.district.agencies if b is not a and b.q >= a.q]
            known_ge = [b for b in partners[s] if b is not a and b.q >= a.q]

            def share_of(alt: float, load_as: float = load_as) -> float:
                return alt / (alt + max(load_as, 1e-12))

            open_spare = sum(spare[b] for b in district_ge)
            known_spare = sum(spare[b] for b in known_ge)
            m_press = s.mandate / (1.0 + s.mandate)
            one = np.ones(1)
            st = DyadState(
                share=share * one,
                nongov=f_share * one,
                other=other * one,
                other_committed=committed * one,
                cash=cash * one,
                rel=rel * one,
                stake=stake * one,
                reputation=a.reputation * one,
                theta_d=s.district.theta * one,
                psh=rev_as / max(purchases[s], 1e-12) * one,
                history=h * one,
                pneed=s.pneed * one,
                mandate_press=m_press * one,
                alpha=al * one,
                alt_bid=share_of(rel * known_spare + (1 - rel) * open_spare) * one,
                alt_switch=share_of(open_spare) * one,
                alt_next=share_of(sum(nxt[b] for b in district_ge)) * one,
            )
            cells = dependence_inputs(st, self.rules)
            grids = []
            for side in cells:
                g = np.zeros((3, 3))
                for (k, r), v in side.items():
                    g[k, r] = float(np.broadcast_to(v, (1,))[0])
                grids.append(g)
            ag_i, ag_s, ag_x, ga_i, ga_s, ga_x = grids
            d_ag = noisy_or(
                np.where(ag_i > 0, resource_dependence(ag_i, ag_s, ag_x, self.dep_params), 0.0)
            )
            d_ga = noisy_or(
                np.where(ga_i > 0, resource_dependence(ga_i, ga_s, ga_x, self.dep_params), 0.0)
            )
            gp = coded_philosophy(
                s.push * one,
                (1 - s.theta) * m_press * one,
                s.theta * h * one,
                self.f("coding_noise") * self.rng.standard_normal() * one,
            )
            gov = street_goals(s.theta * one, wq, s.need * one, m_press * one)
            agy = agency_goals(a.mission * one, s.need * one, cash * one, wq)
            ia = cosine(gov, agy)
            ind = classify_dyads(d_ag[None], d_ga[None], gp, ia)
            out.append(
                {
                    "agency": a,
                    "d_ag": d_ag,
                    "d_ga": d_ga,
                    "label": int(ind.label[0]),
                    "d_ag_mean": float(d_ag.mean()),
                    "gp": float(ind.gp[0]),
                    "ia": float(ind.ia[0]),
                    "street": s,
                    "rev_as": rev_as,
                }
            )
        return out

    def record(
        self,
        active: list[Committee],
        alpha: dict[Committee, float],
        dyads: list[dict[str, Any]],
        welfare: float,
        reachable: float,
        rev: dict[Agency, float],
        mean_alpha: dict[Agency, float],
    ) -> None:
        n = max(len(dyads), 1)
        row: dict[str, float] = {"year": float(self.year)}
        for k, stage in enumerate(STAGES):
            row[f"pa_{stage}"] = sum(float(d["d_ag"][k] - d["d_ga"][k]) for d in dyads) / n
            row[f"md_min_{stage}"] = sum(float(min(d["d_ag"][k], d["d_ga"][k])) for d in dyads) / n
            row[f"d_ag_{stage}"] = sum(float(d["d_ag"][k]) for d in dyads) / n
            row[f"d_ga_{stage}"] = sum(float(d["d_ga"][k]) for d in dyads) / n
        for k, lab in enumerate(("partnership", "buddy", "transactional")):
            row[f"share_{lab}"] = sum(d["label"] == k for d in dyads) / n
        row["welfare"] = welfare / self.need_all
        row["welfare_ratio"] = welfare / reachable if reachable > 0 else 0.0
        row["task_completion"] = sum(
            self.street_tc[-1][i] * len(s.committees) for i, s in enumerate(self.streets)
        ) / max(len(self.committees), 1)
        row["budget_index"] = sum(s.budget for s in self.streets) / max(
            sum(s.budget_mean for s in self.streets), 1e-12
        )
        row["survival"] = sum(a.alive for a in self.agencies) / max(len(self.agencies), 1)
        row["staff"] = sum(a.w_gov for a in self.agencies) / self.staff0
        pair_rev: dict[Agency, list[float]] = defaultdict(list)
        for d in dyads:
            pair_rev[d["agency"]].append(d["rev_as"])
        hhis = []
        for a in self.agencies:
            if a.alive and rev[a] > 0:
                ng = a.nongov * a.w_gov / max(1 - a.nongov, 0.1)
                hhis.append((sum(r * r for r in pair_rev[a]) + ng * ng) / (rev[a] + ng) ** 2)
        row["hhi"] = float(np.mean(hhis)) if hhis else 0.0
        row["relational_share"] = sum(c.mode_rel for c in active) / len(active) if active else 0.0
        row["formalization"] = sum(alpha.values()) / len(alpha) if alpha else 0.0
        deps: dict[Agency, list[float]] = defaultdict(list)
        for d in dyads:
            deps[d["agency"]].append(d["d_ag_mean"])
        auto = [(1 - mean_alpha[a]) * (1 - float(np.mean(deps[a]))) for a in mean_alpha]
        row["autonomy"] = float(np.mean(auto)) if auto else 0.0
        row["n_dyads"] = float(len(dyads))
        # the stage states and PA quantiles across dyads, philosophy, GP and IA
        d_ag = np.array([d["d_ag"] for d in dyads]).reshape(-1, 3)
        d_ga = np.array([d["d_ga"] for d in dyads]).reshape(-1, 3)
        codes = stage_state(d_ag, d_ga, self.dep_params)
        for k, stage in enumerate(STAGES):
            for c, name in enumerate(STATE_NAMES):
                row[f"share_{name}_{stage}"] = float((codes[:, k] == c).sum()) / n
            for q in QUANTILES:
                row[f"pa_{stage}_q{q:02d}"] = (
                    float(np.percentile(d_ag[:, k] - d_ga[:, k], q)) if dyads else math.nan
                )
        row["theta_mean"] = float(np.mean([s.theta for s in self.streets]))
        row["gp_mean"] = float(np.mean([d["gp"] for d in dyads])) if dyads else 0.0
        row["ia_mean"] = float(np.mean([d["ia"] for d in dyads])) if dyads else 0.0
        self.rows.append(row)

    def pattern_stats(self) -> dict[str, float]:
        t = self.tallies
        out = {
            "loss_share_survival": t["loss_s"] / t["awards_s"] if t["awards_s"] else math.nan,
            "loss_share_development": t["loss_d"] / t["awards_d"] if t["awards_d"] else math.nan,
            "staff_growth_survival": float(np.mean(self.growth_s)) if self.growth_s else math.nan,
            "staff_growth_development": float(np.mean(self.growth_d))
            if self.growth_d
            else math.nan,
        }
        tc = np.asarray(self.street_tc)
        bi = np.asarray(self.street_budget)
        cv_tc = tc.std(0) / np.maximum(tc.mean(0), 1e-12)
        cv_b = bi.std(0) / np.maximum(bi.mean(0), 1e-12)
        ok = cv_b > 0
        w = np.array([len(s.committees) for s in self.streets], dtype=float)[ok]
        out["smoothing_ratio"] = (
            float(np.average(cv_tc[ok] / cv_b[ok], weights=w)) if ok.any() else math.nan
        )
        return out


def run_mesa(
    scenario: str = "baseline",
    *,
    scale: str = "case",
    years: int = 20,
    seed: int = 0,
    overrides: Mapping[str, object] | None = None,
) -> tuple[list[dict[str, float]], dict[str, float]]:
    """Run the Mesa version; returns the yearly rows and the run statistics."""
    params = resolve_params(scenario, overrides)
    model = PurchaseModel(params, resolve_scale(scale, params), seed)
    for _ in range(years):
        model.step()
    return model.rows, model.pattern_stats()
