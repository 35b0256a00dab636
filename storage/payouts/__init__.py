"""Quarterly payouts (bantuan operasional, tali asih): rates, runs, approval, payment, void, arrears.

Rules that keep money right:

- Money is int rupiah everywhere (:func:`money` refuses floats, bools and negatives).
- A payout item's id is ``uuid5(NAMESPACE, "member:pillar:year:quarter:kind")`` (``:rN`` appended for
  the replacement of a voided item), so two offices generating the same quarter make the same record
  and a re-run never duplicates one (sync.md, "Money").
- At most one item that is not void stands per (member, pillar, quarter); only an approved item can
  be paid, only once; an approved item is never edited: it is voided and, if needed, reissued.
- Items store their own amounts and bank snapshot, so changing a rate or an account later never
  changes what was approved.
- An item in sync conflict (``_conflict``) cannot be approved, paid or exported to the bank. A member
  whose conflict siblings differ in a payout field (NIK, bank account or holder, assignments) is held
  out of runs (reason ``conflict``); their drafts block approval until decided (approved anyway with a
  reason, never while the account is contested, or voided); nothing is paid to a contested account.
- Drafts flagged for review (a member under two or more pillars) are decided one by one at approval.
- Separation of duties (a province setting, on by default): who saved a draft does not approve it,
  who approved an item does not mark it paid.
- Money that comes back (retur, cash handed back) is recorded on the paid item (status ``returned``,
  not standing) and reopened as a new draft revision or closed: still one payment per member, pillar
  and quarter.
- Rates, runs and items are the province's records (owner ``JATIM``).

The code is in four modules, one idea each, each building on the ones before it:
:mod:`storage.payouts.items` (money, dates, quarters, ids, items), :mod:`storage.payouts.rates` (rates,
signers, sample rates), :mod:`storage.payouts.run` (eligibility, preview, saving a run) and
:mod:`storage.payouts.lifecycle` (approve, pay, void, reissue, return, outstanding, checks);
:mod:`storage.payouts.bank_result` reads the bank's result file. This module is
the one the screens, the command line and the documents import.
"""

from __future__ import annotations

from storage.core.db import gc_paused as bulk  # noqa: F401  (the documents pause the collector the same way)
from storage.office.settings import (  # noqa: F401  (the payout documents' signers and the duties rule)
    SIGNERS_ID,
    separate_duties,
    set_separate_duties,
    set_signers,
    signers,
)
from storage.payouts.items import (  # noqa: F401
    CONTESTED_FIELDS,
    FUNDING,
    ITEM_KIND,
    LIVE,
    METHODS,
    NAMESPACE,
    RATE_KINDS,
    REASONS,
    STATUSES,
    Quarter,
    bank_contested,
    check_date,
    contested,
    contested_label,
    find_item,
    item_id,
    items,
    match_items,
    members_by_id,
    money,
    parse_money,
    run_id,
    uuid5_str,  # noqa: F401  (tests check it equals uuid.uuid5)
)
from storage.payouts.lifecycle import (  # noqa: F401
    approval_blockers,
    approve,
    blocker_label,
    check_payouts,
    checked_in_invitation,
    duties_refusal,
    outstanding,
    outstanding_by_member,
    outstanding_by_quarter,
    outstanding_quarters,
    pay_cash,
    pay_transfer,
    pay_transfers,
    reissue,
    return_item,
    returned_items,
    summary,
    void,
    void_refusal,
)
from storage.payouts.rates import (  # noqa: F401
    SAMPLE_RATES,
    load_sample,
    rate_for,
    rates,
    set_rate,
)
from storage.payouts.run import (  # noqa: F401
    RunPlan,
    Totals,
    get_run,
    plan_run,
    run_quarter,
    run_status,
    save_run,
    totals_of,
)

