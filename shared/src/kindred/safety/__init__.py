"""Safety rules, shared by the gateway (which answers a member at once with crisis resources)
and the check-ins service (which opens the alert): both evaluate exactly the same rules.

Pure and I/O-free, except `load_table`, which reads an operator's resources file.
"""

from kindred.safety.phrases import Category, Level, PhraseHit, TextFinding, assess
from kindred.safety.resources import (
    MEMBER_MESSAGE,
    CrisisResources,
    CrisisService,
    ResourceTable,
    ResourceTableError,
    crisis_message,
    load_table,
    packaged_table,
    resources_for,
)
from kindred.safety.rules import (
    Rule,
    Severity,
    Trigger,
    evaluate,
    evaluate_history,
    max_severity,
    sharp_decline,
    who5_decline,
)

__all__ = [
    "MEMBER_MESSAGE",
    "Category",
    "CrisisResources",
    "CrisisService",
    "Level",
    "PhraseHit",
    "ResourceTable",
    "ResourceTableError",
    "Rule",
    "Severity",
    "TextFinding",
    "Trigger",
    "assess",
    "crisis_message",
    "evaluate",
    "evaluate_history",
    "load_table",
    "max_severity",
    "packaged_table",
    "resources_for",
    "sharp_decline",
    "who5_decline",
]
