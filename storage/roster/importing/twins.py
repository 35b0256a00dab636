"""The same person twice under NIKs a typo apart (issue 23): a row typed again with one digit of the NIK
wrong, or a row whose NIK is one digit off a member already in the roster. Same name and birth date and a
NIK one digit (or two swapped digits) apart: held for the clerk's decision, never two members silently."""

from __future__ import annotations

from storage.core.i18n import t


def name_key(name: str) -> str:
    """'SITI AMINAH, S.Pd' -> 'siti aminah': the name as compared (case, spacing and the degree after the
    comma left out); cheap enough for every member of a 100,000-member roster."""
    return " ".join(str(name or "").split(",", 1)[0].casefold().split())


def nik_typo(a: str, b: str) -> str:
    """How NIK ``b`` differs from ``a`` when it is a typo of it ('' when not): one digit, or two
    neighbouring digits swapped; the sentence names the position(s), 1-based, as on the card."""
    if len(a) != 16 or len(b) != 16 or a == b:
        return ""
    if not (a[:8] == b[:8] or a[8:] == b[8:] or (a[:7] == b[:7] and a[9:] == b[9:])):
        return ""  # a typo leaves one half alone: most namesakes are told apart here, without a loop
    diff = [i for i in range(16) if a[i] != b[i]]
    if len(diff) == 1:
        return t("roster.import.twin_one_digit", position=diff[0] + 1)
    if len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]:
        return t("roster.import.twin_swapped", position=diff[0] + 1, next=diff[1] + 1)
    return ""


def mask_near(nik: str, other: str) -> str:
    """A NIK masked as the preview masks it, except the digits around where it differs from ``other``
    (the clerk compares them with the ID card): '3578121705840801' vs …0701 -> '************0801'."""
    diff = [i for i in range(min(len(nik), len(other))) if nik[i] != other[i]]
    if not diff:
        return "*" * max(0, len(nik) - 4) + nik[-4:]
    lo = max(0, min(diff[0] - 2, len(nik) - 4))
    hi = min(len(nik), max(diff[-1] + 2, lo + 4))
    return "*" * lo + nik[lo:hi] + "*" * (len(nik) - hi)


class Twins:
    """Rows of one file and members of the roster by (name, birth date), to find a NIK typed twice."""

    def __init__(self, roster) -> None:
        self.roster = roster
        self.rows: dict[tuple[str, str], list] = {}  # (name key, birth date) -> RowPlans with that person
        self._members: dict[tuple[str, str], list] | None = None

    def _by_name(self) -> dict[tuple[str, str], list]:
        if self._members is None:  # built on the first row that needs it: one pass over the roster's rows
            index: dict[tuple[str, str], list] = {}
            for row in self.roster.sorted_rows():
                if row.name and len(row.nik) == 16:
                    # by name and the birth date the NIK codes (DDMMYY, women's day + 40): a namesake born
                    # another day is never looked at
                    index.setdefault((name_key(row.name), row.nik[6:12]), []).append(row)
            self._members = index
        return self._members

    def in_file(self, name: str, born: str, nik: str) -> list[tuple[object, str]]:
        """(earlier RowPlan, how the NIKs differ) for rows above with this person under a NIK a typo apart."""
        return [(r, how) for r in self.rows.get((name_key(name), born), [])
                if r.fate in ("add", "hold") and (how := nik_typo(r.nik, nik))]

    def in_roster(self, name: str, born: str, nik: str) -> list[tuple[dict, str]]:
        """(member, how the NIKs differ) for members of the roster who are this person under a NIK a typo apart."""
        if len(born) != 10 or born.count("-") != 2:
            return []
        out = []
        key, (year, month, day) = name_key(name), born.split("-")
        index = self._by_name()
        rows = [*index.get((key, f"{day}{month}{year[2:]}"), []),
                *index.get((key, f"{int(day) + 40:02d}{month}{year[2:]}"), [])]
        for row in rows:
            if not (how := nik_typo(row.nik, nik)):
                continue  # the common case (a namesake), decided on the row without reading the member
            member = self.roster.get(row.id)
            if member and member.get("birth_date") == born:
                out.append((member, how))
        return out

    def remember(self, plan, born: str) -> None:
        if plan.name and born and plan.nik:
            self.rows.setdefault((name_key(plan.name), born), []).append(plan)
