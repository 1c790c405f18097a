"""Gateway: the HTTP API client apps use; it authenticates, validates and publishes events."""
