"""Demo data: the sample offices and members (``pilar demo``), and the generator."""

from storage.sample.demo import (
    SAMPLE_OPERATOR,
    load,
    members,
    office_name,
    offices,
    owner_of,
)

__all__ = [
    "offices",
    "members",
    "office_name",
    "SAMPLE_OPERATOR",
    "owner_of",
    "load",
]
