"""The triwulan: a year and a quarter (1-4), written '2024-Q2'."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from storage.core.errors import PilarError
from storage.domain.fmt import parse_quarter, quarter_bounds


@dataclass(frozen=True)
class Quarter:
    """One triwulan: '2024-Q2' is April to June 2024."""

    year: int
    q: int

    @classmethod
    def of(cls, quarter: Quarter | str) -> Quarter:
        """``quarter`` as a Quarter: a Quarter as it is, a code ('2024-Q2') parsed."""
        return quarter if isinstance(quarter, Quarter) else cls.parse(quarter)

    @classmethod
    def current(cls, today: dt.date | None = None) -> Quarter:
        """The quarter of ``today`` (default: the computer's date)."""
        today = today or dt.date.today()
        return cls(today.year, (today.month - 1) // 3 + 1)

    def shift(self, step: int) -> Quarter:
        """The quarter ``step`` quarters later (earlier when negative): 2024-Q4 shifted by 1 is 2025-Q1."""
        index = self.year * 4 + self.q - 1 + step
        return Quarter(index // 4, index % 4 + 1)

    @classmethod
    def parse(cls, text: object) -> Quarter:
        try:
            year, q = parse_quarter(str(text))
        except ValueError:
            raise PilarError("payout.bad_quarter", value=text) from None
        return cls(year, q)

    @property
    def code(self) -> str:
        return f"{self.year}-Q{self.q}"

    @property
    def bounds(self) -> tuple[str, str]:
        first, last = quarter_bounds(self.year, self.q)
        return first.isoformat(), last.isoformat()

    @property
    def collection(self) -> str:
        return f"payouts_{self.year}"

    def __str__(self) -> str:
        return self.code
