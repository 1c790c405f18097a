"""Matching: profiles, support requests and match proposals."""
