"""State machine over runs, member conflicts (sibling versions made with the raw document API, as a
sync import of two offices' parallel edits leaves them), resolutions, decisions at approval, payments
by two operators with separation of duties, voids and returns. It shows:

- no member is paid twice for one quarter and pillar (a returned payment is not a payment);
- no item is paid, or approved anyway, while its member's bank account or holder is contested;
- a quarter's totals (summary, run header, nominatif) always equal the sum of its standing items.
"""

from __future__ import annotations

import copy
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from storage import payouts
from storage.core.errors import PilarError
from storage.payouts import documents
from storage.reconcile import conflicts
from storage.reconcile import duplicates as Dup
from tests.support.payouts import make_db, member

QUARTERS = ("2024-Q1", "2024-Q2")
N = 4
OPERATORS = ("Siti", "Budi", "Ani")


class ConflictPayoutMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.dir = Path(tempfile.mkdtemp(prefix="pilar-payouts-conflicts-"))
        two = member(3, "TAGANA", extra=[{"pillar": "TKSK", "position": "ANGGOTA", "area_kab": "35.78", "id": "x",
                                          "office": "UPT-PSTW-JEMBER", "start": "2023-01-01", "status": "ACTIVE"}])
        self.db = make_db(self.dir / "d", [member(0, "TAGANA"), member(1, "TKSK"), member(2, "PKH_PLUS", "KORKAB"),
                                            two], separate_duties=True)
        self.ids = [m["id"] for m in sorted(self.db.values("members"), key=lambda m: m["name"])]
        self.forks = 0
        self.dups = 0
        self._nik_by_id: dict[str, str] = {}
        self.paid_ids: set[str] = set()

    def teardown(self) -> None:
        self.db.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def _all_items(self) -> list[dict]:
        return [v for q in QUARTERS for v in payouts.items(self.db, q)]

    def _bank_contested(self) -> set[str]:
        return {mid for mid in self.ids if payouts.bank_contested(payouts.contested(self.db, self.db.get("members", mid)))}

    # ------------------------------------------------------------------ rules

    @rule(who=st.sampled_from(OPERATORS))
    def switch_operator(self, who):
        self.db.operator = who

    @rule(q=st.sampled_from(QUARTERS), cash=st.booleans())
    def run(self, q, cash):
        plan, _created = payouts.run_quarter(self.db, q, allow_cash=cash)
        contested = {mid for mid in self.ids if payouts.contested(self.db, self.db.get("members", mid))}
        assert {r["member_id"] for r in plan.held} <= contested
        assert not {v["member_id"] for v in plan.new} & contested  # held out: no new item

    @rule(i=st.integers(0, N - 1), what=st.sampled_from(("account", "holder", "phone", "position", "delete")))
    def conflict(self, i, what):
        """Another office's concurrent edit of member i arrives: a second sibling version."""
        mid = self.ids[i]
        doc = self.db.doc("members", mid)
        top = doc["v"][0]
        if top["deleted"]:
            return
        self.forks += 1
        data = copy.deepcopy(top["data"])
        if what == "account":
            data.setdefault("bank", {})["account"] = f"77{self.forks:08d}"
        elif what == "holder":
            data.setdefault("bank", {})["holder"] = f"ORANG {self.forks}"
        elif what == "phone":
            data["phone"] = f"+62812{self.forks:07d}"
        elif what == "position":
            data["assignments"][0]["position"] = "KOORDINATOR_KEC"
        replica = f"upt-b-{self.forks}"
        other = dict(top, dot=[replica, 1], vv={replica: 1}, office="UPT-B", hlc=top["hlc"] + (self.forks % 2) * 2 - 1,
                     deleted=what == "delete", data={} if what == "delete" else data)
        with self.db.transaction("sync.import") as tx:
            tx.put_doc("members", dict(doc, v=list(doc["v"]) + [other]))

    @rule(i=st.integers(0, N - 1), keep=st.integers(1, 3))
    def resolve(self, i, keep):
        doc = self.db.doc("members", self.ids[i])
        if doc is None or len(doc["v"]) < 2:
            return
        keep = min(keep, len(doc["v"]))
        if doc["v"][keep - 1]["deleted"]:
            keep = next(n for n, v in enumerate(doc["v"], 1) if not v["deleted"])
        conflicts.resolve(self.db, self.ids[i], keep=keep)

    def _operator_other_than(self, names: set[str]) -> str:
        return next(o for o in OPERATORS if o not in names)

    @rule(q=st.sampled_from(QUARTERS), void_some=st.booleans(), try_bank=st.booleans(), as_saver=st.booleans())
    def approve(self, q, void_some, try_bank, as_saver):
        savers = {v.get("saved_by") for v in payouts.items(self.db, q, ("draft",))}
        if as_saver and savers:
            self.db.operator = sorted(savers)[0]  # must be refused: separation of duties
        else:
            self.db.operator = self._operator_other_than(savers)
        refused_saver = as_saver and bool(savers)
        blockers = payouts.approval_blockers(self.db, q)
        decisions = {}
        for n, b in enumerate(blockers):
            if not b["can_approve"] and try_bank:
                decisions[b["id"]] = ("approve", "paksa")  # must be refused
            elif not b["can_approve"] or (void_some and n % 2):
                decisions[b["id"]] = ("void", "diperiksa: batal")
            else:
                decisions[b["id"]] = ("approve", "diperiksa: sah")
        voided = {rid for rid, (action, _r) in decisions.items() if action == "void"}
        # The saver may still void its own drafts: refused only when one of them would be approved.
        refused_saver = refused_saver and any(v.get("saved_by") == self.db.operator and v["id"] not in voided
                                              for v in payouts.items(self.db, q, ("draft",)))
        before = {v["id"]: v["status"] for v in payouts.items(self.db, q)}
        try:
            payouts.approve(self.db, q, decisions)
        except PilarError as exc:
            assert {v["id"]: v["status"] for v in payouts.items(self.db, q)} == before, exc.key
            return
        assert not refused_saver, "the saver approved"
        assert not (try_bank and any(not b["can_approve"] for b in blockers))
        for v in payouts.items(self.db, q):
            if before.get(v["id"]) == "draft" and v["status"] == "approved":
                assert v.get("saved_by") != self.db.operator  # separation of duties
                assert v["member_id"] not in self._bank_contested()

    @rule(q=st.sampled_from(QUARTERS), who=st.lists(st.integers(0, N - 1), max_size=2, unique=True),
          per_member=st.booleans(), as_approver=st.booleans())
    def pay(self, q, who, per_member, as_approver):
        approvers = {v.get("approved_by") for v in payouts.items(self.db, q, ("approved",))}
        if as_approver and approvers:
            self.db.operator = sorted(approvers)[0]  # must be refused: separation of duties
        else:
            self.db.operator = self._operator_other_than(approvers)
        contested = self._bank_contested()
        before = {v["id"] for v in payouts.items(self.db, q, ("paid",))}
        try:
            if per_member and who:
                payouts.pay_transfers(self.db, q, {self.ids[i]: f"REF-{i}" for i in who})
            else:
                payouts.pay_transfer(self.db, q, "REF", [self.ids[i] for i in who] or None)
        except PilarError as exc:
            assert {v["id"] for v in payouts.items(self.db, q, ("paid",))} == before, exc.key
            return
        assert not (as_approver and approvers), "the approver marked it paid"
        for v in payouts.items(self.db, q, ("paid",)):
            if v["id"] not in before:
                assert v["member_id"] not in contested, "paid to an account in conflict"
                assert v.get("approved_by") != self.db.operator  # separation of duties
                self.paid_ids.add(v["id"])

    @rule(q=st.sampled_from(QUARTERS), void_some=st.booleans(), per_member=st.booleans())
    def whole_quarter(self, q, void_some, per_member):
        """Run, approve and pay a quarter as three operators in turn (the path most quarters take)."""
        self.db.operator = "Siti"
        self.run(q, cash=False)
        self.approve(q, void_some, try_bank=False, as_saver=False)
        self.pay(q, [0, 1, 2, 3] if per_member else [], per_member, as_approver=False)

    @rule(pick=st.integers(0, 50), reissue=st.booleans())
    def void(self, pick, reissue):
        items = sorted(self._all_items(), key=lambda v: v["id"])
        if items:
            try:
                payouts.void(self.db, items[pick % len(items)]["id"], "uji", reissue=reissue)
            except PilarError:
                pass

    @rule(pick=st.integers(0, 50), reopen=st.booleans())
    def give_back(self, pick, reopen):
        paid = sorted((v for v in self._all_items() if v["status"] == "paid"), key=lambda v: v["id"])
        if not paid:
            return
        item = paid[pick % len(paid)]
        try:
            payouts.return_item(self.db, item["id"], "retur bank", "2024-07-15", reopen=reopen)
        except PilarError:
            assert reopen  # closing a paid item is always possible; reopening may be refused (conflict)
            assert payouts.find_item(self.db, item["id"])[0]["status"] == "paid"

    @rule(i=st.integers(0, N - 1), account=st.booleans())
    def duplicate(self, i, account):
        """The same person registered at another UPT arrives (same NIK, another record): a duplicate case."""
        value = self.db.get("members", self.ids[i])
        if value is None or value.get("_conflict") or self.dups >= 3:
            return
        self.dups += 1
        dup = {k: copy.deepcopy(v) for k, v in value.items() if not k.startswith("_") and k not in ("id", "owner")}
        dup["id"] = f"00000000-0000-4000-8000-{self.dups:012d}"
        dup["assignments"] = [dict(a, id=f"dup-{self.dups}-{n}", office="UPT-PSTW-MALANG")
                              for n, a in enumerate(dup.get("assignments") or [])]
        if account:
            dup["bank"] = dict(dup.get("bank") or {}, account=f"55{self.dups:08d}")
        with self.db.transaction("sync.import") as tx:
            tx.put("members", dup, owner="UPT-PSTW-MALANG")
        self.ids.append(dup["id"])

    @rule(pick=st.integers(0, 10), keep_first=st.booleans())
    def merge(self, pick, keep_first):
        cases = Dup.cases(self.db)
        if not cases:
            return
        ids = cases[pick % len(cases)]["ids"][:2]
        a, b = ids if keep_first else ids[::-1]
        try:
            Dup.merge(self.db, a, b)
        except PilarError as exc:
            assert exc.key.startswith(("conflict", "dup.")), exc.key

    @precondition(lambda self: self.paid_ids)
    @rule()
    def rerun_changes_nothing_twice(self):
        for q in QUARTERS:
            payouts.run_quarter(self.db, q)
            seq = self.db.seq
            plan, created = payouts.run_quarter(self.db, q)
            assert created == [] and plan.changes == 0 and self.db.seq == seq

    # ------------------------------------------------------------------ invariants

    def _nik_of(self) -> dict[str, str]:
        """Member id -> NIK, merged-away records included (a person is a NIK, not a record)."""
        out = {}
        for rid, doc in self.db.raw("members").items():
            for v in doc["v"]:
                if v["data"].get("nik"):
                    out[rid] = v["data"]["nik"]
        for rid in self.ids:
            out.setdefault(rid, self._nik_by_id.get(rid, rid))
        self._nik_by_id.update(out)
        return out

    @invariant()
    def never_paid_twice(self):
        live: dict[tuple, int] = {}
        paid: dict[tuple, int] = {}
        nik = self._nik_of()
        for v in self._all_items():
            key = (nik.get(v["member_id"], v["member_id"]), v["pillar"], v["quarter"])
            assert all(type(v[k]) is int for k in ("gross", "tax", "net")) and v["net"] == v["gross"] - v["tax"]
            if v["status"] in payouts.LIVE:
                live[key] = live.get(key, 0) + 1
            if v["status"] == "paid":
                paid[key] = paid.get(key, 0) + 1
        assert all(n == 1 for n in live.values())
        assert all(n == 1 for n in paid.values())
        # A payment once made stays recorded: paid, or returned with its money back.
        for rid in self.paid_ids:
            assert payouts.find_item(self.db, rid)[0]["status"] in ("paid", "returned")
        assert payouts.check_payouts(self.db) == []

    @invariant()
    def totals_agree(self):
        for q in QUARTERS:
            summary = payouts.summary(self.db, q)
            live = [v for v in payouts.items(self.db, q) if v["status"] in payouts.LIVE]
            assert summary["total"]["net"] == sum(v["net"] for v in live)
            assert summary["total"]["count"] == len(live)
            _groups, grand, left_out = documents.nominatif_groups(self.db, q, draft=True)
            assert left_out == 0
            assert grand == [summary["total"][k] for k in ("count", "gross", "tax", "net")]
            run = payouts.get_run(self.db, q)
            if run is not None:
                assert run["net"] == summary["total"]["net"] and run["status"] == summary["status"]


ConflictPayoutMachine.TestCase.settings = settings(max_examples=40, stateful_step_count=30, deadline=None,
                                                   suppress_health_check=[HealthCheck.too_slow])
TestConflictPayoutMachine = ConflictPayoutMachine.TestCase
