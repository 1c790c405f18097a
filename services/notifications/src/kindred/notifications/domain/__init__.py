"""Pure notification logic: which inbox entries an event makes. No I/O."""

from kindred.notifications.domain.inbox import InboxEntry, entries_for_match_proposed

__all__ = ["InboxEntry", "entries_for_match_proposed"]
