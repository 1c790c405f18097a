"""Pure matching logic: eligibility and ranking, the directory of supporters, a seeker's
open requests and a supporter's slots. No I/O."""

from kindred.matching.domain.directory import Directory
from kindred.matching.domain.matching import Candidate, OpenRequest, eligible, rank, suits
from kindred.matching.domain.requests import Ask, Pending, Requests, slot_requested
from kindred.matching.domain.supporters import (
    Supporter,
    Supporters,
    match_id_for,
    match_proposed,
    slot_answered,
)

__all__ = [
    "Ask",
    "Candidate",
    "Directory",
    "OpenRequest",
    "Pending",
    "Requests",
    "Supporter",
    "Supporters",
    "eligible",
    "match_id_for",
    "match_proposed",
    "rank",
    "slot_answered",
    "slot_requested",
    "suits",
]
