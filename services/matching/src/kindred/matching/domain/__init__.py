"""Pure matching logic: eligibility and ranking. No I/O."""

from kindred.matching.domain.matching import Candidate, OpenRequest, eligible, rank

__all__ = ["Candidate", "OpenRequest", "eligible", "rank"]
