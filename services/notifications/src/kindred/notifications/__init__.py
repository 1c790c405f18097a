"""Notifications: the in-app inbox (channels, preferences and retries come later)."""
