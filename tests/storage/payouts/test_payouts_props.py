"""Property tests: no sequence of runs, rate changes, roster changes, approvals, payments, voids and
re-runs can pay a member twice for one pillar and quarter; money stays int; totals agree everywhere."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from storage import payouts
from storage.core.errors import PilarError
from storage.payouts import documents
from tests.support.payouts import approve_all, make_db, member

QUARTERS = ("2024-Q1", "2024-Q2", "2024-Q3")
N = 4


class PayoutMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.dir = Path(tempfile.mkdtemp(prefix="pilar-payouts-"))
        two = member(3, "TAGANA", extra=[{"pillar": "TKSK", "position": "ANGGOTA", "area_kab": "35.78", "id": "x",
                                          "office": "UPT-PSTW-JEMBER", "start": "2023-01-01", "status": "ACTIVE"}])
        self.db = make_db(self.dir / "d", [member(0, "TAGANA"), member(1, "TKSK"), member(2, "PKH_PLUS", "KORKAB"),
                                            two])
        self.paid_keys: set[tuple[str, str, str]] = set()

    def teardown(self) -> None:
        self.db.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def _all_items(self) -> list[dict]:
        return [v for q in QUARTERS for v in payouts.items(self.db, q)]

    @rule(q=st.sampled_from(QUARTERS), cash=st.booleans())
    def run(self, q, cash):
        try:
            payouts.run_quarter(self.db, q, allow_cash=cash)
        except PilarError:
            pass

    @rule(q=st.sampled_from(QUARTERS))
    def rerun_changes_nothing(self, q):
        payouts.run_quarter(self.db, q)
        seq = self.db.seq
        plan, created = payouts.run_quarter(self.db, q)
        assert created == [] and plan.changes == 0 and self.db.seq == seq

    @rule(q=st.sampled_from(QUARTERS))
    def approve(self, q):
        try:
            approve_all(self.db, q)
        except PilarError:
            pass

    @rule(q=st.sampled_from(QUARTERS), who=st.lists(st.integers(0, N - 1), max_size=2, unique=True))
    def pay(self, q, who):
        ids = [m["id"] for m in sorted(self.db.values("members"), key=lambda m: m["name"])]
        try:
            payouts.pay_transfer(self.db, q, "REF", [ids[i] for i in who] or None)
        except PilarError:
            pass

    @rule(pick=st.integers(0, 50), reissue=st.booleans())
    def void(self, pick, reissue):
        items = sorted(self._all_items(), key=lambda v: v["id"])
        if not items:
            return
        item = items[pick % len(items)]
        try:
            payouts.void(self.db, item["id"], "uji", reissue=reissue)
        except PilarError:
            assert item["status"] in ("paid", "void") or reissue

    @rule(pick=st.integers(0, 50))
    def reissue(self, pick):
        items = sorted(self._all_items(), key=lambda v: v["id"])
        if items:
            try:
                payouts.reissue(self.db, items[pick % len(items)]["id"])
            except PilarError:
                pass

    @rule(amount=st.integers(1, 5_000_000), tax=st.integers(0, 100_000), q=st.sampled_from(QUARTERS),
          pillar=st.sampled_from(("TAGANA", "TKSK", "PKH_PLUS")))
    def change_rate(self, amount, tax, q, pillar):
        start = payouts.Quarter.parse(q).bounds[0]
        try:
            payouts.set_rate(self.db, pillar=pillar, amount=amount, tax=min(tax, amount), start=start,
                       funding="APBD_PROVINSI")
        except PilarError:
            pass

    @rule(i=st.integers(0, N - 1), active=st.booleans(), account=st.booleans())
    def change_member(self, i, active, account):
        m = sorted(self.db.values("members"), key=lambda m: m["name"])[i]
        m = self.db.get("members", m["id"])
        a = m["assignments"][0]
        a.update(status="ACTIVE" if active else "INACTIVE", inactive_date="" if active else "2024-05-15")
        m["bank"]["account"] = f"00{i:08d}" if account else ""
        with self.db.transaction("test.edit") as tx:
            tx.put("members", m)

    @invariant()
    def never_paid_twice_and_money_is_int(self):
        live: dict[tuple, int] = {}
        paid: dict[tuple, int] = {}
        for v in self._all_items():
            key = (v["member_id"], v["pillar"], v["quarter"])
            assert all(type(v[k]) is int for k in ("gross", "tax", "net"))
            assert v["net"] == v["gross"] - v["tax"] >= 0
            if v["status"] in payouts.LIVE:
                live[key] = live.get(key, 0) + 1
            if v["status"] == "paid":
                paid[key] = paid.get(key, 0) + 1
                self.paid_keys.add(key)
        assert all(n == 1 for n in live.values())
        assert all(n == 1 for n in paid.values())
        assert self.paid_keys <= set(paid)  # a payment, once made, stays recorded

    @invariant()
    def totals_agree(self):
        for q in QUARTERS:
            summary = payouts.summary(self.db, q)
            live = [v for v in payouts.items(self.db, q) if v["status"] in payouts.LIVE]
            assert summary["total"]["net"] == sum(v["net"] for v in live)
            assert summary["total"]["count"] == len(live)
            _groups, grand, _left = documents.nominatif_groups(self.db, q, draft=True)
            assert grand == [summary["total"][k] for k in ("count", "gross", "tax", "net")]
            run = payouts.get_run(self.db, q)
            if run is not None:
                assert run["net"] == summary["total"]["net"] and run["status"] == summary["status"]


PayoutMachine.TestCase.settings = settings(max_examples=25, stateful_step_count=14, deadline=None,
                                           suppress_health_check=[HealthCheck.too_slow])
TestPayoutMachine = PayoutMachine.TestCase
