"""Check-ins: store what members report and announce it."""
