"""Event envelope, event models (one module per domain) and the topic catalogue."""

from kindred.events.envelope import Envelope, deterministic_id, new_id, utcnow

__all__ = ["Envelope", "deterministic_id", "new_id", "utcnow"]
