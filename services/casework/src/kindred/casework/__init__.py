"""Casework: the staff workspace's cases, reports, roster and audit trail."""
