"""Pure check-in logic: what a check-in means for a member's safety (`safety`), and when a
schedule owes a reminder or a missed check-in (`schedules`). No I/O, no codecs, no events."""
