"""A saved run hands its plan's items to the transaction (no copy of each) and keeps only their ids
(issue 25: a quarterly run's 100,000 items were held twice, then to the end of the command): what it
returns reads back as the saved items, and a save that fails leaves the plan as it was, to save again."""

from __future__ import annotations

import copy

import pytest

import storage.core.db as dbm
from storage import payouts
from storage.core.errors import PilarError, SavedButError
from tests.support.payouts import Q2_CODE as Q2
from tests.support.payouts import make_db, member


@pytest.fixture
def db(tmp_path):
    db = make_db(tmp_path / "d", [member(i, ("TAGANA", "TKSK", "PSM")[i % 3]) for i in range(1, 13)]
                 + [member(20, "TAGANA", account="")])  # no account: excluded
    yield db
    db.close()


def test_a_saved_run_returns_its_items_read_back(db):
    plan = payouts.plan_run(db, Q2)
    previewed = copy.deepcopy(plan.new)
    created = payouts.save_run(db, plan)
    assert plan.saved and plan.new is created and len(created) == 12 == len(previewed)
    assert [v["id"] for v in created] == [v["id"] for v in previewed]  # in the preview's order
    for saved, seen in zip(created, previewed, strict=True):
        assert saved == dict(seen, saved_by="Siti", owner=db.code)
        assert saved == db.get("payouts_2024", seen["id"])
    assert [v["id"] for v in created[1:3]] == [v["id"] for v in previewed[1:3]]
    assert created[-1]["id"] == previewed[-1]["id"]
    # what the folder holds: one record each, the run's header and its audit entries
    assert len(payouts.items(db, Q2)) == 12 and payouts.get_run(db, Q2)["count"] == 12
    assert all(db.audit.for_record(v["id"]) for v in previewed)
    # saved again: nothing new
    again = payouts.save_run(db, payouts.plan_run(db, Q2))
    assert again == [] and len(again) == 0


def test_a_save_that_fails_leaves_the_plan_as_it_was(db, monkeypatch):
    plan = payouts.plan_run(db, Q2)
    previewed = copy.deepcopy(plan.new)

    def full_disk(path, data):
        raise PilarError("db.io_error", path=str(path), error="No space left on device")

    monkeypatch.setattr(dbm, "append_durable", full_disk)
    with pytest.raises(PilarError):
        payouts.save_run(db, plan)
    monkeypatch.undo()
    assert not plan.saved and plan.new == previewed  # every item with its id, in its order, no saved_by
    assert [list(v) for v in plan.new] == [list(v) for v in previewed]
    assert payouts.items(db, Q2) == [] and payouts.get_run(db, Q2) is None
    created = payouts.save_run(db, plan)  # the same preview, saved once the disk has room
    assert len(created) == 12 and len(payouts.items(db, Q2)) == 12
    assert {v["id"]: v["net"] for v in created} == {v["id"]: v["net"] for v in previewed}


def test_a_save_durable_before_a_failure_is_saved_and_its_records_untouched(db, monkeypatch):
    """The journal line on disk, then something fails (the audit append, the fold): the run is saved (the
    user is told so), the plan says so, and the saved records are not given back their ids."""
    plan = payouts.plan_run(db, Q2)
    previewed = copy.deepcopy(plan.new)
    real = dbm.Database._install

    def then_fails(self, *args, **kwargs):
        real(self, *args, **kwargs)
        raise PilarError("db.io_error", path="audit.jsonl", error="No space left on device")

    monkeypatch.setattr(dbm.Database, "_install", then_fails)
    with pytest.raises(SavedButError):
        payouts.save_run(db, plan)
    monkeypatch.undo()
    assert plan.saved and [v["id"] for v in plan.new] == [v["id"] for v in previewed]
    for v in previewed:
        assert "id" not in db.doc("payouts_2024", v["id"])["v"][0]["data"]
        assert db.get("payouts_2024", v["id"]) == dict(v, saved_by="Siti", owner=db.code)
    assert payouts.save_run(db, payouts.plan_run(db, Q2)) == []  # nothing left to save


def test_a_save_that_fails_while_handing_its_items_over_leaves_the_plan_as_it_was(db, monkeypatch):
    import storage.payouts.run as run

    plan = payouts.plan_run(db, Q2)
    previewed = copy.deepcopy(plan.new)

    def refused(tx, db, plan):
        raise PilarError("db.io_error", path="exclusions", error="refused")

    monkeypatch.setattr(run, "save_exclusions", refused)  # after every item was handed over
    with pytest.raises(PilarError):
        payouts.save_run(db, plan)
    monkeypatch.undo()
    # (made again from the staged records: each item's dict was let go as it was handed over)
    assert plan.new == previewed
    assert [list(v) for v in plan.new] == [list(v) for v in previewed]
    assert payouts.items(db, Q2) == []
    assert len(payouts.save_run(db, plan)) == 12
