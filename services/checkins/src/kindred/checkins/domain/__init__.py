"""Pure check-in logic. No I/O."""

from kindred.checkins.domain.checkins import recorded_event

__all__ = ["recorded_event"]
