"""Pure notification logic: preferences and pacing (when a member is interrupted), deliveries
and their retries, the escalation of a safety alert, inbox entries, and the templates every
text comes from. No I/O, no codecs, no events."""
